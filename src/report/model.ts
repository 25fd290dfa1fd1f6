/**
 * The report file's own types: the one model every renderer reads (json, html, markdown,
 * junit), and what `bgprobe report|diff|merge` and `compat --baseline` load back. It is a
 * format, not a runner's internals: each run mode maps its run onto it (compat/run.ts,
 * audit/report.ts, wpt/report.ts), and the compiler checks those mappings field by field, so a
 * change in a runner cannot reach the file unnoticed. The JSON form is documented in reports/SCHEMA.md (prose) and checked by
 * reports/report.schema.json (JSON Schema, used by load.ts); change all three together and
 * bump SCHEMA_VERSION when a reader of the old shape would break.
 */
import type { BrowserKind, EngineName } from '../util/engines.js';
import { toolVersion } from '../util/version.js';

export const SCHEMA_VERSION = 1;

export const VERDICTS = ['conforms', 'deviates', 'unsupported', 'not-automatable', 'error', 'skipped', 'unstable'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * The commands that write a report (`report` re-renders one, `merge` keeps its inputs' command).
 * `playwright`: `bgprobe/reporter` over a Playwright Test run, where a scenario is a test, a
 * browser is a project and a verdict is the test's outcome (conforms: passed, deviates: failed,
 * error: timed out or interrupted, skipped: skipped; a test that passed on a retry is `flaky`).
 */
export const REPORT_COMMANDS = ['compat', 'wpt', 'audit', 'playwright'] as const;
export type ReportCommand = (typeof REPORT_COMMANDS)[number];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface ReportBrowser {
  label: string;
  kind: BrowserKind;
  /** The engine that ran it. Absent in reports of earlier bgprobe versions: chromium. */
  engine?: EngineName;
  target: string | null;
  args: string[];
  version: string | null;
  launchError: string | null;
  /** Launch attempts: 1, plus one per relaunch after a crash or a hang (a first launch that failed counts). Absent in reports of earlier bgprobe versions. */
  launches?: number;
  /** Its ends that bgprobe did not ask for, each with the FATAL line of its log. Absent in reports of earlier bgprobe versions. */
  crashes?: Array<{ at: number; lastWords: string | null }>;
}

export interface ReportScenario {
  id: string;
  title: string;
  group: string;
  expectation: string;
  link: string;
  /** Set for entries of the skip list: why it is not run. */
  skipReason: string | null;
  /** A Playwright test's place in its spec file (path relative to the config's rootDir). Only in `playwright` runs. */
  location?: { file: string; line: number; column: number };
}

/** A BackgroundService event as the DevTools panel lists it. */
export interface EventRow {
  /** ms since the epoch. */
  at: number;
  service: string;
  name: string;
  origin: string;
  storageKey: string | null;
  registrationId: string;
  instanceId: string;
  /** Sorted by key, as the DevTools panel shows them. */
  metadata: Array<[string, string]>;
}

/** What the fixture server saw for one request. */
export interface ServedRow {
  method: string;
  url: string;
  status: number;
  bytesSent: number;
  bytesReceived: number;
  cut: boolean;
  range: string | null;
  startedAt: number;
  completedAt: number | null;
}

export interface RequestRow {
  index: number;
  url: string;
  status: number | null;
  bytes: number | null;
  uploadBytes: number;
  startedAt: number | null;
  completedAt: number | null;
  /** How many times the browser started this request (more than 1 after a restart). */
  attempts: number;
  served: ServedRow[];
}

export interface ProbeRow {
  at: number;
  kind: string;
  context: 'page' | 'worker';
  detail: { [key: string]: Json };
}

/** What one of bgprobe's rules found about a fetch (src/findings/). */
export interface FindingRow {
  /** 'no-listener', 'wait-until-rejected', ... (docs/audit.md, "Findings"). */
  code: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  evidence: { [key: string]: Json };
}

export interface FetchEvidence {
  id: string;
  /** The app's origin (`{fixture}` for the fixture server). Absent in reports of earlier bgprobe versions. */
  origin?: string;
  outcome: 'pending' | 'success' | 'failure' | 'aborted';
  /** The spec's name (`bad-status`, `fetch-error`, ...). */
  failureReason: string | null;
  failureReasonRaw: string | null;
  eventType: string | null;
  paused: boolean | null;
  totalRequests: number | null;
  resumedAfterRestart: boolean;
  registeredAt: number | null;
  startedAt: number | null;
  completedAt: number | null;
  requests: RequestRow[];
  /** Page-side `progress` samples: [at, downloaded, downloadTotal, uploaded, uploadTotal]. */
  progress: Array<[number, number, number, number, number]>;
  probes: ProbeRow[];
  /** Errors first. Absent in reports of earlier bgprobe versions. */
  findings?: FindingRow[];
}

export interface StepRow {
  at: number;
  what: string;
  result: Json;
}

export interface Evidence {
  fixtureOrigin: string | null;
  fetches: FetchEvidence[];
  events: EventRow[];
  worker: Array<{ [key: string]: Json }>;
  server: ServedRow[];
  steps: StepRow[];
  notes: string[];
}

/** How long the browser took to reach the outcome a verdict judges. */
export interface Took {
  /** What was reached (`download-total-exceeded`, `success`...), or `still pending` at the deadline. */
  outcome: string;
  ms: number;
}

/** What one run of a scenario gave: shared by a result (its final run) and each of its attempts. */
export interface ReportOutcome {
  verdict: Verdict;
  summary: string;
  startedAt: number;
  durationMs: number;
  /** How long the browser took to reach the judged outcome; null when not measured. Absent (read as null) in older reports. */
  took: Took | null;
  /** The scenario's facts as plain JSON; its shape is per scenario. */
  observation: { [key: string]: Json } | null;
  evidence: Evidence;
  error: { name: string; message: string; stack: string | null } | null;
  /** The Selenium Grid node it ran on (the node's URI, as the Grid's /status lists it). Absent for a browser of this machine. */
  node?: string;
}

/** One run of a scenario: the first, a --repeat run, or a retry after the browser was lost. */
export interface ReportAttempt extends ReportOutcome {
  /** Which --repeat run (1-based) it belongs to. */
  run: number;
  /** A re-run of `run` after its browser was lost. */
  retry: boolean;
  /** Set when this attempt lost its browser: the browser's FATAL line, when it left one. */
  browserLost: { fatal: string | null } | null;
}

/** One scenario x browser: its final run's outcome, plus what its attempts add up to. */
export interface ReportResult extends ReportOutcome {
  scenarioId: string;
  browser: string;
  /** A retry after the browser was lost reached the verdict. Absent (read as false) in older reports. */
  flaky: boolean;
  /** Every attempt, in order, when there was more than one (a retry, --repeat); empty otherwise. Absent (read as []) in older reports. */
  attempts: ReportAttempt[];
}

export type ChangeKind = 'regression' | 'improvement' | 'changed' | 'unstable' | 'added' | 'removed';

export interface Change {
  scenarioId: string;
  browser: string;
  kind: ChangeKind;
  from: Verdict | null;
  to: Verdict | null;
  /** Observation fields that differ: dotted path, old and new value as JSON text. */
  observed: Array<{ path: string; from: string; to: string }>;
  /** How long the browser took to reach the judged outcome, before and after (ms); null when either side did not measure it. A time, never a regression. */
  took?: { from: number; to: number; outcome: string } | null;
}

export interface Comparison {
  /** Where the baseline came from (a path as given). */
  baseline: string;
  changes: Change[];
  regressions: number;
}

/** One finding code seen in a run, per app origin: the suite-wide summary of a `playwright` run. */
export interface FindingCount {
  code: string;
  severity: 'error' | 'warning' | 'info';
  origin: string;
  /** Fetches that had it. */
  fetches: number;
  /** Results (tests) with such a fetch. */
  results: number;
}

export interface Shard {
  index: number;
  total: number;
}

/** schemaVersion 1 of report.json. */
export interface ReportV1 {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'bgprobe'; version: string };
  run: {
    /** The command that made the report; a merge of different commands' reports has none. Absent in reports of earlier bgprobe versions. */
    command?: ReportCommand;
    startedAt: number;
    durationMs: number;
    interrupted: boolean;
    shard: Shard | null;
    /** Which shards a merged report was made of (empty otherwise). */
    mergedFrom: Array<Shard | null>;
    selection: string[];
    workers: number;
    timeoutMs: number;
    /** --retries and --repeat. Absent in older reports. */
    retries?: number;
    repeat?: number;
  };
  browsers: ReportBrowser[];
  scenarios: ReportScenario[];
  results: ReportResult[];
  summary: {
    total: number;
    byVerdict: Record<Verdict, number>;
    /** Results whose verdict came from a retry after the browser was lost, by why it was lost. Absent in older reports. */
    flaky?: { total: number; reasons: Array<{ reason: string; count: number }> };
    /** Findings of every recorded fetch, by code and app origin, errors first. Only in `playwright` runs. */
    findings?: FindingCount[];
  };
  comparison: Comparison | null;
}

