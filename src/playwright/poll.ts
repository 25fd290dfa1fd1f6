/**
 * "Eventually" for the matchers: evaluate, then again at 100, 250, 500, 1000, 1000... ms until
 * the caller says the answer is final or the deadline passes. One loop for every matcher, so no
 * matcher grows its own ad-hoc setTimeout retry (the same intervals as Playwright's
 * `expect.poll` and `toPass`).
 */

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
  /** Injected in unit tests; defaults to Date.now / setTimeout. */
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
