/**
 * report.html: one self-contained file (styles and script inline, no network: a CSP forbids
 * it), rendered from reports/report.html.hbs and its partials. The view built here holds plain
 * strings that Handlebars escapes; the only pre-rendered HTML is the SVG chart (escaped in
 * chart.ts) and the page's own CSS/JS. The script is allowed by its hash, so an injected
 * inline handler could not run even if some string escaped escaping.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRow, FetchEvidence, ServedRow } from './model.js';
import { bcdHtmlView } from './bcd-render.js';
import { progressChart } from './chart.js';
import { jsonInScript } from './escape.js';
import type { ReportModel, ReportResult } from './model.js';
import { safe, template, templatesDir } from './templates.js';
import { describeTook } from './diff.js';
import {
  FLAKY_ICON,
  VERDICT_ICON,
  VERDICT_ORDER,
  attemptLines,
  bytes,
  flakyLine,
  matrix,
  relTime,
  reportName,
  reportTitle,
  seconds,
  tookText,
  verdictLabel,
  type MatrixRow,
} from './view.js';

/** Only http(s) links are links: a `javascript:` URL from a loaded report becomes inert text. */
export function safeLink(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}

/**
 * An events table with more rows than this goes into the page as JSON (an "island") and
 * report.js draws it a block of rows at a time as they scroll into view. Below it the table is
 * plain HTML: it reads without script and Ctrl+F finds every row. A scenario of the suite logs
 * tens of events; a row costs about 370 bytes and 15 elements, so 500 rows (~190 KB, ~7,500
 * elements) still lay out in a few ms, while a recording of thousands of events (2,000 per
 * result in the bench's 100,000-event report) is what made the whole page slow to open.
 */
export const EVENTS_ISLAND_MIN = 500;

function eventCells(e: EventRow, i: number, t0: number) {
  return {
    n: i + 1,
    at: relTime(e.at, t0),
    iso: new Date(e.at).toISOString(),
    service: e.service,
    name: e.name,
    origin: e.origin,
    storageKey: e.storageKey ?? '',
    registrationId: e.registrationId,
    instanceId: e.instanceId,
  };
}

/**
 * Plain rows for a small table; for a large one the rows as arrays, in the column order
 * report.js draws them (`n, at, iso, name, service, origin, storageKey, registrationId,
 * instanceId, [key, value, key, value...]`), escaped for a script element.
 */
function eventsView(events: EventRow[], t0: number) {
  if (events.length < EVENTS_ISLAND_MIN) {
    return {
      count: events.length,
      rows: events.map((e, i) => ({ ...eventCells(e, i, t0), metadata: e.metadata.map(([key, value]) => ({ key, value })) })),
      island: null,
    };
  }
  const rows = events.map((e, i) => {
    const c = eventCells(e, i, t0);
    return [c.n, c.at, c.iso, c.name, c.service, c.origin, c.storageKey, c.registrationId, c.instanceId, e.metadata.flat()];
  });
  return { count: events.length, rows: [], island: safe(jsonInScript(rows)) };
}

function serverView(rows: ServedRow[], t0: number) {
  return rows.map((s) => ({
    at: relTime(s.startedAt, t0),
    took: s.completedAt === null ? 'in flight' : `${Math.round(s.completedAt - s.startedAt)} ms`,
    method: s.method,
    url: s.url,
    status: s.status,
    sent: bytes(s.bytesSent),
    received: s.bytesReceived ? bytes(s.bytesReceived) : '',
    cut: s.cut,
    range: s.range ?? '',
  }));
}

function fetchView(f: FetchEvidence, t0: number) {
  const chart = progressChart(f);
  return {
    id: f.id,
    outcome: f.outcome,
    failureReason: f.failureReason ?? '',
    failureReasonRaw: f.failureReasonRaw ?? '',
    eventType: f.eventType ?? '',
    paused: f.paused === null ? '' : f.paused ? 'yes' : 'no',
    resumed: f.resumedAfterRestart,
    requests: f.requests.map((r) => ({
      index: r.index,
      url: r.url,
      status: r.status ?? '',
      bytes: bytes(r.bytes),
      upload: r.uploadBytes ? bytes(r.uploadBytes) : '',
      attempts: r.attempts,
      served: r.served
        .map((s) => `${s.status} ${bytes(s.bytesSent)}${s.cut ? ' (cut)' : ''}${s.range ? ` range ${s.range}` : ''}`)
        .join('; '),
    })),
    chart: chart ? safe(chart) : null,
    probes: f.probes.map((p) => ({ at: relTime(p.at, t0), kind: p.kind, context: p.context, detail: JSON.stringify(p.detail) })),
    findings: (f.findings ?? []).map((x) => ({
      severity: x.severity,
      code: x.code,
      message: x.message,
      evidence: JSON.stringify(x.evidence),
    })),
  };
}

