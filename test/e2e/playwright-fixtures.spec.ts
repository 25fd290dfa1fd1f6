/**
 * bgprobe/playwright used the way a user would: the fixtures and matchers against the podcast
 * app, real Chromium and the fixture server. Each scenario clicks the app's own buttons; the
 * matchers then read the recorder's timeline (CDP + probes + what the server served).
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../../src/playwright/index.js';

/** Open the podcast app with `query` and wait until its service worker controls the page. */
async function openPodcast(page: Page, url: string, query: string): Promise<void> {
  await page.goto(`${url}/podcast/?${query}`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: 'Download episode 1', exact: true }).waitFor();
}

test('a two-request episode succeeds, with the five kinds of event and what the server served', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  await openPodcast(page, fixtureServer.url, 'media=res&size=200k');
  await page.getByRole('button', { name: 'Download episode 1', exact: true }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-1');
  await expect(fetch).toSucceed();
  await expect(fetch).toHaveEventSequence(['registered', 'started', 'request-started', 'request-completed', 'completed']);
  await expect(fetch).toHaveEventSequence(['completed', 'backgroundfetchsuccess', 'updateUI']);
  await expect(fetch).toHaveRequested(/\/res\/episode-1\.mp3\?size=200k$/, { status: 200 });
  await expect(fetch).toHaveRequested('/res/episode-1-art.svg?size=2k', { status: 200 });
  expect(fetch.requests).toHaveLength(2);
  // The fixture server's log is joined in: what actually crossed the wire.
  expect(fetch.requests[0].served?.[0]).toMatchObject({ status: 200, bytesSent: 200 * 1024, cut: false });
  // The same matchers take the developer id, resolved through this test's backgroundFetch.
  await expect('episode-1').toSucceed();
  await expect('episode-1').not.toFail();
  await expect(fetch).not.toBeAborted();
  await expect(fetch).not.toHaveRequested(/episode-2/);
  await expect(fetch).not.toHaveEventSequence(['completed', 'started']);
  expect(backgroundFetch.fetches().map((t) => t.id)).toEqual(['episode-1']);
  expect(backgroundFetch.events({ instanceId: 'episode-1' }).at(-1)?.name).toBe('Background Fetch completed');
});

test('the DESIGN example: 60 MiB at 8 MiB/s reports its progress and updates the UI', async ({ page, backgroundFetch, fixtureServer }) => {
  await openPodcast(page, fixtureServer.url, 'media=res&size=60m&rate=8m');
  await page.getByRole('button', { name: 'Download episode 5', exact: true }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-5', { timeout: 60_000 });
  await expect(fetch).toSucceed();
  await expect(fetch).toReportProgressUpTo(60 * 1024 * 1024);
  await expect(fetch).toUpdateUI({ title: /Downloaded/ });
  await expect(fetch).toUpdateUI({ title: 'Downloaded: Episode 5: Big Files, Small Tabs' });
  await expect(fetch).not.toUpdateUI({ title: /failed/i });
  // The page asked for downloadTotal = audio + artwork: progress may reach it but not pass it.
  await expect(fetch).not.toReportProgressUpTo(60 * 1024 * 1024 + 2 * 1024 + 1);
  expect(fetch.progress.length).toBeGreaterThan(2);
});

test('a 404 fails the fetch with bad-status', async ({ page, backgroundFetch, fixtureServer }) => {
  await openPodcast(page, fixtureServer.url, 'media=res&status=404');
  await page.getByRole('button', { name: 'Download episode 2', exact: true }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-2');
  await expect(fetch).toFail({ reason: 'bad-status' });
  await expect(fetch).toFail();
  await expect(fetch).not.toSucceed();
  await expect(fetch).not.toFail({ reason: 'fetch-error' });
  await expect(fetch).toHaveRequested(/episode-2\.mp3/, { status: 404 });
  await expect(fetch).toUpdateUI({ title: /Download failed: .*\(bad-status\)$/ });
  await expect(fetch).toHaveEventSequence(['completed', 'backgroundfetchfail']);
  await expect(page.locator('#episode-2 .status')).toHaveText('Failed: bad-status');
});

test('Cancel in the page aborts the running fetch', async ({ page, backgroundFetch, fixtureServer }) => {
  await openPodcast(page, fixtureServer.url, 'media=res&size=60m&rate=1m');
  await page.getByRole('button', { name: 'Download episode 3', exact: true }).click();
  await backgroundFetch.waitForFetch('episode-3', { until: 'started' });
  await page.locator('#episode-3').getByRole('button', { name: 'Cancel' }).click();
  await expect('episode-3').toBeAborted();
  await expect('episode-3').toFail({ reason: 'aborted' });
  await expect('episode-3').not.toSucceed();
  await expect('episode-3').toHaveEventSequence(['registered', 'completed', 'backgroundfetchabort']);
  expect(backgroundFetch.fetch('episode-3')!.failureReasonRaw).toMatch(/(^|::)CANCELLED_BY_DEVELOPER$/);
  // The page's abort() resolves over its own IPC path, independent of the worker's
  // backgroundfetchabort that the matchers above wait for: its record may come after them.
  await expect.poll(() => backgroundFetch.fetch('episode-3')!.abortCalls.some((a) => a.ok && a.value === true)).toBe(true);
  await expect(page.locator('#episode-3 .status')).toHaveText('Cancelled');
});

test('closing the page mid-fetch does not stop it, nor its recording', async ({ context, page, backgroundFetch, fixtureServer }) => {
  await openPodcast(page, fixtureServer.url, 'media=res&size=6m&rate=2m');
  await page.getByRole('button', { name: 'Download episode 4', exact: true }).click();
  await backgroundFetch.waitForFetch('episode-4', { until: 'started' });
  await page.close();
  expect(context.pages().length).toBe(1); // only the recorder's own observer page is left
  const fetch = await backgroundFetch.waitForFetch('episode-4');
  await expect(fetch).toSucceed();
  await expect(fetch).toHaveEventSequence(['registered', 'started', 'request-completed', 'completed', 'backgroundfetchsuccess']);
  await expect(fetch).toUpdateUI({ title: /^Downloaded: Episode 4/ });
  expect(fetch.requests.map((r) => r.bytes)).toEqual([6 * 1024 * 1024, 2 * 1024]);
});
