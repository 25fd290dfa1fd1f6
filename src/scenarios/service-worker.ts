/**
 * Stopping one service worker, and no other, through the ServiceWorker domain of a page's CDP
 * session: ServiceWorker.stopWorker on the running version of the registration at one scope.
 * `ServiceWorker.stopAllWorkers` stops every worker the session's storage partition runs (every
 * registration of the context), so a scenario that used it could not share a context, and was
 * run with its browser to itself; stopWorker reaches the one version named. What both need, the
 * domain's registrations and versions as they stand, comes from whenServiceWorkers (also what
 * the other services' scenarios read a registration id from).
 */
import type { Protocol } from 'devtools-protocol';
import type { CdpSession } from '../cdp/session.js';
import { TimeoutError } from '../errors.js';
import { waitWithin } from '../util/deadline.js';

export type WorkerVersion = Protocol.ServiceWorker.ServiceWorkerVersion;
type Registration = Protocol.ServiceWorker.ServiceWorkerRegistration;

/** The running or starting versions of the registration at `scopeURL`, once the domain reported both. */
function versionsAt(
  scopeURL: string,
  registrations: ReadonlyMap<string, Registration>,
  versions: ReadonlyMap<string, WorkerVersion>,
): WorkerVersion[] | undefined {
  const registration = [...registrations.values()].find((r) => r.scopeURL === scopeURL && !r.isDeleted);
  if (!registration) return undefined;
  const own = [...versions.values()].filter((v) => v.registrationId === registration.registrationId);
  if (own.length === 0) return undefined;
  return own.filter((v) => v.runningStatus === 'running' || v.runningStatus === 'starting');
}

/**
 * What the ServiceWorker domain of `cdp`'s page reports (its storage partition's registrations
 * and versions, replayed by a fresh enable), once `pick` finds in it what the caller needs;
 * `timeout()` when it has not in `ms`. Leaves the domain enabled (the session's owner may read
 * it on).
 */
export async function whenServiceWorkers<T>(
  cdp: CdpSession,
  pick: (registrations: ReadonlyMap<string, Registration>, versions: ReadonlyMap<string, WorkerVersion>) => T | undefined,
  ms: number,
  timeout: () => Error,
): Promise<T> {
  const registrations = new Map<string, Registration>();
  const versions = new Map<string, WorkerVersion>();
  let changed: (() => void) | null = null;
  // Subscribed before enable: the domain reports what exists as events right after it.
  const offs = [
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: list }) => {
      for (const r of list) registrations.set(r.registrationId, r);
      changed?.();
    }),
    cdp.on('ServiceWorker.workerVersionUpdated', ({ versions: list }) => {
      for (const v of list) versions.set(v.versionId, v);
      changed?.();
    }),
  ];
  try {
    // Chromium's enable on a session where the domain is already on reports nothing: off first,
    // so every call (a second one on the same session included) gets the replay it waits for.
    await cdp.send('ServiceWorker.disable');
    await cdp.send('ServiceWorker.enable');
    return await waitWithin<T>(ms, timeout, (resolve) => {
      changed = () => {
        const found = pick(registrations, versions);
        if (found !== undefined) resolve(found);
      };
      changed();
      return () => (changed = null);
    });
  } finally {
    for (const off of offs) off();
  }
}

/**
 * Stop the worker of the registration whose scope is `scopeURL` (e.g. `${origin}/harness/`) in
 * the storage partition of `cdp`'s page: each of its versions that is running or starting gets
 * `ServiceWorker.stopWorker`. Resolves with the versions stopped (none when it was not running);
 * a TimeoutError when the domain did not report that registration and its versions in `ms`.
 */
export async function stopServiceWorker(cdp: CdpSession, scopeURL: string, ms: number): Promise<WorkerVersion[]> {
  const running = await whenServiceWorkers(
    cdp,
    (registrations, versions) => versionsAt(scopeURL, registrations, versions),
    ms,
    () => new TimeoutError(`ServiceWorker.enable reported no registration at ${scopeURL} with its versions within ${ms} ms`),
  );
  for (const v of running) await cdp.send('ServiceWorker.stopWorker', { versionId: v.versionId });
  return running;
}
