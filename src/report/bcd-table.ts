/**
 * The BCD table: MDN's compat table for Background Fetch, measured. Rows are the BCD keys of
 * the installed @mdn/browser-compat-data (as MDN's page shows them), columns the report's
 * browsers. Each cell holds what was measured (the `api.exposure.bcd` scenario's probes, made
 * `partial` by the scenarios of that key that deviate), what BCD states for the browser the
 * engine belongs to, and whether the two disagree. Built from the report model only, so
 * `bgprobe report` re-renders it.
 */
import { backgroundFetchKeys, bcdVersion, BCD_BROWSER, keySupport, statementFor, type BcdStatement } from '../bcd/data.js';
import { globToRegExp } from '../util/regexp.js';
import type { EngineName } from '../util/engines.js';
import type { Json, ReportModel, ReportResult } from './model.js';

export const BCD_SCENARIO = 'api.exposure.bcd';

export type Measured = 'yes' | 'no' | 'partial' | 'not measured';

export interface BcdCell {
  browser: string;
  measured: Measured;
  /** Why `partial` (or why not measured): one sentence. */
  note: string;
  /** Scenarios of this key that deviate on this browser: the evidence of a `partial`. */
  deviating: string[];
  bcd: BcdStatement;
  /** Measured and BCD's statement differ (yes vs no, partial vs yes, ...). */
  disagrees: boolean;
}

export interface BcdRow {
  key: string;
  /** As MDN's table shows it: `BackgroundFetchManager`, `fetch`, `progress event`, `BackgroundFetchEvent() constructor`. */
  label: string;
  depth: number;
  cells: BcdCell[];
}

export interface BcdColumn {
  label: string;
  engine: EngineName;
  version: string | null;
  bcdBrowser: 'chrome' | 'firefox' | 'safari';
  /** The BCD browser is one this engine only powers (WebKitGTK for Safari): its versions do not carry over. */
  engineOf: boolean;
}

export interface BcdTable {
  bcdVersion: string;
  columns: BcdColumn[];
  rows: BcdRow[];
  disagreements: number;
}

/**
 * The scenarios that exercise a key beyond its mere presence (by member name): a deviation
 * there makes the key `partial`. A key matching none is judged by exposure alone.
 */
const RELATED: Array<[RegExp, string[]]> = [
  [/^api\.BackgroundFetchManager\.fetch$/, ['fetch.start.*', 'fetch.success.*', 'fetch.reject.*', 'fetch.from-worker.*', 'failure.*']],
  [/^api\.BackgroundFetchManager\.(get|getIds)$/, ['records.get-getids']],
  [/^api\.BackgroundFetchRegistration\.abort$/, ['abort.*']],
  [/^api\.BackgroundFetchRegistration\.(match|matchAll|recordsAvailable)$/, ['records.*']],
  [/^api\.BackgroundFetchRegistration\.(downloaded|downloadTotal|uploaded|uploadTotal|progress_event)$/, ['progress.*']],
  [/^api\.BackgroundFetchRegistration\.(result|failureReason)$/, ['failure.*']],
  [/^api\.BackgroundFetchRecord\./, ['records.*']],
  [/^api\.BackgroundFetchUpdateUIEvent\.updateUI$/, ['ui.update-ui.*']],
  [/^api\.ServiceWorkerGlobalScope\.backgroundfetchsuccess_event$/, ['fetch.success.*']],
  [/^api\.ServiceWorkerGlobalScope\.backgroundfetchfail_event$/, ['failure.*']],
  [/^api\.ServiceWorkerGlobalScope\.backgroundfetchabort_event$/, ['abort.*']],
  [/^api\.ServiceWorkerGlobalScope\.backgroundfetchclick_event$/, ['ui.click']],
];

export function relatedScenarios(key: string): RegExp[] {
  return RELATED.filter(([re]) => re.test(key)).flatMap(([, globs]) => globs.map((g) => globToRegExp(g)));
}

