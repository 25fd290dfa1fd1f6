/**
 * The harness page (fixtures/harness/) through any driver: `window.harness.<method>(...)`, and
 * the service worker reached through the page (the harness forwards a command to its worker
 * over a MessageChannel and returns the answer). Engine-neutral by construction: only
 * EnginePage.evaluate is used.
 */
import type { EnginePage } from '../browsers/types.js';

/** What every harness method resolves to: never a rejection, `ok: false` with name/message on failure. */
export interface HarnessReply {
  ok: boolean;
  name?: string;
  message?: string;
  [key: string]: unknown;
}

export async function harnessCall(page: EnginePage, method: string, ...args: unknown[]): Promise<HarnessReply> {
  const r = await page.evaluate(
    async (m: string, a: unknown[]) => {
      const h = (window as unknown as { harness?: Record<string, (...x: unknown[]) => Promise<unknown>> }).harness;
      if (!h) return { ok: false, name: 'Error', message: 'window.harness is not defined: not the harness page' };
      return h[m](...a);
    },
    method,
    args,
  );
  return (r ?? { ok: false, name: 'Error', message: `harness.${method} returned nothing` }) as HarnessReply;
}

/** A command of the harness service worker (sw.js), sent through the page. */
export function inWorker(page: EnginePage, cmd: string, payload: Record<string, unknown> = {}): Promise<HarnessReply> {
  return harnessCall(page, 'toWorker', { ...payload, cmd });
}

/** The exposure probe the runner gates on: is Background Fetch in the page and in its worker? */
export interface ExposureProbe {
  /** `'BackgroundFetchManager' in window` */
  window: boolean;
  /** `'BackgroundFetchManager' in self` in the service worker. */
  serviceWorker: boolean;
  /** `self.registration.backgroundFetch.fetch` is a function in the worker. */
  workerFetch: boolean;
}

/** Opens the harness at `url` on a page of its own and asks it (ready() reports both scopes). */
export async function probeExposure(page: EnginePage, url: string, timeoutMs: number): Promise<ExposureProbe> {
  await page.goto(url);
  const ready = await harnessCall(page, 'ready', timeoutMs);
  if (!ready.ok) throw new Error(`The harness did not get ready: ${ready.name}: ${ready.message}`);
  const worker = (ready['worker'] ?? {}) as { supported?: boolean; fetch?: boolean };
  return { window: ready['supported'] === true, serviceWorker: worker.supported === true, workerFetch: worker.fetch === true };
}
