/**
 * API exposure and `fetch()`: what starts, what completes, what is refused up front.
 * Bodies are a few KiB: the point is the behaviour, and the suite has a time budget.
 */
import { defineScenario, MDN, SPEC, type Scenario } from '../types.js';
import { NO_PAGE_VIEW, expectEnd, expectRejection, rejection, runFetch, start, text } from './common.js';

const exposureWindow = defineScenario({
  id: 'api.exposure.window',
  title: 'Background Fetch is exposed to pages',
  expectation:
    'Where supported, window exposes BackgroundFetchManager, BackgroundFetchRegistration and BackgroundFetchRecord, and a ServiceWorkerRegistration has a backgroundFetch manager with fetch, get and getIds. The feature check an app should do: `"BackgroundFetchManager" in self`.',
  link: `${SPEC}#background-fetch-manager`,
  needs: ['page'],
  needsBackgroundFetch: false,
  async run(ctx) {
    const s = await ctx.openHarness({ requireBackgroundFetch: false });
    const seen = await s.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      const bf = (reg as unknown as { backgroundFetch?: Record<string, unknown> }).backgroundFetch;
      return {
        BackgroundFetchManager: 'BackgroundFetchManager' in self,
        BackgroundFetchRegistration: 'BackgroundFetchRegistration' in self,
        BackgroundFetchRecord: 'BackgroundFetchRecord' in self,
        registrationBackgroundFetch: Boolean(bf),
        methods: bf ? ['fetch', 'get', 'getIds'].filter((m) => typeof bf[m] === 'function') : [],
      };
    });
    return { ...seen, featureCheckAgrees: seen.BackgroundFetchManager === seen.registrationBackgroundFetch };
  },
  judge(o) {
    if (!o.BackgroundFetchManager && !o.registrationBackgroundFetch)
      return { verdict: 'unsupported', summary: 'No Background Fetch interface in the page.' };
    const missing = [
      'BackgroundFetchManager',
      'BackgroundFetchRegistration',
      'BackgroundFetchRecord',
      'registrationBackgroundFetch',
    ].filter((k) => o[k as keyof typeof o] !== true);
    if (missing.length || o.methods.length !== 3)
      return {
        verdict: 'deviates',
        summary: `Partly exposed: missing ${[...missing, ...['fetch', 'get', 'getIds'].filter((m) => !o.methods.includes(m))].join(', ')}.`,
      };
    return { verdict: 'conforms', summary: 'All three interfaces and registration.backgroundFetch (fetch, get, getIds) are exposed.' };
  },
});

const exposureWorker = defineScenario({
  id: 'api.exposure.worker',
  title: 'Background Fetch is exposed to service workers',
  expectation:
    'A service worker global exposes BackgroundFetchManager, BackgroundFetchEvent and BackgroundFetchUpdateUIEvent, and self.registration.backgroundFetch.fetch exists (a spec proposal would remove fetch() from workers: report what the browser does).',
  link: `${SPEC}#background-fetch-event`,
  needs: ['page'],
  needsBackgroundFetch: false,
  async run(ctx) {
    const s = await ctx.openHarness({ requireBackgroundFetch: false });
    // Asked of the harness worker itself, through the page: the same path on every engine.
    const r = await s.call('toWorker', { cmd: 'exposure' });
    if (!r.ok) throw new Error(`The service worker did not answer the exposure probe: ${r.name}: ${r.message}`);
    return {
      BackgroundFetchManager: r['BackgroundFetchManager'] === true,
      BackgroundFetchEvent: r['BackgroundFetchEvent'] === true,
      BackgroundFetchUpdateUIEvent: r['BackgroundFetchUpdateUIEvent'] === true,
      fetchInWorker: r['fetchInWorker'] === true,
    };
  },
  judge(o) {
    if (!o.BackgroundFetchManager && !o.BackgroundFetchEvent)
      return { verdict: 'unsupported', summary: 'No Background Fetch interface in the service worker.' };
    const missing = Object.entries(o)
      .filter(([, v]) => v !== true)
      .map(([k]) => k);
    if (missing.length) return { verdict: 'deviates', summary: `Missing in the worker: ${missing.join(', ')}.` };
    return {
      verdict: 'conforms',
      summary: 'The worker exposes the manager, both event interfaces and registration.backgroundFetch.fetch.',
    };
  },
});

