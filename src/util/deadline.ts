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
