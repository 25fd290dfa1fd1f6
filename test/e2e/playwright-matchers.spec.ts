/**
 * What a failing bgprobe matcher says, and the fixture's edges: the message is the product
 * here (Expected / Received / the timeline so far), so each test catches the matcher's error
 * and checks its text. A matcher that wrongly passed leaves no error, and the test fails.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../../src/playwright/index.js';
import { timelinesText } from '../../src/playwright/attach.js';

async function openPodcast(page: Page, url: string, query: string): Promise<void> {
  await page.goto(`${url}/podcast/?${query}`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: 'Download episode 1', exact: true }).waitFor();
}

/** The Error a failing matcher throws; fails the test when the matcher passed instead. */
async function failureOf(assertion: Promise<void>): Promise<string> {
  const error = await assertion.then(
    () => null,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  expect(error, 'the matcher should have failed').not.toBeNull();
  return error!.message;
}

test('a failed fetch: toSucceed says expected, received and shows the timeline with what was served', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  await openPodcast(page, fixtureServer.url, 'media=res&status=404');
  await page.getByRole('button', { name: 'Download episode 2', exact: true }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-2');
  const message = await failureOf(expect(fetch).toSucceed());
  expect(message).toContain('expect(received).toSucceed() failed');
  expect(message).toContain('Expected: success');
  expect(message).toContain('Received: failure (bad-status)');
  expect(message).not.toContain('Timeout:'); // settled: no waiting happened
  expect(message).toContain('Timeline so far:');
  expect(message).toContain('Background fetch "episode-2"');
  expect(message).toMatch(/cdp +Background Fetch completed \{Event Type: BackgroundFetchFailEvent, Failure Reason: (\w+::)?BAD_STATUS\}/);
  expect(message).toMatch(/\[0\] http:\/\/127\.0\.0\.1:\d+\/res\/episode-2\.mp3\?size=\d+&status=404 -> 404 .* served 404/);

  const negated = await failureOf(expect('episode-2').not.toFail({ reason: 'bad-status' }));
  expect(negated).toContain('expect(received).not.toFail(expected) failed');
  expect(negated).toContain('Expected: not failure (bad-status)');
  expect(negated).toContain('Received: failure (bad-status)');

  const requested = await failureOf(expect(fetch).toHaveRequested(/episode-2\.mp3/, { status: 200 }));
  expect(requested).toContain('Expected: a request to /episode-2\\.mp3/ answered 200');
  expect(requested).toMatch(/Received: \[0\] \S+episode-2\.mp3\S* -> 404, \[1\] \S+episode-2-art\.svg\S* -> 200/);

  const sequence = await failureOf(
    expect(fetch).toHaveEventSequence(['registered', 'completed', 'backgroundfetchsuccess'], { timeout: 5_000 }),
  );
  expect(sequence).toContain('Expected: [registered, completed, backgroundfetchsuccess] in this order (gaps allowed)');
  expect(sequence).toContain('matched 2 of 3, no "backgroundfetchsuccess" after "completed"');
});

test('toHaveNoFindings: a failed fetch lists its findings (also in the attached timeline); a clean one passes', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  await openPodcast(page, fixtureServer.url, 'media=res&status=404');
  await page.getByRole('button', { name: 'Download episode 4', exact: true }).click();
  const failed = await backgroundFetch.waitForFetch('episode-4', { until: 'settled' });
  const message = await failureOf(expect(failed).toHaveNoFindings());
  expect(message).toContain('expect(received).toHaveNoFindings() failed');
  expect(message).toContain('Expected: no findings (errors)');
  expect(message).toMatch(
    /Received: 1 finding:\n +error +request-failed: The fetch failed \(bad-status\): \[0\] \S+episode-4\.mp3\S* answered 404/,
  );
  expect(timelinesText([failed], [])).toMatch(/ findings:\n +error +request-failed: /);
  await expect(failed).not.toHaveNoFindings();

  await page.goto(`${fixtureServer.url}/podcast/`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: 'Download episode 5', exact: true }).click();
  const ok = await backgroundFetch.waitForFetch('episode-5', { until: 'settled' });
  await expect(ok).toSucceed();
  await expect(ok).toHaveNoFindings({ severity: 'warning' });
  await expect(failureOf(expect(ok).toHaveNoFindings({ severity: 'fatal' as 'error' }))).resolves.toContain(
    "severity must be 'error', 'warning' or 'info'",
  );
});

test('a pending fetch: the matcher waits for the expect timeout, then says it was still pending', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  await openPodcast(page, fixtureServer.url, 'media=res&size=60m&rate=1m');
  await page.getByRole('button', { name: 'Download episode 3', exact: true }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-3', { until: 'started' });
  const started = Date.now();
  const message = await failureOf(expect(fetch).toSucceed({ timeout: 1_500 }));
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
  expect(message).toContain('Received: pending');
  expect(message).toContain('Timeout:  1500 ms');
  expect(message).toContain('Note:     the fetch was still pending after 1500 ms');
  expect(message).toContain('cdp     Background Fetch started');

  const progress = await failureOf(expect(fetch).toReportProgressUpTo(60 * 1024 * 1024, { timeout: 1_000 }));
  expect(progress).toContain('expect(received).toReportProgressUpTo(expected) failed');
  expect(progress).toMatch(/Received: (progress up to \d+ bytes|no progress samples)/);
  await page.locator('#episode-3').getByRole('button', { name: 'Cancel' }).click();
  await expect(fetch).toBeAborted();
});

