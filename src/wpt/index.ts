/** `bgprobe wpt` as a library: select upstream tests in a checkout, run them, wptreport.json. */
export { checkWptRoot, isLongTimeout, MARKER, selectTests } from './checkout.js';
export { explainSubtests } from './explain.js';
export { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS, type WptConfig, type WptRunOptions } from './config.js';
export { combineTries, resolveWptConfig, runWpt, type WptResult } from './runner.js';
export { wptReportModel } from './report.js';
export { loadBaseline, regressions, toWptReport, type Baseline, type Regression, type WptReportJson } from './wptreport.js';
export type { SubtestStatus, TestStatus, WptAttempt, WptRun, WptSubtest, WptTestResult } from './types.js';
