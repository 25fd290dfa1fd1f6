/**
 * A WPT run mapped onto the report format (src/report/model.ts), so the existing renderers show
 * it: each test file is a
 * scenario, each subtest a row of its steps, each background fetch the test made its timeline.
 * Verdicts: harness OK with every subtest PASS conforms; a subtest that did not pass deviates
 * (the rows and the timeline say why); a harness TIMEOUT deviates; ERROR and CRASH are errors;
 * PRECONDITION_FAILED is unsupported.
 */
import { countVerdicts, SCHEMA_VERSION, type Change, type ReportAttempt, type ReportModel, type ReportResult, type ReportScenario, type Verdict } from '../report/model.js';
import { toolVersion } from '../util/version.js';
import type { WptAttempt, WptRun, WptTestResult } from './types.js';
import type { Unexpected } from './expectations.js';
import type { Regression, SkippedTest } from './wptreport.js';

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

/** A result held against expectation files: its summary and notes say which statuses were not expected. */
function withExpectations(result: ReportResult, unexpected: readonly Unexpected[] | null): ReportResult {
  if (unexpected === null) return result;
  const mine = unexpected.filter((u) => u.test === result.scenarioId);
  if (!mine.length) return { ...result, summary: `${result.summary} (as the metadata expects)` };
  const lines = mine.map((u) => `UNEXPECTED ${u.subtest === null ? 'harness' : `"${u.subtest}"`}: ${u.status}, the metadata expects ${u.expected.join(' or ')}.`);
  return { ...result, summary: `${mine.length} unexpected against the metadata; ${result.summary}`, evidence: { ...result.evidence, notes: [...lines, ...result.evidence.notes] } };
}

export interface WptReportExtras {
  /** Statuses the --metadata did not expect; null without --metadata. */
  unexpected?: readonly Unexpected[] | null;
  /** Tests the metadata disables: listed, not run. */
  skipped?: readonly SkippedTest[];
}

export function wptReportModel(run: WptRun, baseline: { name: string; regressions: Regression[] } | null, extras: WptReportExtras = {}): ReportModel {
  const label = run.browser.label;
  const scenarioOf = (test: string, skipReason: string | null): ReportScenario => ({
    id: test,
    title: test,
    group: test.split('/')[1] ?? 'wpt',
    expectation: 'Every subtest of the upstream web-platform-test passes, with the harness OK.',
    link: `https://wpt.fyi/results${test}`,
    skipReason,
  });
  const scenarios: ReportScenario[] = [...run.results.map((r) => scenarioOf(r.test, null)), ...(extras.skipped ?? []).map((s) => scenarioOf(s.test, `disabled in the metadata: ${s.reason}`))];
  const results = run.results.map((r) => withExpectations(resultOf(r, label), extras.unexpected ?? null));
  const verdicts = new Map(results.map((r) => [r.scenarioId, r.verdict]));
  const changes: Change[] = (baseline?.regressions ?? []).map((g) => ({
    scenarioId: g.test,
    browser: label,
    kind: 'regression',
    from: 'conforms',
    to: verdicts.get(g.test) ?? null,
    observed: [{ path: `subtests.${g.subtest}`, from: '"PASS"', to: JSON.stringify(g.now) }],
  }));
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: toolVersion() },
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
    summary: countVerdicts(results),
    comparison: baseline ? { baseline: baseline.name, changes, regressions: changes.length } : null,
  };
}
