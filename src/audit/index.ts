/** `bgprobe audit` as a library: an app's background fetches, their findings, the report model. */
export {
  AUDIT_FAIL_ON,
  DEFAULT_AUDIT_FAIL_ON,
  DEFAULT_AUDIT_RETRIES,
  DEFAULT_AUDIT_TIMEOUT_S,
  resolveAuditConfig,
  type AuditConfig,
  type AuditRunOptions,
} from './config.js';
export {
  auditJson,
  auditReport,
  allFindings,
  countSeverities,
  type AuditFinding,
  type AuditJson,
  type AuditRun,
  type LostAudit,
} from './report.js';
export { runAudit, type AuditResult, type StopReason } from './run.js';
