/**
 * The typed options every command body receives, in one module: the declarations (`*.args.ts`)
 * produce them and the bodies (`*.ts`) consume them, so neither imports the other's types.
 * The defaults a user can see in `--help` are named here once; the suite's own (workers, the
 * per-scenario deadline) belong to runCompat and are re-used from there.
 */
import type { ServiceName } from '../recorder/services.js';
import type { Format } from '../report/formats.js';
import type { AuditConfig } from '../audit/config.js';
import type { CompatConfig } from '../compat/types.js';
import type { RecordConfig } from '../recorder/record.js';
import type { WptConfig } from '../wpt/config.js';

export { DEFAULT_REPEAT, DEFAULT_RETRIES, DEFAULT_SCENARIO_TIMEOUT_MS, DEFAULT_WORKERS } from '../compat/run.js';
export { DEFAULT_TIMEOUT_MULTIPLIER, DEFAULT_WPT_RETRIES, DEFAULT_WPT_WORKERS } from '../wpt/config.js';

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

/** `compat`'s flags: the run's own part as the config names it (compat/types.ts), and what only the command uses. */
export interface CompatOptions extends Pick<
  CompatConfig,
  'browsers' | 'scenarios' | 'formats' | 'workers' | 'timeout' | 'retries' | 'repeat' | 'shard' | 'headless' | 'fixtureHost'
> {
  /** The report directory, as given (resolved against the working directory by the command). */
  out: string;
  /** A previous report.json's path, as given. */
  baseline: string | null;
  /** A previous report's path whose times order and shard the run (`--durations`), as given. */
  durations: string | null;
  failOn: FailOn[];
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
  /** Lines for stderr before the run: engines `--browser all` left out, and how to install them. */
  notes?: string[];
}

export { AUDIT_FAIL_ON, DEFAULT_AUDIT_FAIL_ON, DEFAULT_AUDIT_RETRIES, DEFAULT_AUDIT_TIMEOUT_S } from '../audit/config.js';

/** `audit`'s flags: the audit's own part as its config names it (audit/config.ts, ms), and what only the command uses. */
export interface AuditOptions extends Pick<
  AuditConfig,
  'url' | 'clicks' | 'script' | 'timeout' | 'headless' | 'endpoint' | 'duration' | 'failOn' | 'browser' | 'browserArgs' | 'retries' | 'grid'
> {
  /** Print { fetches, findings } as JSON on stdout. */
  json: boolean;
  /** The report directory, as given (resolved against the working directory by the command). */
  out: string | null;
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
}

/** `record`'s flags: the recording's own part as its config names it (recorder/record.ts, ms), and what only the command uses. */
export interface RecordOptions extends Omit<RecordConfig, 'signal' | 'onEvent' | 'onMessage'> {
  /** Print one normalised event per line on stdout. */
  ndjson: boolean;
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

/** `wpt`'s flags: the run's own part as its config names it (wpt/config.ts), and what only the command uses. */
export interface WptOptions extends Pick<
  WptConfig,
  'tests' | 'browsers' | 'formats' | 'workers' | 'timeoutMultiplier' | 'retries' | 'shard' | 'headless'
> {
  /** The checkout's root, as given (resolved against the working directory by the command). */
  wptRoot: string;
  /** The output directory, as given. */
  out: string;
  /** A previous wptreport.json's path, as given. */
  baseline: string | null;
  /** A previous report.json or wptreport.json whose times order and shard the files (`--durations`), as given. */
  durations: string | null;
  /** A folder of wptrunner expectation files (.ini): each result expected or unexpected, exit 1 on an unexpected one. */
  metadata: string | null;
  /** A folder to write (or update) expectation files in from this run, as `wpt update-expectations`. */
  updateMetadata: string | null;
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when it is set (--no-step-summary: off). */
  stepSummary: boolean;
}
