/**
 * Listener facts from the worker's first start, under Playwright's own connection (the
 * fixtures): the probe is in before the worker's script runs, without stopping the worker, so
 * `toHaveNoFindings()` flags a fail listener registered under a misspelled name.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../../src/playwright/index.js';
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
  // Counted on the worker's first start: the probe was in before sw.js ran.
  const starts = backgroundFetch.recorder.probeRecords().filter((r) => r.kind === 'worker-start');
  expect(starts.map((r) => r.kind === 'worker-start' && r.afterAppScript)).toEqual([false]);
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