const resolves = defineScenario({
  id: 'fetch.start.resolves',
  title: 'fetch() with one valid request resolves to a registration',
  expectation:
    'On an active registration, backgroundFetch.fetch(id, url) resolves to a BackgroundFetchRegistration with that id, result "" (still running); the download goes on in the background. Judged from the page alone, so it runs on every engine.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    // A body that never ends: the fetch is still active when the page reads it, then aborted.
    const r = await start(s, 'resolves', [ctx.res('resolves.bin', { size: '16k', stall: 1 })]);
    if (r.ok) await s.call('abort', 'resolves');
    return { resolved: r.ok, id: r.ok ? text(r['id']) : null, result: r.ok ? text(r['result']) : null, rejected: rejection(r) };
  },
  judge(o) {
    if (!o.resolved)
      return { verdict: 'deviates', summary: `fetch() rejected a valid request: ${o.rejected?.name}: ${o.rejected?.message}` };
    if (o.id !== 'resolves')
      return { verdict: 'deviates', summary: `fetch() resolved to a registration with id "${o.id}", not "resolves".` };
    return { verdict: 'conforms', summary: `fetch() resolved to registration "resolves" (result "${o.result}").` };
  },
});

const one = defineScenario({
  id: 'fetch.success.one',
  title: 'One request downloads and succeeds',
  expectation:
    'fetch(id, url) downloads the resource in the background; the registration ends with result "success", downloaded equal to the body size, and the service worker receives backgroundfetchsuccess.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(ctx, s, 'one', [ctx.res('episode.mp3', { size: '8k' })], { title: 'One episode' });
    return { ...f, served: ctx.server.requests().filter((r) => r.path.startsWith('/res/')).length };
  },
  judge(o) {
    const j = expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (j.verdict !== 'conforms') return j;
    if (!o.page) return NO_PAGE_VIEW;
    if (o.page.downloaded !== 8192)
      return { verdict: 'deviates', summary: `Succeeded, but the page saw downloaded=${o.page.downloaded}, not 8192.` };
    return j;
  },
});

const multi = defineScenario({
  id: 'fetch.success.multi-request',
  title: 'Several requests (an episode and its artwork) download and succeed',
  expectation:
    "As in MDN's example, fetch(id, [audio, artwork]) downloads every request; the fetch succeeds once all have responses, and downloaded is the sum of the bodies.",
  link: `${MDN}#examples`,
  async run(ctx) {
    const s = await ctx.open();
    const { facts: f } = await runFetch(
      ctx,
      s,
      'episode',
      [ctx.res('episode-5.mp3', { size: '24k' }), ctx.res('episode-5.png', { size: '4k' })],
      {
        title: 'Episode 5',
        icons: [{ src: '/podcast/artwork/episode-5.svg', sizes: '300x300', type: 'image/svg+xml' }],
        downloadTotal: 28 * 1024,
      },
    );
    return f;
  },
  judge(o) {
    const j = expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (j.verdict !== 'conforms') return j;
    if (o.requests.length !== 2) return { verdict: 'deviates', summary: `${o.requests.length} request(s) logged, expected 2.` };
    if (!o.page) return NO_PAGE_VIEW;
    if (o.page.downloaded !== 28 * 1024) return { verdict: 'deviates', summary: `downloaded=${o.page.downloaded}, expected ${28 * 1024}.` };
    return { verdict: 'conforms', summary: 'Both requests downloaded (28 KiB); success and backgroundfetchsuccess.' };
  },
});

