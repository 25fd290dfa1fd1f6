/**
 * The typed options every command body receives, in one module: the declarations (`*.args.ts`)
 * produce them and the bodies (`*.ts`) consume them, so neither imports the other's types.
 * The defaults a user can see in `--help` are named here once; the suite's own (workers, the
 * per-scenario deadline) belong to runCompat and are re-used from there.
 */
import type { ServiceName } from '../recorder/services.js';
import type { Format } from '../report/formats.js';
import type { BrowserSpec } from '../scenarios/spec.js';
import type { Severity } from '../findings/index.js';

export { DEFAULT_REPEAT, DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS, DEFAULT_WORKERS } from '../scenarios/compat.js';
export { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS } from '../wpt/defaults.js';
/** `audit --retries`: re-runs of an audit whose browser was lost. */
export const DEFAULT_AUDIT_RETRIES = 1;

/** Where `wpt` writes wptreport.json and its report. */
export const DEFAULT_WPT_OUT = 'bgprobe-wpt';

/** Where compat, merge and report write their report directory. */
export const DEFAULT_OUT = 'bgprobe-report';
/** `serve --port 0`: a free port. */
export const DEFAULT_PORT = 0;
/** What `record` records without --service. */
export const DEFAULT_SERVICES: readonly ServiceName[] = ['backgroundFetch'];

export const FAIL_ON = ['deviates', 'regressions', 'errors', 'flaky'] as const;
export type FailOn = (typeof FAIL_ON)[number];
/** What makes `compat` exit 1 without --fail-on. */
export const DEFAULT_FAIL_ON: readonly FailOn[] = ['errors'];

export interface CompatOptions {
  browsers: BrowserSpec[];
  scenarios: string[];
  out: string;
  formats: Format[];
  workers: number;
  /** ms */
  timeout: number;
  baseline: string | null;
  failOn: FailOn[];
  shard: { index: number; total: number } | null;
  headed: boolean;
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
  /** Re-runs of a scenario whose browser was lost (0: none). */
  retries: number;
  /** Runs of each scenario; differing verdicts are reported `unstable`. */
  repeat: number;
  /** Lines for stderr before the run: engines `--browser all` left out, and how to install them. */
  notes?: string[];
}

/** `audit --timeout`: seconds for each selector and for every fetch to settle. */
export const DEFAULT_AUDIT_TIMEOUT_S = 60;
export const AUDIT_FAIL_ON = ['error', 'warning', 'info'] as const satisfies readonly Severity[];
export const DEFAULT_AUDIT_FAIL_ON: Severity = 'error';

export interface AuditOptions {
  /** The app's page (null with --endpoint and no URL: every origin counts). */
  url: string | null;
  clicks: string[];
  /** Absolute path of a .js/.mjs module whose default export is given the Playwright page. */
  script: string | null;
  /** Seconds to wait for each selector and for every fetch to settle. */
  timeout: number;
  headed: boolean;
  endpoint: string | null;
  /** Seconds to watch a running browser (--endpoint); null = until Ctrl-C. */
  duration: number | null;
  json: boolean;
  out: string | null;
  failOn: Severity;
  browser: string | null;
  browserArgs: string[];
  /** Re-runs of the audit on a fresh browser when its browser was lost (0: none; not with --endpoint). */
  retries: number;
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
}

export interface RecordOptions {
  endpoint: string | null;
  url: string | null;
  browser: string | null;
  browserArgs: string[];
  headed: boolean;
  services: ServiceName[];
  out: string | null;
  ndjson: boolean;
  /** seconds; null = until Ctrl-C (or the endpoint closes). */
  duration: number | null;
  probes: boolean;
}

export interface ReportOptions {
  input: string;
  out: string;
  formats: Format[];
}

export interface DiffOptions {
  a: string;
  b: string;
  json: boolean;
}

export interface MergeOptions {
  inputs: string[];
  out: string;
  formats: Format[];
  baseline: string | null;
  /** Empty: merge exits 0 whatever the verdicts (the shards' own runs gate them). */
  failOn: FailOn[];
  stepSummary: boolean;
}

export interface ServeOptions {
  port: number;
  root: string | null;
}

export interface ScenariosOptions {
  globs: string[];
  json: boolean;
}

export interface WptOptions {
  /** Paths or globs relative to the root; empty: background-fetch/. */
  tests: string[];
  wptRoot: string;
  browser: BrowserSpec;
  out: string;
  formats: Format[];
  workers: number;
  timeoutMultiplier: number;
  /** Re-runs of a test file whose browser was lost (0: none). */
  retries: number;
  baseline: string | null;
  /** A folder of wptrunner expectation files (.ini): each result expected or unexpected, exit 1 on an unexpected one. */
  metadata: string | null;
  /** A folder to write (or update) expectation files in from this run, as `wpt update-expectations`. */
  updateMetadata: string | null;
  shard: { index: number; total: number } | null;
  headed: boolean;
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
}