/**
 * A result with this many background fetches or more has them in <template> elements, a block
 * of FETCH_BLOCK each, which report.js moves into the page as they near the screen. A template's
 * HTML is parsed (escaped like the rest of the page) but never styled or laid out; a fetch is
 * some 45 elements with its chart and tables, and the suite's scenarios run one to a few, so
 * only recordings of many fetches (160 per result in the bench's 100,000-event report, about
 * 400,000 elements in all) take this path and every scenario of the suite stays plain HTML.
 */
export const FETCHES_LATER_MIN = 20;
const FETCH_BLOCK = 20;

function fetchesView(fetches: FetchEvidence[], t0: number) {
  const views = fetches.map((f) => fetchView(f, t0));
  if (views.length < FETCHES_LATER_MIN) return { now: views, later: [] };
  const later = [];
  for (let i = 0; i < views.length; i += FETCH_BLOCK) later.push({ fetches: views.slice(i, i + FETCH_BLOCK) });
  return { now: [], later };
}

function resultView(r: ReportResult, anchor: string, model: ReportModel) {
  const ev = r.evidence;
  const times = [r.startedAt, ...ev.events.map((e) => e.at), ...ev.server.map((s) => s.startedAt), ...ev.steps.map((s) => s.at)];
  const t0 = Math.min(...times.filter((t) => Number.isFinite(t)));
  return {
    anchor,
    browser: r.browser,
    verdict: r.verdict,
    // A deviation opens with the page; so does a report's only result (a test's timeline
    // attachment): a page of one result that opens on its summary line shows none of it.
    open: r.verdict !== 'conforms' || model.results.length === 1,
    label: verdictLabel(model, r.verdict),
    icon: VERDICT_ICON[r.verdict],
    summary: r.summary,
    duration: seconds(r.durationMs),
    took: tookText(r),
    flaky: r.flaky,
    attempts: attemptLines(r, model),
    started: new Date(r.startedAt).toISOString(),
    error: r.error ? `${r.error.name}: ${r.error.message}${r.error.stack ? `\n${r.error.stack}` : ''}` : null,
    notes: ev.notes,
    steps: ev.steps.map((s) => ({ at: relTime(s.at, t0), what: s.what, result: JSON.stringify(s.result) })),
    fetches: fetchesView(ev.fetches, t0),
    events: eventsView(ev.events, t0),
    worker: ev.worker.map((w) => ({ at: typeof w['at'] === 'number' ? relTime(w['at'], t0) : '', text: JSON.stringify(w) })),
    server: serverView(ev.server, t0),
    observation: r.observation ? JSON.stringify(r.observation, undefined, 2) : null,
  };
}

/** Where report.html.hbs puts the scenario sections, which renderHtmlTo writes one at a time. */
const SCENARIOS_MARK = '<!--bgprobe:scenarios-->';

/**
 * Link targets that survive a re-run and a filter: a scenario's id, a result's `id@browser`
 * (characters an id may not hold become `_`, and a clash gets a `~n`).
 */
function anchorsOf(rows: MatrixRow[], model: ReportModel): { scenario: string[]; result: Array<Array<string | null>> } {
  const used = new Set<string>();
  const unique = (text: string) => {
    const base = text.replace(/[^A-Za-z0-9._@-]/g, '_');
    let a = base;
    for (let n = 2; used.has(a); n++) a = `${base}~${n}`;
    used.add(a);
    return a;
  };
  const scenario = rows.map((row) => unique(row.scenario.id));
  const result = rows.map((row) => row.cells.map((c, b) => (c ? unique(`${row.scenario.id}@${model.browsers[b].label}`) : null)));
  return { scenario, result };
}

function scenarioView(row: MatrixRow, anchor: string) {
  const at = row.scenario.location;
  return {
    anchor,
    id: row.scenario.id,
    title: row.scenario.title,
    location: at ? `${at.file}:${at.line}:${at.column}` : null,
    expectation: row.scenario.expectation,
    skipReason: row.scenario.skipReason,
    link: safeLink(row.scenario.link),
    linkText: row.scenario.link,
    verdicts: [...new Set(row.cells.filter((c) => c !== null).map((c) => c.verdict))].join(' '),
  };
}

