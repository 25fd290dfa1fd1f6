/**
 * Failures and aborts: what the browser reports when the server misbehaves, and what abort()
 * does before and after completion. Resource faults come from the fixture server's grammar
 * (status=, drop=, stall=1, length=long); "connection refused" is a port nobody listens on.
 */
import { createServer } from 'node:net';
import { defineScenario, MDN_REG, SPEC, type Scenario } from '../types.js';
import { expectEnd, facts, pageView, runFetch, settle, start } from './common.js';

const badStatus = defineScenario({
  id: 'failure.bad-status',
  title: 'A 404 among several requests fails the fetch with bad-status',
  expectation:
    'Every request is still fetched; because one response is not ok (404), the fetch ends with result "failure", failureReason "bad-status", and the worker gets backgroundfetchfail.',
  link: `${SPEC}#background-fetch-response-exposed`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(ctx, s, 'bad', [ctx.res('ok.mp3', { size: '4k' }), ctx.res('missing.png', { status: 404, size: 64 }), ctx.res('ok2.txt', { size: '1k' })]);
    return f;
  },
  judge(o) {
    const j = expectEnd(o, { outcome: 'failure', failureReason: 'bad-status', swEvent: 'backgroundfetchfail' });
    if (j.verdict === 'conforms' && o.requests.length !== 3) return { verdict: 'deviates', summary: `Failed with bad-status, but ${o.requests.length} of 3 requests were made.` };
    return j;
  },
});

const serverError = defineScenario({
  id: 'failure.server-error',
  title: 'A 500 response fails the fetch with bad-status',
  expectation: 'A response with status 500 is not ok: the fetch fails with failureReason "bad-status".',
  link: `${SPEC}#background-fetch-response-exposed`,
  async run(ctx) {
    const s = await ctx.open();
    return (await runFetch(ctx, s, 'five-hundred', [ctx.res('err.bin', { status: 500, size: 128 })])).facts;
  },
  judge: (o) => expectEnd(o, { outcome: 'failure', failureReason: 'bad-status', swEvent: 'backgroundfetchfail' }),
});

