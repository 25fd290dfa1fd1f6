/**
 * What each matcher checks, as pure functions of a timeline snapshot and the clock: no
 * Playwright, no browser, so the unit tests can drive every branch with hand-made timelines.
 *
 * Each check answers three things: does it pass now, can that answer still change (`final`),
 * and how to describe expected and received. `final` is what lets `.not` be honest: a pending
 * fetch has "not succeeded" only for now, so `.not.toSucceed()` keeps polling until it settles.
 */
import { formatBytes } from '../util/bytes.js';
import { reachedStage, timelineStart, type FetchTimeline } from '../recorder/timeline.js';
import { atLeast, formatFinding, type Severity } from '../findings/index.js';

/**
 * The service worker's completion event, its updateUI calls and the page's last progress
 * event are reported by probes AFTER CDP logs "Background Fetch completed" (the browser logs,
 * then wakes the worker). Probe-based answers become final once the worker has finished
 * handling that event (the 'settled' stage), or this long after completion when that is never
 * reported (probes off, no worker handler, a worker that never ran).
 */
// 3 s was seen to be too short on a loaded 2-core CI machine (the worker's event came later,
// and a passing toUpdateUI failed). Only a failing positive matcher waits this long.
export const LATE_RECORD_GRACE_MS = 10_000;

export interface CheckResult {
  pass: boolean;
  /** The answer can no longer change: stop polling whatever `.not` says. */
  final: boolean;
  /** Human text of what was expected, without "not". */
  expected: string;
  received: string;
  /** Machine values for the matcher result's `expected` / `actual`. */
  expectedValue: unknown;
  actualValue: unknown;
}

export type TextPattern = string | RegExp;

export { formatBytes };

export function describePattern(p: TextPattern): string {
  return typeof p === 'string' ? JSON.stringify(p) : String(p);
}

function matchesText(value: string | null | undefined, p: TextPattern): boolean {
  if (value === null || value === undefined) return false;
  if (typeof p === 'string') return value === p;
  p.lastIndex = 0;
  return p.test(value);
}

const settled = (t: FetchTimeline): boolean => t.outcome !== 'pending' && t.completedAt !== null;

/** Settled, and late probe records arrived (or had time to). */
export function settledWithLateRecords(t: FetchTimeline, now: number, graceMs = LATE_RECORD_GRACE_MS): boolean {
  return settled(t) && (reachedStage(t, 'settled') || now - (t.completedAt ?? now) >= graceMs);
}

function outcomeText(t: FetchTimeline): string {
  return t.outcome + (t.failureReason && t.outcome !== 'aborted' ? ` (${t.failureReason})` : '');
}

export function nothingRecorded(id: string, expected: string, expectedValue: unknown): CheckResult {
  return { pass: false, final: false, expected, received: `nothing recorded for "${id}"`, expectedValue, actualValue: null };
}

export function checkSucceeded(t: FetchTimeline): CheckResult {
  return {
    pass: t.outcome === 'success',
    final: settled(t),
    expected: 'success',
    received: outcomeText(t),
    expectedValue: 'success',
    actualValue: t.outcome,
  };
}

/** The spec reports an abort as result 'failure' with failureReason 'aborted', so it counts here too. */
export function checkFailed(t: FetchTimeline, reason?: string): CheckResult {
  const failed = t.outcome === 'failure' || t.outcome === 'aborted';
  const reasonOk = reason === undefined || t.failureReason === reason || (reason === 'aborted' && t.outcome === 'aborted');
  const expected = reason === undefined ? 'failure' : `failure (${reason})`;
  return {
    pass: failed && reasonOk,
    final: settled(t),
    expected,
    received: t.outcome === 'aborted' ? 'failure (aborted)' : outcomeText(t),
    expectedValue: { outcome: 'failure', reason: reason ?? null },
    actualValue: { outcome: t.outcome, reason: t.failureReason },
  };
}

export function checkAborted(t: FetchTimeline): CheckResult {
  return {
    pass: t.outcome === 'aborted',
    final: settled(t),
    expected: 'aborted',
    received: outcomeText(t),
    expectedValue: 'aborted',
    actualValue: t.outcome,
  };
}

export interface ProgressSummary {
  samples: number;
  reached: number;
  /** The first decrease of `downloaded`, if any. */
  backwards: { from: number; to: number; at: number } | null;
  /** The first sample above a non-zero downloadTotal, if any. */
  overTotal: { downloaded: number; downloadTotal: number; at: number } | null;
}

export function summariseProgress(t: Pick<FetchTimeline, 'progress'>): ProgressSummary {
  // The page's progress only (the worker probe also samples the registration when its event
  // comes). Stable sort by time: two pages watching one fetch interleave their samples.
  const samples = t.progress
    .filter((p) => p.context === 'page')
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.at - b.p.at || a.i - b.i)
    .map(({ p }) => p);
  let reached = 0;
  let backwards: ProgressSummary['backwards'] = null;
  let overTotal: ProgressSummary['overTotal'] = null;
  let previous: number | null = null;
  for (const s of samples) {
    reached = Math.max(reached, s.downloaded);
    if (!backwards && previous !== null && s.downloaded < previous) backwards = { from: previous, to: s.downloaded, at: s.at };
    if (!overTotal && s.downloadTotal > 0 && s.downloaded > s.downloadTotal)
      overTotal = { downloaded: s.downloaded, downloadTotal: s.downloadTotal, at: s.at };
    previous = s.downloaded;
  }
  return { samples: samples.length, reached, backwards, overTotal };
}