/** The report this bgprobe writes and reads. */
export type ReportModel = ReportV1;

/**
 * report.json as it is read back, the type reports/report.schema.json is generated from
 * (scripts/gen-schema.mjs): a report of an earlier bgprobe of the same schemaVersion lacks the
 * fields added since (loadReport reads them as "measured nothing, ran once"), and the file holds
 * the BCD table renderJson derives from the model (`bcd`, never read back).
 */
export type ReportFile = Omit<ReportModel, 'results' | 'summary'> & {
  // Spelt from ReportOutcome and ReportResult's own fields: the generator drops inherited members through an Omit.
  results: Array<
    Omit<ReportOutcome, 'took'> &
      Partial<Pick<ReportOutcome, 'took'>> &
      Pick<ReportResult, 'scenarioId' | 'browser'> &
      Partial<Pick<ReportResult, 'flaky' | 'attempts'>>
  >;
  summary: Omit<ReportModel['summary'], 'byVerdict'> & {
    /** Results by verdict. `unstable` is absent in reports of earlier bgprobe versions. */
    byVerdict: Omit<Record<Verdict, number>, 'unstable'> & { unstable?: number };
  };
  /** The BCD table, derived from results when api.exposure.bcd ran (reports/SCHEMA.md); recomputed on every render, never read back. Absent in reports of earlier bgprobe versions. */
  bcd?: object | null;
};