function pageView(model: ReportModel, rows: MatrixRow[], anchors: ReturnType<typeof anchorsOf>) {
  const css = readFileSync(join(templatesDir(), 'report.css'), 'utf8');
  const js = readFileSync(join(templatesDir(), 'report.js'), 'utf8');
  const hash = createHash('sha256').update(js).digest('base64');
  return {
    css: safe(css),
    js: safe(js),
    rowHeading: model.run.command === 'playwright' ? 'Test' : 'Scenario',
    findings: (model.summary.findings ?? []).map((f) => ({ ...f })),
    hasFindings: model.summary.findings !== undefined,
    csp: `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'`,
    started: new Date(model.run.startedAt).toISOString(),
    duration: seconds(model.run.durationMs),
    interrupted: model.run.interrupted,
    title: reportTitle(model),
    name: reportName(model),
    shard: model.run.shard ? `${model.run.shard.index}/${model.run.shard.total}` : null,
    merged: model.run.mergedFrom.length,
    schemaVersion: model.schemaVersion,
    toolVersion: model.tool.version,
    browsers: model.browsers.map((b, i) => ({
      ...b,
      index: i,
      argsText: b.args.join(' '),
      crashes: (b.crashes ?? []).map((c) => ({
        at: new Date(c.at).toISOString(),
        lastWords: c.lastWords ?? 'no FATAL line in its log (killed, or not launched by bgprobe)',
      })),
    })),
    counts: VERDICT_ORDER.map((v) => ({
      verdict: v,
      label: verdictLabel(model, v),
      icon: VERDICT_ICON[v],
      n: model.summary.byVerdict[v] ?? 0,
    })),
    total: model.summary.total,
    flaky: flakyLine(model),
    // The matrix: a line per scenario, no evidence.
    rows: rows.map((row, i) => ({
      ...scenarioView(row, anchors.scenario[i]),
      cells: row.cells.map((c, b) =>
        c
          ? {
              verdict: c.verdict,
              label: verdictLabel(model, c.verdict),
              icon: VERDICT_ICON[c.verdict],
              summary: c.summary,
              anchor: anchors.result[i][b]!,
              flaky: c.flaky,
              flakyIcon: FLAKY_ICON,
            }
          : null,
      ),
    })),
    scenarios: safe(SCENARIOS_MARK),
    bcd: bcdHtmlView(model, (id, browser) => {
      const i = rows.findIndex((r) => r.scenario.id === id);
      const b = model.browsers.findIndex((x) => x.label === browser);
      return i >= 0 && b >= 0 ? (anchors.result[i]?.[b] ?? null) : null;
    }),
    comparison: model.comparison
      ? {
          baseline: model.comparison.baseline,
          regressions: model.comparison.regressions,
          changes: model.comparison.changes.map((c) => ({
            ...c,
            from: c.from ?? 'none',
            to: c.to ?? 'none',
            took: c.took ? describeTook(c.took) : null,
            observed: c.observed.map((o) => `${o.path}: ${o.from} → ${o.to}`),
          })),
        }
      : null,
  };
}

/**
 * Renders report.html in pieces: the page around the scenarios, then one scenario section (its
 * evidence turned into a view and then into HTML) at a time. Memory holds one scenario's
 * evidence as HTML, never the whole page as one string with the views of every event beside it
 * (100,000 events peaked at about 1 GB that way).
 */
export function renderHtmlTo(model: ReportModel, write: (chunk: string) => void): void {
  const rows = matrix(model);
  const anchors = anchorsOf(rows, model);
  const page = template('report.html.hbs')(pageView(model, rows, anchors));
  const at = page.indexOf(SCENARIOS_MARK);
  write(page.slice(0, at));
  const section = template('scenario.html.hbs');
  rows.forEach((row, i) => {
    write(
      section({
        ...scenarioView(row, anchors.scenario[i]),
        results: row.cells.flatMap((c, b) => (c ? [resultView(c, anchors.result[i][b]!, model)] : [])),
      }),
    );
  });
  write(page.slice(at + SCENARIOS_MARK.length));
}

export function renderHtml(model: ReportModel): string {
  const chunks: string[] = [];
  renderHtmlTo(model, (chunk) => chunks.push(chunk));
  return chunks.join('');
}
