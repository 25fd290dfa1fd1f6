/** `bgprobe compat` as a library: the behaviour suite on one or more browsers, as the report model. */
export {
  DEFAULT_REPEAT,
  DEFAULT_RETRIES,
  DEFAULT_SCENARIO_TIMEOUT_MS,
  DEFAULT_WORKERS,
  buildReport,
  reportResult,
  resolveCompatConfig,
  runCompat,
} from './run.js';
export type { CompatConfig, CompatRunOptions, CompatRunResult, ProgressEvent, ScenarioResult } from './types.js';
