/**
 * The one report model every renderer reads (json, html, markdown, junit), and what
 * `bgprobe report|diff|merge` load back. Its JSON form is documented field by field in
 * reports/SCHEMA.md; change both together and bump SCHEMA_VERSION when a reader would break.
 */
import { readFileSync } from 'node:fs';
import { InputFormatError } from '../errors.js';
import type { Evidence } from '../scenarios/evidence.js';
import type { BrowserKind } from '../scenarios/spec.js';
import type { RunResult, ScenarioResult } from '../scenarios/runner.js';
import type { SkipEntry } from '../scenarios/registry.js';
import { VERDICTS, type Observation, type Scenario, type Verdict } from '../scenarios/types.js';

export const SCHEMA_VERSION = 1;
export const TOOL_VERSION = '0.1.0';

export interface ReportBrowser {
  label: string;
  kind: BrowserKind;
  target: string | null;
  args: string[];
  version: string | null;
  launchError: string | null;
  /** Launch attempts: 1, plus one per relaunch after a crash or a hang (a first launch that failed counts). Absent in reports of earlier bgprobe versions. */
  launches?: number;
  /** Its ends that bgprobe did not ask for, each with the FATAL line of its log. Absent in reports of earlier bgprobe versions. */
  crashes?: Array<{ at: number; lastWords: string | null }>;
}

export interface ReportScenario {
  id: string;
  title: string;
  group: string;
  expectation: string;
  link: string;
  /** Set for entries of the skip list: why it is not run. */
  skipReason: string | null;
}

/** One scenario x browser: exactly what the runner produced. */
export type ReportResult = ScenarioResult;

export type ChangeKind = 'regression' | 'improvement' | 'changed' | 'unstable' | 'added' | 'removed';

export interface Change {
  scenarioId: string;
  browser: string;
  kind: ChangeKind;
  from: Verdict | null;
  to: Verdict | null;
  /** Observation fields that differ: dotted path, old and new value as JSON text. */
  observed: Array<{ path: string; from: string; to: string }>;
  /** How long the browser took to reach the judged outcome, before and after (ms); null when either side did not measure it. A time, never a regression. */
  took?: { from: number; to: number; outcome: string } | null;
}

export interface Comparison {
  /** Where the baseline came from (a path as given). */
  baseline: string;
  changes: Change[];
  regressions: number;
}

export interface ReportModel {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'bgprobe'; version: string };
  run: {
    startedAt: number;
    durationMs: number;
    interrupted: boolean;
    shard: { index: number; total: number } | null;
    /** Which shards a merged report was made of (empty otherwise). */
    mergedFrom: Array<{ index: number; total: number } | null>;
    selection: string[];
    workers: number;
    timeoutMs: number;
    /** --retries and --repeat. Absent in older reports. */
    retries?: number;
    repeat?: number;
  };
  browsers: ReportBrowser[];
  scenarios: ReportScenario[];
  results: ReportResult[];
  summary: {
    total: number;
    byVerdict: Record<Verdict, number>;
    /** Results whose verdict came from a retry after the browser was lost, by why it was lost. Absent in older reports. */
    flaky?: { total: number; reasons: Array<{ reason: string; count: number }> };
  };
  comparison: Comparison | null;
}

export interface BuildOptions {
  scenarios: readonly Scenario[];
  skipped: readonly SkipEntry[];
  shard: { index: number; total: number } | null;
  selection: string[];
  workers: number;
  timeoutMs: number;
  retries?: number;
  repeat?: number;
}

export function countVerdicts(results: readonly ReportResult[]): ReportModel['summary'] {
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) byVerdict[r.verdict]++;
  const reasons = new Map<string, number>();
  for (const r of results.filter((x) => x.flaky)) {
    for (const reason of new Set(r.attempts.filter((a) => a.browserLost).map((a) => lossReason(a.browserLost!.fatal)))) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const flaky = { total: results.filter((r) => r.flaky).length, reasons: [...reasons].map(([reason, count]) => ({ reason, count })) };
  return { total: results.length, byVerdict, flaky };
}

/**
 * Why an attempt lost its browser, short enough for a summary line: `browser crash: FATAL
 * partition_alloc_support.cc:821` (the FATAL line's file and line, its message left to the
 * attempt), or `browser disconnected` when it left no FATAL line (a SIGKILL, a closed endpoint).
 */
export function lossReason(fatal: string | null): string {
  const at = fatal ? /^FATAL (?:[^\s:]*\/)?([^\s/:]+:\d+)/.exec(fatal)?.[1] : undefined;
  if (at) return `browser crash: FATAL ${at}`;
  return fatal ? `browser crash: ${fatal.slice(0, 80)}` : 'browser disconnected';
}

/** Results in the scenario list's order, then the browser list's: stable JSON. */
export function sortResults(results: ReportResult[], scenarios: readonly ReportScenario[], browsers: readonly ReportBrowser[]): ReportResult[] {
  const si = new Map(scenarios.map((s, i) => [s.id, i]));
  const bi = new Map(browsers.map((b, i) => [b.label, i]));
  return [...results].sort((a, b) => (si.get(a.scenarioId) ?? 1e9) - (si.get(b.scenarioId) ?? 1e9) || (bi.get(a.browser) ?? 1e9) - (bi.get(b.browser) ?? 1e9));
}

