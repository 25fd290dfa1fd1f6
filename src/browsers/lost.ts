/**
 * What counts as a lost browser, for every command that retries one (compat, wpt, audit): the
 * browser's process exited or its connection closed, which bgprobe did not ask for. Only that
 * is re-run on a fresh browser; an error of the run's own steps (or of bgprobe's) would only
 * repeat, and retrying it would hide it.
 */
import { BrowserLostError } from '../errors.js';

export interface LostBrowser {
  /** The browser's last FATAL log line, when it left one. */
  fatal: string | null;
}

/**
 * A step that failed because the browser died (Playwright's "Target closed", the recorder's
 * SessionClosedError) can reject a moment before the browser's 'disconnected' event: wait this
 * long for it before calling the error the run's own. Only failures pay it.
 */
export const DISCONNECT_GRACE_MS = 1_000;

/** The loss `e` stands for; null for every other error. */
export function lostBrowser(e: unknown): LostBrowser | null {
  return e instanceof BrowserLostError ? { fatal: e.fatal } : null;
}

/**
 * `e` as a BrowserLostError when the browser is gone now or goes within the grace period
 * (`gone` resolves on its disconnect), else `e` itself.
 */
export async function classifyLoss(
  e: unknown,
  connected: () => boolean,
  gone: Promise<unknown>,
  fatal: () => string | null,
): Promise<unknown> {
  if (e instanceof BrowserLostError) return e;
  if (!connected()) return new BrowserLostError(fatal());
  let timer: NodeJS.Timeout | undefined;
  const died = await Promise.race([
    gone.then(() => true),
    new Promise<boolean>((r) => (timer = setTimeout(() => r(false), DISCONNECT_GRACE_MS))),
  ]);
  clearTimeout(timer);
  return died || !connected() ? new BrowserLostError(fatal()) : e;
}

/**
 * Runs `attempt` (0 the first, then each retry) until one did not lose its browser, at most
 * 1 + `retries` times; every attempt is returned in order, null when one was interrupted.
 */
export async function retryLostBrowser<T>(
  retries: number,
  attempt: (retry: number) => Promise<T | null>,
  lost: (a: T) => LostBrowser | null,
): Promise<T[] | null> {
  const attempts: T[] = [];
  for (let retry = 0; ; retry++) {
    const a = await attempt(retry);
    if (a === null) return null;
    attempts.push(a);
    if (!lost(a) || retry >= Math.max(0, retries)) return attempts;
  }
}
