/**
 * Settle with `p`, or reject with `timeoutError()` once `ms` pass, whichever comes first. The
 * timer is cleared as soon as `p` settles, so a finished wait keeps nothing alive. Each caller
 * names its own error: a scenario step's DeadlineError, an endpoint's UsageError.
 */
export function settleWithin<T>(p: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface PollUntilOptions {
  /** ms since the epoch after which no new evaluation starts. */
  until: number;
  /** The pause between evaluations, ms. */
  every: number;
  /** How to pause (a scenario's abortable sleep); defaults to a plain timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Evaluate `fn` until it returns a value (not undefined) or `until` passes; then undefined.
 * The pause before the last evaluation is clipped to the deadline, so that evaluation happens
 * AT the deadline: something that arrived during the final pause still counts.
 */
export async function pollUntil<T>(fn: () => Promise<T | undefined> | T | undefined, options: PollUntilOptions): Promise<T | undefined> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    const left = options.until - Date.now();
    if (left <= 0) return undefined;
    await sleep(Math.min(options.every, left));
  }
}