/** A result's outcome as one of the attempts of a result (a run that lost its browser, a --repeat run, the final run). */
export function attemptOf(r: ReportOutcome, run: number, retry: boolean, browserLost: ReportAttempt['browserLost']): ReportAttempt {
  const { verdict, summary, startedAt, durationMs, took, observation, evidence, error, node } = r;
  // The Grid node an attempt ran on stays with it (a retry may run on another node).
  return {
    run,
    retry,
    verdict,
    summary,
    startedAt,
    durationMs,
    took,
    observation,
    evidence,
    error,
    browserLost,
    ...(node ? { node } : {}),
  };
}

/**
 * A report of this bgprobe, as every run mode makes one: the mode gives what it ran (its run,
 * browsers, scenarios, results and comparison); the schema version, the tool and the summary are
 * filled in here, in the file's key order.
 */
export function newReport(parts: Pick<ReportModel, 'run' | 'browsers' | 'scenarios' | 'results' | 'comparison'>): ReportModel {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: toolVersion() },
    run: parts.run,
    browsers: parts.browsers,
    scenarios: parts.scenarios,
    results: parts.results,
    summary: countVerdicts(parts.results),
    comparison: parts.comparison,
  };
}

export function countVerdicts(results: readonly ReportResult[]): ReportModel['summary'] {
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) byVerdict[r.verdict]++;
  const reasons = new Map<string, number>();
  for (const r of results.filter((x) => x.flaky)) {
    for (const reason of new Set(r.attempts.filter((a) => a.browserLost).map((a) => lossReason(a.browserLost!.fatal))))
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const flaky = { total: results.filter((r) => r.flaky).length, reasons: [...reasons].map(([reason, count]) => ({ reason, count })) };
  return { total: results.length, byVerdict, flaky };
}

/**
 * Why an attempt lost its browser, short enough for a summary line: `browser crash: FATAL
 * partition_alloc_support.cc:821` (the FATAL line's file and line, its message left to the
 * attempt), or `browser disconnected` when it left no FATAL line (a SIGKILL, a closed endpoint).
 */
export function lossReason(fatal: string | null): string {
  const at = fatal ? /^FATAL (?:[^\s:]*\/)?([^\s/:]+:\d+)/.exec(fatal)?.[1] : undefined;
  if (at) return `browser crash: FATAL ${at}`;
  return fatal ? `browser crash: ${fatal.slice(0, 80)}` : 'browser disconnected';
}

/** Results in the scenario list's order, then the browser list's: stable JSON. */
export function sortResults(
  results: ReportResult[],
  scenarios: readonly ReportScenario[],
  browsers: readonly ReportBrowser[],
): ReportResult[] {
  const si = new Map(scenarios.map((s, i) => [s.id, i]));
  const bi = new Map(browsers.map((b, i) => [b.label, i]));
  return [...results].sort(
    (a, b) => (si.get(a.scenarioId) ?? 1e9) - (si.get(b.scenarioId) ?? 1e9) || (bi.get(a.browser) ?? 1e9) - (bi.get(b.browser) ?? 1e9),
  );
}
