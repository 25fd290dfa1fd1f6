/**
 * Listener facts from the worker's first start, under Playwright's own connection (the
 * fixtures): the probe is in before the worker's script runs, without stopping the worker, so
 * `toHaveNoFindings()` flags a fail listener registered under a misspelled name.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../../src/playwright/index.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { findingsFor } from '../../src/findings/index.js';
import { REPO, serveStatic, type StaticServer } from './audit-support.js';

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveStatic({ '/': join(REPO, 'test/apps') });
});
test.afterAll(async () => {
  await server.close();
});

async function download(page: Page, app: string): Promise<void> {
  await page.goto(`${server.url}/${app}/`);
  await expect(page.locator('#status')).toHaveText('ready');
  await page.click('#download');
}

test('a fail listener under a misspelled name: toHaveNoFindings() fails with no-listener', async ({ page, backgroundFetch }) => {
  await download(page, 'unknown-event-listener');
  const fetch = await backgroundFetch.waitForFetch('episode', { until: 'settled' });
  await expect(fetch).toFail({ reason: 'bad-status' });
  // Counted on the worker's first start: the probe was in before sw.js ran, or (when the script
  // outran the observer page's first commands, on a loaded machine) read from the browser's list.
  const starts = backgroundFetch.recorder.probeRecords().flatMap((r) => (r.kind === 'worker-start' ? [r] : []));
  expect(starts.map((r) => r.listenersCounted)).toEqual([true]);
  expect(fetch.swEvents.map((e) => [e.type, e.listeners])).toEqual([['backgroundfetchfail', 0]]);
  expect(fetch.unknownListeners.map((u) => u.name)).toEqual(['backgroundfetchfailure']);
  const failure = await expect(fetch)
    .toHaveNoFindings()
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(failure, 'toHaveNoFindings() passed on an app whose fail listener is misspelled').toBeInstanceOf(Error);
  expect((failure as Error).message).toMatch(/no-listener/);
});

test('the correct app passes toHaveNoFindings(), its success listener counted on the first start', async ({ page, backgroundFetch }) => {
  await download(page, 'good');
  const fetch = await backgroundFetch.waitForFetch('episode', { until: 'settled' });
  await expect(fetch).toSucceed();
  expect(fetch.swEvents.map((e) => [e.type, e.listeners])).toEqual([['backgroundfetchsuccess', 1]]);
  await expect(fetch).toHaveNoFindings();
  await expect(fetch).toUpdateUI({ title: 'Episode downloaded' });
});

test('a worker already running when recording starts: the listeners its script added are read from the browser, so the misspelled one is still caught', async ({
  browser,
}) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/unknown-event-listener/`);
    await expect(page.locator('#status')).toHaveText('ready');
    // sw.js ran before bgprobe was there: the probe comes after it, with no pause to catch.
    const recorder = await BackgroundServiceRecorder.attach(context);
    try {
      // The running worker is probed over the recorder's own session, a few round trips after attach().
      await expect.poll(() => recorder.probeRecords().some((r) => r.kind === 'worker-start')).toBe(true);
      await page.click('#download');
      const fetch = await recorder.waitForFetch('episode', { until: 'settled' });
      expect(fetch.outcome).toBe('failure');
      const starts = recorder.probeRecords().flatMap((r) => (r.kind === 'worker-start' ? [r] : []));
      expect(starts[0]).toMatchObject({ afterAppScript: true, listenersCounted: true });
      await expect.poll(() => recorder.fetch('episode')?.swEvents.map((e) => [e.type, e.listeners])).toEqual([['backgroundfetchfail', 0]]);
      expect(recorder.fetch('episode')!.unknownListeners.map((u) => u.name)).toEqual(['backgroundfetchfailure']);
      expect(findingsFor(recorder.fetch('episode')!).map((f) => f.code)).toEqual(
        expect.arrayContaining(['no-listener', 'unknown-event-listener']),
      );
    } finally {
      await recorder.dispose();
    }
  } finally {
    await context.close();
  }
});

// test/apps/fail-handler: an `on<type>` handler and a once listener its own (untrusted) dispatch
// used up: one listener reaches the real fail event, whether the probe came before the script
// or after it (then the handler is in the browser's list too, and must not count twice).
test('an on<type> handler and a once listener used up by an untrusted event: one listener, probed first', async ({
  page,
  backgroundFetch,
}) => {
  await download(page, 'fail-handler');
  const fetch = await backgroundFetch.waitForFetch('episode', { until: 'settled' });
  await expect(fetch).toFail({ reason: 'bad-status' });
  expect(fetch.swEvents.map((e) => [e.type, e.listeners])).toEqual([['backgroundfetchfail', 1]]);
  await expect(fetch).toUpdateUI({ title: 'Download failed' });
});

test('an on<type> handler of a worker already running: counted once', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/fail-handler/`);
    await expect(page.locator('#status')).toHaveText('ready');
    const recorder = await BackgroundServiceRecorder.attach(context);
    try {
      await page.click('#download');
      const fetch = await recorder.waitForFetch('episode', { until: 'settled' });
      expect(fetch.outcome).toBe('failure');
      const starts = recorder.probeRecords().flatMap((r) => (r.kind === 'worker-start' ? [r] : []));
      expect(starts[0]).toMatchObject({ afterAppScript: true, listenersCounted: true });
      await expect.poll(() => recorder.fetch('episode')?.swEvents.map((e) => [e.type, e.listeners])).toEqual([['backgroundfetchfail', 1]]);
    } finally {
      await recorder.dispose();
    }
  } finally {
    await context.close();
  }
});
