/**
 * Every wait in bgprobe has a deadline, and every deadline is kept here: a promise raced
 * against a timer (settleWithin), a wait that listens for what can end it (waitWithin: the
 * recorder's waits), and an evaluation repeated at growing intervals (poll: the matchers'
 * "eventually" and the scenarios' polls). Each caller names its own error, created where the
 * wait starts when its stack should name the caller.
 */
import { DeadlineError } from '../errors.js';

/**
 * Wait until `start` calls `resolve` or `reject`, or reject with `timeoutError()` once `ms`
 * pass. `start` subscribes to whatever can end the wait (it may settle at once) and returns
 * how to unsubscribe: that runs as soon as the wait ends, however it ends, and the timer is
 * cleared with it, so a finished wait keeps nothing alive.
 */
export function waitWithin<T>(
  ms: number,
  timeoutError: () => Error,
  start: (resolve: (value: T) => void, reject: (error: Error) => void) => (() => void) | void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let ended = false;
    const subscription: { off?: (() => void) | void } = {};
    const end = () => {
      ended = true;
      clearTimeout(timer);
      subscription.off?.();
    };
    const timer = setTimeout(() => {
      end();
      reject(timeoutError());
    }, ms);
    subscription.off = start(
      (value) => {
        if (ended) return;
        end();
        resolve(value);
      },
      (error) => {
        if (ended) return;
        end();
        reject(error);
      },
    );
    // `start` settled before it could hand back its unsubscribe function.
    if (ended) subscription.off?.();
  });
}

/**
 * Settle with `p`, or reject with `timeoutError()` once `ms` pass, whichever comes first. Each
 * caller names its own error: a scenario step's DeadlineError, an endpoint's UsageError.
 */
export function settleWithin<T>(p: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  return waitWithin<T>(ms, timeoutError, (resolve, reject) => {
    p.then(resolve, (e: unknown) => reject(e as Error));
  });
}

/** Resolve/reject with `p`, or reject with DeadlineError after `ms` (`what` names the step in its message). */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return settleWithin(p, ms, () => new DeadlineError(`${what} did not finish within ${ms} ms`));
}

/** The intervals of Playwright's `expect.poll` and `toPass`: 100, 250, 500, then every 1000 ms. */
export const POLL_INTERVALS: readonly number[] = [100, 250, 500, 1000];

export interface PollResult<T> {
  value: T;
  /** True when the deadline passed before `done` said yes. */
  timedOut: boolean;
  /** How long the poll ran, ms. */
  elapsed: number;
}

export interface PollOptions {
  /** ms; 0 evaluates once. */
  timeout: number;
  intervals?: readonly number[];
  /** Injected in unit tests (and by callers with a sleep of their own, e.g. one that aborts); defaults to Date.now / setTimeout. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `evaluate` until `done(value)` or the deadline. The last evaluation always happens AT the
 * deadline (the sleep is clipped), so a fetch settling during the final interval still counts.
 */
export async function poll<T>(evaluate: () => T | Promise<T>, done: (value: T) => boolean, options: PollOptions): Promise<PollResult<T>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const intervals = options.intervals ?? POLL_INTERVALS;
  const start = now();
  const deadline = start + Math.max(0, options.timeout);
  for (let attempt = 0; ; attempt++) {
    const value = await evaluate();
    if (done(value)) return { value, timedOut: false, elapsed: now() - start };
    const left = deadline - now();
    if (left <= 0) return { value, timedOut: true, elapsed: now() - start };
    const interval = intervals[Math.min(attempt, intervals.length - 1)] ?? 1000;
    await sleep(Math.min(interval, left));
  }
}
