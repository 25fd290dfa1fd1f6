/**
 * What each scenario (or wpt test file) took in a previous run, as the scheduler's expected
 * durations and `--shard`'s weights: a timing file in the sense test runners keep one, read from
 * a report bgprobe already writes (report.json of compat or wpt, or wptreport.json).
 */
import { readFileSync } from 'node:fs';
import { InputFormatError } from '../errors.js';
import type { ReportModel } from './model.js';

/** ms by id and browser label; `any` holds each id's longest over the browsers (for a label the file does not have). */
export interface Durations {
  source: string;
  byBrowser: ReadonlyMap<string, ReadonlyMap<string, number>>;
  any: ReadonlyMap<string, number>;
}

/** A result as a timing file needs it: any report version that has these fields will do. */
interface TimedResult {
  scenarioId: string;
  browser: string;
  verdict: string;
  durationMs: number;
  attempts?: Array<{ run: number }>;
}

/** A result's time per run: a --repeat run's result spans all its runs. */
function perRun(r: TimedResult): number {
  const runs = new Set((r.attempts ?? []).map((a) => a.run)).size;
  return r.durationMs / Math.max(1, runs);
}

export function durationsOf(model: { results: readonly TimedResult[] } | ReportModel, source: string): Durations {
  const byBrowser = new Map<string, Map<string, number>>();
  const any = new Map<string, number>();
  for (const r of model.results) {
    if (r.verdict === 'skipped') continue;
    const ms = perRun(r);
    let m = byBrowser.get(r.browser);
    if (!m) byBrowser.set(r.browser, (m = new Map<string, number>()));
    m.set(r.scenarioId, ms);
    any.set(r.scenarioId, Math.max(any.get(r.scenarioId) ?? 0, ms));
  }
  return { source, byBrowser, any };
}

/** wptreport.json's `results[].duration`, by test URL (one browser: `any`). */
function fromWptReport(data: { results: Array<{ test?: unknown; duration?: unknown }> }, source: string): Durations {
  const any = new Map<string, number>();
  for (const r of data.results) if (typeof r.test === 'string' && typeof r.duration === 'number') any.set(r.test, r.duration);
  return { source, byBrowser: new Map(), any };
}

const isTimed = (r: unknown): r is TimedResult => {
  const x = r as Partial<TimedResult> | null;
  return (
    !!x &&
    typeof x.scenarioId === 'string' &&
    typeof x.browser === 'string' &&
    typeof x.durationMs === 'number' &&
    typeof x.verdict === 'string'
  );
};

/**
 * A report.json (compat or wpt, any schema version: only each result's id, browser, verdict and
 * duration are read) or a wptreport.json; anything else is an InputFormatError (exit 2).
 */
export function loadDurations(path: string): Durations {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputFormatError(
      `--durations ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}. Give a report.json bgprobe wrote (or a wptreport.json).`,
    );
  }
  const results = (data as { results?: unknown } | null)?.results;
  if (Array.isArray(results) && data && typeof data === 'object' && 'run_info' in data)
    return fromWptReport({ results: results as Array<{ test?: unknown; duration?: unknown }> }, path);
  if (!Array.isArray(results) || !results.every(isTimed)) {
    throw new InputFormatError(
      `--durations ${path} is not a report bgprobe wrote: expected "results" with each result's scenarioId, browser, verdict and durationMs (or a wptreport.json).`,
    );
  }
  return durationsOf({ results }, path);
}

/** The expected time of `id` on `browser`: that browser's, else the longest any browser took, else `fallback`. */
export function expectedMs(d: Durations | null, id: string, browser: string, fallback: number): number {
  return d?.byBrowser.get(browser)?.get(id) ?? d?.any.get(id) ?? fallback;
}
