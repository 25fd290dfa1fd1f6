/**
 * What bgprobe's launch flags do in real Chromium: a context (one per scenario) opens its
 * window without the address bar's WebUI popup (a renderer of its own per window on 156), and
 * Playwright's own disabled features are still in the one `--disable-features` Chromium reads.
 */
import { readFileSync } from 'node:fs';
import { launch } from '../../src/browsers/launch.js';
import { PLAYWRIGHT_DISABLED_FEATURES, UNSEEN_UI_FEATURES } from '../../src/browsers/flags.js';
import { expect, test } from './support.js';

test("a new context opens no omnibox WebUI, and Playwright's disabled features stay disabled", async () => {
  const browser = await launch({ args: ['--disable-features=PartitionAllocUnretainedDanglingPtr'] });
  try {
    const session = await browser.newBrowserCDPSession();
    const context = await browser.newContext();
    await context.newPage();
    const { targetInfos } = await session.send('Target.getTargets');
    expect(
      targetInfos.filter((t) => t.browserContextId === targetInfos.find((x) => x.type === 'page')?.browserContextId).map((t) => t.type),
    ).toEqual(['page']);
    expect(targetInfos.filter((t) => t.url.startsWith('chrome://omnibox')).map((t) => t.url)).toEqual([]);
    // The browser process's command line (Chromium reads the last --disable-features only).
    const { processInfo } = await session.send('SystemInfo.getProcessInfo');
    const pid = processInfo.find((p) => p.type === 'browser')!.id;
    const switches = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split(/[\0 ]/)
      .filter((a) => a.startsWith('--disable-features='));
    const last = switches[switches.length - 1].slice('--disable-features='.length).split(',');
    expect(last).toEqual(
      expect.arrayContaining([...PLAYWRIGHT_DISABLED_FEATURES, ...UNSEEN_UI_FEATURES, 'PartitionAllocUnretainedDanglingPtr']),
    );
    await context.close();
  } finally {
    await browser.close();
  }
});
