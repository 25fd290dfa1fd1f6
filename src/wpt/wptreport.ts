/**
 * wptreport.json, the format wptrunner writes (`--log-wptreport`, its WptreportFormatter) and
 * wpt.fyi's results-processor and `wpt` itself read: `time_start`, `time_end` (ms), `run_info`
 * (wpt.fyi requires `product`, `browser_version`, `os`, and `revision` to upload), `results[]` of
 * `{ test, subsuite, status, message, duration, subtests[], expected?, known_intermittent? }`
 * (`expected` only on a result that was not: mozlog's rule). And a baseline of that format: a
 * subtest that passed there and does not now is a regression.
 */
import { readFileSync } from 'node:fs';
import { arch, platform, release } from 'node:os';
import { InputFormatError } from '../errors.js';
import type { Metadata } from './expectations.js';
import type { WptRun } from './types.js';
import type { RunInfo } from './wptmanifest.js';

export interface WptReportSubtest {
  name: string;
  status: string;
  message: string | null;
  expected?: string;
  known_intermittent?: string[];
}

export interface WptReportJson {
  time_start: number;
  time_end: number;
  run_info: Record<string, string | number | boolean | null>;
  results: Array<{
    test: string;
    subsuite: string;
    status: string;
    message: string | null;
    duration: number;
    subtests: WptReportSubtest[];
    expected?: string;
    known_intermittent?: string[];
  }>;
  subsuites: Record<string, never>;
}

/** What a run's browser is in wptrunner's terms: `product` (wpt.fyi's names) and `browser_channel`. */
export interface Lane {
  product: string;
  channel: string;
}

/**
 * The run's properties, as wptrunner's run_info: what wptreport.json carries and what the
 * conditions of expectation files (`if product == "firefox"`) are evaluated against.
 */
export function runInfoOf(
  run: { browser: { version: string | null }; timeoutMultiplier: number },
  options: { lane?: Lane; revision?: string | null; headless?: boolean } = {},
): RunInfo {
  const lane = options.lane ?? { product: 'chromium', channel: 'stable' };
  return {
    product: lane.product,
    browser_channel: lane.channel,
    // wpt.fyi's processor matches a regex on it: always a string.
    browser_version: run.browser.version ?? 'unknown',
    os: platform() === 'linux' ? 'linux' : platform(),
    os_version: release(),
    processor: arch() === 'x64' ? 'x86_64' : arch(),
    bits: /64/.test(arch()) ? 64 : 32,
    debug: false,
    headless: options.headless ?? true,
    timeout_multiplier: run.timeoutMultiplier,
    runner: 'bgprobe wpt',
    ...(options.revision ? { revision: options.revision } : {}),
  };
}

/** The disabled tests a run skipped: wptrunner reports them as SKIP. */
export interface SkippedTest {
  test: string;
  reason: string;
}

/** mozlog's fields for a status: `expected` when it was not the expected one, `known_intermittent` with it. */
function expectation(status: string, expected: string[] | null): { expected?: string; known_intermittent?: string[] } {
  if (!expected || status === expected[0]) return {};
  return { expected: expected[0], ...(expected.length > 1 ? { known_intermittent: expected.slice(1) } : {}) };
}

export interface WptReportOptions {
  runInfo?: RunInfo;
  /** Held against these expectations: unexpected statuses carry `expected`. */
  metadata?: Metadata | null;
  skipped?: readonly SkippedTest[];
}

export function toWptReport(run: WptRun, options: WptReportOptions = {}): WptReportJson {
  const runInfo = options.runInfo ?? runInfoOf(run);
  const results: WptReportJson['results'] = run.results.map((r) => {
    const e = options.metadata?.expected(r.test, runInfo) ?? null;
    return {
      test: r.test,
      subsuite: '',
      status: r.status,
      message: r.message,
      duration: r.durationMs,
      subtests: r.subtests.map((s) => ({
        name: s.name,
        status: s.status,
        message: s.message,
        ...expectation(s.status, e ? e.subtest(s.name) : null),
      })),
      ...expectation(r.status, e ? e.status : null),
    };
  });
  for (const s of options.skipped ?? [])
    results.push({ test: s.test, subsuite: '', status: 'SKIP', message: s.reason, duration: 0, subtests: [] });
  return {
    time_start: run.startedAt,
    time_end: run.startedAt + run.durationMs,
    run_info: { ...runInfo },
    results: results.sort((a, b) => a.test.localeCompare(b.test)),
    subsuites: {},
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
    throw new InputFormatError(
      `Cannot read the baseline ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}. Give a wptreport.json.`,
    );
  }
  const results = (data as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) throw new InputFormatError(`${path} is not a wptreport.json: it has no "results" array.`);
  const out: Baseline = new Map();
  for (const [i, r] of results.entries()) {
    const x = r as { test?: unknown; subtests?: unknown };
    if (typeof x?.test !== 'string' || !Array.isArray(x.subtests))
      throw new InputFormatError(`${path}: results[${i}] needs a "test" string and a "subtests" array.`);
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
