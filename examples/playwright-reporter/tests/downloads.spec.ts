import { test, expect } from 'bgprobe/playwright';

test('the clean app downloads the episode', async ({ page, backgroundFetch }) => {
  await page.goto('/clean/');
  await page.waitForSelector('body[data-ready="1"]');
  await page.getByRole('button', { name: 'Download' }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-1', { until: 'settled' });
  await expect(fetch).toSucceed();
  await expect(fetch).toUpdateUI({ title: 'Episode downloaded' });
});

test('a missing file fails the download', async ({ page, backgroundFetch }) => {
  await page.goto('/failing/');
  await page.waitForSelector('body[data-ready="1"]');
  await page.getByRole('button', { name: 'Download' }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-1', { until: 'settled' });
  await expect(fetch).toFail({ reason: 'bad-status' });
  await expect(fetch).toUpdateUI({ title: 'Download failed' });
});

// Passes: nothing here asserts on the worker. bgprobe's findings still see the misspelled
// fail listener, and failOn: 'error-findings' fails the run because of it.
test('the misspelled app fails the download too', async ({ page, backgroundFetch }) => {
  await page.goto('/misspelled/');
  await page.waitForSelector('body[data-ready="1"]');
  await page.getByRole('button', { name: 'Download' }).click();
  const fetch = await backgroundFetch.waitForFetch('episode-1', { until: 'settled' });
  await expect(fetch).toFail({ reason: 'bad-status' });
});