export function checkProgress(t: FetchTimeline, bytes: number, now: number): CheckResult {
  const s = summariseProgress(t);
  const t0 = timelineStart(t);
  const when = (at: number) => `+${((at - t0) / 1000).toFixed(3)}s`;
  const problems: string[] = [];
  if (s.backwards) problems.push(`went backwards from ${s.backwards.from} to ${s.backwards.to} bytes at ${when(s.backwards.at)}`);
  if (s.overTotal)
    problems.push(`reported ${s.overTotal.downloaded} bytes, above downloadTotal ${s.overTotal.downloadTotal}, at ${when(s.overTotal.at)}`);
  let received: string;
  if (s.samples === 0) {
    received =
      'no progress samples (the page probe saw no progress: was the page closed, or are probes off with bgprobe: { probes: false }?)';
  } else {
    received =
      `progress up to ${s.reached} bytes (${formatBytes(s.reached)}) in ${s.samples} sample(s)` +
      (problems.length ? `; ${problems.join('; ')}` : '');
  }
  return {
    pass: s.samples > 0 && s.reached >= bytes && problems.length === 0,
    // A violation can never be undone; otherwise wait for the last progress event.
    final: problems.length > 0 || settledWithLateRecords(t, now),
    expected: `progress up to ${bytes} bytes (${formatBytes(bytes)}), never decreasing, never above downloadTotal`,
    received,
    expectedValue: bytes,
    actualValue: { reached: s.reached, samples: s.samples, backwards: s.backwards, overTotal: s.overTotal },
  };
}

export interface UpdateUIExpectation {
  title?: TextPattern;
  /** Matches an icon whose src equals the string (or ends with it), or matches the RegExp. */
  icons?: TextPattern;
}

function iconMatches(src: string, p: TextPattern): boolean {
  if (typeof p === 'string') return src === p || src.endsWith(p);
  p.lastIndex = 0;
  return p.test(src);
}

export function checkUpdateUI(t: FetchTimeline, want: UpdateUIExpectation, now: number): CheckResult {
  const parts: string[] = [];
  if (want.title !== undefined) parts.push(`title ${describePattern(want.title)}`);
  if (want.icons !== undefined) parts.push(`an icon ${describePattern(want.icons)}`);
  const expected = `a resolved updateUI() call${parts.length ? ` with ${parts.join(' and ')}` : ''}`;
  const hit = t.uiUpdates.find(
    (u) =>
      u.ok &&
      (want.title === undefined || matchesText(u.title, want.title)) &&
      (want.icons === undefined || (u.icons ?? []).some((i) => iconMatches(i.src ?? '', want.icons!))),
  );
  let received: string;
  if (t.uiUpdates.length === 0) {
    received = t.swEvents.length
      ? `no updateUI() call (the worker got ${t.swEvents.map((e) => e.type).join(', ')})`
      : 'no updateUI() call, and no completion event reached the service worker (yet)';
  } else {
    received = t.uiUpdates
      .map(
        (u) =>
          `updateUI #${u.call} ${JSON.stringify({ title: u.title, icons: (u.icons ?? []).map((i) => i.src) })} ${u.ok ? 'resolved' : `rejected ${u.error?.name}: ${u.error?.message}`}`,
      )
      .join('; ');
  }
  return {
    pass: hit !== undefined,
    final: settledWithLateRecords(t, now),
    expected,
    received,
    expectedValue: {
      title: want.title === undefined ? undefined : String(want.title),
      icons: want.icons === undefined ? undefined : String(want.icons),
    },
    actualValue: t.uiUpdates.map((u) => ({ title: u.title, icons: u.icons, ok: u.ok })),
  };
}

/**
 * No finding of `severity` or worse. A finding, once there, stays; "none" is only an answer once
 * the worker finished with the fetch (its handler's findings come last), so it passes only then.
 */
export function checkNoFindings(t: FetchTimeline, severity: Severity, now: number): CheckResult {
  const counted = t.findings.filter((f) => atLeast(f, severity));
  const final = counted.length > 0 || settledWithLateRecords(t, now);
  const scope = severity === 'error' ? 'errors' : severity === 'warning' ? 'errors or warnings' : 'findings of any severity';
  return {
    pass: counted.length === 0 && final,
    final,
    expected: `no findings (${scope})`,
    received: counted.length
      ? `${counted.length} finding${counted.length === 1 ? '' : 's'}:\n${counted.map((f) => `          ${formatFinding(f)}`).join('\n')}`
      : t.outcome === 'pending'
        ? 'none yet, but the fetch is still pending'
        : 'none yet, but the worker has not finished with the fetch',
    expectedValue: { severity },
    actualValue: counted.map((f) => ({ code: f.code, severity: f.severity, message: f.message })),
  };
}

export function checkRequested(t: FetchTimeline, url: TextPattern, status: number | undefined): CheckResult {
  const urlMatches = (u: string): boolean => {
    if (typeof url !== 'string') {
      url.lastIndex = 0;
      return url.test(u);
    }
    if (u === url) return true;
    try {
      const parsed = new URL(u);
      return parsed.pathname + parsed.search === url || parsed.pathname === url;
    } catch {
      return false;
    }
  };
  const hit = t.requests.find((r) => urlMatches(r.url) && (status === undefined || r.status === status));
  const expected = `a request to ${describePattern(url)}${status === undefined ? '' : ` answered ${status}`}`;
  const received = t.requests.length
    ? t.requests.map((r) => `[${r.index}] ${r.url} -> ${r.status ?? 'pending'}`).join(', ')
    : 'no request started (yet)';
  return {
    pass: hit !== undefined,
    // Requests are all logged before "completed"; status of a running request may still come.
    final: settled(t),
    expected,
    received,
    expectedValue: { url: String(url), status: status ?? null },
    actualValue: t.requests.map((r) => ({ url: r.url, status: r.status })),
  };
}
