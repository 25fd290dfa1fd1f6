/**
 * The runner: every selected scenario on every browser through one pool, `workers` at a time
 * whatever their lane, the longest expected first (one BrowserContext and one FixtureServer
 * each, in the lane's browser), each with a deadline. What a scenario needs to itself is a
 * claim on its lane's browser (util/schedule.ts), not "run alone at the end". Whatever happens to one scenario (a timeout,
 * a crash, a hung teardown) becomes that scenario's `error` and the run goes on, on a fresh
 * browser when the old one is gone. An interrupt stops scheduling and drops what was in
 * flight: the results hold only scenarios that finished.
 *
 * Two kinds of re-run, both kept in the result's `attempts`:
 * - a retry (`retries`): an attempt that lost its browser (the process ended or the connection
 *   closed: a BrowserLostError, nothing else) runs again on a fresh browser; the re-run's
 *   verdict is the result's, and the result is `flaky`.
 * - a repeat (`repeat`): every scenario runs N times, each in a fresh context; when the
 *   verdicts differ the result is `unstable`, with every attempt's verdict and evidence.
 */
import { openLane, type LaneSlot } from '../browsers/lane.js';
import type { BrowserSpec } from '../browsers/types.js';
import { retryLostBrowser } from '../browsers/lost.js';
import { runAttempt } from './attempt.js';
import { emptyEvidence } from '../evidence/evidence.js';
import { expectedMs, type Durations } from '../report/durations.js';
import type { SkipEntry } from '../scenarios/registry.js';
import type { Scenario } from '../scenarios/types.js';
import { runPool, Scheduler, type Claim, type Job } from '../util/schedule.js';
import type { Attempt, BrowserRunInfo, CompatConfig, RunResult, ScenarioResult } from './types.js';

/** One scenario on one lane, as the pool schedules it. */
export interface ScenarioJob extends Job {
  scenario: Scenario;
  /** Index into the run's browsers. */
  laneIndex: number;
}

/**
 * What a scenario holds of its lane's browser while it runs: a context beside others (shared),
 * the browser to itself (exclusive: it does something browser-wide), or nothing (it
 * launches a browser of its own, on a profile or in a namespace of its own).
 */
export function claimsOf(scenario: Scenario, spec: Pick<BrowserSpec, 'label' | 'kind'>): Claim[] {
  // On a Grid every scenario has a session (a browser) of its own: nothing of the lane is shared.
  if (scenario.ownBrowser || spec.kind === 'grid') return [];
  return [{ resource: `browser:${spec.label}`, exclusive: scenario.exclusive }];
}

/** A scenario's deadline on a lane: the run's, or its own longer one. */
export const deadlineOf = (scenario: Scenario, timeout: number) => Math.max(timeout, scenario.timeout ?? 0);

/**
 * Every (scenario, lane) as a job, expected to take what it took before (`durations`), else its
 * deadline; times --repeat. Scenario-major, so equal expectations alternate between lanes and
 * every lane's browser starts early.
 */
export function compatJobs(
  scenarios: readonly Scenario[],
  browsers: readonly BrowserSpec[],
  durations: Durations | null,
  timeout: number,
  repeat: number,
): ScenarioJob[] {
  return scenarios.flatMap((scenario) =>
    browsers.map((spec, laneIndex) => ({
      key: `${scenario.id} [${spec.label}]`,
      lane: spec.label,
      expectedMs: expectedMs(durations, scenario.id, spec.label, deadlineOf(scenario, timeout)) * Math.max(1, repeat),
      claims: claimsOf(scenario, spec),
      scenario,
      laneIndex,
    })),
  );
}

interface Lane {
  slot: LaneSlot;
  /** Its scenarios in flight at once at most: the pool's workers, or a Grid's matching slots. */
  cap: number;
  info: BrowserRunInfo;
  closed: boolean;
}

/** The lane's browser info for the report, then its browser closed (once). */
async function closeLane(lane: Lane): Promise<void> {
  if (lane.closed) return;
  lane.closed = true;
  lane.info.version = lane.slot.version;
  lane.info.launches = lane.slot.launches;
  lane.info.crashes = [...lane.slot.crashes];
  lane.info.launchError = lane.slot.launchError?.message ?? null;
  await lane.slot.close();
}

/**
 * Every selected scenario on every browser through one pool (util/schedule.ts): the longest
 * expected first, whatever its lane, at most `workers` at once; a lane's browser closes when
 * its last scenario ends.
 */
