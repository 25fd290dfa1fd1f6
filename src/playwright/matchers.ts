/**
 * The `expect.extend` matchers. Every one follows the same path: resolve the received value
 * (a timeline, or a fetch id looked up in the running test's `backgroundFetch`), poll its live
 * timeline until the check's answer is final or the expect timeout passes, and build the
 * failure message with the one formatter in message.ts.
 *
 * Waiting matters twice: a fetch is usually still running when the test asserts on it, and the
 * probe records (worker events, updateUI) arrive only after CDP's "completed".
 */
import type { ExpectMatcherState, MatcherReturnType } from '@playwright/test';
import type { FetchTimeline } from '../recorder/timeline.js';
import { currentFixture } from './background-fetch.js';
import {
  checkAborted,
  checkFailed,
  checkNoFindings,
  checkProgress,
  checkRequested,
  checkSucceeded,
  checkUpdateUI,
  nothingRecorded,
  type TextPattern,
  type UpdateUIExpectation,
  type CheckResult,
} from './checks.js';
import { formatMatcherMessage } from './message.js';
import { isSeverity, type Severity } from '../findings/index.js';
import { poll } from './poll.js';
import { checkSequence, validateSequence } from './sequence.js';

/** A timeline (from `backgroundFetch.waitForFetch`/`fetch`/`fetches`) or a developer id. */
export type FetchReceived = FetchTimeline | string;

export interface MatcherTimeoutOptions {
  /** ms to wait for the answer; defaults to the expect timeout. */
  timeout?: number;
}

export interface FailOptions extends MatcherTimeoutOptions {
  /** The spec's failureReason: 'bad-status', 'fetch-error', 'aborted', ... */
  reason?: string;
}

export interface RequestedOptions extends MatcherTimeoutOptions {
  status?: number;
}

export type UpdateUIOptions = UpdateUIExpectation & MatcherTimeoutOptions;

export interface NoFindingsOptions extends MatcherTimeoutOptions {
  /** The least severity that counts: 'error' (default), 'warning' (errors and warnings), 'info' (all). */
  severity?: Severity;
}

function isTimeline(x: unknown): x is FetchTimeline {
  if (!x || typeof x !== 'object') return false;
  const t = x as Partial<FetchTimeline>;
  return typeof t.key === 'string' && typeof t.id === 'string' && Array.isArray(t.events) && Array.isArray(t.requests);
}

interface Source {
  id: string;
  /** The freshest timeline, or undefined when nothing was recorded for the id yet. */
  get(): FetchTimeline | undefined;
  /** Can it change while we wait? A snapshot from outside this test cannot. */
  live: boolean;
  missing(): string;
}

function resolve(matcher: string, received: unknown): Source {
  const fixture = currentFixture();
  if (typeof received === 'string') {
    if (!fixture) {
      throw new Error(
        `expect(received).${matcher}(): received the fetch id ${JSON.stringify(received)}, but this test does not use the backgroundFetch fixture. ` +
          "Add it to the test's arguments (async ({ page, backgroundFetch }) => ...) or pass the timeline from backgroundFetch.waitForFetch().",
      );
    }
    return { id: received, get: () => fixture.fetch(received), live: true, missing: () => fixture.describeMissing(received) };
  }
  if (isTimeline(received)) {
    const live = fixture?.refresh(received) ?? null;
    return {
      id: received.id,
      get: () => fixture?.refresh(received) ?? received,
      live: live !== null,
      missing: () => '',
    };
  }
  const got = received === null ? 'null' : Array.isArray(received) ? 'an array' : typeof received;
  throw new TypeError(
    `expect(received).${matcher}(): received must be a fetch timeline (from backgroundFetch.waitForFetch()) or a fetch id string; got ${got}.`,
  );
}

function validTimeout(matcher: string, options: MatcherTimeoutOptions | undefined, fallback: number): number {
  const t = options?.timeout;
  if (t === undefined) return fallback;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
    throw new TypeError(`${matcher}(): options.timeout must be a number of ms >= 0.`);
  return t;
}

