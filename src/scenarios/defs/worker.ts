/**
 * Who may start a fetch (a page, a second time from the same tab, a service worker with and
 * without the background-fetch permission), and the click event, which needs the browser's
 * own download UI.
 *
 * CDP traps: a worker-started fetch goes through the permission controller, not the download
 * request limiter, so `Browser.setPermission` applies, but only with the context's
 * `browserContextId` (without it the default context gets the grant, not Playwright's).
 */
import { createRequire } from 'node:module';
import type { HarnessSession, ScenarioContext } from '../context.js';
import { defineScenario, SPEC, type Scenario } from '../types.js';
import { expectEnd, facts, rejection, runFetch, settle } from './common.js';

async function setPermission(ctx: ScenarioContext, s: HarnessSession, setting: 'granted' | 'denied' | 'prompt'): Promise<void> {
  const { targetInfo } = await (await s.cdp()).send('Target.getTargetInfo');
  const browserSession = await ctx.playwright().newBrowserCDPSession();
  await browserSession.send('Browser.setPermission', {
    permission: { name: 'background-fetch' },
    setting,
    origin: ctx.server.url,
    ...(targetInfo.browserContextId ? { browserContextId: targetInfo.browserContextId } : {}),
  });
  await browserSession.detach();
}

const fromWorkerGranted = defineScenario({
  id: 'fetch.from-worker.granted',
  title: 'A fetch started by the service worker, permission granted',
  expectation: 'registration.backgroundFetch.fetch() is exposed to service workers; with the background-fetch permission granted, a worker-started fetch runs and succeeds like a page-started one.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    if (s.ready['worker'] && (s.ready['worker'] as { fetch?: boolean }).fetch === false) ctx.note('The worker has no backgroundFetch.fetch.');
    await setPermission(ctx, s, 'granted');
    const r = await s.call('startFromWorker', 'from-sw', [ctx.res('w.bin', { size: '2k' })]);
    if (!r.ok) return facts(null, null, r);
    const settled = await settle(ctx, s, 'from-sw');
    return { ...facts(settled, null, r, 'from-sw', s), paused: settled?.timeline.paused ?? s.recorder.fetch('from-sw')?.paused ?? null };
  },
  judge(o) {
    if (o.rejected && /service worker/i.test(o.rejected.message)) {
      return { verdict: 'deviates', summary: `fetch() from the worker is refused outright, permission or not: ${o.rejected.name}: ${o.rejected.message}` };
    }
    return expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
  },
});

const fromWorkerAsk = defineScenario({
  id: 'fetch.from-worker.no-grant',
  title: 'A fetch started by the service worker, no permission decision',
  expectation:
    'The background-fetch permission gates fetches a page is not in front of: with no decision ("ask"), the fetch must not download without the user (Chromium starts it paused) or is refused.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await s.call('startFromWorker', 'ask', [ctx.res('w.bin', { size: '2k' })]);
    if (r.ok) await ctx.sleep(3_000);
    const t = s.recorder.fetch('ask');
    const served = ctx.server.requests().filter((q) => q.path === '/res/w.bin').length;
    if (r.ok) await s.call('abortFromWorker', 'ask');
    return { rejected: rejection(r), paused: t?.paused ?? null, outcomeAfter3s: t?.outcome ?? 'none', served };
  },
  judge(o) {
    if (o.rejected && /service worker/i.test(o.rejected.message)) {
      return { verdict: 'unsupported', summary: `Worker-started fetches are refused outright, so the permission path cannot be seen: ${o.rejected.name}: ${o.rejected.message}` };
    }
    if (o.rejected) return { verdict: 'conforms', summary: `Refused without a permission: ${o.rejected.name}: ${o.rejected.message}` };
    if (o.served > 0) return { verdict: 'deviates', summary: `Downloaded (${o.served} request(s) served) with no permission decision.` };
    return { verdict: 'conforms', summary: `Started ${o.paused ? 'paused ("Start Paused: Yes")' : 'but sent no request'} and waited for a user; nothing downloaded in 3 s.` };
  },
});

const secondFromTab = defineScenario({
  id: 'fetch.second-from-tab',
  title: 'A second fetch from the same tab',
  expectation: 'The spec sets no per-tab limit: after a first fetch, a second fetch() from the same page starts and succeeds (a browser may ask the user for more downloads).',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    const first = await runFetch(ctx, s, 'first', [ctx.res('1.bin', { size: '1k' })]);
    const second = await runFetch(ctx, s, 'second', [ctx.res('2.bin', { size: '1k' })]);
    return { first: first.facts, second: second.facts, pausedSecond: second.timeline?.paused ?? null };
  },
  judge(o) {
    const a = expectEnd(o.first, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    if (a.verdict !== 'conforms') return { verdict: 'error', summary: `The first fetch did not succeed: ${a.summary}` };
    const b = expectEnd(o.second, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
    return b.verdict === 'conforms' ? { verdict: 'conforms', summary: 'Both fetches from the same tab succeeded.' } : { verdict: 'deviates', summary: `Second fetch: ${b.summary}` };
  },
});

/** Commands of the ServiceWorker and BackgroundService domains in the protocol bgprobe was built with. */
function protocolCommands(): string[] {
  const require = createRequire(import.meta.url);
  const schema = require('devtools-protocol/json/browser_protocol.json') as { domains: Array<{ domain: string; commands?: Array<{ name: string }> }> };
  return schema.domains
    .filter((d) => d.domain === 'ServiceWorker' || d.domain === 'BackgroundService')
    .flatMap((d) => (d.commands ?? []).map((c) => `${d.domain}.${c.name}`));
}

const click = defineScenario({
  id: 'ui.click',
  title: 'The backgroundfetchclick event',
  expectation: 'When the user clicks the browser\'s download UI for a fetch, the worker receives backgroundfetchclick and may clients.openWindow().',
  link: `${SPEC}#background-fetch-click-event`,
  async run(ctx): Promise<{ [key: string]: never }> {
    const s = await ctx.open();
    await runFetch(ctx, s, 'clickable', [ctx.res('ep.mp3', { size: '1k' })], { title: 'Click me' });
    const commands = protocolCommands();
    const candidates = commands.filter((c) => /click|fetch/i.test(c));
    // Desktop Chromium shows background fetches in no UI: not even chrome://downloads lists them.
    let downloadsItems: number | string;
    const page = await s.context.newPage();
    try {
      await page.goto('chrome://downloads/', { timeout: ctx.within(5_000) });
      downloadsItems = await page.evaluate(() => {
        const manager = document.querySelector('downloads-manager');
        return manager?.shadowRoot?.querySelectorAll('downloads-item').length ?? 0;
      });
    } catch (e) {
      downloadsItems = `chrome://downloads could not be read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
    } finally {
      await page.close();
    }
    const events = (s.recorder.fetch('clickable')?.swEvents ?? []).map((e) => e.type);
    return ctx.notAutomatable(
      `No way to click: CDP has no command to dispatch backgroundfetchclick (ServiceWorker/BackgroundService commands matching click|fetch: ${candidates.join(', ') || 'none'}), ` +
        `and desktop Chromium shows no background-fetch UI (chrome://downloads items after the fetch: ${downloadsItems}). The worker got: ${events.join(', ') || 'no event'}.`,
    );
  },
  judge: () => ({ verdict: 'not-automatable', summary: 'See the notes.' }),
});

export const WORKER_SCENARIOS: Scenario[] = [fromWorkerGranted, fromWorkerAsk, secondFromTab, click];