export async function runScenarios(config: CompatConfig): Promise<RunResult> {
  const { scenarios } = config.selected;
  const startedAt = Date.now();
  const results: ScenarioResult[] = [];
  const lanes: Lane[] = [];
  for (const spec of config.browsers) {
    // A Grid lane runs as many scenarios at once as the Grid has matching slots (capped by --workers).
    const { slot, workers } = await openLane(spec, { headless: config.headless, workers: config.workers });
    // A Grid lane's sessions are asked for at once, as many as its scenarios can use: the Grid
    // creates them side by side and spreads them over its nodes.
    slot.prewarm?.(scenarios.length);
    lanes.push({ slot, cap: workers, info: { spec, version: null, launches: 0, crashes: [], launchError: null }, closed: false });
  }
  for (const spec of config.browsers) for (const skip of config.selected.skipped) results.push(skipped(skip, spec.label));
  const jobs = compatJobs(scenarios, config.browsers, config.durations, config.timeout, config.repeat);
  const laneSlots = Object.fromEntries(lanes.map((l) => [l.info.spec.label, l.cap]));
  const scheduler = new Scheduler(jobs, { workers: config.workers, laneSlots });
  const total = jobs.length;
  let done = 0;
  try {
    await runPool(
      scheduler,
      async (job) => {
        const lane = lanes[job.laneIndex];
        config.onProgress?.({ type: 'start', scenarioId: job.scenario.id, browser: job.lane, done, total });
        const r = await runScenario(job.scenario, lane.slot, config);
        if (r !== null) {
          done++;
          results.push(r);
          config.onProgress?.({ type: 'end', result: r, done, total });
        }
        // This job still counts as running: 1 means it was the lane's last.
        if (scheduler.left(job.lane) === 1) await closeLane(lane);
      },
      config.signal ? { signal: config.signal } : {},
    );
  } finally {
    await Promise.all(lanes.map(closeLane));
  }
  return {
    startedAt,
    durationMs: Date.now() - startedAt,
    interrupted: config.signal?.aborted === true,
    browsers: lanes.map((l) => l.info),
    results,
  };
}

/** A skip-list entry as a result: its reason is the summary. */
function skipped(skip: SkipEntry, browser: string): ScenarioResult {
  return {
    scenarioId: skip.id,
    browser,
    verdict: 'skipped',
    summary: skip.reason,
    startedAt: Date.now(),
    durationMs: 0,
    took: null,
    observation: null,
    evidence: emptyEvidence(),
    error: null,
    flaky: false,
    attempts: [],
  };
}

/** Every run (and retry) of one scenario on one browser, as one result; null when interrupted. */
async function runScenario(scenario: Scenario, slot: LaneSlot, config: CompatConfig): Promise<ScenarioResult | null> {
  const timeout = deadlineOf(scenario, config.timeout);
  const retries = Math.max(0, config.retries);
  const attempts: Attempt[] = [];
  for (let run = 1; run <= Math.max(1, config.repeat); run++) {
    // Only a lost browser is re-run (src/browsers/lost.ts).
    const tries = await retryLostBrowser(
      retries,
      () => runAttempt(scenario, slot, timeout, config.signal),
      (a) => a.browserLost,
    );
    if (tries === null) return null;
    attempts.push(...tries.map((a, i) => ({ ...a, run, retry: i > 0 })));
  }
  return combine(scenario.id, slot.spec.label, attempts);
}

/** The result of a scenario's attempts: the last run's, `unstable` when the runs' verdicts differ. */
export function combine(scenarioId: string, browser: string, attempts: readonly Attempt[]): ScenarioResult {
  const finals = [...new Map(attempts.map((a) => [a.run, a])).values()];
  const last = finals[finals.length - 1];
  const first = attempts[0];
  const unstable = new Set(finals.map((a) => a.verdict)).size > 1;
  return {
    scenarioId,
    browser,
    verdict: unstable ? 'unstable' : last.verdict,
    summary: unstable
      ? `The verdicts differ between ${finals.length} runs: ${finals.map((a) => `run ${a.run} ${a.verdict} (${a.summary})`).join('; ')}`
      : last.summary,
    startedAt: first.startedAt,
    durationMs: last.startedAt + last.durationMs - first.startedAt,
    took: last.took,
    observation: unstable ? null : last.observation,
    evidence: last.evidence,
    error: unstable ? null : last.error,
    ...(last.node ? { node: last.node } : {}),
    // A retry that lost its browser again is an `error` as without retries, not a flaky pass.
    flaky: finals.some((f) => f.retry && !f.browserLost),
    attempts: attempts.length > 1 ? [...attempts] : [],
  };
}
