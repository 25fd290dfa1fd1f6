/**
 * A Playwright Test run as a bgprobe report (report kind `playwright`): a test is a scenario, a
 * project is a browser column, each attempt (a retry) is kept, and the verdict is the test's
 * outcome. One mapping for both places the report is drawn: the HTML timeline a test attaches
 * (one test, one attempt) and the suite-wide report of `bgprobe/reporter` (every test), so the
 * two show a fetch the same way.
 *
 * The input is the JSON a test attaches (TestData): plain data, so the reporter can read it
 * from a blob report's attachments in another process (`merge-reports`) long after the test ran.
 */
import type { NormalisedEvent } from '../recorder/normalise.js';
import type { FetchTimeline } from '../recorder/timeline.js';
import {
  SCHEMA_VERSION,
  VERDICTS,
  type Evidence,
  type FetchEvidence,
  type FindingCount,
  type ReportModel,
  type ReportOutcome,
  type ReportResult,
  type Verdict,
} from '../report/model.js';
import { gunzipSync } from 'node:zlib';
import { eventRow, fetchEvidence, FIXTURE_TOKEN, type StepRow } from '../evidence/evidence.js';
import { escapeRegExp } from '../util/regexp.js';
import { formatBytes } from '../util/bytes.js';

/** The JSON attachment (`bgprobe-timelines.json`): what the recorder saw in one test attempt. */
export interface TestData {
  /** Bumped when a reader of the old shape would break. */
  version: 1;
  /** The worker's fixture server origin when the test used it: `{fixture}` in the report. Absent in older attachments. */
  fixtureOrigin?: string | null;
  timelines: FetchTimeline[];
  /** Events of the other recorded services (sync, push, ...), which have no timeline. */
  otherEvents: NormalisedEvent[];
  /** waitForFetch and the bgprobe matchers, in call order, with what they waited for. Absent in older attachments. */
  steps?: StepRow[];
  /** `Chromium 156.0...`. Absent in older attachments. */
  browserVersion?: string | null;
}

export type PlaywrightTestStatus = 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';

/** One attempt of a test, as a reporter (or the test's own fixture) knows it. */
export interface TestAttempt {
  retry: number;
  status: PlaywrightTestStatus;
  startedAt: number;
  durationMs: number;
  error: { message: string; stack: string | null } | null;
  data: TestData | null;
  /** Why the attached data could not be read (a truncated or foreign attachment), when it could not. */
  unreadable?: string;
}

export interface TestEntry {
  /** `tests/podcast.spec.ts › downloads › episode 5`: file and title path, no project. */
  id: string;
  title: string;
  project: string;
  location: { file: string; line: number; column: number };
  /** A URL of the test's line (GitHub, in a GitHub Actions job); else the report shows the location as text. */
  link?: string;
  expectedStatus: PlaywrightTestStatus;
  attempts: TestAttempt[];
}

export interface PlaywrightRunInfo {
  startedAt: number;
  durationMs: number;
  interrupted: boolean;
  shard: { index: number; total: number } | null;
  mergedFrom: Array<{ index: number; total: number } | null>;
  workers: number;
  timeoutMs: number;
  retries: number;
  toolVersion: string;
}

/** `60 MiB in 7.9 s`, `success`, `failure (bad-status)`: the words of the per-fetch step and summary. */
export function fetchSummary(
  t: Pick<FetchTimeline, 'id' | 'outcome' | 'failureReason' | 'requests' | 'registeredAt' | 'completedAt' | 'findings'>,
): string {
  const bytes = t.requests.reduce((n, r) => n + (r.bytes ?? 0), 0);
  const took = t.registeredAt !== null && t.completedAt !== null ? ` in ${((t.completedAt - t.registeredAt) / 1000).toFixed(1)} s` : '';
  const outcome = `${t.outcome}${t.failureReason ? ` (${t.failureReason})` : ''}`;
  const size = t.outcome === 'pending' ? '' : `, ${formatBytes(bytes)}${took}`;
  const n = t.findings.length;
  return `background fetch ${JSON.stringify(t.id)}: ${outcome}${size}, ${n === 1 ? '1 finding' : `${n} findings`}`;
}

/**
 * An attachment's bytes back to data, the fixture server's origin (a free port, different in
 * every worker and shard) replaced by `{fixture}` in the JSON text before it is parsed: one pass
 * over the text instead of a walk over every string of the parsed data. The origin is read from
 * the `fixtureOrigin` key the writer puts first; a string value cannot forge that key, since
 * JSON.stringify escapes its quotes.
 */
export function decodeData(name: string, bytes: Buffer): TestData | null {
  let text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  const origin = /^\{"version":1,"fixtureOrigin":"(https?:\/\/[^"\\]+)"/.exec(text)?.[1];
  // Not followed by a digit: port 33997 is not a prefix of port 339970.
  if (origin) text = text.replace(new RegExp(`${escapeRegExp(origin)}(?!\\d)`, 'g'), FIXTURE_TOKEN);
  const data = JSON.parse(text) as TestData;
  return data && data.version === 1 && Array.isArray(data.timelines) ? data : null;
}

/** The report's evidence for one attempt (decodeData has already replaced the fixture origin). */
export function attemptEvidence(data: TestData | null): Evidence {
  if (!data)
    return {
      fixtureOrigin: null,
      fetches: [],
      events: [],
      worker: [],
      server: [],
      steps: [],
      notes: ["bgprobe recorded nothing in this attempt (no backgroundFetch fixture, or attach: 'off')."],
    };
  const fetches: FetchEvidence[] = data.timelines.map((t) => ({ ...fetchEvidence(t), origin: t.origin.replace(/\/$/, '') }));
  const events = [...data.timelines.flatMap((t) => t.events), ...data.otherEvents].sort((a, b) => a.at - b.at).map(eventRow);
  const notes = data.timelines.length === 0 ? ['No background fetch was recorded in this test.'] : [];
  return { fixtureOrigin: null, fetches, events, worker: [], server: [], steps: data.steps ?? [], notes };
}

