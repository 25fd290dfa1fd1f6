/** `bgprobe wpt` as a library: select upstream tests in a checkout, run them, wptreport.json. */
export { checkWptRoot, isLongTimeout, MARKER, selectTests, sourcePathOf, wptRevision } from './checkout.js';
export {
  checkMetadataDir,
  Metadata,
  metadataLocation,
  unexpectedResults,
  updateMetadata,
  type Expected,
  type ResultLike,
  type Unexpected,
  type UpdateRun,
} from './expectations.js';
export { parse as parseManifest, serialize as serializeManifest, ManifestParseError, type RunInfo } from './wptmanifest.js';
export { explainSubtests } from './explain.js';
export { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS, type WptConfig, type WptRunOptions } from './config.js';
export { combineTries, laneOf, resolveWptConfig, runWpt, wptReportName, type WptResult } from './runner.js';
export { wptReportModel, type WptColumn } from './report.js';
export {
  loadBaseline,
  regressions,
  runInfoOf,
  toWptReport,
  type Baseline,
  type Lane,
  type Regression,
  type SkippedTest,
  type WptReportJson,
} from './wptreport.js';
export type { SubtestStatus, TestStatus, WptAttempt, WptRun, WptSubtest, WptTestResult } from './types.js';
