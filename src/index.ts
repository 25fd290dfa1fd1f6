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
export { findingsFor, unjoinedFindings, formatFinding, atLeast, RULES, type Finding, type FindingInput, type Severity } from './findings/index.js';
export { parseDevToolsJson, toDevToolsJsonText, devToolsFileName } from './recorder/devtools-json.js';
export type * from './probes/types.js';
export { joinServed, servedView, type ServedSource } from './recorder/served.js';
export { FixtureServer, RESOURCE_GRAMMAR, type ServedRequest, type FixtureServerOptions } from './server/index.js';
export { runCompat, type CompatRunOptions, type CompatRunResult } from './scenarios/compat.js';
export type { ReportModel, ReportV1 } from './report/model.js';
