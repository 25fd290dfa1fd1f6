/**
 * The browser layer's one entry for starting a browser: the BrowserType that handles a spec
 * starts it. Every run mode and the crash-retrying slot launch through here, so a new place a
 * browser lives (a Selenium Grid) is one more entry in BROWSER_TYPES, and no caller changes.
 */
import type { Browser } from 'playwright-core';
import { EngineError, UnsupportedBrowserError } from '../errors.js';
import { cdpEndpointType, chromiumType } from './chromium.js';
import { firefoxType } from './firefox.js';
import { gridType } from './grid/type.js';
import type { BrowserLaunchOptions, BrowserSpec, BrowserType, EngineDriver, LaunchedBrowser } from './types.js';
import { webkitType } from './webkit.js';

/** In the order they are asked: the first whose `handles(spec)` is true starts it. */
export const BROWSER_TYPES: readonly BrowserType[] = [gridType, cdpEndpointType, firefoxType, webkitType, chromiumType];

export function browserTypeFor(spec: BrowserSpec): BrowserType {
  const type = BROWSER_TYPES.find((t) => t.handles(spec));
  if (!type)
    throw new EngineError(`No browser type starts ${spec.label} (${spec.kind} ${spec.target ?? ''}, engine ${spec.engine ?? 'chromium'}).`);
  return type;
}

/** Starts (or connects to) the browser `spec` names, whatever its engine and wherever it lives. */
export function launchBrowser(spec: BrowserSpec, options: BrowserLaunchOptions): Promise<LaunchedBrowser> {
  return browserTypeFor(spec).launch(spec, options);
}

/** Every spec's own check (a missing binary, chrome-headless-shell), before any browser starts. */
export async function checkBrowsers(specs: readonly BrowserSpec[]): Promise<void> {
  for (const spec of specs) await browserTypeFor(spec).check?.(spec);
}

/**
 * A browser the caller drives through Playwright and CDP (audit, record, wpt: the recorder
 * attaches to its contexts), started by its BrowserType like any other; a browser driven
 * without Playwright (Firefox, WebKitGTK) is an UnsupportedBrowserError naming what was given.
 */
export async function launchPlaywright(
  spec: BrowserSpec,
  options: BrowserLaunchOptions,
): Promise<{ browser: Browser; driver: EngineDriver; node: string | null }> {
  const { driver, node } = await launchBrowser(spec, options);
  if (!driver.playwright) {
    await driver.close();
    throw new UnsupportedBrowserError(
      `${spec.label} is ${driver.info.product}, which bgprobe drives without Playwright: this command needs a Chromium (CDP).`,
    );
  }
  return { browser: driver.playwright, driver, node: node ?? null };
}
