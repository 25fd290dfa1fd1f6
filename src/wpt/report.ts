/**
 * A WPT run mapped onto the report format (src/report/model.ts), so the existing renderers show
 * it: each test file is a
 * scenario, each subtest a row of its steps, each background fetch the test made its timeline.
 * Verdicts: harness OK with every subtest PASS conforms; a subtest that did not pass deviates
 * (the rows and the timeline say why); a harness TIMEOUT deviates; ERROR and CRASH are errors;
 * PRECONDITION_FAILED is unsupported.
 */
import {
  attemptOf,
  newReport,
  type Change,
  type ReportModel,
  type ReportResult,
  type ReportScenario,
  type Verdict,
} from '../report/model.js';
import type { WptRun, WptTestResult } from './types.js';
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
  const failing = r.subtests
    .filter((s) => s.status !== 'PASS')
    .map((s) => `${s.status} "${s.name}"${s.message ? `: ${s.message.split('\n')[0]}` : ''}`);
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
    attempts: r.attempts.map((a, i) => attemptOf(resultOf({ ...a, flaky: false, attempts: [] }, browser), 1, i > 0, a.browserLost)),
    ...(r.node ? { node: r.node } : {}),
  };
}

/** A result held against expectation files: its summary and notes say which statuses were not expected. */
function withExpectations(result: ReportResult, unexpected: readonly Unexpected[] | null): ReportResult {
  if (unexpected === null) return result;
  const mine = unexpected.filter((u) => u.test === result.scenarioId);
  if (!mine.length) return { ...result, summary: `${result.summary} (as the metadata expects)` };
  const lines = mine.map(
    (u) => `UNEXPECTED ${u.subtest === null ? 'harness' : `"${u.subtest}"`}: ${u.status}, the metadata expects ${u.expected.join(' or ')}.`,
  );
  return {
    ...result,
    summary: `${mine.length} unexpected against the metadata; ${result.summary}`,
    evidence: { ...result.evidence, notes: [...lines, ...result.evidence.notes] },
  };
}

export interface WptReportExtras {
  /** Statuses the --metadata did not expect; null without --metadata. */
  unexpected?: readonly Unexpected[] | null;
  /** Tests the metadata disables: listed, not run. */
  skipped?: readonly SkippedTest[];
}

/** One browser's part of a report: its run, and what the metadata and the baseline said of it. */
export interface WptColumn {
  run: WptRun;
  /** Statuses the --metadata did not expect; null without --metadata. */
  unexpected?: readonly Unexpected[] | null;
  /** Tests the metadata disables for this browser: listed, not run. */
  skipped?: readonly SkippedTest[];
  regressions?: readonly Regression[];
}

/** Runs (one per browser, a column each) as one report; with one run and `extras`, the shape of earlier versions. */
export function wptReportModel(
  runs: WptRun | readonly WptColumn[],
  baseline: { name: string; regressions: Regression[] } | null,
  extras: WptReportExtras = {},
): ReportModel {
  const columns: WptColumn[] = Array.isArray(runs)
    ? [...(runs as WptColumn[])]
    : [
        {
          run: runs as WptRun,
          unexpected: extras.unexpected ?? null,
          skipped: extras.skipped ?? [],
          regressions: baseline?.regressions ?? [],
        },
      ];
  const scenarioOf = (test: string, skipReason: string | null): ReportScenario => ({
    id: test,
    title: test,
    group: test.split('/')[1] ?? 'wpt',
    expectation: 'Every subtest of the upstream web-platform-test passes, with the harness OK.',
    link: `https://wpt.fyi/results${test}`,
    skipReason,
  });
  const scenarios = new Map<string, ReportScenario>();
  for (const c of columns) for (const r of c.run.results) scenarios.set(r.test, scenarioOf(r.test, null));
  // A test skipped for every browser is a skipped scenario; skipped for some, its other columns show.
  for (const c of columns)
    for (const s of c.skipped ?? [])
      if (!scenarios.has(s.test)) scenarios.set(s.test, scenarioOf(s.test, `disabled in the metadata: ${s.reason}`));
  const results = columns.flatMap((c) =>
    c.run.results.map((r) => withExpectations(resultOf(r, c.run.browser.label), c.unexpected ?? null)),
  );
  const verdicts = new Map(results.map((r) => [`${r.browser}\0${r.scenarioId}`, r.verdict]));
  const changes: Change[] = columns.flatMap((c) =>
    (c.regressions ?? []).map((g) => ({
      scenarioId: g.test,
      browser: c.run.browser.label,
      kind: 'regression' as const,
      from: 'conforms' as const,
      to: verdicts.get(`${c.run.browser.label}\0${g.test}`) ?? null,
      observed: [{ path: `subtests.${g.subtest}`, from: '"PASS"', to: JSON.stringify(g.now) }],
    })),
  );
  const first = columns[0].run;
  return newReport({
    run: {
      command: 'wpt',
      startedAt: Math.min(...columns.map((c) => c.run.startedAt)),
      durationMs: Math.max(...columns.map((c) => c.run.startedAt + c.run.durationMs)) - Math.min(...columns.map((c) => c.run.startedAt)),
      interrupted: columns.some((c) => c.run.interrupted),
      shard: first.shard,
      mergedFrom: [],
      selection: first.selection,
      workers: first.workers,
      timeoutMs: Math.round(10_000 * first.timeoutMultiplier),
      retries: first.retries,
    },
    browsers: columns.map(({ run }) => ({
      label: run.browser.label,
      kind: run.browser.grid ? ('grid' as const) : ('path' as const),
      engine: run.browser.engine ?? 'chromium',
      target: run.browser.grid ?? run.browser.executablePath,
      args: run.browser.args,
      version: run.browser.version,
      launchError: run.browser.launchError ?? null,
      launches: run.launches,
      crashes: [],
    })),
    scenarios: [...scenarios.values()].sort((a, b) => a.id.localeCompare(b.id)),
    results,
    comparison: baseline ? { baseline: baseline.name, changes, regressions: changes.length } : null,
  });
}
