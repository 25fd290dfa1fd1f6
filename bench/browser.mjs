// The figures that need real Chromium, all in ONE browser launch (the machine is shared: one
// short Chromium run at a time):
//   floor     the browser's own time from fetch() to the result, 1-byte fetch, no bgprobe:
//             the first after launch, then steady state
//   delay     event delay: CDP timestamp -> the recorder's 'event' subscribers, beside a raw
//             CDP session observing the same events (what any CDP client gets at best)
//   overhead  a 64 MiB two-request fetch with recorder + probes vs with neither, alternated
//   attach    bgprobe's fixed cost per scenario: context + harness with vs without a recorder,
//             the recorder attached as `bgprobe compat` does it and attached before the page
// Times in the page are taken in the page (performance.now), so Playwright's round trips are
// not counted; completion is the registration's `result` becoming non-empty.
import { median, p99, sleep } from './stats.mjs';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;

/** Wall clock with sub-millisecond resolution (the CDP timestamp is seconds since the epoch). */
const now = () => performance.timeOrigin + performance.now();

async function openHarness(context, server) {
  const page = await context.newPage();
  await page.goto(`${server.url}/harness/`);
  const ready = await page.evaluate(() => window.harness.ready());
  if (!ready.ok) throw new Error(`harness not ready: ${JSON.stringify(ready)}`);
  return page;
}

/**
 * In the page: backgroundFetch.fetch() through the harness page's registration, then wait for
 * `result` (progress events, plus a 5 ms poll in case the last change fires none). Resolves
 * { ok, ms, result }. The harness' own waitForResult polls every 50 ms: too coarse here.
 */
function timedFetch(page, id, urls, timeoutMs = 120_000) {
  return page.evaluate(
    async ({ id, urls, timeoutMs }) => {
      const reg = await navigator.serviceWorker.ready;
      const t0 = performance.now();
      let bg;
      try {
        bg = await reg.backgroundFetch.fetch(id, urls);
      } catch (e) {
        return { ok: false, error: `${e.name}: ${e.message}` };
      }
      const result = await new Promise((resolve) => {
        const done = () => {
          if (bg.result !== '') {
            clearInterval(poll);
            clearTimeout(timer);
            resolve(bg.result);
          }
        };
        const poll = setInterval(done, 5);
        const timer = setTimeout(() => {
          clearInterval(poll);
          resolve('timeout');
        }, timeoutMs);
        bg.addEventListener('progress', done);
        done();
      });
      return { ok: result === 'success', ms: performance.now() - t0, result, failureReason: bg.failureReason, downloaded: bg.downloaded };
    },
    { id, urls, timeoutMs },
  );
}

let seq = 0;
const uid = (p) => `${p}-${process.pid}-${++seq}-${Date.now().toString(36)}`;

