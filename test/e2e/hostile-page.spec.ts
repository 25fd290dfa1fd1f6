/**
 * A hostile page (test/apps/hostile/): a real fetch that fails, then an attack on whatever
 * observes it. Every global it did not put there itself is called with forged evidence (a
 * success event and an updateUI for the failing fetch, as the worker's) and thousands of
 * malformed payloads (bad JSON, 5 MB strings, nesting 5000 deep, `__proto__` keys, wrong
 * types); the same junk goes down every other channel a page has. The report must not change:
 * the real outcome and the real worker events are there, nothing forged is, nothing throws in
 * bgprobe or in the process running it, no prototype is polluted, and the junk is not kept.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { FetchTimeline } from '../../src/recorder/timeline.js';
import { expect, test } from '../../src/playwright/index.js';
import { bgprobe, REPO, serveStatic, type StaticServer } from './audit-support.js';

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveStatic({ '/': join(REPO, 'test/apps') });
});
test.afterAll(async () => {
  await server.close();
});

const TRACING = '__playwright_snapshot_streamer_';

interface Attack {
  found: string[];
  callable: string[];
  calls: number;
  symbols: number;
}

/** Errors the Node process running bgprobe would die of, had nothing trapped them. */
function watchProcess(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  return {
    errors,
    stop() {
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
    },
  };
}

async function attackAfterDownload(page: Page, beforeClick?: () => Promise<void>): Promise<Attack> {
  await page.goto(`${server.url}/hostile/`);
  await expect(page.locator('#status')).toHaveText('ready');
  await beforeClick?.();
  await page.click('#download');
  await expect(page.locator('#attack')).toHaveText(/^attacked: /, { timeout: 60_000 });
  return page.evaluate(() => (window as unknown as { __hostile: Attack }).__hostile);
}

/** What the report says happened, and nothing forged in it. */
function expectTheRealFetch(fetch: FetchTimeline): void {
  expect(fetch.outcome).toBe('failure');
  expect(fetch.failureReason).toBe('bad-status');
  expect(fetch.swEvents.map((e) => [e.type, e.context, e.listeners])).toEqual([['backgroundfetchfail', 'worker', 1]]);
  expect(fetch.uiUpdates.map((u) => [u.title, u.context, u.ok])).toEqual([['Download failed', 'worker', true]]);
  expect(fetch.unknownListeners).toEqual([]);
  expect(JSON.stringify(fetch)).not.toContain('FORGED');
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
}

test('the page finds nothing of bgprobe to call, and its attack changes nothing in the report', async ({ page, backgroundFetch }) => {
  const proc = watchProcess();
  try {
    const attack = await attackAfterDownload(page);
    // Invisible: no global and no symbol appeared that the page did not put there itself
    // (Playwright's tracing, on for this test run, adds its snapshot streamer with or without bgprobe).
    expect(attack.found.filter((n) => !n.startsWith(TRACING))).toEqual([]);
    expect(attack.symbols).toBe(0);
    const fetch = await backgroundFetch.waitForFetch('episode', { until: 'settled' });
    expectTheRealFetch(fetch);
    await expect(fetch).toFail({ reason: 'bad-status' });
    await expect(fetch).not.toUpdateUI({ title: /FORGED/ });
    expect(proc.errors).toEqual([]);
  } finally {
    proc.stop();
  }
});

test('bgprobe audit on the hostile page writes its report and exits on its findings', async () => {
  const out = mkdtempSync(join(tmpdir(), 'bgprobe-hostile-audit-'));
  const run = await bgprobe(['audit', `${server.url}/hostile/`, '--click', '#download', '--timeout', '40', '--out', out, '--json']);
  // The failed request is the app's real finding: exit 1, with the report written.
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).not.toMatch(/TypeError|SyntaxError|at .*\.js:\d+/);
  const report = readFileSync(join(out, 'report.json'), 'utf8');
  expect(report).not.toContain('FORGED');
  const json = JSON.parse(run.stdout) as { findings: Array<{ code: string }> };
  expect(json.findings.map((f) => f.code)).toContain('request-failed');
  expect(json.findings.map((f) => f.code)).not.toContain('unknown-event-listener');
});