export function rowLabel(key: string): string {
  const parts = key.split('.').slice(1);
  const last = parts[parts.length - 1];
  if (parts.length === 1) return last;
  if (parts.length === 2 && last === parts[0]) return `${last}() constructor`;
  const name = last.endsWith('_event') ? `${last.slice(0, -'_event'.length)} event` : last;
  // A member of an interface that is not a row of its own is named with it (ServiceWorkerRegistration.backgroundFetch).
  return parts[0].startsWith('BackgroundFetch') ? name : `${parts.slice(0, -1).join('.')}.${name}`;
}

function cell(key: string, browser: string, column: BcdColumn, probe: ReportResult | undefined, results: readonly ReportResult[]): BcdCell {
  const bcd = statementFor(key, column.engine, column.version);
  const base = { browser, bcd, deviating: [] as string[] };
  const o = probe?.observation;
  if (!probe || !o || typeof o['window'] !== 'object' || typeof o['serviceWorker'] !== 'object') {
    return {
      ...base,
      measured: 'not measured',
      note: probe ? `${BCD_SCENARIO} ended ${probe.verdict}: ${probe.summary}` : `${BCD_SCENARIO} was not run on ${browser}.`,
      disagrees: false,
    };
  }
  const support = keySupport(o['window'] as { [k: string]: Json }, o['serviceWorker'] as { [k: string]: Json }, key);
  if (support === null)
    return {
      ...base,
      measured: 'not measured',
      note: 'The probe could not tell (see the observation of api.exposure.bcd).',
      disagrees: false,
    };
  const related = relatedScenarios(key);
  const deviating = results
    .filter((r) => r.browser === browser && r.verdict === 'deviates' && related.some((re) => re.test(r.scenarioId)))
    .map((r) => r.scenarioId);
  let measured: Measured = support === true ? 'yes' : support === 'mixed' ? 'partial' : 'no';
  let note =
    support === true
      ? 'Exposed wherever the spec exposes it.'
      : support === 'mixed'
        ? 'Exposed in some of the scopes the spec exposes it in.'
        : 'Not exposed.';
  if (measured === 'yes' && deviating.length) {
    measured = 'partial';
    note = `Exposed, but ${deviating.length} scenario(s) using it deviate.`;
  }
  const disagrees = measured !== bcd.support;
  return { ...base, measured, note, deviating, disagrees };
}

/** Did the run probe the BCD keys anywhere? Without it every cell would be "not measured": renderers leave the table out. */
export function hasBcdProbe(model: ReportModel): boolean {
  return model.results.some((r) => r.scenarioId === BCD_SCENARIO && r.observation !== null);
}

export function bcdTable(model: ReportModel): BcdTable {
  const columns: BcdColumn[] = model.browsers.map((b) => {
    const engine: EngineName = b.engine ?? 'chromium';
    return { label: b.label, engine, version: b.version, bcdBrowser: BCD_BROWSER[engine], engineOf: engine === 'webkit' };
  });
  const probes = new Map(model.results.filter((r) => r.scenarioId === BCD_SCENARIO).map((r) => [r.browser, r]));
  const rows = backgroundFetchKeys().map((key) => ({
    key,
    label: rowLabel(key),
    // Members of a BackgroundFetch* interface sit under it; backgroundfetch* members of other interfaces are rows of their own.
    depth: key.split('.').length - (key.split('.')[1].startsWith('BackgroundFetch') ? 2 : 3),
    cells: columns.map((c) => cell(key, c.label, c, probes.get(c.label), model.results)),
  }));
  return {
    bcdVersion: bcdVersion(),
    columns,
    rows,
    disagreements: rows.reduce((n, r) => n + r.cells.filter((c) => c.disagrees).length, 0),
  };
}

/** The column header: `webkit (WebKitGTK 2.50.6) vs BCD safari (engine of)`. */
export function columnTitle(c: BcdColumn): string {
  return `${c.label} vs BCD ${c.bcdBrowser}${c.engineOf ? ' (engine of)' : ''}`;
}

/** One cell as text: `yes · BCD: 74 (yes)` with a ≠ when they disagree. */
export function cellText(c: BcdCell): string {
  return `${c.disagrees ? '≠ ' : ''}${c.measured} · BCD ${c.bcd.browser}: ${c.bcd.text} (${c.bcd.support})`;
}
