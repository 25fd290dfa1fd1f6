/**
 * Compare two reports, result by result (scenario x browser label): verdict changes ranked
 * as regressions or improvements, and changes in the observed behaviour (the scenario's
 * observation, field by field) even when the verdict stayed the same.
 *
 * A result the baseline has and the newer report lacks (`removed`: the scenario did not run,
 * e.g. the run was interrupted) counts as a regression: a check that no longer ran cannot
 * vouch for the behaviour, and a CI gate must not pass on it. Skip-list entries excepted:
 * nothing was checked before either.
 */
import type { Json, Verdict } from './model.js';
import type { Change, ChangeKind, Comparison, ReportModel, ReportResult } from './model.js';
import { resultKey } from './view.js';

/**
 * Lower is better. A move to a higher rank is a regression: conforms -> deviates, anything ->
 * error, a behaviour that could be checked and now cannot (unsupported, not-automatable).
 * `skipped` is outside the ranking: a skip is a choice of the run, not of the browser.
 * `unstable` too: runs of the same browser disagreed, so neither side of a change from or to it
 * says which way the browser moved (such a change is kind `unstable`).
 */
const RANK: Record<Verdict, number | null> = {
  conforms: 0,
  deviates: 1,
  'not-automatable': 2,
  unsupported: 2,
  error: 3,
  skipped: null,
  unstable: null,
};

export function isRegression(from: Verdict, to: Verdict): boolean {
  const a = RANK[from];
  const b = RANK[to];
  return a !== null && b !== null && b > a;
}

/** Flatten an observation to dotted paths with JSON-text values. */
export function flatten(value: Json | undefined, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of Object.keys(value).sort()) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object')) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== undefined) {
    out.set(prefix || '(value)', JSON.stringify(value));
  }
  return out;
}

export function observedChanges(a: ReportResult['observation'], b: ReportResult['observation']): Change['observed'] {
  const fa = flatten(a ?? null);
  const fb = flatten(b ?? null);
  const paths = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  return paths.filter((p) => fa.get(p) !== fb.get(p)).map((p) => ({ path: p, from: fa.get(p) ?? '(absent)', to: fb.get(p) ?? '(absent)' }));
}

export function diffReports(base: ReportModel, next: ReportModel, baselineName: string): Comparison {
  const before = new Map(base.results.map((r) => [resultKey(r.scenarioId, r.browser), r]));
  const after = new Map(next.results.map((r) => [resultKey(r.scenarioId, r.browser), r]));
  const changes: Change[] = [];
  for (const [key, b] of after) {
    const a = before.get(key);
    if (!a) {
      changes.push({ scenarioId: b.scenarioId, browser: b.browser, kind: 'added', from: null, to: b.verdict, observed: [] });
      continue;
    }
    // No observation on either side (skipped, or the scenario did not finish: error,
    // unsupported): nothing to compare field by field; the verdict change says it all.
    const observed =
      a.observation === null || b.observation === null || a.verdict === 'skipped' || b.verdict === 'skipped'
        ? []
        : observedChanges(a.observation, b.observation);
    let kind: ChangeKind | null = null;
    if (a.verdict !== b.verdict) kind = isRegression(a.verdict, b.verdict) ? 'regression' : 'improvement';
    else if (observed.length) kind = 'changed';
    if (a.verdict !== b.verdict && !isRegression(a.verdict, b.verdict) && !isRegression(b.verdict, a.verdict)) kind = 'changed';
    if (a.verdict !== b.verdict && (a.verdict === 'unstable' || b.verdict === 'unstable')) kind = 'unstable';
    const took = tookChange(a, b);
    if (kind) changes.push({ scenarioId: b.scenarioId, browser: b.browser, kind, from: a.verdict, to: b.verdict, observed, took });
    else if (took)
      changes.push({ scenarioId: b.scenarioId, browser: b.browser, kind: 'changed', from: a.verdict, to: b.verdict, observed, took });
  }
  for (const [key, a] of before) {
    if (!after.has(key))
      changes.push({ scenarioId: a.scenarioId, browser: a.browser, kind: 'removed', from: a.verdict, to: null, observed: [] });
  }
  const order: ChangeKind[] = ['regression', 'removed', 'unstable', 'changed', 'improvement', 'added'];
  changes.sort(
    (x, y) =>
      order.indexOf(x.kind) - order.indexOf(y.kind) || x.scenarioId.localeCompare(y.scenarioId) || x.browser.localeCompare(y.browser),
  );
  return { baseline: baselineName, changes, regressions: changes.filter(countsAsRegression).length };
}

/**
 * The time to the judged outcome, when both sides measured the same outcome and it moved by
 * more than half (and more than a second): a slow browser is worth a line, jitter is not. Never
 * a regression: the verdict says whether the browser was right, this says how long it took.
 */
const TOOK_RATIO = 1.5;
const TOOK_MIN_MS = 1_000;
export function tookChange(a: ReportResult, b: ReportResult): Change['took'] {
  if (!a.took || !b.took || a.took.outcome !== b.took.outcome) return null;
  const [lo, hi] = [Math.min(a.took.ms, b.took.ms), Math.max(a.took.ms, b.took.ms)];
  if (hi - lo < TOOK_MIN_MS || hi < lo * TOOK_RATIO) return null;
  return { from: a.took.ms, to: b.took.ms, outcome: b.took.outcome };
}

/** A worse verdict, or a result that is missing now (unless it was only a skip-list entry). */
export function countsAsRegression(c: Change): boolean {
  return c.kind === 'regression' || (c.kind === 'removed' && c.from !== 'skipped');
}

/** `took 2.0 s -> 11.4 s (failure (download-total-exceeded))`. */
export function describeTook(t: NonNullable<Change['took']>): string {
  return `took ${(t.from / 1000).toFixed(1)} s -> ${(t.to / 1000).toFixed(1)} s (${t.outcome})`;
}

/** Plain-text lines for `bgprobe diff` and the compat summary. */
export function describeComparison(c: Comparison): string[] {
  if (c.changes.length === 0) return [`No change against ${c.baseline}.`];
  const lines = [`${c.changes.length} change(s) against ${c.baseline}, ${c.regressions} regression(s):`];
  const missing = c.changes.filter((ch) => ch.kind === 'removed' && countsAsRegression(ch)).length;
  if (missing) lines.push(`  ${missing} result(s) of the baseline are missing (the scenario did not run): each counts as a regression.`);
  for (const ch of c.changes) {
    lines.push(
      `  ${ch.kind.padEnd(11)} ${ch.scenarioId} [${ch.browser}]: ${ch.from ?? 'none'} -> ${ch.to ?? 'none'}${ch.took ? `; ${describeTook(ch.took)}` : ''}`,
    );
    for (const o of ch.observed.slice(0, 8)) lines.push(`      ${o.path}: ${o.from} -> ${o.to}`);
    if (ch.observed.length > 8) lines.push(`      ... ${ch.observed.length - 8} more field(s)`);
  }
  return lines;
}