export function buildReport(run: RunResult, options: BuildOptions): ReportModel {
  const scenarios: ReportScenario[] = [
    ...options.scenarios.map((s) => ({ id: s.id, title: s.title, group: s.group, expectation: s.expectation, link: s.link, skipReason: null })),
    ...options.skipped.map((s) => ({ id: s.id, title: s.title, group: s.id.split('.')[0] ?? '', expectation: '', link: s.link, skipReason: s.reason })),
  ];
  const browsers: ReportBrowser[] = run.browsers.map((b) => ({
    label: b.spec.label,
    kind: b.spec.kind,
    target: b.spec.target,
    args: b.spec.args,
    version: b.version,
    launchError: b.launchError,
    launches: b.launches,
    crashes: b.crashes,
  }));
  const results = sortResults(run.results, scenarios, browsers);
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: TOOL_VERSION },
    run: {
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: options.shard,
      mergedFrom: [],
      selection: options.selection,
      workers: options.workers,
      timeoutMs: options.timeoutMs,
      retries: options.retries ?? 1,
      repeat: options.repeat ?? 1,
    },
    browsers,
    scenarios,
    results,
    summary: countVerdicts(results),
    comparison: null,
  };
}

/** Read a report.json back: a missing file, bad JSON or another schemaVersion is an InputFormatError (exit 2). */
export function loadReport(path: string): ReportModel {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputFormatError(`Cannot read the report ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputFormatError(`${path} is not JSON (${(e as Error).message}). Give a report.json written by bgprobe compat.`);
  }
  return validateReport(data, path);
}

export function validateReport(data: unknown, source: string): ReportModel {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputFormatError(`${source} is not a bgprobe report: expected a JSON object.`);
  const d = data as Record<string, unknown>;
  if (!('schemaVersion' in d)) {
    throw new InputFormatError(`${source} is not a bgprobe report: it has no schemaVersion. Give a report.json written by bgprobe compat (or merge).`);
  }
  if (d['schemaVersion'] !== SCHEMA_VERSION) {
    throw new InputFormatError(
      `${source} has schemaVersion ${JSON.stringify(d['schemaVersion'] ?? null)}; this bgprobe reads schemaVersion ${SCHEMA_VERSION}. Re-run bgprobe compat with this version.`,
    );
  }
  for (const key of ['browsers', 'scenarios', 'results'] as const) {
    if (!Array.isArray(d[key])) throw new InputFormatError(`${source} is not a bgprobe report: "${key}" is missing or not an array.`);
  }
  for (const [i, r] of (d['results'] as unknown[]).entries()) {
    const x = r as Record<string, unknown> | null;
    if (!x || typeof x['scenarioId'] !== 'string' || typeof x['browser'] !== 'string' || !VERDICTS.includes(x['verdict'] as Verdict)) {
      throw new InputFormatError(`${source}: results[${i}] needs a scenarioId, a browser and a verdict (one of ${VERDICTS.join(', ')}).`);
    }
  }
  checkShape(d, source);
  // Fields a later bgprobe added: an older report reads as "measured nothing, ran once".
  for (const r of d['results'] as Array<Record<string, unknown>>) {
    r['took'] ??= null;
    r['flaky'] ??= false;
    r['attempts'] ??= [];
  }
  const byVerdict = (d['summary'] as { byVerdict: Record<string, number> }).byVerdict;
  for (const v of VERDICTS) byVerdict[v] ??= 0;
  return data as ReportModel;
}

/**
 * Every field the renderers read, checked before any is used: a hand-edited or foreign file
 * is one clear InputFormatError naming the field, never a TypeError half-way through rendering.
 */
function checkShape(d: Record<string, unknown>, source: string): void {
  const fail = (path: string, want: string, got: unknown) => {
    throw new InputFormatError(`${source}: ${path} should be ${want}, got ${got === null ? 'null' : Array.isArray(got) ? 'an array' : typeof got}.`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) fail(path, 'an object', v);
    return v as Record<string, unknown>;
  };
  const num = (o: Record<string, unknown>, k: string, path: string) => typeof o[k] === 'number' || fail(`${path}.${k}`, 'a number', o[k]);
  const str = (o: Record<string, unknown>, k: string, path: string) => typeof o[k] === 'string' || fail(`${path}.${k}`, 'a string', o[k]);
  const arr = (o: Record<string, unknown>, k: string, path: string) => Array.isArray(o[k]) || fail(`${path}.${k}`, 'an array', o[k]);
  const run = obj(d['run'], 'run');
  num(run, 'startedAt', 'run');
  num(run, 'durationMs', 'run');
  const summary = obj(d['summary'], 'summary');
  obj(summary['byVerdict'], 'summary.byVerdict');
  (d['browsers'] as unknown[]).forEach((b, i) => {
    const path = `browsers[${i}]`;
    const o = obj(b, path);
    str(o, 'label', path);
    // Added in a later bgprobe: absent in older reports, checked when present.
    if (o['launches'] !== undefined) num(o, 'launches', path);
    if (o['crashes'] !== undefined) {
      arr(o, 'crashes', path);
      (o['crashes'] as unknown[]).forEach((c, k) => {
        const crash = obj(c, `${path}.crashes[${k}]`);
        num(crash, 'at', `${path}.crashes[${k}]`);
        if (crash['lastWords'] !== null) str(crash, 'lastWords', `${path}.crashes[${k}]`);
      });
    }
  });
  (d['scenarios'] as unknown[]).forEach((sc, i) => {
    const o = obj(sc, `scenarios[${i}]`);
    str(o, 'id', `scenarios[${i}]`);
    str(o, 'title', `scenarios[${i}]`);
  });
  (d['results'] as unknown[]).forEach((r, i) => {
    const path = `results[${i}]`;
    const o = r as Record<string, unknown>;
    num(o, 'startedAt', path);
    num(o, 'durationMs', path);
    str(o, 'summary', path);
    const ev = obj(o['evidence'], `${path}.evidence`);
    for (const k of ['fetches', 'events', 'worker', 'server', 'steps', 'notes']) arr(ev, k, `${path}.evidence`);
  });
}
