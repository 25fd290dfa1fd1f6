/**
 * What each scenario (or wpt test file) took in a previous run, as the scheduler's expected
 * durations and `--shard`'s weights: a timing file in the sense test runners keep one, read from
 * a report bgprobe already writes (report.json of compat or wpt, or wptreport.json).
 */
import { readFileSync } from 'node:fs';
import { InputFormatError } from '../errors.js';
import { validateReport } from './load.js';
import type { ReportModel } from './model.js';

/** ms by id and browser label; `any` holds each id's longest over the browsers (for a label the file does not have). */
export interface Durations {
  source: string;
  byBrowser: ReadonlyMap<string, ReadonlyMap<string, number>>;
  any: ReadonlyMap<string, number>;
}

/** A result's time per run: a --repeat run's result spans all its runs. */
function perRun(r: ReportModel['results'][number]): number {
  const runs = new Set(r.attempts.map((a) => a.run)).size;
  return r.durationMs / Math.max(1, runs);
}

export function durationsOf(model: ReportModel, source: string): Durations {
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

/** A report.json (compat or wpt) or a wptreport.json; bad input is an InputFormatError (exit 2). */
export function loadDurations(path: string): Durations {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputFormatError(`--durations ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}. Give a report.json bgprobe wrote (or a wptreport.json).`);
  }
  const obj = data as Record<string, unknown> | null;
  if (obj && typeof obj === 'object' && !('schemaVersion' in obj) && Array.isArray(obj['results']) && 'run_info' in obj) {
    return fromWptReport(obj as { results: Array<{ test?: unknown; duration?: unknown }> }, path);
  }
  return durationsOf(validateReport(data, path), path);
}

/** The expected time of `id` on `browser`: that browser's, else the longest any browser took, else `fallback`. */
export function expectedMs(d: Durations | null, id: string, browser: string, fallback: number): number {
  return d?.byBrowser.get(browser)?.get(id) ?? d?.any.get(id) ?? fallback;
}
