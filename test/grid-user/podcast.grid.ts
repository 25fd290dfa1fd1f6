/**
 * bgprobe/playwright's fixtures, probes and matchers on a browser Playwright started on a
 * Selenium Grid (SELENIUM_REMOTE_URL): the same test as on a local browser. The test also asks
 * the Grid whether it holds the session, so a run that quietly launched locally fails.
 */
import { expect, test } from '../../src/playwright/index.js';

test('an episode downloads in the background on the Grid: events, progress, worker events, UI', async ({
  page,
  backgroundFetch,
  fixtureServer,
}) => {
  const grid = process.env['SELENIUM_REMOTE_URL'];
  expect(grid, 'run with SELENIUM_REMOTE_URL').toBeTruthy();
  const status = (await (await fetch(`${grid}/status`)).json()) as { value: { nodes: Array<{ slots: Array<{ session: unknown }> }> } };
  expect(status.value.nodes.flatMap((n) => n.slots).filter((s) => s.session)).toHaveLength(1);
  await page.goto(`${fixtureServer.url}/podcast/?media=res&size=512k`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: 'Download episode 1', exact: true }).click();
  const fetch1 = await backgroundFetch.waitForFetch('episode-1');
  await expect(fetch1).toSucceed();
  await expect(fetch1).toReportProgressUpTo(512 * 1024);
  await expect(fetch1).toUpdateUI({ title: /^Downloaded: Episode 1/ });
  await expect(fetch1).toHaveEventSequence(['registered', 'started', 'request-started', 'request-completed', 'completed']);
  await expect(fetch1).toHaveEventSequence(['completed', 'backgroundfetchsuccess', 'updateUI']);
  await expect(fetch1).toHaveRequested(/\/res\/episode-1\.mp3\?size=512k$/, { status: 200 });
});

test('a 404 fails with bad-status on the Grid', async ({ page, backgroundFetch, fixtureServer }) => {
  await page.goto(`${fixtureServer.url}/podcast/?media=res&status=404`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: 'Download episode 2', exact: true }).click();
  await expect('episode-2').toFail({ reason: 'bad-status' });
  await expect(backgroundFetch.fetch('episode-2')!).toHaveEventSequence(['completed', 'backgroundfetchfail']);
});
