/**
 * A WPT run mapped onto the report format (src/report/model.ts), so the existing renderers show
 * it: each test file is a
 * scenario, each subtest a row of its steps, each background fetch the test made its timeline.
 * Verdicts: harness OK with every subtest PASS conforms; a subtest that did not pass deviates
 * (the rows and the timeline say why); a harness TIMEOUT deviates; ERROR and CRASH are errors;
 * PRECONDITION_FAILED is unsupported.
 */
import { newReport, type Change, type ReportAttempt, type ReportModel, type ReportResult, type ReportScenario, type Verdict } from '../report/model.js';
import type { WptAttempt, WptRun, WptTestResult } from './types.js';
import type { Regression } from './wptreport.js';

function verdictOf(r: WptTestResult): Verdict {
  if (r.status === 'ERROR' || r.status === 'CRASH') return 'error';
  if (r.status === 'PRECONDITION_FAILED') return 'unsupported';
  if (r.status === 'TIMEOUT' || r.subtests.some((s) => s.status !== 'PASS')) return 'deviates';
  return 'conforms';
}

function summaryOf(r: WptTestResult): string {
  const passed = r.subtests.filter((s) => s.status === 'PASS').length;
  const failing = r.subtests.filter((s) => s.status !== 'PASS').map((s) => `${s.status} "${s.name}"${s.message ? `: ${s.message.split('\n')[0]}` : ''}`);
  const head = `harness ${r.status}${r.message && r.status !== 'OK' ? ` (${r.message.split('\n')[0]})` : ''}, ${passed}/${r.subtests.length} subtests PASS`;
  const text = failing.length ? `${head}; ${failing.join('; ')}` : head;
  return text.length > 600 ? `${text.slice(0, 599)}…` : text;
}

function resultOf(r: WptTestResult, browser: string): ReportResult {
  return {
    scenarioId: r.test,
    browser,
    verdict: verdictOf(r),
    summary: summaryOf(r),
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    observation: { status: r.status, subtests: Object.fromEntries(r.subtests.map((s) => [s.name, s.status])) },
    evidence: r.evidence,
    error: r.status === 'ERROR' || r.status === 'CRASH' ? { name: r.status, message: r.message ?? r.status, stack: null } : null,
    // A test file's harness measures no time to an outcome.
    took: null,
    flaky: r.flaky,
    attempts: r.attempts.map((a, i) => ({ ...attemptOf(a, browser), run: 1, retry: i > 0 })),
  };
}

function attemptOf(a: WptAttempt, browser: string): Omit<ReportAttempt, 'run' | 'retry'> {
  const r = resultOf({ ...a, flaky: false, attempts: [] }, browser);
  return { verdict: r.verdict, summary: r.summary, startedAt: r.startedAt, durationMs: r.durationMs, took: null, observation: r.observation, evidence: r.evidence, error: r.error, browserLost: a.browserLost };
}

export function wptReportModel(run: WptRun, baseline: { name: string; regressions: Regression[] } | null): ReportModel {
  const label = run.browser.label;
  const scenarios: ReportScenario[] = run.results.map((r) => ({
    id: r.test,
    title: r.test,
    group: r.test.split('/')[1] ?? 'wpt',
    expectation: 'Every subtest of the upstream web-platform-test passes, with the harness OK.',
    link: `https://wpt.fyi/results${r.test}`,
    skipReason: null,
  }));
  const results = run.results.map((r) => resultOf(r, label));
  const verdicts = new Map(results.map((r) => [r.scenarioId, r.verdict]));
  const changes: Change[] = (baseline?.regressions ?? []).map((g) => ({
    scenarioId: g.test,
    browser: label,
    kind: 'regression',
    from: 'conforms',
    to: verdicts.get(g.test) ?? null,
    observed: [{ path: `subtests.${g.subtest}`, from: '"PASS"', to: JSON.stringify(g.now) }],
  }));
  return newReport({
    run: {
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: run.shard,
      mergedFrom: [],
      selection: run.selection,
      workers: run.workers,
      timeoutMs: Math.round(10_000 * run.timeoutMultiplier),
      retries: run.retries,
    },
    browsers: [{ label, kind: 'path', target: run.browser.executablePath, args: run.browser.args, version: run.browser.version, launchError: null, launches: run.launches, crashes: [] }],
    scenarios,
    results,
    comparison: baseline ? { baseline: baseline.name, changes, regressions: changes.length } : null,
  });
}
