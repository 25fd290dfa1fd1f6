/**
 * stopServiceWorker (what lifecycle.sw-stopped does mid-download): it stops the worker of the
 * one registration named, and no other, in real Chromium. The scenario shares its browser with
 * the rest of the suite, so neither another registration of its own context nor a worker of
 * another context may be stopped with it.
 */
import type { Protocol } from 'devtools-protocol';
import type { BrowserContext, Page } from 'playwright-core';
import { PlaywrightCdpSession } from '../../src/cdp/session.js';
import { stopServiceWorker } from '../../src/scenarios/service-worker.js';
import { expect, openHarness, test } from './support.js';

type Version = Protocol.ServiceWorker.ServiceWorkerVersion;

/** Every version the ServiceWorker domain of `page`'s storage partition reports, by scope, as it changes. */
async function watchWorkers(context: BrowserContext, page: Page): Promise<() => Record<string, string>> {
  const session = await context.newCDPSession(page);
  const scopes = new Map<string, string>();
  const versions = new Map<string, Version>();
  session.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
    for (const r of registrations) scopes.set(r.registrationId, r.scopeURL);
  });
  session.on('ServiceWorker.workerVersionUpdated', ({ versions: list }) => {
    for (const v of list) versions.set(v.versionId, v);
  });
  await session.send('ServiceWorker.enable');
  return () => Object.fromEntries([...versions.values()].map((v) => [scopes.get(v.registrationId) ?? '?', v.runningStatus]));
}

test("stops the named registration's worker only: another registration of the context and another context's worker keep running", async ({
  bgBrowser,
  server,
}) => {
  const harnessScope = `${server.url}/harness/`;
  const podcastScope = `${server.url}/podcast/`;
  const a = await bgBrowser.newContext();
  const b = await bgBrowser.newContext();
  try {
    // Context A: the harness and, on the same origin, the podcast app (a second registration).
    const pageA = await openHarness(a, server);
    const podcast = await a.newPage();
    await podcast.goto(`${server.url}/podcast/`);
    await podcast.locator('body[data-sw-ready="1"]').waitFor();
    // Context B: the harness again, in a storage partition of its own.
    const pageB = await openHarness(b, server);
    const inA = await watchWorkers(a, pageA);
    const inB = await watchWorkers(b, pageB);
    await expect.poll(inA).toEqual({ [harnessScope]: 'running', [podcastScope]: 'running' });
    await expect.poll(inB).toEqual({ [harnessScope]: 'running' });

    // One session for both calls, as a scenario's cached s.cdp() is: the second still gets its replay.
    const session = new PlaywrightCdpSession(await a.newCDPSession(pageA));
    const stopped = await stopServiceWorker(session, harnessScope, 10_000);
    expect(stopped.map((v) => v.runningStatus)).toEqual(['running']);
    await expect.poll(inA).toEqual({ [harnessScope]: 'stopped', [podcastScope]: 'running' });
    // A moment later the others still run (a stop reaching them would have shown by now).
    await pageA.waitForTimeout(1_000);
    expect(inA()).toEqual({ [harnessScope]: 'stopped', [podcastScope]: 'running' });
    expect(inB()).toEqual({ [harnessScope]: 'running' });

    // Nothing running at that scope: nothing to stop, and no error.
    expect(await stopServiceWorker(session, harnessScope, 10_000)).toEqual([]);
  } finally {
    await a.close();
    await b.close();
  }
});