/** A loopback port with nothing listening: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const refused = defineScenario({
  id: 'failure.connection-refused',
  title: 'A refused connection fails the fetch with fetch-error',
  expectation: 'When a request gets no response at all (connection refused), the fetch fails with failureReason "fetch-error".',
  link: `${SPEC}#background-fetch-failure-reason`,
  async run(ctx) {
    const s = await ctx.open();
    const port = await closedPort();
    ctx.note(`Port ${port} on 127.0.0.1 had nothing listening.`);
    return (await runFetch(ctx, s, 'refused', [`http://127.0.0.1:${port}/nothing.bin`])).facts;
  },
  judge: (o) => expectEnd(o, { outcome: 'failure', failureReason: 'fetch-error', swEvent: 'backgroundfetchfail' }),
});

const dropped = defineScenario({
  id: 'failure.dropped-mid-body',
  title: 'The connection is dropped mid-body',
  expectation:
    'A response whose body is cut off is a network error: the fetch should fail with "fetch-error" (or the browser retry with a Range request), never report success with a short body.',
  link: `${SPEC}#background-fetch-failure-reason`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(ctx, s, 'dropped', [ctx.res('cut.mp3', { size: '32k', drop: '8k' })]);
    const served = ctx.server.requests().filter((r) => r.path === '/res/cut.mp3');
    return { ...f, servedBytes: served.map((r) => r.bytesSent), rangeRequests: served.filter((r) => r.rangeRequested).length };
  },
  judge(o) {
    if (o.outcome === 'success') {
      return { verdict: 'deviates', summary: `Reported SUCCESS although the server cut the body after ${o.servedBytes[0] ?? '?'} of 32768 bytes (downloaded=${o.page?.downloaded ?? '?'}; ${o.rangeRequests} Range retries).` };
    }
    return expectEnd(o, { outcome: 'failure', failureReason: 'fetch-error', swEvent: 'backgroundfetchfail' });
  },
});

const wrongLength = defineScenario({
  id: 'failure.wrong-content-length',
  title: 'A body shorter than its Content-Length',
  expectation: 'A body that ends before its declared Content-Length is a network error: the fetch should fail with "fetch-error", not succeed.',
  link: `${SPEC}#background-fetch-failure-reason`,
  async run(ctx) {
    const s = await ctx.open();
    return (await runFetch(ctx, s, 'short', [ctx.res('liar.bin', { size: '8k', length: 'long' })])).facts;
  },
  judge(o) {
    if (o.outcome === 'success') return { verdict: 'deviates', summary: `Reported success for a body of 8192 bytes declared as 16384 (downloaded=${o.page?.downloaded ?? '?'}).` };
    return expectEnd(o, { outcome: 'failure', failureReason: 'fetch-error', swEvent: 'backgroundfetchfail' });
  },
});

const stalled = defineScenario({
  id: 'failure.stalled-server',
  title: 'A server that stops sending mid-body',
  expectation:
    'The spec sets no timeout: while the server sends nothing, the fetch stays in progress (result ""), neither succeeding nor failing; the app can still abort() it.',
  link: `${SPEC}#background-fetch-registration`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'stalled', [ctx.res('stuck.mp3', { size: '32k', stall: 1, stallAfter: '4k' })]);
    await ctx.sleep(3_000);
    const during = await s.call('get', 'stalled');
    const aborted = await s.call('abort', 'stalled');
    const t = await settle(ctx, s, 'stalled', 10_000).catch(() => null);
    return {
      started: r.ok,
      resultAfter3s: String(during['result'] ?? ''),
      downloadedAfter3s: Number(during['downloaded'] ?? 0),
      abortResolved: aborted['aborted'] === true,
      outcome: t?.timeline.outcome ?? 'pending',
    };
  },
  judge(o) {
    if (!o.started) return { verdict: 'error', summary: 'The fetch did not start.' };
    if (o.resultAfter3s !== '') return { verdict: 'deviates', summary: `After 3 s of silence the fetch had ended with "${o.resultAfter3s}".` };
    if (!o.abortResolved) return { verdict: 'deviates', summary: 'Still in progress after 3 s (as expected), but abort() did not resolve true.' };
    return { verdict: 'conforms', summary: `Still in progress after 3 s of silence (downloaded=${o.downloadedAfter3s}); abort() ended it (${o.outcome}).` };
  },
});

const totalExceeded = defineScenario({
  id: 'failure.download-total-exceeded',
  title: 'More bytes than downloadTotal fails with download-total-exceeded',
  expectation: 'When the bytes downloaded exceed the downloadTotal given to fetch(), the fetch is aborted with failureReason "download-total-exceeded".',
  link: `${SPEC}#background-fetch-failure-reason`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'too-big', [ctx.res('big.bin', { size: '16k' })], { downloadTotal: 4096 });
    // Give it 4 s after the server has sent the whole body: an abort would come long before.
    await ctx.poll(() => ctx.server.requests().some((q) => q.path === '/res/big.bin' && q.completedAt !== null) || undefined, 10_000, 50);
    const settled = r.ok ? await settle(ctx, s, 'too-big', 4_000) : null;
    const f = facts(settled, settled ? await pageView(ctx, s, 'too-big') : null, r, 'too-big', s);
    if (f.outcome === 'pending') await s.call('abort', 'too-big');
    const served = ctx.server.requests().filter((r) => r.path === '/res/big.bin').map((r) => r.bytesSent);
    return { ...f, served };
  },
  judge(o) {
    if (o.outcome === 'pending') {
      return { verdict: 'deviates', summary: `Never completed: the server sent ${o.served.join(', ') || 'no'} bytes (downloadTotal 4096), and 4 s later the fetch was still pending (no download-total-exceeded).` };
    }
    return expectEnd(o, { outcome: 'failure', failureReason: 'download-total-exceeded', swEvent: 'backgroundfetchfail' });
  },
});

const abortPage = defineScenario({
  id: 'abort.page',
  title: 'abort() from the page mid-download',
  expectation: 'registration.abort() resolves true; the fetch ends with result "failure", failureReason "aborted", and the worker gets backgroundfetchabort.',
  link: `${MDN_REG}/abort`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'abort-me', [ctx.res('long.mp3', { size: '64k', rate: '16k' })]);
    await ctx.poll(() => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined, 5_000, 50);
    const a = await s.call('abort', 'abort-me');
    const t = await settle(ctx, s, 'abort-me');
    return { ...facts(t, await pageView(ctx, s, 'abort-me'), r, 'abort-me', s), abortResolved: a['aborted'] === true };
  },
  judge(o) {
    if (!o.abortResolved) return { verdict: 'deviates', summary: 'abort() did not resolve true for an active fetch.' };
    return expectEnd(o, { outcome: 'aborted', failureReason: 'aborted', swEvent: 'backgroundfetchabort' });
  },
});

const abortWorker = defineScenario({
  id: 'abort.worker',
  title: 'abort() from the service worker',
  expectation: 'A fetch can be aborted through the worker\'s own registration.backgroundFetch.get(id): the same end as from the page.',
  link: `${MDN_REG}/abort`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'abort-sw', [ctx.res('long.mp3', { size: '64k', rate: '16k' })]);
    await ctx.poll(() => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined, 8_000, 50);
    const a = await s.call('abortFromWorker', 'abort-sw');
    const t = await settle(ctx, s, 'abort-sw');
    return { ...facts(t, await pageView(ctx, s, 'abort-sw'), r, 'abort-sw', s), abortResolved: a['aborted'] === true, abortCall: a.ok ? null : `${a.name}: ${a.message}` };
  },
  judge(o) {
    if (!o.abortResolved) return { verdict: 'deviates', summary: `abort() in the worker did not resolve true${o.abortCall ? ` (${o.abortCall})` : ''}.` };
    return expectEnd(o, { outcome: 'aborted', failureReason: 'aborted', swEvent: 'backgroundfetchabort' });
  },
});

const abortAfter = defineScenario({
  id: 'abort.after-completion',
  title: 'abort() after completion resolves false',
  expectation: 'Once a fetch has completed, abort() on its registration resolves false and changes nothing.',
  link: `${SPEC}#background-fetch-registration-abort`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(ctx, s, 'done', [ctx.res('small.bin', { size: 512 })]);
    const a = await s.call('abort', 'done');
    return { ...f, abortValue: a.ok ? (a['aborted'] ?? null) : null, abortError: a.ok ? null : `${a.name}: ${a.message}` };
  },
  judge(o) {
    if (o.outcome !== 'success') return { verdict: 'error', summary: `The fetch to abort afterwards did not succeed (${o.outcome}).` };
    if (o.abortValue === false) return { verdict: 'conforms', summary: 'abort() after success resolved false.' };
    return { verdict: 'deviates', summary: `abort() after success gave ${o.abortError ?? JSON.stringify(o.abortValue)}, expected false.` };
  },
});

export const FAILURE_SCENARIOS: Scenario[] = [badStatus, serverError, refused, dropped, wrongLength, stalled, totalExceeded, abortPage, abortWorker, abortAfter];
