/**
 * The runner: every selected scenario on every browser, N at a time (one BrowserContext and
 * one FixtureServer each), each with a deadline. Whatever happens to one scenario (a timeout,
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
import { BrowserSlot } from '../browsers/slot.js';
import { retryLostBrowser } from '../browsers/lost.js';
import { runAttempt } from './attempt.js';
import { emptyEvidence } from '../evidence/evidence.js';
import type { SkipEntry } from '../scenarios/registry.js';
import type { Scenario } from '../scenarios/types.js';
import type { Attempt, BrowserRunInfo, CompatConfig, RunResult, ScenarioResult } from './types.js';

export async function runScenarios(config: CompatConfig): Promise<RunResult> {
  const { scenarios } = config.selected;
  const startedAt = Date.now();
  const workers = Math.max(1, config.workers);
  const results: ScenarioResult[] = [];
  const browsers: BrowserRunInfo[] = [];
  const total = scenarios.length * config.browsers.length;
  let done = 0;
  const interrupted = () => config.signal?.aborted === true;

  for (const spec of config.browsers) {
    const slot = new BrowserSlot(spec, config.headless);
    const info: BrowserRunInfo = { spec, version: null, launches: 0, crashes: [], launchError: null };
    browsers.push(info);
    for (const skip of config.selected.skipped) results.push(skipped(skip, spec.label));
    // Exclusive scenarios need the browser to themselves: run them after the shared ones.
    // Long ones (a declared timeout) first, so they overlap the many short ones.
    const shared = scenarios.filter((s) => !s.exclusive).sort((a, b) => (b.timeout ?? 0) - (a.timeout ?? 0));
    const order = [...shared, ...scenarios.filter((s) => s.exclusive)];
    const inflight = new Set<Promise<void>>();
    const launch = async (scenario: Scenario) => {
      config.onProgress?.({ type: 'start', scenarioId: scenario.id, browser: spec.label, done, total });
      const r = await runScenario(scenario, slot, config);
      if (r === null) return;
      done++;
      results.push(r);
      config.onProgress?.({ type: 'end', result: r, done, total });
    };
    for (const scenario of order) {
      if (interrupted()) break;
      if (scenario.exclusive) await Promise.all(inflight);
      while (inflight.size >= (scenario.exclusive ? 1 : workers)) await Promise.race(inflight);
      if (interrupted()) break;
      const p: Promise<void> = launch(scenario).finally(() => inflight.delete(p));
      inflight.add(p);
      if (scenario.exclusive) await p;
    }
    await Promise.all(inflight);
    info.version = slot.version;
    info.launches = slot.launches;
    info.crashes = [...slot.crashes];
    info.launchError = slot.launchError?.message ?? null;
    await slot.close();
    if (interrupted()) break;
  }
  return { startedAt, durationMs: Date.now() - startedAt, interrupted: interrupted(), browsers, results };
}

/** A skip-list entry as a result: its reason is the summary. */
function skipped(skip: SkipEntry, browser: string): ScenarioResult {
  return { scenarioId: skip.id, browser, verdict: 'skipped', summary: skip.reason, startedAt: Date.now(), durationMs: 0, took: null, observation: null, evidence: emptyEvidence(), error: null, flaky: false, attempts: [] };
}

/** Every run (and retry) of one scenario on one browser, as one result; null when interrupted. */
async function runScenario(scenario: Scenario, slot: BrowserSlot, config: CompatConfig): Promise<ScenarioResult | null> {
  const timeout = Math.max(config.timeout, scenario.timeout ?? 0);
  const retries = Math.max(0, config.retries);
  const attempts: Attempt[] = [];
  for (let run = 1; run <= Math.max(1, config.repeat); run++) {
    // Only a lost browser is re-run (src/browsers/lost.ts).
    const tries = await retryLostBrowser(retries, () => runAttempt(scenario, slot, timeout, config.signal), (a) => a.browserLost);
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
    summary: unstable ? `The verdicts differ between ${finals.length} runs: ${finals.map((a) => `run ${a.run} ${a.verdict} (${a.summary})`).join('; ')}` : last.summary,
    startedAt: first.startedAt,
    durationMs: last.startedAt + last.durationMs - first.startedAt,
    took: last.took,
    observation: unstable ? null : last.observation,
    evidence: last.evidence,
    error: unstable ? null : last.error,
    // A retry that lost its browser again is an `error` as without retries, not a flaky pass.
    flaky: finals.some((f) => f.retry && !f.browserLost),
    attempts: attempts.length > 1 ? [...attempts] : [],
  };
}
