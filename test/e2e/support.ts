/**
 * Shared plumbing for the end-to-end specs that test bgprobe's own layers (not its Playwright
 * fixtures): a worker-scoped browser launched by bgprobe's launch(), the FixtureServer, and a
 * fresh context per test.
 */
import { test as base } from '@playwright/test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launch } from '../../src/browsers/launch.js';
import { FixtureServer } from '../../src/server/index.js';

export interface HarnessResult {
  ok: boolean;
  name?: string;
  message?: string;
  [k: string]: unknown;
}

export const test = base.extend<{ ctx: BrowserContext }, { bgBrowser: Browser; server: FixtureServer }>({
  bgBrowser: [
    async ({}, use) => {
      const browser = await launch();
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' },
  ],
  server: [
    async ({}, use) => {
      const server = await FixtureServer.start();
      await use(server);
      await server.close();
    },
    { scope: 'worker' },
  ],
  ctx: async ({ bgBrowser }, use) => {
    const context = await bgBrowser.newContext();
    await use(context);
    await context.close();
  },
});

export { expect } from '@playwright/test';

/** Open the harness app and wait until its service worker controls the page. */
export async function openHarness(context: BrowserContext, server: Pick<FixtureServer, 'url'>): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/harness/`);
  const ready = await page.evaluate(() => (window as unknown as { harness: { ready(): Promise<HarnessResult> } }).harness.ready());
  if (!ready.ok) throw new Error(`harness not ready: ${JSON.stringify(ready)}`);
  return page;
}

/** Call window.harness.<fn>(...args) in the page. */
export function harness(page: Page, fn: string, ...args: unknown[]): Promise<HarnessResult> {
  return page.evaluate(
    ([name, a]) => (window as unknown as { harness: Record<string, (...x: unknown[]) => Promise<HarnessResult>> }).harness[name](...a),
    [fn, args] as const,
  );
}

/** A unique developer id per test (ids are per origin and the server is shared). */
export function uid(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}