test('an id nothing was recorded for, wrong arguments, and a test without the fixture', async ({ backgroundFetch }) => {
  const message = await failureOf(expect('no-such-fetch').toSucceed({ timeout: 300 }));
  expect(message).toContain('Received: nothing recorded for "no-such-fetch"');
  expect(message).toContain('Timeout:  300 ms');
  expect(message).toContain('Nothing was recorded for "no-such-fetch"');
  expect(backgroundFetch.fetches()).toEqual([]);

  /* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- the @ts-expect-error leaves its line untyped on purpose */
  // @ts-expect-error -- a number is neither a timeline nor an id: a type error, and a clear runtime one.
  await expect(expect(42).toSucceed()).rejects.toThrow(
    'received must be a fetch timeline (from backgroundFetch.waitForFetch()) or a fetch id string; got number',
  );
  /* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access */
  await expect(expect('x').toHaveEventSequence(['registered', 'complete'])).rejects.toThrow(
    'unknown event name "complete". Did you mean "completed"?',
  );
  await expect(expect('x').toReportProgressUpTo(-1)).rejects.toThrow('bytes must be a number >= 0');
});

test('a fetch id needs the backgroundFetch fixture in the test', async ({ page }) => {
  void page;
  await expect(expect('episode-1').toSucceed()).rejects.toThrow(
    "this test does not use the backgroundFetch fixture. Add it to the test's arguments",
  );
});

type HarnessWindow = {
  harness: {
    ready(): Promise<{ ok: boolean }>;
    start(id: string, r: string[], o: object): Promise<{ ok: boolean }>;
    abort(id: string): Promise<{ ok: boolean; aborted?: boolean }>;
  };
};

/** A same-origin subframe running the harness: its fetches go through the permission controller. */
async function harnessFrame(page: Page, url: string) {
  await page.goto(`${url}/harness/`);
  // The worker must be active first: a frame whose navigation began earlier stays uncontrolled.
  expect((await page.evaluate(() => (window as unknown as HarnessWindow).harness.ready())).ok).toBe(true);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.name = 'sub';
        frame.src = '/harness/?sub';
        frame.onload = () => resolve();
        document.body.append(frame);
      }),
  );
  const frame = page.frame({ name: 'sub' })!;
  const ready = await frame.evaluate(() => (window as unknown as HarnessWindow).harness.ready());
  expect(ready.ok, JSON.stringify(ready)).toBe(true);
  return frame;
}

test('a subframe fetch starts paused without the permission, and runs with grantPermission()', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  const frame = await harnessFrame(page, fixtureServer.url);
  const start = (id: string) =>
    frame.evaluate((i) => (window as unknown as HarnessWindow).harness.start(i, ['/res/sub.bin?size=4k'], { title: i }), id);
  expect((await start('no-permission')).ok).toBe(true);
  const paused = await backgroundFetch.waitForFetch('no-permission', { until: 'registered' });
  expect(paused.paused).toBe(true);
  // A paused fetch keeps the origin's slot in Chromium's scheduler: later fetches would queue behind it.
  expect((await frame.evaluate(() => (window as unknown as HarnessWindow).harness.abort('no-permission'))).aborted).toBe(true);
  await expect(paused).toBeAborted();

  await backgroundFetch.grantPermission();
  expect((await start('granted')).ok).toBe(true);
  const fetch = await backgroundFetch.waitForFetch('granted');
  expect(fetch.paused).toBe(false);
  await expect(fetch).toSucceed();
  await expect(fetch).toHaveRequested('/res/sub.bin?size=4k', { status: 200 });
});

test.describe('options', () => {
  test.use({ bgprobe: { probes: false, timeout: 20_000, services: ['backgroundFetch', 'backgroundSync'] } });

  test('probes off: CDP outcome still asserted, progress says why it is missing', async ({ page, backgroundFetch, fixtureServer }) => {
    await openPodcast(page, fixtureServer.url, 'media=res&size=10k');
    await page.getByRole('button', { name: 'Download episode 6', exact: true }).click();
    const fetch = await backgroundFetch.waitForFetch('episode-6');
    await expect(fetch).toSucceed();
    expect(fetch.progress).toEqual([]);
    const message = await failureOf(expect(fetch).toReportProgressUpTo(1, { timeout: 200 }));
    expect(message).toContain('no progress samples');
    expect(message).toContain('bgprobe: { probes: false }');
    expect(backgroundFetch.recorder.services).toEqual(['backgroundFetch', 'backgroundSync']);
  });
});

test.describe('typing', () => {
  // @ts-expect-error -- options that do not exist are a type error.
  test.use({ bgprobe: { servcies: ['backgroundFetch'] } });
  test('an unknown option is ignored at run time', async ({ bgprobe }) => {
    expect(Object.keys(bgprobe)).toEqual(['servcies']);
  });
});
