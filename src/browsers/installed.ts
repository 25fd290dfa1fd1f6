/**
 * Which engines this machine has, found by name with no browser started: a light module (the
 * CLI's parser uses it to expand `--browser all` and to refuse an engine that is not installed).
 * Only Debian's packages are known; an explicit path to a binary works anywhere.
 */
import { accessSync, constants } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import type { EngineName } from './types.js';

export interface EngineInstall {
  engine: EngineName;
  product: string;
  /** What to run as root to install it. */
  apt: string;
}

export const INSTALL: Record<EngineName, EngineInstall> = {
  chromium: { engine: 'chromium', product: 'Chromium', apt: 'apt-get install -y chromium' },
  firefox: { engine: 'firefox', product: 'Firefox ESR', apt: 'apt-get install -y firefox-esr' },
  webkit: { engine: 'webkit', product: 'WebKitGTK', apt: 'apt-get install -y webkit2gtk-driver xvfb' },
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** MiniBrowser ships in libwebkit2gtk-4.1-0 (or webkitgtk-6.0), under the multiarch lib dir. */
const MINIBROWSER_DIRS = ['webkit2gtk-4.1', 'webkitgtk-6.0', 'webkit2gtk-4.0'];
const MULTIARCH = ['x86_64-linux-gnu', 'aarch64-linux-gnu', 'arm-linux-gnueabihf', 'i386-linux-gnu'];

export function findMiniBrowser(): string | null {
  for (const arch of MULTIARCH) {
    for (const dir of MINIBROWSER_DIRS) {
      const p = `/usr/lib/${arch}/${dir}/MiniBrowser`;
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

/** The binary bgprobe launches for a named engine (null: not installed). Chromium is found by discovery instead. */
export function findEngine(engine: Exclude<EngineName, 'chromium'>): string | null {
  if (engine === 'firefox') return onPath('firefox-esr') ?? onPath('firefox');
  return findMiniBrowser();
}

/** The helpers a WebKitGTK lane needs beside MiniBrowser. */
export function webkitHelpers(): { driver: string | null; xvfb: string | null } {
  return { driver: onPath('WebKitWebDriver'), xvfb: onPath('Xvfb') };
}

/** Installed and complete (WebKitGTK also needs its WebDriver and Xvfb); null when it is. */
export function missingPart(engine: Exclude<EngineName, 'chromium'>): string | null {
  if (!findEngine(engine)) return engine === 'firefox' ? 'firefox-esr' : 'MiniBrowser (libwebkit2gtk-4.1-0)';
  if (engine === 'webkit') {
    const { driver, xvfb } = webkitHelpers();
    if (!driver) return 'WebKitWebDriver (webkit2gtk-driver)';
    if (!xvfb) return 'Xvfb (xvfb)';
  }
  return null;
}

/** The engine a browser binary belongs to, by its name: `firefox*` and WebKit's MiniBrowser; anything else is Chromium-based. */
export function engineOfPath(path: string): EngineName {
  const name = basename(path).toLowerCase();
  if (name.startsWith('firefox')) return 'firefox';
  if (name === 'minibrowser' || name === 'webkitwebdriver' || name.startsWith('epiphany')) return 'webkit';
  return 'chromium';
}

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

/** A Chromium bgprobe's discovery would find without starting anything (BGPROBE_BROWSER or one on PATH). */
export function chromiumInstalled(): boolean {
  const env = process.env['BGPROBE_BROWSER'];
  if (env) return isExecutable(env) || onPath(env) !== null;
  return CHROMIUM_NAMES.some((n) => onPath(n) !== null);
}

/** Every engine installed here, in report order, and for each one that is not, how to install it. */
export function installedEngines(): { installed: EngineName[]; missing: Array<EngineInstall & { part: string }> } {
  const installed: EngineName[] = [];
  const missing: Array<EngineInstall & { part: string }> = [];
  if (chromiumInstalled()) installed.push('chromium');
  else missing.push({ ...INSTALL.chromium, part: 'chromium' });
  for (const engine of ['firefox', 'webkit'] as const) {
    const part = missingPart(engine);
    if (part) missing.push({ ...INSTALL[engine], part });
    else installed.push(engine);
  }
  return { installed, missing };
}

/** For `--browser all`: one line per engine left out, with what to run to add it. */
export function missingEngineNotes(): string[] {
  return installedEngines().missing.map(
    (m) =>
      `--browser all: ${m.product} is not installed (${m.part} is missing), so it is not in this run. To add it: ${m.apt} (as root), or make engines.`,
  );
}
