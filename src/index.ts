/**
 * bgprobe: record, assert and report what the Background Fetch API really does, in real
 * Chromium, through the DevTools BackgroundService domain.
 */
export * from './browsers/index.js';
export * from './errors.js';
export type { CdpSession } from './cdp/session.js';
export { PlaywrightCdpSession } from './cdp/session.js';
export { CdpConnection, CriTransport, type CdpTransport, type CriClientLike } from './cdp/connection.js';
export { BackgroundServiceRecorder, type AttachOptions, type WaitForFetchOptions } from './recorder/recorder.js';
export type { ProbeStats } from './probes/installer.js';
export { Recording, type EventFilter } from './recorder/recording.js';
export { SERVICE_NAMES, parseServices, type ServiceName, type ServiceSelection } from './recorder/services.js';
export type { NormalisedEvent, RawBackgroundServiceEvent, FetchFailureReason, FetchEventKind } from './recorder/normalise.js';
export { normaliseEvent, normaliseFailureReason, normaliseEventType } from './recorder/normalise.js';
export type { FetchTimeline, FetchRequest, FetchOutcome, FetchStage, ServedView } from './recorder/timeline.js';
export { formatTimeline } from './recorder/format.js';
export {
  findingsFor,
  unjoinedFindings,
  formatFinding,
  atLeast,
  RULES,
  type Finding,
  type FindingInput,
  type Severity,
} from './findings/index.js';
export { parseDevToolsJson, toDevToolsJsonText, devToolsFileName } from './recorder/devtools-json.js';
export type * from './probes/types.js';
export { joinServed, servedView, type ServedSource } from './recorder/served.js';
export { FixtureServer, RESOURCE_GRAMMAR, type ServedRequest, type FixtureServerOptions } from './server/index.js';
// The run modes, each one library call over one resolved config (docs/architecture.md).
export { runCompat, resolveCompatConfig, type CompatConfig, type CompatRunOptions, type CompatRunResult } from './compat/index.js';
export {
  runAudit,
  resolveAuditConfig,
  auditJson,
  type AuditConfig,
  type AuditRunOptions,
  type AuditResult,
  type AuditRun,
  type AuditJson,
  type AuditFinding,
  type StopReason,
} from './audit/index.js';
export {
  runWpt,
  resolveWptConfig,
  toWptReport,
  Metadata,
  updateMetadata,
  type WptConfig,
  type WptRunOptions,
  type WptResult,
  type WptRun,
  type WptReportJson,
} from './wpt/index.js';
export { record, resolveRecordConfig, type RecordConfig, type RecordRunOptions, type RecordResult } from './recorder/record.js';
export { launchBrowser } from './browsers/browser-type.js';
export type { BrowserType, BrowserSpec, BrowserLaunchOptions, LaunchedBrowser, EngineDriver, EngineName } from './browsers/types.js';
export { browserSpecs } from './browsers/spec.js';
export type { ReportModel, ReportV1 } from './report/model.js';