export async function benchBrowser({ quick, log, sections = ['floor', 'delay', 'overhead', 'attach'] }) {
  const { launch, FixtureServer, BackgroundServiceRecorder } = await import(dist('index.js'));
  const out = { version: null };
  const server = await FixtureServer.start();
  const tLaunch = performance.now();
  const browser = await launch();
  out.version = browser.version();
  out.launchMs = performance.now() - tLaunch;
  try {
    // ---- floor: no bgprobe in this context at all -------------------------------------
    if (sections.includes('floor')) {
      const context = await browser.newContext();
      const page = await openHarness(context, server);
      const first = await timedFetch(page, uid('floor-first'), ['/res/one.bin?size=1']);
      if (!first.ok) throw new Error(`floor: first fetch failed: ${JSON.stringify(first)}`);
      const steady = [];
      for (let i = 0; i < 10; i++) {
        const r = await timedFetch(page, uid('floor'), [`/res/one-${i}.bin?size=1`]);
        if (!r.ok) throw new Error(`floor: fetch failed: ${JSON.stringify(r)}`);
        steady.push(r.ms);
      }
      out.floor = { firstMs: first.ms, steadyMs: steady, steadyMedianMs: median(steady) };
      log(`  floor: first ${first.ms.toFixed(0)} ms, steady median ${median(steady).toFixed(1)} ms`);
      await context.close();
    }

    // ---- event delay ------------------------------------------------------------------
    if (sections.includes('delay')) {
      const context = await browser.newContext();
      const recorder = await BackgroundServiceRecorder.attach(context, { server });
      const recorderDelays = [];
      const ownMs = [];
      // Arrival of each raw event at the recorder's Playwright CDP session, taken BEFORE the
      // recorder's own handler runs (a prepended listener; internals on purpose), so the
      // recorder's share of the delay (normalise, de-duplicate, emit) is measured on its own.
      const arrived = new WeakMap();
      const pwSession = recorder.session?.session;
      if (typeof pwSession?.prependListener === 'function') {
        pwSession.prependListener('BackgroundService.backgroundServiceEventReceived', (p) => arrived.set(p.backgroundServiceEvent, now()));
      }
      recorder.on('event', (e) => {
        const t = now();
        recorderDelays.push(t - e.at);
        const a = arrived.get(e.raw);
        if (a !== undefined) ownMs.push(t - a);
      });
      // A bare CDP session on a page of its own, observing the same service: the protocol's
      // own delivery time, which the recorder cannot beat.
      const rawPage = await context.newPage();
      const raw = await context.newCDPSession(rawPage);
      const rawDelays = [];
      raw.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent: e }) =>
        rawDelays.push(now() - e.timestamp * 1000),
      );
      await raw.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
      const page = await openHarness(context, server);
      const fetches = quick ? 10 : 30;
      // Two at a time, so events of different fetches interleave as they do in a real app.
      for (let i = 0; i < fetches; i += 2) {
        const rs = await Promise.all(
          [i, i + 1].map((k) => timedFetch(page, uid('delay'), [`/res/a-${k}.mp3?size=64k`, `/res/b-${k}.svg?size=1k`])),
        );
        for (const r of rs) if (!r.ok) throw new Error(`delay: fetch failed: ${JSON.stringify(r)}`);
      }
      await sleep(300);
      out.delay = {
        fetches,
        events: recorderDelays.length,
        recorder: {
          medianMs: median(recorderDelays),
          p99Ms: p99(recorderDelays),
          minMs: Math.min(...recorderDelays),
          maxMs: Math.max(...recorderDelays),
        },
        recorderOwn: { events: ownMs.length, medianMs: median(ownMs), p99Ms: p99(ownMs) },
        rawCdp: { events: rawDelays.length, medianMs: median(rawDelays), p99Ms: p99(rawDelays), minMs: Math.min(...rawDelays) },
      };
      log(
        `  delay: recorder median ${out.delay.recorder.medianMs.toFixed(2)} ms p99 ${out.delay.recorder.p99Ms.toFixed(2)} ms; raw CDP median ${out.delay.rawCdp.medianMs.toFixed(2)} ms (${recorderDelays.length} events)`,
      );
      await recorder.dispose();
      await raw.detach().catch(() => undefined);
      await context.close();
    }

    // ---- recording overhead: 64 MiB, two requests ---------------------------------------
    // Three contexts side by side: nothing, recorder + probes (what the target is about), and
    // the recorder without probes (to tell which part costs). Runs rotate through them.
    if (sections.includes('overhead')) {
      const arms = {};
      for (const [name, opts] of [
        ['plain', null],
        ['recorded', {}],
        ['recorderOnly', { probes: false }],
      ]) {
        const context = await browser.newContext();
        const recorder = opts ? await BackgroundServiceRecorder.attach(context, { server, ...opts }) : null;
        arms[name] = { context, recorder, page: await openHarness(context, server), times: [] };
      }
      const names = Object.keys(arms);
      // The first fetch after launch (per context) carries a start-up cost: keep it out.
      for (const a of Object.values(arms)) await timedFetch(a.page, uid('warm'), ['/res/warm.bin?size=1']);
      const runs = quick ? 3 : 15;
      for (let i = 0; i < runs; i++) {
        // Rotate the order, so no arm always gets the same slot of the machine's mood.
        const order = names.map((_, k) => names[(k + i) % names.length]);
        for (const who of order) {
          const id = uid(`big-${who}`);
          const r = await timedFetch(arms[who].page, id, ['/res/a.bin?size=32m', '/res/b.bin?size=32m']);
          if (!r.ok) throw new Error(`overhead: ${who} fetch failed: ${JSON.stringify(r)}`);
          arms[who].times.push(r.ms);
          log(`  overhead run ${i + 1}/${runs} ${who}: ${r.ms.toFixed(0)} ms`);
          // Let the worker's completion event finish before the next fetch starts.
          if (who === 'recorded') await arms[who].recorder.waitForFetch(id, { until: 'settled', timeout: 30_000 }).catch(() => undefined);
          await sleep(300);
        }
      }
      const t = Object.fromEntries(names.map((n) => [n, arms[n].times]));
      const ratios = t.recorded.map((x, i) => x / t.plain[i]);
      const onlyRatios = t.recorderOnly.map((x, i) => x / t.plain[i]);
      out.overhead = {
        runs,
        plainMs: t.plain,
        recordedMs: t.recorded,
        recorderOnlyMs: t.recorderOnly,
        plainMedianMs: median(t.plain),
        recordedMedianMs: median(t.recorded),
        recorderOnlyMedianMs: median(t.recorderOnly),
        pairRatios: ratios,
        ratio: median(ratios),
        recorderOnlyRatio: median(onlyRatios),
      };
      for (const a of Object.values(arms)) {
        await a.recorder?.dispose();
        await a.context.close();
      }
    }

    // ---- bgprobe's fixed cost per scenario ----------------------------------------------
    // Three arms, rotated: no recorder; a recorder attached the way `bgprobe compat` opens a
    // scenario (observer page and app page created side by side, then goto); and a recorder
    // attached first, then the page (what a test that awaits attach() before newPage() does).
    // Each arm's time is the whole life of a scenario's context: new context, harness page
    // ready (worker registered and controlling), dispose, close.
    if (sections.includes('attach')) {
      const runs = quick ? 4 : 8;
      const arms = ['plain', 'compat', 'sequential'];
      const times = { plain: [], compat: [], sequential: [], attach: [], dispose: [] };
      const harness = async (page) => {
        await page.goto(`${server.url}/harness/`);
        const ready = await page.evaluate(() => window.harness.ready());
        if (!ready.ok) throw new Error(`harness not ready: ${JSON.stringify(ready)}`);
      };
      for (let i = 0; i < runs + 1; i++) {
        for (const who of arms.map((_, k) => arms[(k + i) % arms.length])) {
          const t0 = performance.now();
          const context = await browser.newContext();
          let recorder = null;
          let page;
          const a = performance.now();
          let attachMs = 0;
          const attach = () => BackgroundServiceRecorder.attach(context, { server }).then((r) => ((attachMs = performance.now() - a), r));
          if (who === 'plain') page = await context.newPage();
          else if (who === 'compat') [recorder, page] = await Promise.all([attach(), context.newPage()]);
          else {
            recorder = await attach();
            page = await context.newPage();
          }
          await harness(page);
          let disposeMs = 0;
          if (recorder) {
            const d = performance.now();
            await recorder.dispose();
            disposeMs = performance.now() - d;
          }
          await context.close();
          // The first round warms the browser (its first contexts are slower): not counted.
          if (i === 0) continue;
          times[who].push(performance.now() - t0);
          if (recorder) {
            times.attach.push(attachMs);
            times.dispose.push(disposeMs);
          }
        }
      }
      const diff = (arm) => times[arm].map((t, i) => t - times.plain[i]);
      const own = times.attach.map((t, i) => t + times.dispose[i]);
      out.attach = {
        runs,
        plainMedianMs: median(times.plain),
        compatMedianMs: median(times.compat),
        sequentialMedianMs: median(times.sequential),
        compatDiffsMs: diff('compat'),
        sequentialDiffsMs: diff('sequential'),
        overheadMedianMs: median(diff('compat')),
        sequentialOverheadMedianMs: median(diff('sequential')),
        ownMedianMs: median(own),
        attachMedianMs: median(times.attach),
        disposeMedianMs: median(times.dispose),
      };
      log(
        `  per-scenario recorder cost: compat-style ${out.attach.overheadMedianMs.toFixed(0)} ms, attach-then-page ${out.attach.sequentialOverheadMedianMs.toFixed(0)} ms; attach+dispose ${out.attach.ownMedianMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}