async function run(
  state: ExpectMatcherState,
  matcher: string,
  received: unknown,
  options: MatcherTimeoutOptions | undefined,
  hasArgs: boolean,
  check: (t: FetchTimeline, now: number) => CheckResult,
  whenMissing: (id: string) => CheckResult,
): Promise<MatcherReturnType> {
  const source = resolve(matcher, received);
  const timeout = validTimeout(matcher, options, state.timeout);
  const evaluate = () => {
    const t = source.get();
    return { t, v: t ? check(t, Date.now()) : whenMissing(source.id) };
  };
  // Positive: stop at the first pass. Negated: a pass now may still be a pass later but a
  // failure now may not stay one (a pending fetch has "not succeeded" only so far): wait for final.
  const waitFor = () => poll(evaluate, ({ v }) => v.final || (v.pass && !state.isNot), { timeout: source.live ? timeout : 0 });
  // The wait is a step of its own under Playwright's `Expect "toSucceed"`: what it waited for, for how long.
  const fixture = currentFixture();
  const wants = `${state.isNot ? 'not ' : ''}${whenMissing(source.id).expected}`;
  const at = Date.now();
  const result = fixture && source.live ? await fixture.step(`fetch ${JSON.stringify(source.id)}: ${wants}`, waitFor) : await waitFor();
  const { t, v } = result.value;
  fixture?.recordStep({
    at,
    what: `expect(${JSON.stringify(source.id)}).${state.isNot ? 'not.' : ''}${matcher}()`,
    result: { pass: v.pass !== state.isNot, expected: wants, received: v.received, ms: Date.now() - at },
  });
  const waited = result.timedOut && source.live;
  const note = !t
    ? null
    : waited && t.outcome === 'pending'
      ? `the fetch was still pending after ${timeout} ms`
      : waited && !v.final
        ? `the fetch settled, but late records (service-worker events, updateUI) may not have arrived within ${timeout} ms`
        : !source.live && t.outcome === 'pending'
          ? "this timeline is a snapshot from outside this test's backgroundFetch fixture, so it was not polled"
          : null;
  const message = formatMatcherMessage({
    matcher,
    hasArgs,
    isNot: state.isNot,
    expected: v.expected,
    received: v.received,
    timeout: waited ? timeout : null,
    note,
    timeline: t ?? null,
    nothingRecorded: t ? null : source.missing(),
  });
  return {
    pass: v.pass,
    message: () => message,
    name: matcher,
    expected: v.expectedValue,
    actual: v.actualValue,
    ...(waited ? { timeout } : {}),
  };
}

const missing = (expected: string, value: unknown) => (id: string) => nothingRecorded(id, expected, value);

