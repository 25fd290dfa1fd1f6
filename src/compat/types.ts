/**
 * The compat run mode's types: its one resolved config (CompatConfig, resolved once by
 * resolveCompatConfig, as Playwright resolves its FullConfig) and what a run gives back before
 * it is mapped onto the report format.
 */
import type { BrowserCrash } from '../browsers/slot.js';
import type { BrowserSpec } from '../browsers/types.js';
import type { Evidence } from '../evidence/evidence.js';
import type { Durations } from '../report/durations.js';
import type { Format } from '../report/formats.js';
import type { ReportModel } from '../report/model.js';
import type { Timing } from '../scenarios/context.js';
import type { SkipEntry } from '../scenarios/registry.js';
import type { Observation, Scenario, Verdict } from '../scenarios/types.js';

/** `bgprobe compat`'s whole input, every default applied: what runCompat runs. */
export interface CompatConfig {
  /** Default: the discovered local Chromium. */
  browsers: BrowserSpec[];
  /** Globs over scenario ids, as given (the report's `run.selection`); empty: all. */
  scenarios: string[];
  /** What `scenarios` and `shard` select, resolved once: the scenarios this run runs, in report order, and the skip-list entries it reports (the first shard's only). */
  selected: { scenarios: Scenario[]; skipped: SkipEntry[] };
  /** Scenarios in flight at once, all browsers together (one pool). */
  workers: number;
  /** What each scenario took in a previous run (`--durations`, else the baseline's): the scheduler's expected times and `--shard`'s weights. Null: the declared deadlines. */
  durations: Durations | null;
  /** Per-scenario deadline, ms (a scenario's own longer `timeout` wins). */
  timeout: number;
  /** Re-runs of a scenario whose browser was lost; 0 turns them off. */
  retries: number;
  /** Runs of each scenario (a fresh context each); differing verdicts are reported `unstable`. */
  repeat: number;
  shard: { index: number; total: number } | null;
  headless: boolean;
  /** Serve the fixture origin on this address for browsers on other hosts (`--fixture-host`); null: 127.0.0.1, or for a Grid elsewhere the address this machine reaches it from. */
  fixtureHost: string | null;
  /** A loaded baseline report and the name to show for it. */
  baseline: { model: ReportModel; name: string } | null;
  /** Write the report directory here (atomically); null: write nothing. */
  out: string | null;
  formats: Format[];
  /** Aborted on Ctrl-C: stop scheduling, drop what is in flight, report what finished. */
  signal: AbortSignal | null;
  onProgress: ((e: ProgressEvent) => void) | null;
}

/** runCompat's input: any part of the config; resolveCompatConfig fills in the rest. */
export type CompatRunOptions = Partial<Omit<CompatConfig, 'selected'>>;

export interface CompatRunResult {
  report: ReportModel;
  /** Files written, by format (empty without `out`). */
  files: Partial<Record<Format, string>>;
}

/** One attempt of one scenario on one browser, as runAttempt gives it. */
export interface AttemptResult {
  verdict: Verdict;
  summary: string;
  startedAt: number;
  durationMs: number;
  /** How long the browser took to reach the judged outcome; null when the scenario did not say. */
  took: Timing | null;
  observation: Observation | null;
  evidence: Evidence;
  error: { name: string; message: string; stack: string | null } | null;
  /** The Grid node it ran on (its URI); absent for a browser of this machine. */
  node?: string;
  /** Set when the browser was lost under this attempt (so it may be re-run): its FATAL line, when it left one. */
  browserLost: { fatal: string | null } | null;
}

/** One run of a scenario: the first, a --repeat run, or a retry after the browser was lost. */
export interface Attempt extends AttemptResult {
  /** Which of the --repeat runs (1-based) this attempt belongs to. */
  run: number;
  /** A re-run of `run` after its browser was lost. */
  retry: boolean;
}

/** One scenario on one browser: the final attempt's fields, plus what the attempts add up to. */
export interface ScenarioResult extends Omit<AttemptResult, 'browserLost'> {
  scenarioId: string;
  browser: string;
  /** A retry after the browser was lost reached the verdict. */
  flaky: boolean;
  /** Every attempt, in order, when there was more than one (a retry, --repeat); empty otherwise. */
  attempts: Attempt[];
}

export interface BrowserRunInfo {
  spec: BrowserSpec;
  version: string | null;
  launches: number;
  /** Ends of the browser bgprobe did not ask for (each followed by a relaunch when scenarios remained). */
  crashes: BrowserCrash[];
  launchError: string | null;
}

export type ProgressEvent =
  | { type: 'start'; scenarioId: string; browser: string; done: number; total: number }
  | { type: 'end'; result: ScenarioResult; done: number; total: number };

export interface RunResult {
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  browsers: BrowserRunInfo[];
  results: ScenarioResult[];
}
