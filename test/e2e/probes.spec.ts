/**
 * The probes: what CDP does not log (progress, the worker's events, updateUI), recorded from
 * any app, joined with the server's view of each request.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { expect, harness, openHarness, test, uid } from './support.js';

const FIXTURES = resolve('fixtures');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.mp3': 'audio/mpeg',
};

/** A plain static server (not bgprobe's): the probes must work for any app. */
async function plainStaticServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    let file = join(FIXTURES, path);
    if (!file.startsWith(FIXTURES)) return void res.writeHead(404).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': statSync(file).size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test('the podcast app on a plain static server: progress, the success event and the updateUI title', async ({ ctx }) => {
  const { server, url } = await plainStaticServer();
  try {
    const recorder = await BackgroundServiceRecorder.attach(ctx);
    const page = await ctx.newPage();
    await page.goto(`${url}/podcast/`);
    await page.locator('body[data-sw-ready="1"]').waitFor();
    await page.click('text=Download episode 5');
    // 'settled': CDP's "completed" AND the worker finished its event (updateUI included).
    const t = await recorder.waitForFetch('episode-5', { until: 'settled' });
    expect(t.outcome).toBe('success');
    expect(t.uiUpdates.map((u) => [u.title, u.ok])).toEqual([[expect.stringMatching(/^Downloaded: Episode 5/), true]]);
    expect(t.swEvents[0].doneOk).toBe(true);
    expect(t.swEvents[0].doneAt).toBeGreaterThanOrEqual(t.uiUpdates[0].at);
    const done = t;
    expect(done.swEvents.map((s) => s.type)).toEqual(['backgroundfetchsuccess']);
    expect(done.swEvents[0].result).toBe('success');
    const total = t.requests.reduce((n, r) => n + (r.bytes ?? 0), 0);
    expect(done.progress.length).toBeGreaterThan(0);
    const last = done.progress.filter((p) => p.context === 'page').at(-1)!;
    expect(last.downloaded).toBe(total);
    expect(last.result).toBe('success');
    // The page's progress never goes backwards (the worker also samples the registration when
    // its event comes, in its own order: not part of this check).
    const downloaded = done.progress.filter((p) => p.context === 'page').map((p) => p.downloaded);
    expect(downloaded).toEqual([...downloaded].sort((a, b) => a - b));
    expect(done.fetchCalls).toMatchObject([
      { ok: true, context: 'page', requests: [expect.stringMatching(/episode-5\.mp3$/), expect.stringMatching(/episode-5\.svg$/)] },
    ]);
    // The app saw the same thing it would without bgprobe.
    await expect(page.locator('#episode-5')).toContainText('Downloaded');
    await recorder.dispose();
  } finally {
    server.close();
  }
});

test('a worker stopped mid-fetch: the completion event and its updateUI are still recorded', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx, { server });
  const page = await openHarness(ctx, server);
  await harness(page, 'configureWorker', { successTitle: 'Stopped but done {id}' });
  const id = uid('stopped');
  await harness(page, 'start', id, ['/res/s.bin?size=1m&rate=512k'], {});
  await recorder.waitForFetch(id, { until: 'started' });
  const session = await ctx.newCDPSession(page);
  await session.send('ServiceWorker.enable');
  await session.send('ServiceWorker.stopAllWorkers');
  await page.close();
  const t = await recorder.waitForFetch(id);
  expect(t.outcome).toBe('success');
  await expect.poll(() => recorder.fetch(id)!.uiUpdates.map((u) => u.title)).toEqual([`Stopped but done ${id}`]);
  expect(recorder.fetch(id)!.swEvents.map((s) => s.type)).toEqual(['backgroundfetchsuccess']);
  expect(t.requests[0].served?.[0]).toMatchObject({ status: 200, bytesSent: 1024 * 1024, cut: false });
  await recorder.dispose();
});

test('a 404 in a two-request fetch: both requests, their statuses, the fail event, bad-status on the page', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx, { server });
  const page = await openHarness(ctx, server);
  const id = uid('p404');
  await harness(page, 'start', id, ['/res/fine.mp3?size=20k', '/res/gone.mp3?status=404&size=10'], {});
  const t = await recorder.waitForFetch(id);
  expect(t.requests.map((r) => [r.index, r.status])).toEqual([
    [0, 200],
    [1, 404],
  ]);
  expect(t.requests.map((r) => r.served?.[0]?.status)).toEqual([200, 404]);
  await expect
    .poll(() => recorder.fetch(id)!.swEvents.map((s) => [s.type, s.failureReason]))
    .toEqual([['backgroundfetchfail', 'bad-status']]);
  await expect.poll(() => recorder.fetch(id)!.progress.at(-1)?.failureReason).toBe('bad-status');
  expect(recorder.fetch(id)!.progress.at(-1)!.result).toBe('failure');
  await recorder.dispose();
});

