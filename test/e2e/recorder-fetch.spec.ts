/**
 * The recorder against real Chromium and the fixture server: the event sequences Chromium
 * logs for success, bad status and abort; a fetch outliving its page; replays de-duplicated.
 */
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { expect, harness, openHarness, test, uid } from './support.js';

test('a two-request success gives the five kinds of event and one timeline', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('two');
  const started = await harness(page, 'start', id, ['/res/audio.mp3?size=200k', '/res/art.svg?size=2k'], {
    title: 'Two',
    downloadTotal: 202 * 1024,
  });
  expect(started.ok, JSON.stringify(started)).toBe(true);
  const t = await recorder.waitForFetch(id, { timeout: 30_000 });
  expect(t.outcome).toBe('success');
  expect(t.failureReason).toBeNull();
  expect(t.paused).toBe(false);
  expect(t.totalRequests).toBe(2);
  const names = t.events.map((e) => e.name);
  expect(names[0]).toBe('Background Fetch registered');
  expect(names[1]).toBe('Background Fetch started');
  expect(names.filter((n) => n === 'Request processing started')).toHaveLength(2);
  expect(names.filter((n) => n === 'Request processing completed')).toHaveLength(2);
  expect(names.at(-1)).toBe('Background Fetch completed');
  expect(new Set(t.events.map((e) => e.kind))).toEqual(
    new Set(['registered', 'started', 'request-started', 'request-completed', 'completed']),
  );
  expect(t.requests.map((r) => [r.index, r.status, r.bytes])).toEqual([
    [0, 200, 200 * 1024],
    [1, 200, 2 * 1024],
  ]);
  expect(t.requests[0].url).toBe(`${server.url}/res/audio.mp3?size=200k`);
  await recorder.dispose();
});

test('a 404 among two requests gives bad-status, with both requests fetched', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('404');
  await harness(page, 'start', id, ['/res/ok.mp3?size=10k', '/res/missing.mp3?status=404&size=100'], {});
  const t = await recorder.waitForFetch(id);
  expect(t.outcome).toBe('failure');
  expect(t.failureReason).toBe('bad-status');
  expect(t.failureReasonRaw).toMatch(/(^|::)BAD_STATUS$/);
  expect(t.requests.map((r) => r.status)).toEqual([200, 404]);
  await recorder.dispose();
});

test('abort() from the page gives aborted (CANCELLED_BY_DEVELOPER)', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('abort');
  await harness(page, 'start', id, ['/res/slow.mp3?size=4m&rate=256k'], {});
  await recorder.waitForFetch(id, { until: 'started' });
  await expect.poll(() => server.requests({ path: /^\/res\/slow\.mp3/ })[0]?.bytesSent ?? 0).toBeGreaterThan(0);
  const aborted = await harness(page, 'abort', id);
  expect(aborted).toMatchObject({ ok: true, aborted: true });
  const t = await recorder.waitForFetch(id);
  expect(t.outcome).toBe('aborted');
  expect(t.failureReason).toBe('aborted');
  expect(t.failureReasonRaw).toMatch(/CANCELLED_BY_DEVELOPER$/);
  expect(t.eventType).toMatch(/AbortEvent$/);
  await recorder.dispose();
});

test('the page that started a fetch is closed: the fetch is still recorded to completion', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('closed');
  await harness(page, 'start', id, ['/res/a.bin?size=1m&rate=1m'], {});
  await recorder.waitForFetch(id, { until: 'started' });
  await page.close();
  const t = await recorder.waitForFetch(id);
  expect(t.outcome).toBe('success');
  expect(t.requests[0].bytes).toBe(1024 * 1024);
  // The probes saw the completion in the worker even with no page left.
  await expect.poll(() => recorder.fetch(id)!.swEvents.map((s) => s.type)).toEqual(['backgroundfetchsuccess']);
  await recorder.dispose();
});

test('a second recorder replays the stored events without duplicates', async ({ ctx, server }) => {
  const first = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('replay');
  await harness(page, 'start', id, ['/res/r.bin?size=1k'], {});
  await first.waitForFetch(id);
  const second = await BackgroundServiceRecorder.attach(ctx, { probes: false });
  // The replay arrives right after startObserving: it is all there once attach resolves.
  await expect.poll(() => second.events({ instanceId: id }).length).toBe(first.events({ instanceId: id }).length);
  expect(second.events({ instanceId: id }).map((e) => e.key)).toEqual(first.events({ instanceId: id }).map((e) => e.key));
  expect(second.fetches().filter((t) => t.id === id)).toHaveLength(1);
  expect(second.fetch(id)!.outcome).toBe('success');
  // Nothing new was logged for the first recorder by the second's startObserving.
  const before = first.events().length;
  await page.waitForTimeout(300);
  expect(first.events().length).toBe(before);
  await second.dispose();
  await first.dispose();
});

test('dispose() switches recording off, stops observing and closes the observer page', async ({ ctx }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx, { services: 'all' });
  expect(recorder.services).toHaveLength(6);
  expect(recorder.isRecording('backgroundSync')).toBe(true);
  expect(ctx.pages()).toContain(recorder.observerPage);
  await recorder.dispose();
  expect(ctx.pages()).not.toContain(recorder.observerPage);
  // A fresh recorder sees recording off before it switches it on again.
  const probe = await ctx.newPage();
  const session = await ctx.newCDPSession(probe);
  const states: boolean[] = [];
  session.on('BackgroundService.recordingStateChanged', (e) => states.push(e.isRecording));
  await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
  await expect.poll(() => states).toEqual([false]);
});

test('clear() removes the stored events: a later observer replays nothing', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  const id = uid('clear');
  await harness(page, 'start', id, ['/res/c.bin?size=1k'], {});
  await recorder.waitForFetch(id);
  await recorder.clear('backgroundFetch');
  const later = await BackgroundServiceRecorder.attach(ctx, { probes: false });
  await page.waitForTimeout(300);
  expect(later.events({ instanceId: id })).toHaveLength(0);
  await later.dispose();
  await recorder.dispose();
});
