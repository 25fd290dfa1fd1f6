/**
 * runCompat: the behaviour suite as a library call (what `bgprobe compat` does, minus the
 * terminal): resolve the config once (select, shard, defaults), run, map the run onto the
 * report format, compare with a baseline, and write the report directory when asked. The
 * report layer below knows only its own format (src/report/model.ts).
 */
import { browserSpecs } from '../browsers/spec.js';
import { diffReports } from '../report/diff.js';
import { DEFAULT_FORMATS } from '../report/formats.js';
import {
  newReport,
  sortResults,
  type ReportAttempt,
  type ReportBrowser,
  type ReportModel,
  type ReportResult,
  type ReportScenario,
} from '../report/model.js';
import { writeReport } from '../report/write.js';
import { selectScenarios } from '../scenarios/registry.js';
import { durationsOf, expectedMs } from '../report/durations.js';
import { shardByTime } from '../util/shard.js';
import { availableParallelism } from 'node:os';
import { compatJobs, deadlineOf, runScenarios } from './runner.js';
import { simulate } from '../util/schedule.js';
import { fixtureHostFor, withFixtureHost } from './fixture-host.js';
import type { Attempt, CompatConfig, CompatRunOptions, CompatRunResult, RunResult, ScenarioResult } from './types.js';

/**
 * Scenarios in flight at once, all lanes together, on a machine with `cores` CPUs: most of a
 * scenario's time is the browser's own waits (a fetch's first request 2 s after it starts, a
 * throttled body, a restart), not CPU. Measured on 2 cores (Chromium 156, the Chromium lane, 52
 * scenarios, ordered by a previous run's times, other work on the machine: load 6-10):
 * 4 workers 50.0 s (1.49x the longest scenario, 0.55 of a core for bgprobe and its browsers),
 * 6 workers 43.6-46.5 s (1.20-1.34x, 0.6 of a core), 9 workers no faster and once lost the run
 * to a Playwright race (a context closed while a binding was still being installed, since
 * waited for at teardown). Past 3 per core nothing is gained: the lane is at its longest
 * scenario, and more at once only stretches each scenario's set-up.
 */
export function defaultWorkers(cores: number): number {
  return Math.max(2, Math.min(16, 3 * Math.max(1, Math.floor(cores))));
}

/** Scenarios in flight at once unless told otherwise (`--workers`): this machine's defaultWorkers(). */
export const DEFAULT_WORKERS = defaultWorkers(availableParallelism());
/** One scenario's deadline (ms) unless told otherwise (`--timeout`); a scenario's own longer one wins. */
export const DEFAULT_SCENARIO_TIMEOUT_MS = 30_000;
/** Re-runs of a scenario whose browser was lost, unless told otherwise (`--retries`; 0 turns them off). */
export const DEFAULT_RETRIES = 1;
/** Runs of each scenario unless told otherwise (`--repeat`). */
export const DEFAULT_REPEAT = 1;

/**
 * Every default of a compat run, in one place, applied once: the selection (a glob that
 * matches nothing is a UsageError, before any browser starts) and the shard are resolved here.
 * A config that is already resolved is returned as it is.
 */
export function resolveCompatConfig(options: CompatRunOptions | CompatConfig = {}): CompatConfig {
  if ('selected' in options) return options;
  const globs = options.scenarios ?? [];
  const { scenarios, skipped } = selectScenarios(globs);
  const shard = options.shard ?? null;
  const browsers = options.browsers ?? browserSpecs([], [], []);
  const timeout = options.timeout ?? DEFAULT_SCENARIO_TIMEOUT_MS;
  // A previous run's times: --durations, else the baseline's (the report it compares with).
  const durations = options.durations ?? (options.baseline ? durationsOf(options.baseline.model, options.baseline.name) : null);
  const workers = options.workers ?? DEFAULT_WORKERS;
  // --shard: a scenario's weight is what it takes on all of this run's browsers together; a
  // shard's cost is its predicted wall time (its jobs scheduled on `workers`), which the shard
  // holding the longest scenario reaches with fewer short ones.
  const weight = (s: (typeof scenarios)[number]) =>
    browsers.reduce((sum, b) => sum + expectedMs(durations, s.id, b.label, deadlineOf(s, timeout)), 0);
  const wall = (part: readonly (typeof scenarios)[number][]) =>
    simulate(compatJobs(part, browsers, durations, timeout, 1), { workers }).makespanMs;
  return {
    browsers,
    scenarios: globs,
    selected: {
      scenarios: shard ? shardByTime(scenarios, weight, shard.index, shard.total, wall) : scenarios,
      // The skip list is reported by the first shard only, so merged shards list it once.
      skipped: shard && shard.index !== 1 ? [] : skipped,
    },
    workers,
    durations,
    timeout,
    retries: options.retries ?? DEFAULT_RETRIES,
    repeat: options.repeat ?? DEFAULT_REPEAT,
    shard,
    headless: options.headless ?? true,
    fixtureHost: options.fixtureHost ?? null,
    baseline: options.baseline ?? null,
    out: options.out ?? null,
    formats: options.formats ?? [...DEFAULT_FORMATS],
    signal: options.signal ?? null,
    onProgress: options.onProgress ?? null,
  };
}

/** The suite on every browser of the config (a partial one is resolved first), as the report model. */
export async function runCompat(options: CompatRunOptions | CompatConfig = {}): Promise<CompatRunResult> {
  const resolved = resolveCompatConfig(options);
  const config = {
    ...resolved,
    browsers: await withFixtureHost(resolved.browsers, await fixtureHostFor(resolved.browsers, resolved.fixtureHost)),
  };
  const run = await runScenarios(config);
  const report = buildReport(run, config);
  if (config.baseline) {
    // Compare what this run covered: a subset run (--scenario, --shard) is not a removal.
    const ids = new Set(report.scenarios.map((s) => s.id));
    const labels = new Set(report.browsers.map((b) => b.label));
    const base = {
      ...config.baseline.model,
      results: config.baseline.model.results.filter((r) => ids.has(r.scenarioId) && labels.has(r.browser)),
    };
    report.comparison = diffReports(base, report, config.baseline.name);
  }
  const files = config.out ? writeReport(config.out, report, config.formats) : {};
  return { report, files };
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
    ...(a.node ? { node: a.node } : {}),
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
    ...(r.node ? { node: r.node } : {}),
    flaky: r.flaky,
    attempts: r.attempts.map(reportAttempt),
  };
}

/** The run mapped onto the report format (schemaVersion 1). */
export function buildReport(run: RunResult, config: CompatConfig): ReportModel {
  const options = config.selected;
  const scenarios: ReportScenario[] = [
    ...options.scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      group: s.group,
      expectation: s.expectation,
      link: s.link,
      skipReason: null,
    })),
    ...options.skipped.map((s) => ({
      id: s.id,
      title: s.title,
      group: s.id.split('.')[0] ?? '',
      expectation: '',
      link: s.link,
      skipReason: s.reason,
    })),
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
  return newReport({
    run: {
      command: 'compat',
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: config.shard,
      mergedFrom: [],
      selection: config.scenarios,
      workers: config.workers,
      timeoutMs: config.timeout,
      retries: config.retries,
      repeat: config.repeat,
    },
    browsers,
    scenarios,
    results,
    comparison: null,
  });
}