const duplicateUrls = defineScenario({
  id: 'fetch.success.duplicate-urls',
  title: 'The same URL twice in one fetch',
  expectation: 'The spec does not forbid repeating a request: each entry becomes its own record and is fetched; the fetch succeeds.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    const url = ctx.res('same.bin', { size: '2k' });
    const { facts: f } = await runFetch(ctx, s, 'dup', [url, url]);
    return { ...f, served: ctx.server.requests().filter((r) => r.path === '/res/same.bin').length };
  },
  judge(o) {
    if (!o.started) return { verdict: 'deviates', summary: `fetch() rejected duplicate URLs: ${o.rejected?.name}: ${o.rejected?.message}` };
    const j = expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (j.verdict !== 'conforms') return j;
    return { verdict: 'conforms', summary: `Accepted; ${o.requests.length} requests logged, ${o.served} served; success.` };
  },
});

const emptyList = defineScenario({
  id: 'fetch.reject.empty-requests',
  title: 'An empty request list is refused',
  expectation: 'fetch(id, []) rejects with a TypeError: at least one request is required.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const r = await start(s, 'empty', []);
    return { rejected: rejection(r) };
  },
  judge: (o) => expectRejection(o.rejected, 'TypeError', 'an empty list'),
});

const noCors = defineScenario({
  id: 'fetch.reject.no-cors',
  title: 'A no-cors request is refused',
  expectation: "A request whose mode is 'no-cors' makes fetch() reject with a TypeError.",
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const r = await start(s, 'nocors', [{ url: ctx.res('a.bin', { size: 16 }), mode: 'no-cors' }]);
    return { rejected: rejection(r) };
  },
  judge: (o) => expectRejection(o.rejected, 'TypeError', "a 'no-cors' request"),
});

const duplicateId = defineScenario({
  id: 'fetch.reject.duplicate-id',
  title: 'A second fetch with an active id is refused',
  expectation: 'While a fetch with id X is active, fetch(X, ...) rejects with a TypeError; the first fetch is unaffected.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const first = await start(s, 'same-id', [ctx.res('slow.bin', { size: '16k', stall: 1 })]);
    if (!first.ok) return { firstStarted: false, firstRejected: rejection(first), rejected: null };
    const second = await start(s, 'same-id', [ctx.res('other.bin', { size: 16 })]);
    await s.call('abort', 'same-id');
    return { firstStarted: true, firstRejected: null, rejected: rejection(second) };
  },
  judge(o) {
    // A browser that refuses every fetch (WebKit asks its embedder for a permission WebDriver
    // cannot grant) leaves no active fetch to collide with: tried, and not provokable.
    if (!o.firstStarted) {
      return o.firstRejected
        ? {
            verdict: 'not-automatable',
            summary: `The first fetch() was rejected (${o.firstRejected.name}: ${o.firstRejected.message}), so there was no active id to duplicate.`,
          }
        : { verdict: 'error', summary: 'The first fetch did not start, so the duplicate could not be tried.' };
    }
    return expectRejection(o.rejected, 'TypeError', 'a duplicate active id');
  },
});

const quota = defineScenario({
  id: 'fetch.reject.quota',
  title: 'A downloadTotal beyond the quota is refused',
  expectation:
    'fetch() with a downloadTotal larger than the origin can store rejects with a QuotaExceededError before anything is downloaded.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const r = await start(s, 'huge', [ctx.res('a.bin', { size: 16 })], { downloadTotal: 2 ** 52 });
    if (r.ok) await s.call('abort', 'huge');
    return { rejected: rejection(r), served: ctx.server.requests().filter((q) => q.path.startsWith('/res/')).length };
  },
  judge: (o) => expectRejection(o.rejected, 'QuotaExceededError', 'a 4 PiB downloadTotal'),
});

