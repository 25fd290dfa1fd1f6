/**
 * `bgprobe wpt`'s one resolved config and its defaults, in a module light enough for the CLI's
 * parser to import (types only below): resolveWptConfig (runner.ts) applies them once.
 */
import { availableParallelism } from 'node:os';
import type { BrowserSpec } from '../browsers/types.js';
import type { Durations } from '../report/durations.js';
import type { Format } from '../report/formats.js';
import type { Metadata } from './expectations.js';
import type { WptTestResult } from './types.js';
import type { Baseline } from './wptreport.js';

/** Measured on Chromium 156: a fetch's first request ~4.4 s after its worker registers, a CORS retry ~20 s later. 5 lets every background-fetch file finish. */
export const DEFAULT_TIMEOUT_MULTIPLIER = 5;
/**
 * Test files in flight at once on `cores` CPUs, each with a browser of its own. A file's time
 * is the browser's waits, not CPU: background-fetch/ on 2 cores used 0.3 of a core with 2
 * workers (61 s) and still under 0.4 with 4 (48 s, the floor being cors.https.window.html's
 * two 20 s CORS retries); 2 per core.
 */
export function defaultWptWorkers(cores: number): number {
  return Math.max(2, Math.min(16, 2 * Math.max(1, Math.floor(cores))));
}

/** Test files in flight at once unless told otherwise (`--workers`): this machine's defaultWptWorkers(). */
export const DEFAULT_WPT_WORKERS = defaultWptWorkers(availableParallelism());
/** Re-runs of a test file whose browser was lost (as `compat --retries`). */
export const DEFAULT_WPT_RETRIES = 1;

export interface WptConfig {
  /** The web-platform-tests checkout (checked: it has resources/testharness.js). */
  root: string;
  /** Paths or globs relative to the root, as given (the report's `run.selection`); empty: background-fetch/. */
  tests: string[];
  /** The test URLs `tests` and `shard` select, resolved once, sorted. */
  selected: string[];
  /**
   * The browsers to run the selection in, one after the other: each a column of the report and a
   * wptreport.json of its own. Chromium (a path or the discovered default), Firefox, WebKitGTK.
   */
  browsers: BrowserSpec[];
  headless: boolean;
  /** Test files in flight at once, each with a browser of its own. */
  workers: number;
  /** A previous run's time per file (`--durations`, else the baseline's): the longest start first, and `--shard` splits by it. Null: the declared timeouts. */
  durations: Durations | null;
  /** Browsers kept launched ahead for the files to come (each on a fresh profile). Default: one per two workers. */
  launchAhead: number;
  timeoutMultiplier: number;
  /** Re-runs of a test file whose browser was lost; 0 turns them off. */
  retries: number;
  shard: { index: number; total: number } | null;
  /** A previous wptreport.json (loadBaseline) and the name to show for it: a subtest that passed there and does not now is a regression. */
  baseline: { baseline: Baseline; name: string } | null;
  /** wptrunner expectation files (--metadata): each status expected or not, disabled tests skipped. */
  metadata: Metadata | null;
  /** Write (or update) expectation files here from the run (--update-metadata); null: none. */
  updateMetadata: string | null;
  /** Write wptreport.json and the report here (atomically); null: write nothing. */
  out: string | null;
  formats: Format[];
  /** Aborted on Ctrl-C: no new test file starts, the report has those that completed. */
  signal: AbortSignal | null;
  /** Each test file's result as it comes; `browser` is its column's label. */
  onResult: ((r: WptTestResult, done: number, total: number, browser: string) => void) | null;
}

/** runWpt's input: the checkout's root, and any other part of the config. */
export type WptRunOptions = Partial<Omit<WptConfig, 'selected'>> & {
  root: string;
  /** One browser: shorthand for `browsers: [browser]`. */ browser?: BrowserSpec;
};
