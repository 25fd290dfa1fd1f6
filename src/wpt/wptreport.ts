/**
 * wptreport.json, the format wptrunner writes (`--log-wptreport`) and wpt.fyi's tools and
 * `wpt` itself read: `time_start`, `time_end`, `run_info`, and `results[]` of
 * `{ test, status, message, duration, subtests[] }`. And a baseline of that format: a subtest
 * that passed there and does not now is a regression.
 */
import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { InputFormatError } from '../errors.js';
import type { WptRun } from './types.js';

export interface WptReportJson {
  time_start: number;
  time_end: number;
  run_info: Record<string, string | number | boolean | null>;
  results: Array<{
    test: string;
    status: string;
    message: string | null;
    duration: number;
    subtests: Array<{ name: string; status: string; message: string | null }>;
  }>;
}

export function toWptReport(run: WptRun): WptReportJson {
  return {
    time_start: run.startedAt,
    time_end: run.startedAt + run.durationMs,
    run_info: {
      product: 'chromium',
      browser_version: run.browser.version,
      os: platform() === 'linux' ? 'linux' : platform(),
      os_version: release(),
      processor: arch(),
      headless: true,
      timeout_multiplier: run.timeoutMultiplier,
      runner: 'bgprobe wpt',
    },
    results: run.results.map((r) => ({
      test: r.test,
      status: r.status,
      message: r.message,
      duration: r.durationMs,
      subtests: r.subtests.map((s) => ({ name: s.name, status: s.status, message: s.message })),
    })),
  };
}

export interface Regression {
  test: string;
  subtest: string;
  /** The status now; 'MISSING' when the test ran and the subtest did not. */
  now: string;
}

export type Baseline = Map<string, Map<string, string>>;

/** test -> subtest -> status, from a wptreport.json; a file that is not one is an InputFormatError (exit 2). */
export function loadBaseline(path: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputFormatError(`Cannot read the baseline ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}. Give a wptreport.json.`);
  }
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new InputFormatError(`${path} is not a wptreport.json: it has no "results" array.`);
  const out: Baseline = new Map();
  for (const [i, r] of results.entries()) {
    const x = r as { test?: unknown; subtests?: unknown };
    if (typeof x?.test !== 'string' || !Array.isArray(x.subtests)) throw new InputFormatError(`${path}: results[${i}] needs a "test" string and a "subtests" array.`);
    out.set(x.test, new Map((x.subtests as Array<{ name: string; status: string }>).map((s) => [String(s.name), String(s.status)])));
  }
  return out;
}

/** Subtests PASS in the baseline and not PASS now, among the tests this run ran. */
export function regressions(baseline: Baseline, run: WptRun): Regression[] {
  const out: Regression[] = [];
  for (const r of run.results) {
    const before = baseline.get(r.test);
    if (!before) continue;
    const now = new Map(r.subtests.map((s) => [s.name, s.status]));
    for (const [name, status] of before) {
      if (status === 'PASS' && now.get(name) !== 'PASS') out.push({ test: r.test, subtest: name, now: now.get(name) ?? 'MISSING' });
    }
  }
  return out;
}
