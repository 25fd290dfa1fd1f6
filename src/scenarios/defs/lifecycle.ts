/**
 * Lifecycle: the reason Background Fetch exists. The fetch must outlive the page that started
 * it, a stopped service worker, and a browser restart on the same profile.
 *
 * CDP ordering traps here:
 * - After the page closes, only the recorder's own observer page still receives events, and the
 *   worker's log must be read from a NEW page of the origin (it lives in IndexedDB).
 * - After a restart, `startObserving` replays the stored events of the first session BEFORE
 *   "resuming after browser restart": the timeline is the same registration, continued.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch } from '../../browsers/launch.js';
import { defineScenario, MDN, SPEC, type Scenario } from '../types.js';
import { expectEnd, facts, settle, start } from './common.js';
import { stopServiceWorker } from '../service-worker.js';
import { debug, orNull } from '../../util/debug.js';

const log = debug('bgprobe:scenarios');

const pageClosed = defineScenario({
  id: 'lifecycle.page-closed',
  title: 'The fetch goes on after the page that started it is closed',
  expectation: 'Closing the tab does not stop a background fetch: it completes and the service worker receives backgroundfetchsuccess.',
  link: `${MDN}#concepts_and_usage`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await start(s, 'orphan', [ctx.res('ep.mp3', { size: '32k', rate: '32k' })]);
    await ctx.poll(() => ctx.server.requests().some((q) => q.path.startsWith('/res/')) || undefined, ctx.untilDeadline(), 50);
    await s.page.close();
    ctx.note('The harness page was closed after the first request reached the server.');
    const t = await orNull(log, 'waiting for the orphaned fetch', s.recorder.waitForFetch('orphan', { timeout: ctx.untilDeadline() }));
    // A fresh page of the origin, in the same context, reads the worker's log (IndexedDB).
    const again = await s.context.newPage();
    await again.goto(`${ctx.server.url}/harness/`);
    const events = await ctx.poll(
      async () => {
        const log =
          (await again.evaluate(() =>
            (
              window as unknown as { harness: { workerLog(): Promise<{ entries?: Array<{ kind?: string; id?: string; type?: string }> }> } }
            ).harness.workerLog(),
          )) ?? {};
        const e = (log.entries ?? []).filter((x) => x.kind === 'event' && x.id === 'orphan').map((x) => String(x.type));
        return e.length ? e : undefined;
      },
      ctx.untilDeadline(),
      150,
    );
    return facts(t ? { timeline: t, swEvents: events ?? [] } : null, null, r, 'orphan', s);
  },
  judge: (o) => expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' }),
});

const swStopped = defineScenario({
  id: 'lifecycle.sw-stopped',
  title: 'The fetch survives its service worker being stopped',
  expectation:
    'The browser, not the worker, runs the download: stopping the worker mid-fetch does not stop it, and the worker is started again to receive backgroundfetchsuccess.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  // It stops its own worker only (stopServiceWorker): it shares the lane's browser like the others.
  async run(ctx) {
    const s = await ctx.open();
    const worker = s.context.serviceWorkers()[0];
    let workerClosed = false;
    worker?.once('close', () => (workerClosed = true));
    const r = await start(s, 'sw-stop', [ctx.res('ep.mp3', { size: '48k', rate: '24k' })]);
    await ctx.poll(
      () => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined,
      ctx.untilDeadline(),
      50,
    );
    const stopped = await stopServiceWorker(await s.cdp(), `${ctx.server.url}/harness/`, ctx.within(10_000));
    // Only the note below reads this, never the verdict: a short wait, so that a worker whose
    // close Playwright does not report leaves the fetch the rest of the deadline.
    await ctx.poll(() => workerClosed || undefined, 2_000, 50);
    const sent = stopped.length
      ? `ServiceWorker.stopWorker sent mid-download to the harness worker's running version(s) ${stopped.map((v) => v.versionId).join(', ')}`
      : 'No ServiceWorker.stopWorker sent mid-download: the harness worker was not running';
    ctx.note(`${sent}; the worker target ${workerClosed ? 'closed' : 'did not report closing'}.`);
    const settled = await settle(ctx, s, 'sw-stop');
    return { ...facts(settled, null, r, 'sw-stop', s), workerClosed, workersAfter: s.context.serviceWorkers().length };
  },
  judge(o) {
    const j = expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (j.verdict !== 'conforms') return j;
    return {
      verdict: 'conforms',
      summary: `Completed after the worker was stopped${o.workerClosed ? '' : ' (its close was not observed)'}; the restarted worker got backgroundfetchsuccess.`,
    };
  },
});

const restart = defineScenario({
  id: 'lifecycle.browser-restart',
  title: 'The fetch resumes after the browser restarts on the same profile',
  expectation:
    'A background fetch is persisted: when the browser is closed mid-download and started again on the same profile, the fetch resumes ("resuming after browser restart") and completes.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  timeout: 75_000,
  // Two browsers of its own, one after the other, on a fresh profile.
  ownBrowser: true,
  async run(ctx) {
    const path = ctx.browser.executablePath ?? undefined;
    // A Grid lane starts its own browsers on a profile (and says when it cannot); a local lane launches its binary.
    const onProfile =
      ctx.browser.onProfile ??
      (path ? (userDataDir: string) => launch({ executablePath: path, userDataDir, args: ctx.browser.args }) : null);
    if (!onProfile)
      ctx.notAutomatable(
        `Needs a browser binary bgprobe can start twice on one profile; ${ctx.browser.label} is a ${ctx.browser.kind === 'endpoint' ? 'CDP endpoint someone else started' : 'Playwright channel'}.`,
      );
    const profile = mkdtempSync(join(tmpdir(), 'bgprobe-profile-'));
    // Chromium's helper processes may still write into the profile for a moment after it exits.
    ctx.defer(
      () => Promise.resolve(rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })),
      `removing the profile ${profile}`,
    );
    const first = await onProfile!(profile);
    let firstOpen = true;
    ctx.defer(async () => {
      if (firstOpen) await first.close();
    }, 'closing the first browser');
    const s1 = await ctx.open({ context: first.contexts()[0] });
    const r = await start(s1, 'persist', [ctx.res('a.mp3', { size: '48k', rate: '16k' }), ctx.res('b.mp3', { size: '48k', rate: '16k' })]);
    await ctx.poll(
      () => ctx.server.requests().some((q) => q.path.startsWith('/res/') && q.bytesSent > 0) || undefined,
      ctx.untilDeadline(),
      50,
    );
    await first.close();
    firstOpen = false;
    const cutAt = ctx.server
      .requests()
      .filter((q) => q.path.startsWith('/res/'))
      .map((q) => q.bytesSent);
    ctx.note(`Browser closed mid-download (server had sent ${cutAt.join(', ')} bytes); relaunched on the same profile.`);
    const second = await onProfile!(profile);
    ctx.defer(() => second.close(), 'closing the relaunched browser');
    const s2 = await ctx.open({ context: second.contexts()[0] });
    const settled = await settle(ctx, s2, 'persist');
    const t = settled?.timeline ?? s2.recorder.fetch('persist') ?? null;
    return {
      ...facts(settled, null, r, 'persist', s2),
      resumedAfterRestart: t?.resumedAfterRestart ?? false,
      attempts: (t?.requests ?? []).map((q) => q.attempts),
      rangeRequests: ctx.server.requests().filter((q) => q.rangeRequested).length,
    };
  },
  judge(o) {
    if (!o.resumedAfterRestart && o.outcome === 'pending')
      return { verdict: 'deviates', summary: 'After the restart the fetch neither resumed nor completed.' };
    const j = expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (j.verdict !== 'conforms') return j;
    if (!o.resumedAfterRestart) return { verdict: 'deviates', summary: 'Completed, but no "resuming after browser restart" was logged.' };
    return {
      verdict: 'conforms',
      summary: `Resumed after the restart and succeeded (request attempts ${o.attempts.join('/')}, ${o.rangeRequests} Range request(s)).`,
    };
  },
});

export const LIFECYCLE_SCENARIOS: Scenario[] = [pageClosed, swStopped, restart];
