/**
 * Refuse, before recording anything, the browsers on which a background fetch can only hang:
 *
 * - Firefox and WebKit have no Background Fetch and no BackgroundService domain: the test is
 *   skipped with the reason (a multi-browser config keeps running its other projects).
 * - chrome-headless-shell (what Playwright's bundled `chromium` runs headless, unless the
 *   project sets `channel` or `executablePath`) has no background-fetch delegate: a fetch
 *   stalls after "Request processing started" and every wait would run to its deadline. That
 *   is a configuration mistake, so it is an error naming the project and the fix.
 *
 * The shell is recognised by its CDP product (`HeadlessChrome/...`; new-headless Chromium
 * says `Chrome/...`) or by an executable path containing `headless_shell`/`headless-shell`.
 */
import type { Browser } from '@playwright/test';
import { isHeadlessShell } from '../browsers/discover.js';
import { PlaywrightCdpSession } from '../cdp/session.js';
import { bestEffort, debug } from '../util/debug.js';

const log = debug('bgprobe:playwright');

const FIX =
  "In playwright.config.ts use a full Chromium: `use: { channel: 'chromium' }` (new headless; `npx playwright install chromium`), " +
  "or `use: { launchOptions: { executablePath: '/usr/bin/chromium' } }` (any Chrome/Chromium binary), or run headed.";

export function projectLabel(projectName: string): string {
  return projectName ? `project "${projectName}"` : 'this project';
}

/** The skip reason for a non-Chromium project, or null for Chromium. */
export function nonChromiumReason(browserName: string, projectName: string): string | null {
  if (browserName === 'chromium') return null;
  return (
    `bgprobe: ${projectLabel(projectName)} runs ${browserName}, which has no Background Fetch API and no DevTools ` +
    'BackgroundService domain. backgroundFetch needs a Chromium-based browser (Chromium, Chrome, Edge): ' +
    'run these tests in a chromium project only.'
  );
}

/** The error message for chrome-headless-shell, or null when the browser looks like a full Chromium. */
export function headlessShellMessage(info: { product: string | null; executablePath: string | null }, projectName: string): string | null {
  const byProduct = info.product !== null && /^HeadlessChrome\//.test(info.product);
  const byPath = info.executablePath !== null && isHeadlessShell(info.executablePath);
  if (!byProduct && !byPath) return null;
  const what = byPath ? info.executablePath : info.product;
  return (
    `bgprobe: ${projectLabel(projectName)} runs chrome-headless-shell (${what}), which cannot run a background fetch: ` +
    `fetches stall after "Request processing started", so every wait would time out. ${FIX}`
  );
}

const products = new WeakMap<Browser, Promise<string | null>>();

/** `Browser.getVersion().product`, once per browser (per worker, in practice). */
export function browserProduct(browser: Browser): Promise<string | null> {
  let p = products.get(browser);
  if (!p) {
    p = (async () => {
      let product: string | null = null;
      await bestEffort(log, 'Browser.getVersion', async () => {
        const session = new PlaywrightCdpSession(await browser.newBrowserCDPSession());
        try {
          product = (await session.send('Browser.getVersion')).product;
        } finally {
          await session.detach();
        }
      });
      return product;
    })();
    products.set(browser, p);
  }
  return p;
}
