/**
 * A page and a worker that try to hold the probe's channel (test/apps/hostile-held/). Both hook
 * every built-in an observer might use on its way out (Function.prototype.call/apply,
 * Reflect.apply, JSON.stringify, toJSON and getters on Object.prototype, Array methods and
 * iterators, Map/Set, then, the console, postMessage) before the probe first reports, and in the
 * worker, to anyone but the app's own scripts, they lie (Array push/map/some/includes/..., an Array.prototype
 * index setter, WeakMap/Map get, Set has, RegExp test; Object.prototype.get/set that make an
 * ordinary object passed as a property descriptor throw); the page
 * opens every same-origin realm it can (about:blank and srcdoc iframes, a popup) looking for the
 * binding there; the worker dispatches a success event of its own around the real registration
 * of a fetch that fails, calls updateUI on it, and rejects one waitUntil of the real fail event.
 * Everything caught or found is called with forged records and junk, page-kind ones included. The report must not change: the real outcome and the worker's real
 * events are there, nothing forged is, nothing throws in the process, no prototype is polluted.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../../src/playwright/index.js';
import { bgprobe, REPO, serveStatic, type StaticServer } from './audit-support.js';

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveStatic({ '/': join(REPO, 'test/apps') });
});
test.afterAll(async () => {
  await server.close();
});

const OBJECT_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

test('a page and worker hooking every built-in neither reach the channel nor change the report', async ({ page, backgroundFetch }) => {
  const errors: unknown[] = [];
  const onError = (e: unknown) => errors.push(e);
  process.on('uncaughtException', onError);
  process.on('unhandledRejection', onError);
  try {
    await page.goto(`${server.url}/hostile-held/`);
    await expect(page.locator('#status')).toHaveText('ready');
    await page.click('#download');
    // The app's own fetch() did not throw.
    await expect(page.locator('#status')).toHaveText('started episode');
    await expect(page.locator('#held')).toHaveText(/^held: /, { timeout: 60_000 });
    // What the page found: bgprobe's binding, where the probe never runs to take it (a blank
    // iframe, a popup's first document), and nothing else.
    const held = (await page.locator('#held').textContent()) ?? '';
    const found = /found \[([^\]]*)\]/.exec(held)![1].split(' ').filter(Boolean);
    // Never realm 0, the page's own window, though the page exists before the recorder (this
    // test asks for it first): attach() returns once that page has its probe script, so the
    // document page.goto commits has the probe, which takes the binding before the app runs.
    // Whatever was found elsewhere is unsealed: dropped, below.
    for (const name of found) expect(name).toMatch(/^((early)?[1-3]|caught):b[0-9a-f]{16}$/);
    const fetch = await backgroundFetch.waitForFetch('episode', { until: 'settled' });
    expect(fetch.outcome).toBe('failure');
    expect(fetch.failureReason).toBe('bad-status');
    // The browser's fail event only (the app's two listeners), not the success it dispatched
    // itself; the waitUntil the app rejected, as it settled.
    expect(fetch.swEvents.map((e) => [e.type, e.context, e.listeners, e.doneOk])).toEqual([['backgroundfetchfail', 'worker', 2, false]]);
    expect(fetch.swEvents[0].waitUntil!.map((w) => [w.status, w.error?.message ?? null])).toEqual([
      ['rejected', 'held: the app rejects'],
      ['fulfilled', null],
    ]);
    expect(fetch.uiUpdates.map((u) => [u.title, u.context, u.ok])).toEqual([['Download failed', 'worker', true]]);
    // The page's own evidence is labelled as the page's, and says what happened.
    expect(fetch.fetchCalls.map((c) => [c.context, c.ok, c.options.title])).toEqual([['page', true, 'Episode 1']]);
    expect(fetch.records.map((r) => r.context)).not.toContain('page');
    expect(fetch.progress.length).toBeGreaterThan(0);
    expect(fetch.progress.filter((p) => p.result === 'success')).toEqual([]);
    expect(JSON.stringify(fetch)).not.toContain('FORGED');
    await expect(fetch).toFail({ reason: 'bad-status' });
    await expect(fetch).not.toUpdateUI({ title: /FORGED/ });
    const stats = backgroundFetch.recorder.stats.probes!;
    test.info().annotations.push({
      type: 'held',
      description: `${held}; dropped ${JSON.stringify(stats.droppedBy)}; recent ${JSON.stringify(stats.recentDrops)}`,
    });
    expect(stats.accepted).toBeGreaterThan(0);
    // What the page sent down a binding it found was not sealed by the probe: dropped, counted.
    if (found.length) expect(stats.droppedBy['not from the probe']).toBeGreaterThan(0);
    expect(backgroundFetch.recorder.warnings.join('\n')).toMatch(found.length ? /not from the probe/ : /^/);
    // Each drop under its reason.
    expect(Object.values(stats.droppedBy).reduce((a, b) => a + (b ?? 0), 0)).toBe(stats.dropped);
    expect(errors).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(OBJECT_KEYS);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  } finally {
    process.off('uncaughtException', onError);
    process.off('unhandledRejection', onError);
  }
});

test('bgprobe audit on that app writes its report and exits on its findings', async () => {
  const out = mkdtempSync(join(tmpdir(), 'bgprobe-hostile-held-'));
  const run = await bgprobe(['audit', `${server.url}/hostile-held/`, '--click', '#download', '--timeout', '40', '--out', out, '--json']);
  // The failed request is the app's real finding: exit 1, with the report written.
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).not.toMatch(/TypeError|SyntaxError|at .*\.js:\d+/);
  const report = readFileSync(join(out, 'report.json'), 'utf8');
  expect(report).not.toContain('FORGED');
  expect(report).not.toContain('backgroundfetchsuccess');
  expect(report).toContain('backgroundfetchfail');
  const json = JSON.parse(run.stdout) as { findings: Array<{ code: string }> };
  expect(json.findings.map((f) => f.code)).toContain('request-failed');
  expect(json.findings.map((f) => f.code)).not.toContain('unknown-event-listener');
});