// Async throughout, so that a usage error (bad arguments) rejects like a failed assertion
// instead of throwing synchronously out of `expect(...)`.
export const bgprobeMatchers = {
  /** The fetch completed with BackgroundFetchSuccessEvent. */
  async toSucceed(this: ExpectMatcherState, received: FetchReceived, options?: MatcherTimeoutOptions): Promise<MatcherReturnType> {
    return run(this, 'toSucceed', received, options, false, checkSucceeded, missing('success', 'success'));
  },

  /** The fetch failed (an abort counts: the spec reports result 'failure'), optionally for this reason. */
  async toFail(this: ExpectMatcherState, received: FetchReceived, options?: FailOptions): Promise<MatcherReturnType> {
    const reason = options?.reason;
    if (reason !== undefined && typeof reason !== 'string')
      throw new TypeError("toFail({ reason }): reason must be a string such as 'bad-status'.");
    const expected = reason === undefined ? 'failure' : `failure (${reason})`;
    return run(
      this,
      'toFail',
      received,
      options,
      options?.reason !== undefined,
      (t) => checkFailed(t, reason),
      missing(expected, { outcome: 'failure', reason: reason ?? null }),
    );
  },

  /** The fetch was aborted (by the page, the worker, or the user's download UI). */
  async toBeAborted(this: ExpectMatcherState, received: FetchReceived, options?: MatcherTimeoutOptions): Promise<MatcherReturnType> {
    return run(this, 'toBeAborted', received, options, false, checkAborted, missing('aborted', 'aborted'));
  },

  /** The page saw progress reach `bytes`, never going backwards, never above a set downloadTotal. */
  async toReportProgressUpTo(
    this: ExpectMatcherState,
    received: FetchReceived,
    bytes: number,
    options?: MatcherTimeoutOptions,
  ): Promise<MatcherReturnType> {
    if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0)
      throw new TypeError('toReportProgressUpTo(bytes): bytes must be a number >= 0.');
    return run(
      this,
      'toReportProgressUpTo',
      received,
      options,
      true,
      (t, now) => checkProgress(t, bytes, now),
      missing(`progress up to ${bytes} bytes`, bytes),
    );
  },

  /** The service worker called updateUI() successfully, with this title / an icon like this. */
  async toUpdateUI(this: ExpectMatcherState, received: FetchReceived, expected: UpdateUIOptions = {}): Promise<MatcherReturnType> {
    const check = (p: TextPattern | undefined, what: string) => {
      if (p !== undefined && typeof p !== 'string' && !(p instanceof RegExp))
        throw new TypeError(`toUpdateUI({ ${what} }): ${what} must be a string or a RegExp.`);
    };
    check(expected.title, 'title');
    check(expected.icons, 'icons');
    const want: UpdateUIExpectation = {
      ...(expected.title !== undefined ? { title: expected.title } : {}),
      ...(expected.icons !== undefined ? { icons: expected.icons } : {}),
    };
    const hasArgs = want.title !== undefined || want.icons !== undefined;
    return run(
      this,
      'toUpdateUI',
      received,
      expected,
      hasArgs,
      (t, now) => checkUpdateUI(t, want, now),
      missing('a resolved updateUI() call', want),
    );
  },

  /** These events happened in this order (others may come between). */
  async toHaveEventSequence(
    this: ExpectMatcherState,
    received: FetchReceived,
    names: readonly string[],
    options?: MatcherTimeoutOptions,
  ): Promise<MatcherReturnType> {
    validateSequence(names);
    return run(
      this,
      'toHaveEventSequence',
      received,
      options,
      true,
      (t, now) => checkSequence(t, names, now),
      missing(`[${names.join(', ')}] in this order`, [...names]),
    );
  },

  /** bgprobe's rules found nothing wrong with the fetch (errors; `{ severity: 'warning' }` counts warnings too). */
  async toHaveNoFindings(this: ExpectMatcherState, received: FetchReceived, options?: NoFindingsOptions): Promise<MatcherReturnType> {
    const severity = options?.severity ?? 'error';
    if (!isSeverity(severity)) throw new TypeError("toHaveNoFindings({ severity }): severity must be 'error', 'warning' or 'info'.");
    return run(
      this,
      'toHaveNoFindings',
      received,
      options,
      options?.severity !== undefined,
      (t, now) => checkNoFindings(t, severity, now),
      missing('no findings', { severity }),
    );
  },

  /** One of the fetch's requests went to this URL (absolute, path[+query], or RegExp), answered `status` when given. */
  async toHaveRequested(
    this: ExpectMatcherState,
    received: FetchReceived,
    url: TextPattern,
    options?: RequestedOptions,
  ): Promise<MatcherReturnType> {
    if (typeof url !== 'string' && !(url instanceof RegExp)) throw new TypeError('toHaveRequested(url): url must be a string or a RegExp.');
    const status = options?.status;
    if (status !== undefined && !Number.isInteger(status))
      throw new TypeError('toHaveRequested(url, { status }): status must be an integer.');
    return run(
      this,
      'toHaveRequested',
      received,
      options,
      true,
      (t) => checkRequested(t, url, status),
      missing(`a request to ${String(url)}`, { url: String(url), status: status ?? null }),
    );
  },
};
