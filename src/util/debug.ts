/**
 * Best-effort operations log here instead of being swallowed by `.catch(() => {})`.
 * Enable with DEBUG=bgprobe* (or DEBUG=bgprobe:cdp, ...).
 */
import { format } from 'node:util';

const pattern = process.env['DEBUG'] ?? '';

function enabled(namespace: string): boolean {
  return pattern.split(',').some((p) => {
    const t = p.trim();
    if (!t) return false;
    if (t.endsWith('*')) return namespace.startsWith(t.slice(0, -1));
    return t === namespace;
  });
}

export type DebugLog = (...args: unknown[]) => void;

export function debug(namespace: string): DebugLog {
  const on = enabled(namespace);
  return (...args: unknown[]) => {
    if (on) process.stderr.write(`${namespace} ${format(...args)}\n`);
  };
}

/** Run a best-effort step: failures are logged to the namespace, never thrown. */
export async function bestEffort(log: DebugLog, what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    log(`${what} failed (ignored): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A best-effort read: its value, or null (what callers take as "not there") with the failure logged. */
export async function orNull<T>(log: DebugLog, what: string, promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (e) {
    log(`${what} failed (null): ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
