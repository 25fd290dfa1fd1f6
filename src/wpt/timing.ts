/**
 * Where a test file's time went, so a slow run names the file and the wait: bgprobe's own
 * phases (the runner times them) and, inside the harness, what the evidence shows the browser
 * doing: its first background fetch's wait before the first request, service-worker
 * registrations, deliberately slow resources (`slow.py`), and the longest quiet stretch (no
 * request, no event, no subtest: the browser's own timer, or a test waiting out its timeout).
 *
 * Measured on Chromium 156 (background-fetch/, 2 cores): a fresh browser makes a fetch's first
 * request 3.4-7.4 s after registration, one launched 6 s earlier 2.0 s after (so the runner
 * launches the next file's browser ahead); a fetch failing CORS is retried by the browser 20 s
 * later (cors.https.window.html: 2 x 20 s; fetch.https.window.html: 20 s): those stretches are
 * Chromium's, and the files holding them set the directory's floor.
 */
import type { Evidence } from '../evidence/evidence.js';

/** ms since the epoch at each boundary the runner passes for one file; null when it was not reached. */
export interface FileMarks {
  start: number;
  /** The file's server answering. */
  server: number | null;
  /** Its browser there: launched now, or taken from those launched ahead. */
  browser: number | null;
  /** Bindings exposed, recorder attached, page open. */
  attached: number | null;
  /** The test's navigation committed. */
  committed: number | null;
  /** The harness reported completion (or the deadline, a crash, an interrupt ended the wait). */
  ended: number | null;
  /** Browser, recorder, server and profile closed. */
  closed: number | null;
  /** When the browser it used was launched, and how long that took (a browser launched ahead was launched before `start`). */
  launchedAt: number | null;
  launchMs: number | null;
  /** The runner's deadline ended the wait: the harness never reported completion. */
  deadline: boolean;
}

export interface FileTiming {
  totalMs: number;
  /** bgprobe's phases, in order; a phase not reached is absent. */
  phases: Array<{ phase: 'server' | 'browser' | 'attach' | 'load' | 'harness' | 'teardown'; ms: number }>;
  /** The browser's launch, ms, and whether it happened ahead (off this file's clock). */
  launch: { ms: number; ahead: boolean } | null;
  /** Each background fetch's wait from registration to its first request reaching the server, ms (the first fetch's first). */
  fetchWaitsMs: number[];
  /** Service-worker script requests (one per registration), and the span from each to the next thing that happened, summed. */
  serviceWorkers: { registrations: number; ms: number };
  /** Requests that took a second or more to serve (slow.py, a stalled body). */
  slowRequests: Array<{ path: string; ms: number }>;
  /** The longest stretch inside the harness with nothing recorded, from `atMs` after the file's start. */
  longestQuiet: { atMs: number; ms: number } | null;
  /** Why the file waited for a timeout: its harness timed out (status TIMEOUT), or the harness never completed and the runner's deadline ended it. */
  waitedFor: 'harness timeout' | 'runner deadline' | null;
}

const SLOW_REQUEST_MS = 1_000;

/** A served URL's path (and query), as the report shows requests. */
function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

/** Everything the evidence saw happen, in time order (requests at their start and end). */
function activity(evidence: Evidence): number[] {
  const at: number[] = [];
  for (const s of evidence.server) {
    at.push(s.startedAt);
    if (s.completedAt !== null) at.push(s.completedAt);
  }
  for (const e of evidence.events) at.push(e.at);
  for (const s of evidence.steps) at.push(s.at);
  return at.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
}

function phasesOf(m: FileMarks): FileTiming['phases'] {
  const order: Array<[FileTiming['phases'][number]['phase'], number | null]> = [
    ['server', m.server],
    ['browser', m.browser],
    ['attach', m.attached],
    ['load', m.committed],
    ['harness', m.ended],
    ['teardown', m.closed],
  ];
  const out: FileTiming['phases'] = [];
  let previous = m.start;
  for (const [phase, at] of order) {
    if (at === null) continue;
    out.push({ phase, ms: Math.max(0, at - previous) });
    previous = at;
  }
  return out;
}

