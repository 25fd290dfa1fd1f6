import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverBrowser, isHeadlessShell } from '../../src/browsers/discover.js';
import { createRequire } from 'node:module';
import { defaultArgs, mergeArgs, PLAYWRIGHT_DISABLED_FEATURES, playwrightArgs, UNSEEN_UI_FEATURES } from '../../src/browsers/flags.js';
import { BrowserNotFoundError, UnsupportedBrowserError } from '../../src/errors.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function fakeBinary(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-bin-'));
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

describe('browser discovery', () => {
  it('an explicit path wins', async () => {
    const path = fakeBinary('my-chrome');
    process.env['BGPROBE_BROWSER'] = fakeBinary('other');
    expect(await discoverBrowser(path)).toEqual({ executablePath: path, source: 'explicit' });
  });

  it('then BGPROBE_BROWSER', async () => {
    const path = fakeBinary('env-chrome');
    process.env['BGPROBE_BROWSER'] = path;
    expect(await discoverBrowser()).toEqual({ executablePath: path, source: 'BGPROBE_BROWSER' });
  });

  it('a missing explicit path is BrowserNotFoundError naming it and what to set', async () => {
    const error = await discoverBrowser('/nope/chrome').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    expect((error as Error).message).toMatch(/\/nope\/chrome/);
    expect((error as Error).message).toMatch(/BGPROBE_BROWSER/);
  });

  it('nothing anywhere: the error lists every place it looked', async () => {
    process.env['BGPROBE_BROWSER'] = '/nope/env-chrome';
    const error = await discoverBrowser(undefined, {
      systemPaths: ['/nope/usr/bin/chromium'],
      names: ['no-such-chrome'],
      playwright: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain('BGPROBE_BROWSER=/nope/env-chrome (not an executable file)');
    expect(message).toContain('Playwright-installed Chromium');
    expect(message).toContain('/nope/usr/bin/chromium');
    expect(message).toContain('$PATH for no-such-chrome');
    expect(message).toMatch(/Pass --browser <path> .* or set BGPROBE_BROWSER/);
  });

  it('falls back to a system browser on PATH', async () => {
    const path = fakeBinary('chromium');
    process.env['PATH'] = path.replace(/\/chromium$/, '');
    delete process.env['BGPROBE_BROWSER'];
    expect(await discoverBrowser(undefined, { systemPaths: [], playwright: false })).toEqual({ executablePath: path, source: 'system' });
  });

  it('refuses chrome-headless-shell with the reason and the fix', async () => {
    const shell = fakeBinary('chrome-headless-shell');
    const error = await discoverBrowser(shell).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedBrowserError);
    expect((error as Error).message).toMatch(/no Background Fetch delegate/);
    expect((error as Error).message).toMatch(/channel: 'chromium'/);
    expect(isHeadlessShell('/ms-playwright/chromium_headless_shell-1200/chrome-linux/headless_shell')).toBe(true);
  });

  it('adds the quiet-network flags, and --no-sandbox only as root', () => {
    const args = defaultArgs();
    expect(args).toEqual(expect.arrayContaining(['--disable-background-networking', '--disable-component-update', '--disable-sync']));
    expect(args.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
    expect(mergeArgs(args, ['--disable-sync', '--x'])).toEqual([...args, '--x']);
  });

  it('turns the unseen omnibox WebUI off, and keeps every --disable-features in the one switch Chromium reads', () => {
    const args = defaultArgs();
    expect(args).toContain(`--disable-features=${UNSEEN_UI_FEATURES.join(',')}`);
    const merged = mergeArgs(args, ['--x', '--disable-features=PartitionAllocUnretainedDanglingPtr,WebUIOmniboxPopup']);
    expect(merged.filter((a) => a.startsWith('--disable-features='))).toEqual([
      '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,PartitionAllocUnretainedDanglingPtr',
    ]);
    expect(merged.indexOf('--x')).toBe(merged.length - 1);
    // Through Playwright: its own list first, in the same switch.
    expect(playwrightArgs(args).filter((a) => a.startsWith('--disable-features='))).toEqual([
      `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNSEEN_UI_FEATURES].join(',')}`,
    ]);
  });

  it("repeats the installed playwright-core's own disabled features", () => {
    // The list Playwright puts in its --disable-features (chromiumSwitches.ts, bundled in coreBundle.js).
    const bundle = readFileSync(createRequire(import.meta.url).resolve('playwright-core/lib/coreBundle'), 'utf8');
    const list = /disabledFeatures = \[([\s\S]*?)\]\.filter/.exec(bundle)?.[1] ?? '';
    expect([...list.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual(PLAYWRIGHT_DISABLED_FEATURES);
  });
});