function verdictOf(status: PlaywrightTestStatus, expected: PlaywrightTestStatus): Verdict {
  if (status === 'skipped') return 'skipped';
  if (status === expected) return 'conforms';
  return status === 'failed' || status === 'passed' ? 'deviates' : 'error';
}

function attemptSummary(a: TestAttempt, evidence: Evidence): string {
  const fetches = evidence.fetches.map((f) => {
    const n = f.findings?.length ?? 0;
    return `${JSON.stringify(f.id)} ${f.outcome}${f.failureReason ? ` (${f.failureReason})` : ''}${n ? `, ${n} finding${n > 1 ? 's' : ''}` : ''}`;
  });
  const status = a.status === 'timedOut' ? 'timed out' : a.status;
  return `${status}${a.retry ? ` on retry #${a.retry}` : ''} · ${fetches.length ? `fetches: ${fetches.join('; ')}` : 'no background fetch recorded'}`;
}

function outcomeOf(a: TestAttempt, expected: PlaywrightTestStatus): ReportOutcome {
  const evidence = attemptEvidence(a.data);
  if (a.unreadable) evidence.notes = [`bgprobe's attachment could not be read: ${a.unreadable}`];
  return {
    verdict: verdictOf(a.status, expected),
    summary: attemptSummary(a, evidence),
    startedAt: a.startedAt,
    durationMs: a.durationMs,
    took: null,
    observation: { status: a.status, expectedStatus: expected, retry: a.retry },
    evidence,
    error: a.error ? { name: 'Error', message: a.error.message, stack: a.error.stack } : null,
  };
}

/** One test x project: its last attempt's outcome, every attempt when it was retried, flaky when a retry passed. */
export function testResult(test: TestEntry): ReportResult {
  const outcomes = test.attempts.map((a) => outcomeOf(a, test.expectedStatus));
  const last = outcomes[outcomes.length - 1];
  const flaky =
    outcomes.length > 1 && last.verdict === 'conforms' && outcomes.some((o) => o.verdict === 'deviates' || o.verdict === 'error');
  return {
    ...last,
    scenarioId: test.id,
    browser: test.project,
    flaky,
    attempts: outcomes.length > 1 ? outcomes.map((o, i) => ({ ...o, run: 1, retry: i > 0, browserLost: null })) : [],
  };
}

/** Findings of every fetch of every result, by code and origin, errors first, then most seen. */
export function findingCounts(results: readonly ReportResult[]): FindingCount[] {
  const counts = new Map<string, FindingCount & { resultSet: Set<ReportResult> }>();
  for (const r of results) {
    for (const f of r.evidence.fetches) {
      for (const x of f.findings ?? []) {
        const origin = f.origin ?? '';
        const key = `${x.code}\u0000${origin}`;
        let c = counts.get(key);
        if (!c) counts.set(key, (c = { code: x.code, severity: x.severity, origin, fetches: 0, results: 0, resultSet: new Set() }));
        c.fetches++;
        c.resultSet.add(r);
      }
    }
  }
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return [...counts.values()]
    .map(({ resultSet, ...c }) => ({ ...c, results: resultSet.size }))
    .sort(
      (a, b) =>
        rank[a.severity] - rank[b.severity] || b.fetches - a.fetches || a.code.localeCompare(b.code) || a.origin.localeCompare(b.origin),
    );
}

/** The whole report: tests in file and line order, projects in the order first seen. */
export function playwrightReport(tests: readonly TestEntry[], run: PlaywrightRunInfo): ReportModel {
  const sorted = [...tests].sort(
    (a, b) =>
      a.location.file.localeCompare(b.location.file) ||
      a.location.line - b.location.line ||
      a.location.column - b.location.column ||
      a.id.localeCompare(b.id) ||
      a.project.localeCompare(b.project),
  );
  const projects = [...new Set(sorted.map((t) => t.project))];
  const version = (p: string) =>
    sorted
      .find((t) => t.project === p)
      ?.attempts.map((a) => a.data?.browserVersion)
      .find((v) => v) ?? null;
  const scenarios = new Map<string, ReportModel['scenarios'][number]>();
  for (const t of sorted) {
    if (scenarios.has(t.id)) continue;
    const link = t.link ?? `${t.location.file}:${t.location.line}`;
    scenarios.set(t.id, {
      id: t.id,
      title: t.title,
      group: t.location.file,
      expectation: '',
      link,
      skipReason: null,
      location: t.location,
    });
  }
  const results = sorted.map(testResult);
  const byVerdict = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of results) byVerdict[r.verdict]++;
  const flaky = results.filter((r) => r.flaky).length;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: run.toolVersion },
    run: {
      command: 'playwright',
      startedAt: run.startedAt,
      durationMs: run.durationMs,
      interrupted: run.interrupted,
      shard: run.shard,
      mergedFrom: run.mergedFrom,
      selection: [],
      workers: run.workers,
      timeoutMs: run.timeoutMs,
      retries: run.retries,
    },
    browsers: projects.map((p) => ({
      label: p,
      kind: 'default',
      engine: 'chromium',
      target: null,
      args: [],
      version: version(p),
      launchError: null,
    })),
    scenarios: [...scenarios.values()],
    results,
    summary: {
      total: results.length,
      byVerdict,
      flaky: { total: flaky, reasons: flaky ? [{ reason: 'passed on a retry', count: flaky }] : [] },
      findings: findingCounts(results),
    },
    comparison: null,
  };
}
