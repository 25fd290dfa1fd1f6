/**
 * What the human-facing renderers (HTML, Markdown, the CLI's summary) show, derived from the
 * model only: the matrix with the worst rows first, and per-result display helpers. No
 * escaping here: each renderer escapes for its own format.
 */
import { VERDICTS, type Verdict } from './model.js';
import { formatBytes } from '../util/bytes.js';
import type { ReportModel, ReportResult, ReportScenario } from './model.js';

/** Row order: what needs attention first. */
export const VERDICT_ORDER: readonly Verdict[] = ['error', 'unstable', 'deviates', 'unsupported', 'not-automatable', 'conforms', 'skipped'];

export const VERDICT_ICON: Record<Verdict, string> = {
  conforms: '✅',
  deviates: '⚠️',
  unsupported: '🚫',
  'not-automatable': '🤷',
  error: '❌',
  skipped: '⏭️',
  unstable: '🔀',
};

/** A verdict as the report's kind words it: a Playwright test passed or failed, a scenario conforms or deviates. */
const PLAYWRIGHT_WORDS: Partial<Record<Verdict, string>> = {
  conforms: 'passed',
  deviates: 'failed',
  error: 'timed out',
  skipped: 'skipped',
};

export function verdictLabel(model: Pick<ReportModel, 'run'>, v: Verdict): string {
  return model.run.command === 'playwright' ? (PLAYWRIGHT_WORDS[v] ?? v) : v;
}

/** The mark of a result whose verdict came from a retry after the browser was lost. */
export const FLAKY_ICON = '🔁';

export interface MatrixRow {
  scenario: ReportScenario;
  /** One cell per browser, in the model's browser order; null when that pair was not run. */
  cells: Array<ReportResult | null>;
  worst: Verdict;
}

/**
 * What a report calls itself: the command that made it (`bgprobe wpt`), or `bgprobe report` for
 * one that does not say (older reports, a merge of different commands' reports). The title
 * adds the shard or the merge, so a reader tells a shard's page from the run's.
 */
export function reportName(model: ReportModel): string {
  return model.run.command ? `bgprobe ${model.run.command}` : 'bgprobe report';
}

/** The name plus the part of the run it covers: `bgprobe compat (shard 1/2)`, `bgprobe wpt (merged from 2 shard reports)`. */
export function reportTitle(model: ReportModel): string {
  const { shard, mergedFrom } = model.run;
  if (shard) return `${reportName(model)} (shard ${shard.index}/${shard.total})`;
  if (mergedFrom.length) return `${reportName(model)} (merged from ${mergedFrom.length} shard reports)`;
  return reportName(model);
}

export function resultKey(scenarioId: string, browser: string): string {
  return `${scenarioId}\u0000${browser}`;
}

export function matrix(model: ReportModel): MatrixRow[] {
  const byKey = new Map(model.results.map((r) => [resultKey(r.scenarioId, r.browser), r]));
  const rows: MatrixRow[] = [];
  // A result whose scenario the list does not name (a hand-edited or foreign report) still shows.
  const known = new Set(model.scenarios.map((s) => s.id));
  const orphans = [...new Set(model.results.map((r) => r.scenarioId).filter((id) => !known.has(id)))].map((id): ReportScenario => ({
    id,
    title: '',
    group: id.split('.')[0] ?? '',
    expectation: '',
    link: '',
    skipReason: null,
  }));
  const all = [...model.scenarios, ...orphans];
  for (const scenario of all) {
    const cells = model.browsers.map((b) => byKey.get(resultKey(scenario.id, b.label)) ?? null);
    if (cells.every((c) => c === null)) continue;
    const worst = VERDICT_ORDER.find((v) => cells.some((c) => c?.verdict === v)) ?? 'skipped';
    rows.push({ scenario, cells, worst });
  }
  const rank = (v: Verdict) => VERDICT_ORDER.indexOf(v);
  const pos = new Map(all.map((s, i) => [s.id, i]));
  // Stable: worst first, then the suite's own order.
  return rows.sort((a, b) => rank(a.worst) - rank(b.worst) || pos.get(a.scenario.id)! - pos.get(b.scenario.id)!);
}

/** Results that need a reader's attention, worst first. */
export function attention(model: ReportModel): ReportResult[] {
  const rank = (v: Verdict) => VERDICT_ORDER.indexOf(v);
  return model.results
    .filter((r) => r.verdict === 'deviates' || r.verdict === 'error' || r.verdict === 'unstable')
    .sort((a, b) => rank(a.verdict) - rank(b.verdict));
}

/** The plain-text summary `compat` and `merge` print: verdict counts per browser, one row each. */
export function summaryLines(report: ReportModel): string[] {
  // `unstable` only exists for runs that repeated scenarios: a column of it otherwise says nothing.
  const repeated = (report.run.repeat ?? 1) > 1 || report.results.some((r) => r.verdict === 'unstable');
  const verdicts = VERDICTS.filter((v) => v !== 'unstable' || repeated);
  const head = ['browser', ...verdicts, 'total'];
  const rows = report.browsers.map((b) => {
    const rs = report.results.filter((r) => r.browser === b.label);
    return [b.label, ...verdicts.map((v) => String(rs.filter((r) => r.verdict === v).length)), String(rs.length)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const flaky = flakyLine(report);
  return [
    '',
    fmt(head),
    ...rows.map(fmt),
    `${report.summary.total} result(s) in ${(report.run.durationMs / 1000).toFixed(1)} s${report.run.interrupted ? ' (interrupted)' : ''}`,
    ...(flaky ? [flaky] : []),
  ];
}

/** `2 flaky (browser crash: FATAL partition_alloc_support.cc:821)`; null when no result needed a retry. */
export function flakyLine(report: ReportModel): string | null {
  const f = report.summary.flaky;
  if (!f?.total) return null;
  return `${f.total} flaky (${f.reasons.map((r) => (f.reasons.length > 1 ? `${r.count}× ${r.reason}` : r.reason)).join(', ')})`;
}

/** `download-total-exceeded after 2.0 s`: how long the browser took to reach the judged outcome. */
export function tookText(r: ReportResult): string | null {
  return r.took ? `${r.took.outcome} after ${seconds(r.took.ms)}` : null;
}

/** One line per attempt when there was more than one: what each run (and retry) gave. */
export function attemptLines(r: ReportResult, model?: Pick<ReportModel, 'run'>): string[] {
  if (model?.run.command === 'playwright') {
    return r.attempts.map(
      (a, i) => `attempt ${i + 1}${i ? ` (retry #${i})` : ''}: ${verdictLabel(model, a.verdict)} in ${seconds(a.durationMs)}: ${a.summary}`,
    );
  }
  return r.attempts.map(
    (a) =>
      `run ${a.run}${a.retry ? ' (retry)' : ''}: ${a.verdict} in ${seconds(a.durationMs)}${a.browserLost ? ` (browser lost: ${a.browserLost.fatal ?? 'no FATAL line'})` : ''}: ${a.summary}`,
  );
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** `12.345` s since `t0`, for event tables (absolute times are in the JSON). */
export function relTime(at: number | null, t0: number): string {
  if (at === null) return '';
  return `+${((at - t0) / 1000).toFixed(3)}`;
}

/** A size for a table cell: the one byte formatter (util/bytes), blank when unknown. */
export function bytes(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : formatBytes(n);
}