/** `timedOut`: the file's status is TIMEOUT (its harness's timeout, or the runner's deadline when `marks.deadline`). */
export function fileTiming(marks: FileMarks, evidence: Evidence, timedOut: boolean): FileTiming {
  const end = marks.closed ?? marks.ended ?? marks.start;
  const fetchWaitsMs = evidence.fetches
    .filter((f) => f.registeredAt !== null)
    .map((f) => {
      const first = Math.min(...f.requests.flatMap((r) => r.served.map((s) => s.startedAt)));
      return Number.isFinite(first) ? Math.max(0, first - f.registeredAt!) : null;
    })
    .filter((x): x is number => x !== null);
  const seen = activity(evidence);
  // A registration fetches its script (then whatever it imports): the script requests count registrations.
  const sw = evidence.server.filter((s) => /\/service_workers\/[^/]+\.js$|\/sw[^/]*\.js$/.test(pathOf(s.url)) && !/helpers/.test(s.url));
  const swMs = sw.reduce((sum, s) => {
    const next = seen.find((t) => t > (s.completedAt ?? s.startedAt));
    return sum + (next === undefined ? 0 : next - s.startedAt);
  }, 0);
  // Quiet stretches inside the harness only: from the commit to its end.
  let longestQuiet: FileTiming['longestQuiet'] = null;
  if (marks.committed !== null && marks.ended !== null) {
    const points = [marks.committed, ...seen.filter((t) => t > marks.committed! && t < marks.ended!), marks.ended];
    for (let i = 1; i < points.length; i++) {
      const gap = points[i] - points[i - 1];
      if (!longestQuiet || gap > longestQuiet.ms) longestQuiet = { atMs: points[i - 1] - marks.start, ms: gap };
    }
  }
  return {
    totalMs: Math.max(0, end - marks.start),
    phases: phasesOf(marks),
    launch: marks.launchMs === null || marks.launchedAt === null ? null : { ms: marks.launchMs, ahead: marks.launchedAt < marks.start },
    fetchWaitsMs,
    serviceWorkers: { registrations: sw.length, ms: swMs },
    slowRequests: evidence.server
      .filter((s) => s.completedAt !== null && s.completedAt - s.startedAt >= SLOW_REQUEST_MS)
      .map((s) => ({ path: pathOf(s.url), ms: s.completedAt! - s.startedAt })),
    longestQuiet,
    waitedFor: marks.deadline ? 'runner deadline' : timedOut ? 'harness timeout' : null,
  };
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One line: `Time: 45.4 s = server 0.0 s + browser 0.0 s (launched ahead, 0.7 s) + ... ; inside the harness: ...`. */
export function describeTiming(t: FileTiming): string {
  const phases = t.phases
    .map(
      (p) =>
        `${p.phase} ${sec(p.ms)}${p.phase === 'browser' && t.launch ? (t.launch.ahead ? ` (launched ahead in ${sec(t.launch.ms)})` : '') : ''}`,
    )
    .join(' + ');
  const inside: string[] = [];
  const harness = sec(t.phases.find((p) => p.phase === 'harness')?.ms ?? 0);
  if (t.waitedFor === 'runner deadline')
    inside.push(`the harness never reported completion: the file waited out bgprobe's deadline (${harness})`);
  if (t.waitedFor === 'harness timeout') inside.push(`the harness waited out its own timeout (${harness}): a test that never settled`);
  if (t.fetchWaitsMs.length)
    inside.push(
      `the first background fetch's first request ${sec(t.fetchWaitsMs[0])} after it registered${t.fetchWaitsMs.length > 1 ? ` (the longest of ${t.fetchWaitsMs.length}: ${sec(Math.max(...t.fetchWaitsMs))})` : ''}`,
    );
  if (t.serviceWorkers.registrations)
    inside.push(`${t.serviceWorkers.registrations} service-worker registration(s), ${sec(t.serviceWorkers.ms)} in all`);
  if (t.slowRequests.length) inside.push(`slow request(s): ${t.slowRequests.map((r) => `${r.path} ${sec(r.ms)}`).join(', ')}`);
  if (t.longestQuiet && t.longestQuiet.ms >= 1_000)
    inside.push(
      `longest quiet stretch ${sec(t.longestQuiet.ms)} from +${sec(t.longestQuiet.atMs)} (no request, event or result: a wait of the browser or of the test)`,
    );
  return `Time: ${sec(t.totalMs)} = ${phases}${inside.length ? `; inside the harness: ${inside.join('; ')}` : ''}.`;
}

/** The file that took the run's time, for the summary: `slowest: /x.html 45.4 s (harness 44.3 s; longest quiet stretch ...)`. */
export function slowestLine(
  results: ReadonlyArray<{ test: string; durationMs: number; timing?: FileTiming | null }>,
  runMs: number,
): string | null {
  const slowest = [...results].sort((a, b) => b.durationMs - a.durationMs)[0];
  if (!slowest) return null;
  const t = slowest.timing;
  const harness = t?.phases.find((p) => p.phase === 'harness');
  const why = t
    ? [
        harness ? `harness ${sec(harness.ms)}` : null,
        t.waitedFor ? `waited out the ${t.waitedFor}` : null,
        t.longestQuiet && t.longestQuiet.ms >= 1_000 ? `quiet ${sec(t.longestQuiet.ms)} from +${sec(t.longestQuiet.atMs)}` : null,
      ].filter(Boolean)
    : [];
  return `Slowest file: ${slowest.test} ${sec(slowest.durationMs)} of the run's ${sec(runMs)}${why.length ? ` (${why.join(', ')})` : ''}.`;
}
