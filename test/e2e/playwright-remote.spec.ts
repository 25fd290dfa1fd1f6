/**
 * The fixtures against browsers the test runner did not launch itself: a Playwright browser
 * server reached through `connectOptions`, and a Chromium reached over raw CDP
 * (`chromium.connectOverCDP`, how a user attaches to a browser someone else started). Both
 * must record the same timeline, probes included, as a launched browser.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { chromium } from 'playwright-core';
import { launch } from '../../src/browsers/launch.js';
import { expect, test } from '../../src/playwright/index.js';

async function downloadEpisode(page: Page, url: string, n: number): Promise<void> {
  await page.goto(`${url}/podcast/?media=res&size=512k`);
  await page.waitForSelector('body[data-sw-ready="1"]');
  await page.getByRole('button', { name: `Download episode ${n}`, exact: true }).click();
}

// test.extend, not test.use in a describe: a worker option there would force a new worker.
const viaServer = test.extend({
  connectOptions: [
    async ({ launchOptions }, use) => {
      const server = await chromium.launchServer({ ...launchOptions, headless: true });
      try {
        await use({ wsEndpoint: server.wsEndpoint() });
      } finally {
        await server.close();
      }
    },
    { scope: 'worker' },
  ],
});

viaServer(
  'connectOptions: records and asserts a fetch in a browser server it connected to',
  async ({ page, backgroundFetch, fixtureServer }) => {
    await downloadEpisode(page, fixtureServer.url, 1);
    const fetch = await backgroundFetch.waitForFetch('episode-1');
    await expect(fetch).toSucceed();
    await expect(fetch).toUpdateUI({ title: /^Downloaded: Episode 1/ });
    await expect(fetch).toReportProgressUpTo(512 * 1024);
  },
);

const overCdp = test.extend({
  browser: [
    // bgprobe's own launch() with a profile directory starts Chromium itself and attaches
    // with connectOverCDP: the same path as a browser started by someone else.
    // Playwright reads a fixture's dependencies from its first parameter: it must be a pattern.
    async ({}, use) => {
      const profile = await mkdtemp(join(tmpdir(), 'bgprobe-cdp-'));
      const browser = await launch({ userDataDir: profile });
      try {
        await use(browser);
      } finally {
        await browser.close();
        // Chromium's helper processes may still write into the profile for a moment after it exits.
        await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
      }
    },
    { scope: 'worker' },
  ],
});

overCdp(
  'connectOverCDP: records and asserts a fetch, and grants permissions in the right context',
  async ({ page, backgroundFetch, fixtureServer }) => {
    await downloadEpisode(page, fixtureServer.url, 2);
    const fetch = await backgroundFetch.waitForFetch('episode-2');
    await expect(fetch).toSucceed();
    await expect(fetch).toHaveEventSequence(['registered', 'completed', 'backgroundfetchsuccess', 'updateUI']);
    // A subframe sees the permission controller's answer (the top page sees the download limiter's).
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const frame = document.createElement('iframe');
          frame.name = 'sub';
          frame.src = '/podcast/episodes.json';
          frame.onload = () => resolve();
          document.body.append(frame);
        }),
    );
    const frame = page.frame({ name: 'sub' })!;
    const state = () =>
      frame.evaluate(async () => (await navigator.permissions.query({ name: 'background-fetch' as PermissionName })).state);
    expect(await state()).toBe('prompt');
    await backgroundFetch.grantPermission();
    expect(await state()).toBe('granted');
  },
);