test('rejections, a second updateUI, matchAll and abort() results are recorded without changing them', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx);
  const page = await openHarness(ctx, server);
  await harness(page, 'configureWorker', { secondUpdateUI: true, matchAllInEvent: true });
  const id = uid('twice');
  await harness(page, 'start', id, ['/res/x.bin?size=3k', '/res/y.bin?size=5k'], {});
  const dup = await harness(page, 'start', id, ['/res/x.bin?size=3k'], {});
  // The app gets the browser's own rejection, untouched.
  expect(dup).toMatchObject({ ok: false, name: 'TypeError', message: 'There already is a registration for the given id.' });
  await recorder.waitForFetch(id);
  await expect
    .poll(() => recorder.fetch(id)!.uiUpdates.map((u) => [u.call, u.ok, u.error?.name ?? null]))
    .toEqual([
      [1, true, null],
      [2, false, 'InvalidStateError'],
    ]);
  const records = recorder.fetch(id)!.records.find((r) => r.context === 'worker' && r.method === 'matchAll')!;
  expect(records.records.map((r) => r.size).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([3 * 1024, 5 * 1024]);
  const rejected = recorder.probeRecords().filter((p) => p.kind === 'fetch-call' && p.id === id && !p.ok);
  expect(rejected).toHaveLength(1);
  const done = await harness(page, 'abort', id);
  expect(done).toMatchObject({ ok: true });
  await recorder.dispose();
});

/** In the page: a progress listener of the test's own on the registration `id` (what the app sees). */
function watchProgress(page: import('@playwright/test').Page, id: string): Promise<void> {
  return page.evaluate(async (id) => {
    // Background Fetch is not in TypeScript's DOM library.
    type Reg = EventTarget & { downloaded: number };
    const sw = (await navigator.serviceWorker.ready) as unknown as { backgroundFetch: { get(id: string): Promise<Reg | undefined> } };
    const reg = (await sw.backgroundFetch.get(id))!;
    const seen: Array<{ downloaded: number; at: number }> = [];
    (window as unknown as { seen: typeof seen }).seen = seen;
    reg.addEventListener('progress', () => seen.push({ downloaded: reg.downloaded, at: performance.timeOrigin + performance.now() }));
  }, id);
}

test('progress samples travel in batches, yet every one the page saw is recorded, in order, with its time', async ({ ctx, server }) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx, { server });
  const page = await openHarness(ctx, server);
  const id = uid('batched');
  // 2 s at 256 KiB/s: progress events well inside the 250 ms batches.
  expect(await harness(page, 'start', id, ['/res/slow.bin?size=512k&rate=256k'], {})).toMatchObject({ ok: true });
  await watchProgress(page, id);
  const t = await recorder.waitForFetch(id);
  expect(t.outcome).toBe('success');
  const seen = await page.evaluate(() => (window as unknown as { seen: Array<{ downloaded: number; at: number }> }).seen);
  expect(seen.length).toBeGreaterThan(4);
  await expect
    .poll(
      () =>
        recorder
          .fetch(id)!
          .progress.filter((p) => p.context === 'page')
          .at(-1)?.result,
    )
    .toBe('success');
  const recorded = recorder.fetch(id)!.progress.filter((p) => p.context === 'page');
  // Each event the test saw has a sample with the same bytes, in the same order, taken no later
  // than the test saw it: its own time, not its batch's. Other samples may sit in between: the
  // probe also samples each registration object when the page gets it (fetch(), and the get()
  // the test made, whose first state can be ahead of the events still queued for it).
  let j = 0;
  for (const s of seen) {
    while (j < recorded.length && recorded[j].downloaded !== s.downloaded) j++;
    expect(
      j,
      `a sample of ${s.downloaded} bytes, after the previous one (recorded: ${recorded.map((p) => p.downloaded).join(', ')})`,
    ).toBeLessThan(recorded.length);
    const p = recorded[j];
    expect(p.at).toBeLessThanOrEqual(s.at + 1);
    expect(p.at).toBeGreaterThan(s.at - 1_000);
    j++;
  }
  await recorder.dispose();
});

test('a page closed mid-fetch: the samples it had queued are recorded (all with unload, all but its last 250 ms without)', async ({
  ctx,
  server,
}) => {
  const recorder = await BackgroundServiceRecorder.attach(ctx, { server });
  type Seen = Array<{ downloaded: number; at: number }>;
  for (const runBeforeUnload of [true, false]) {
    const page = await openHarness(ctx, server);
    const id = uid(`closing-${runBeforeUnload}`);
    expect(await harness(page, 'start', id, ['/res/slow.bin?size=2m&rate=256k'], {})).toMatchObject({ ok: true });
    await watchProgress(page, id);
    const read = () => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
    await expect.poll(async () => (await read()).length, { timeout: 10_000 }).toBeGreaterThan(3);
    // Let those samples age past a batch, so some are due even without unload handlers.
    await page.waitForTimeout(500);
    const seen = await read();
    const closedAt = Date.now();
    // With unload handlers (a user closing the tab): pagehide sends the queue. Without
    // (Playwright's default): only what was sent before.
    await page.close({ runBeforeUnload });
    await expect.poll(() => page.isClosed()).toBe(true);
    const due = runBeforeUnload ? seen : seen.filter((s) => s.at < closedAt - 300);
    expect(due.length).toBeGreaterThan(0);
    const recorded = () =>
      recorder
        .fetch(id)!
        .progress.filter((p) => p.context === 'page')
        .map((p) => p.downloaded);
    await expect
      .poll(recorded, { message: `closed with runBeforeUnload: ${runBeforeUnload}`, timeout: 2_000 })
      .toEqual(expect.arrayContaining(due.map((s) => s.downloaded)));
    const other = await openHarness(ctx, server);
    await harness(other, 'abort', id);
    await other.close();
  }
  await recorder.dispose();
});
