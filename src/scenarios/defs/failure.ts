/**
 * Failures and aborts: what the browser reports when the server misbehaves, and what abort()
 * does before and after completion. Resource faults come from the fixture server's grammar
 * (status=, drop=, stall=1, length=long); "connection refused" is a port nobody listens on.
 */
import { createServer } from 'node:net';
import { defineScenario, MDN_REG, SPEC, type Scenario } from '../types.js';
import { expectEnd, facts, pageView, runFetch, settle, start, text } from './common.js';
import { debug, orNull } from '../../util/debug.js';

const log = debug('bgprobe:scenarios');

const badStatus = defineScenario({
  id: 'failure.bad-status',
  title: 'A 404 among several requests fails the fetch with bad-status',
  expectation:
    'Every request is still fetched; because one response is not ok (404), the fetch ends with result "failure", failureReason "bad-status", and the worker gets backgroundfetchfail.',
  link: `${SPEC}#background-fetch-response-exposed`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(ctx, s, 'bad', [
      ctx.res('ok.mp3', { size: '4k' }),
      ctx.res('missing.png', { status: 404, size: 64 }),
      ctx.res('ok2.txt', { size: '1k' }),
    ]);
    return f;
  },
  judge(o) {
    const j = expectEnd(o, { outcome: 'failure', failureReason: 'bad-status', swEvent: 'backgroundfetchfail' });
    if (j.verdict === 'conforms' && o.requests.length !== 3)
      return { verdict: 'deviates', summary: `Failed with bad-status, but ${o.requests.length} of 3 requests were made.` };
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
      return {
        verdict: 'deviates',
        summary: `Reported SUCCESS although the server cut the body after ${o.servedBytes[0] ?? '?'} of 32768 bytes (downloaded=${o.page?.downloaded ?? '?'}; ${o.rangeRequests} Range retries).`,
      };
    }
    return expectEnd(o, { outcome: 'failure', failureReason: 'fetch-error', swEvent: 'backgroundfetchfail' });
  },
});

const wrongLength = defineScenario({
  id: 'failure.wrong-content-length',
  title: 'A body shorter than its Content-Length',
  expectation:
    'A body that ends before its declared Content-Length is a network error: the fetch should fail with "fetch-error", not succeed.',
  link: `${SPEC}#background-fetch-failure-reason`,
  async run(ctx) {
    const s = await ctx.open();
    return (await runFetch(ctx, s, 'short', [ctx.res('liar.bin', { size: '8k', length: 'long' })])).facts;
  },
  judge(o) {
    if (o.outcome === 'success')
      return {
        verdict: 'deviates',
        summary: `Reported success for a body of 8192 bytes declared as 16384 (downloaded=${o.page?.downloaded ?? '?'}).`,
      };
    return expectEnd(o, { outcome: 'failure', failureReason: 'fetch-error', swEvent: 'backgroundfetchfail' });
  },
});

/**
 * How long the server stays silent before the fetch is looked at. A window is unavoidable here
 * (the expectation is that nothing happens), so it counts from the server's last byte, not from
 * fetch() (a first request can come ~2 s late on a loaded machine), and is long enough that a
 * browser timeout would have to be shorter than any network stack's (Chromium's idle socket
 * timeout is minutes) to fit inside it.
 */
const SILENCE_MS = 5_000;

const stalled = defineScenario({
  id: 'failure.stalled-server',
  title: 'A server that stops sending mid-body',
  expectation: `The spec sets no timeout: while the server sends nothing, the fetch stays in progress (result ""), neither succeeding nor failing; the app can still abort() it. Checked ${SILENCE_MS / 1000} s after the server's last byte.`,
  link: `${SPEC}#background-fetch-registration`,
  async run(ctx) {
    ctx.untimed();
    const s = await ctx.open();
    const r = await start(s, 'stalled', [ctx.res('stuck.mp3', { size: '32k', stall: 1, stallAfter: '4k' })]);
    const sentAll = () => ctx.server.requests().some((q) => q.path === '/res/stuck.mp3' && q.bytesSent >= 4096) || undefined;
    const reached = r.ok ? ((await ctx.poll(sentAll, ctx.untilDeadline(SILENCE_MS + 5_000), 50)) ?? false) : false;
    if (reached) await ctx.sleep(SILENCE_MS);
    const during = await s.call('get', 'stalled');
    const aborted = await s.call('abort', 'stalled');
    const t = await orNull(log, 'settling the aborted fetch', settle(ctx, s, 'stalled'));
    return {
      started: r.ok,
      stallReached: reached,
      resultAfterSilence: text(during['result']),
      downloadedAfterSilence: Number(during['downloaded'] ?? 0),
      abortResolved: aborted['aborted'] === true,
      outcome: t?.timeline.outcome ?? 'pending',
    };
  },
  judge(o) {
    if (!o.started) return { verdict: 'error', summary: 'The fetch did not start.' };
    if (!o.stallReached)
      return { verdict: 'error', summary: 'The server never sent the 4096 bytes before its stall: the silence was not observed.' };
    if (o.resultAfterSilence !== '')
      return {
        verdict: 'deviates',
        summary: `After ${SILENCE_MS / 1000} s of silence the fetch had ended with "${o.resultAfterSilence}".`,
      };
    if (!o.abortResolved)
      return {
        verdict: 'deviates',
        summary: `Still in progress after ${SILENCE_MS / 1000} s of silence (as expected), but abort() did not resolve true.`,
      };
    return {
      verdict: 'conforms',
      summary: `Still in progress after ${SILENCE_MS / 1000} s of silence (downloaded=${o.downloadedAfterSilence}); abort() ended it (${o.outcome}).`,
    };
  },
});