const credentials = defineScenario({
  id: 'fetch.reject.credentials-in-url',
  title: 'A URL with credentials is refused',
  expectation:
    'A request URL that includes a username or password (http://user:pass@host/) makes fetch() reject with a TypeError, as for fetch().',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const url = ctx.res('a.bin', { size: 16 }).replace('http://', 'http://user:secret@');
    const r = await start(s, 'creds', [url]);
    if (r.ok) await s.call('abort', 'creds');
    return { rejected: rejection(r) };
  },
  judge: (o) => expectRejection(o.rejected, 'TypeError', 'a URL with credentials'),
});

const blockedPort = defineScenario({
  id: 'fetch.reject.blocked-port',
  title: 'A request to a blocked port is refused',
  expectation:
    'A request to a port the Fetch standard blocks (here 25, SMTP) makes fetch() reject with a TypeError (web-platform-tests background-fetch/port-blocking).',
  link: 'https://fetch.spec.whatwg.org/#port-blocking',
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const r = await start(s, 'port', ['http://127.0.0.1:25/blocked.bin']);
    if (r.ok) await s.call('abort', 'port');
    return { rejected: rejection(r) };
  },
  judge: (o) => expectRejection(o.rejected, 'TypeError', 'a request to port 25'),
});

const noActiveWorker = defineScenario({
  id: 'fetch.reject.no-active-worker',
  title: 'fetch() on a registration without an active worker is refused',
  expectation:
    'On a ServiceWorkerRegistration whose worker never activated (still installing), backgroundFetch.fetch() rejects with a TypeError and nothing is registered.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    // Only this page: the fixture's worker stays `installing` forever (fixtures/never-active).
    // Whether the API is there at all was measured before (the runner's exposure probe).
    const page = await ctx.openPage('/never-active/');
    const url = ctx.res('a.bin', { size: 16 });
    const r = (await page.evaluate(
      (id: string, u: string) =>
        (
          window as unknown as { neverActive: { tryFetch(i: string, x: string[]): Promise<Record<string, string | boolean>> } }
        ).neverActive.tryFetch(id, [u]),
      'inactive',
      url,
    )) as { ok: boolean; state: string; name?: string; message?: string };
    ctx.step('page: neverActive.tryFetch("inactive")', r);
    return { state: r.state, rejected: r.ok ? null : { name: r.name ?? '', message: r.message ?? '' } };
  },
  judge(o) {
    if (o.state === 'active') return { verdict: 'error', summary: 'The fixture worker activated, so the case could not be made.' };
    return expectRejection(o.rejected, 'TypeError', `a registration whose worker is ${o.state}`);
  },
});

const disallowedScheme = defineScenario({
  id: 'fetch.reject.disallowed-scheme',
  title: 'Requests with a scheme other than http(s) are refused',
  expectation:
    'Background Fetch downloads over HTTP(S) only: a data: or file: request URL makes fetch() reject with a TypeError, and nothing is registered.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  needs: ['page', 'server'],
  async run(ctx) {
    const s = await ctx.openHarness();
    const data = await start(s, 'scheme-data', ['data:text/plain,hello']);
    if (data.ok) await s.call('abort', 'scheme-data');
    const file = await start(s, 'scheme-file', ['file:///etc/hostname']);
    if (file.ok) await s.call('abort', 'scheme-file');
    return { data: rejection(data), file: rejection(file) };
  },
  judge(o) {
    const d = expectRejection(o.data, 'TypeError', 'a data: URL');
    if (d.verdict !== 'conforms') return d;
    const f = expectRejection(o.file, 'TypeError', 'a file: URL');
    if (f.verdict !== 'conforms') return f;
    return { verdict: 'conforms', summary: `data: refused (${o.data?.message}); file: refused (${o.file?.message}).` };
  },
});

export const FETCH_SCENARIOS: Scenario[] = [
  exposureWindow,
  exposureWorker,
  resolves,
  one,
  multi,
  duplicateUrls,
  emptyList,
  noCors,
  credentials,
  blockedPort,
  duplicateId,
  quota,
  noActiveWorker,
  disallowedScheme,
];
