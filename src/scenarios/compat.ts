/**
 * runCompat: the behaviour suite as a library call (what `bgprobe compat` does, minus the
 * terminal): select, shard, run, map the run onto the report format, compare with a
 * baseline, and write the report directory when asked. It lives with the suite; the report
 * layer below knows only its own format (src/report/model.ts).
 */
import { diffReports } from '../report/diff.js';
import { DEFAULT_FORMATS, type Format } from '../report/formats.js';
import { SCHEMA_VERSION, countVerdicts, sortResults, type ReportAttempt, type ReportBrowser, type ReportModel, type ReportResult, type ReportScenario } from '../report/model.js';
import { writeReport } from '../report/write.js';
import { toolVersion } from '../util/version.js';
import { selectScenarios, shard as shardList, type SkipEntry } from './registry.js';
import { runScenarios, type Attempt, type ProgressEvent, type RunResult, type ScenarioResult } from './runner.js';
import { browserSpecs, type BrowserSpec } from './spec.js';
import type { Scenario } from './types.js';

/** Scenarios in flight at once per browser, unless told otherwise (`--workers`). */
export const DEFAULT_WORKERS = 3;
/** One scenario's deadline unless told otherwise (`--timeout`); a scenario's own longer one wins. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** Re-runs of a scenario whose browser was lost, unless told otherwise (`--retries`; 0 turns them off). */
export const DEFAULT_RETRIES = 1;
/** Runs of each scenario unless told otherwise (`--repeat`). */
export const DEFAULT_REPEAT = 1;

export interface CompatRunOptions {
  /** Default: the discovered local Chromium. */
  browsers?: BrowserSpec[];
  /** Globs over scenario ids; all when empty. */
  scenarios?: string[];
  workers?: number;
  /** Per-scenario deadline, ms. */
  timeout?: number;
  /** Re-runs of a scenario whose browser was lost. Default 1; 0 turns them off. */
  retries?: number;
  /** Runs of each scenario; differing verdicts are reported `unstable`. Default 1. */
  repeat?: number;
  shard?: { index: number; total: number } | null;
  headless?: boolean;
  /** A loaded baseline report and the name to show for it. */
  baseline?: { model: ReportModel; name: string } | null;
  /** Write the report directory here (atomically). */
  out?: string;
  formats?: Format[];
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
}

export interface CompatRunResult {
  report: ReportModel;
  /** Files written, by format (empty without `out`). */
  files: Partial<Record<Format, string>>;
}

export async function runCompat(options: CompatRunOptions = {}): Promise<CompatRunResult> {
  const { scenarios, skipped } = selectScenarios(options.scenarios ?? []);
  const shard = options.shard ?? null;
  const mine = shard ? shardList(scenarios, shard.index, shard.total) : scenarios;
  // The skip list is reported by the first shard only, so merged shards list it once.
  const mySkips = shard && shard.index !== 1 ? [] : skipped;
  const workers = options.workers ?? DEFAULT_WORKERS;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const repeat = options.repeat ?? DEFAULT_REPEAT;
  const run = await runScenarios({
    browsers: options.browsers ?? browserSpecs([], [], []),
    scenarios: mine,
    skipped: mySkips,
    workers,
    timeout,
    retries,
    repeat,
    headless: options.headless ?? true,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const report = buildReport(run, { scenarios: mine, skipped: mySkips, shard, selection: options.scenarios ?? [], workers, timeoutMs: timeout, retries, repeat });
  if (options.baseline) {
    // Compare what this run covered: a subset run (--scenario, --shard) is not a removal.
    const ids = new Set(report.scenarios.map((s) => s.id));
    const labels = new Set(report.browsers.map((b) => b.label));
    const base = { ...options.baseline.model, results: options.baseline.model.results.filter((r) => ids.has(r.scenarioId) && labels.has(r.browser)) };
    report.comparison = diffReports(base, report, options.baseline.name);
  }
  const files = options.out ? writeReport(options.out, report, options.formats ?? DEFAULT_FORMATS) : {};
  return { report, files };
}

export interface BuildOptions {
  scenarios: readonly Scenario[];
  skipped: readonly SkipEntry[];
  shard: { index: number; total: number } | null;
  selection: string[];
  workers: number;
  timeoutMs: number;
  retries: number;
  repeat: number;
}

/** One attempt as the report keeps it (field by field, as reportResult). */
function reportAttempt(a: Attempt): ReportAttempt {
  return {
    run: a.run,
    retry: a.retry,
    verdict: a.verdict,
    summary: a.summary,
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    took: a.took ? { outcome: a.took.outcome, ms: a.took.ms } : null,
    observation: a.observation,
    evidence: a.evidence,
    error: a.error,
    browserLost: a.browserLost ? { fatal: a.browserLost.fatal } : null,
  };
}

/**
 * One runner result as the report keeps it: the fields are copied one by one, so a field the
 * runner adds for itself never leaks into the file, and the compiler checks each type.
 */
export function reportResult(r: ScenarioResult): ReportResult {
  return {
    scenarioId: r.scenarioId,
    browser: r.browser,
    verdict: r.verdict,
    summary: r.summary,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    took: r.took ? { outcome: r.took.outcome, ms: r.took.ms } : null,
    observation: r.observation,
    evidence: r.evidence,
    error: r.error,
    flaky: r.flaky,
    attempts: r.attempts.map(reportAttempt),
  };
}

/** The run mapped onto the report format (schemaVersion 1). */
export function buildReport(run: RunResult, options: BuildOptions): ReportModel {
  const scenarios: ReportScenario[] = [
    ...options.scenarios.map((s) => ({ id: s.id, title: s.title, group: s.group, expectation: s.expectation, link: s.link, skipReason: null })),
    ...options.skipped.map((s) => ({ id: s.id, title: s.title, group: s.id.split('.')[0] ?? '', expectation: '', link: s.link, skipReason: s.reason })),
  ];
  const browsers: ReportBrowser[] = run.browsers.map((b) => ({
    label: b.spec.label,
    kind: b.spec.kind,
    engine: b.spec.engine ?? 'chromium',
    target: b.spec.target,
    args: b.spec.args,
    version: b.version,
    launchError: b.launchError,
    launches: b.launches,
    crashes: b.crashes.map((c) => ({ at: c.at, lastWords: c.lastWords })),
  }));
  const results = sortResults(run.results.map(reportResult), scenarios, browsers);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: toolVersion() },
    run: {
      command: 'compat',
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: options.shard,
      mergedFrom: [],
      selection: options.selection,
      workers: options.workers,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      repeat: options.repeat,
    },
    browsers,
    scenarios,
    results,
    summary: countVerdicts(results),
    comparison: null,
  };
}

