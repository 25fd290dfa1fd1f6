/**
 * Find a Chromium-family browser: explicit path, then BGPROBE_BROWSER, then a
 * Playwright-installed Chromium, then system Chrome/Chromium. chrome-headless-shell is refused:
 * it has no background-fetch delegate, so fetches stall after "Request processing started".
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BrowserNotFoundError, UnsupportedBrowserError } from '../errors.js';

export interface DiscoveredBrowser {
  executablePath: string;
  source: 'explicit' | 'BGPROBE_BROWSER' | 'playwright' | 'system';
}

const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge'];

const SYSTEM_PATHS: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    `${process.env['PROGRAMFILES'] ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['LOCALAPPDATA'] ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
  ],
};

export function isHeadlessShell(path: string): boolean {
  return /headless[_-]shell/i.test(path);
}

export function assertNotHeadlessShell(pathOrProduct: string): void {
  if (isHeadlessShell(pathOrProduct) || /^HeadlessChrome\//.test(pathOrProduct)) {
    throw new UnsupportedBrowserError(
      `${pathOrProduct} is chrome-headless-shell, which has no Background Fetch delegate: fetches stall after ` +
        '"Request processing started". Use a full Chromium or Chrome (new headless works): pass its path, set ' +
        "BGPROBE_BROWSER, or in Playwright use channel: 'chromium' or launchOptions.executablePath.",
    );
  }
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function playwrightChromium(): Promise<string | undefined> {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** Resolve the browser to use; throws BrowserNotFoundError listing everywhere it looked. */
export interface DiscoveryPlaces {
  /** Fixed install locations to try (default: this platform's usual Chrome/Chromium paths). */
  systemPaths?: readonly string[];
  /** Executable names to look up on $PATH. */
  names?: readonly string[];
  /** Whether to ask playwright-core for its installed Chromium (default true). */
  playwright?: boolean;
}

export async function discoverBrowser(explicitPath?: string, places: DiscoveryPlaces = {}): Promise<DiscoveredBrowser> {
  const searched: string[] = [];
  if (explicitPath) {
    if (isExecutable(explicitPath)) {
      assertNotHeadlessShell(explicitPath);
      return { executablePath: explicitPath, source: 'explicit' };
    }
    const found = !explicitPath.includes('/') && !explicitPath.includes('\\') ? onPath(explicitPath) : undefined;
    if (found) return { executablePath: found, source: 'explicit' };
    throw new BrowserNotFoundError([`${explicitPath} (given explicitly: not an executable file)`]);
  }
  const fromEnv = process.env['BGPROBE_BROWSER'];
  if (fromEnv) {
    if (isExecutable(fromEnv)) {
      assertNotHeadlessShell(fromEnv);
      return { executablePath: fromEnv, source: 'BGPROBE_BROWSER' };
    }
    searched.push(`BGPROBE_BROWSER=${fromEnv} (not an executable file)`);
  } else {
    searched.push('BGPROBE_BROWSER (not set)');
  }
  const pw = places.playwright === false ? undefined : await playwrightChromium();
  if (pw && !isHeadlessShell(pw)) return { executablePath: pw, source: 'playwright' };
  searched.push('a Playwright-installed Chromium (none: `npx playwright install chromium`)');
  for (const p of places.systemPaths ?? SYSTEM_PATHS[process.platform] ?? []) {
    if (isExecutable(p)) return { executablePath: p, source: 'system' };
    searched.push(p);
  }
  const names = places.names ?? SYSTEM_NAMES;
  for (const name of names) {
    const p = onPath(name);
    if (p) return { executablePath: p, source: 'system' };
  }
  searched.push(`$PATH for ${names.join(', ')}`);
  throw new BrowserNotFoundError(searched);
}