/**
 * download-total-exceeded, on a resource the test suite can make slow: `rate` throttles the body
 * (bytes per second), so the limit is crossed late. The browser's own outcome is awaited up to
 * the scenario's deadline: only a fetch still pending then is "never completed".
 */
export function totalExceededScenario(resource: { size: string; rate?: string } = { size: '16k' }) {
  return defineScenario({
    id: 'failure.download-total-exceeded',
    title: 'More bytes than downloadTotal fails with download-total-exceeded',
    expectation:
      'When the bytes downloaded exceed the downloadTotal given to fetch(), the fetch is aborted with failureReason "download-total-exceeded".',
    link: `${SPEC}#background-fetch-failure-reason`,
    async run(ctx) {
      const s = await ctx.open();
      const r = await start(s, 'too-big', [ctx.res('big.bin', resource)], { downloadTotal: 4096 });
      const settled = r.ok ? await settle(ctx, s, 'too-big') : null;
      const f = facts(settled, settled ? await pageView(ctx, s, 'too-big') : null, r, 'too-big', s);
      if (f.outcome === 'pending') await s.call('abort', 'too-big');
      const served = ctx.server
        .requests()
        .filter((q) => q.path === '/res/big.bin')
        .map((q) => q.bytesSent);
      return { ...f, served };
    },
    judge(o) {
      if (o.outcome === 'pending') {
        return {
          verdict: 'deviates',
          summary: `Never completed: the server sent ${o.served.join(', ') || 'no'} bytes (downloadTotal 4096), and the fetch was still pending at the scenario's deadline (no download-total-exceeded).`,
        };
      }
      return expectEnd(o, { outcome: 'failure', failureReason: 'download-total-exceeded', swEvent: 'backgroundfetchfail' });
    },
  });
}

const totalExceeded = totalExceededScenario();

const abortPage = defineScenario({
  id: 'abort.page',
  title: 'abort() from the page mid-download',
  expectation:
    'registration.abort() resolves true; the fetch ends with result "failure", failureReason "aborted", and the worker gets backgroundfetchabort.',
  link: `${MDN_REG}/abort`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'abort-me', [ctx.res('long.mp3', { size: '64k', rate: '16k' })]);
    await ctx.poll(
      () => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined,
      ctx.untilDeadline(),
      50,
    );
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
  expectation: "A fetch can be aborted through the worker's own registration.backgroundFetch.get(id): the same end as from the page.",
  link: `${MDN_REG}/abort`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'abort-sw', [ctx.res('long.mp3', { size: '64k', rate: '16k' })]);
    await ctx.poll(
      () => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined,
      ctx.untilDeadline(),
      50,
    );
    const a = await s.call('abortFromWorker', 'abort-sw');
    const t = await settle(ctx, s, 'abort-sw');
    return {
      ...facts(t, await pageView(ctx, s, 'abort-sw'), r, 'abort-sw', s),
      abortResolved: a['aborted'] === true,
      abortCall: a.ok ? null : `${a.name}: ${a.message}`,
    };
  },
  judge(o) {
    if (!o.abortResolved)
      return { verdict: 'deviates', summary: `abort() in the worker did not resolve true${o.abortCall ? ` (${o.abortCall})` : ''}.` };
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

export const FAILURE_SCENARIOS: Scenario[] = [
  badStatus,
  serverError,
  refused,
  dropped,
  wrongLength,
  stalled,
  totalExceeded,
  abortPage,
  abortWorker,
  abortAfter,
];
