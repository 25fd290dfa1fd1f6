/**
 * Who may start a fetch (a page, a second time from the same tab, a service worker with and
 * without the background-fetch permission), and the click event, which needs the browser's
 * own download UI.
 *
 * CDP traps: a worker-started fetch goes through the permission controller, not the download
 * request limiter, so `Browser.setPermission` applies, but only with the context's
 * `browserContextId` (without it the default context gets the grant, not Playwright's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launch, launchedProcess } from '../../browsers/launch.js';
import { bestEffort, debug } from '../../util/debug.js';
import type { HarnessSession, ScenarioContext } from '../context.js';
import { defineScenario, SPEC, type Scenario } from '../types.js';
import { expectEnd, facts, rejection, runFetch, settle } from './common.js';

const log = debug('bgprobe:scenarios');

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
  expectation:
    'registration.backgroundFetch.fetch() is exposed to service workers; with the background-fetch permission granted, a worker-started fetch runs and succeeds like a page-started one.',
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    if (s.ready['worker'] && (s.ready['worker'] as { fetch?: boolean }).fetch === false)
      ctx.note('The worker has no backgroundFetch.fetch.');
    await setPermission(ctx, s, 'granted');
    const r = await s.call('startFromWorker', 'from-sw', [ctx.res('w.bin', { size: '2k' })]);
    if (!r.ok) return facts(null, null, r);
    const settled = await settle(ctx, s, 'from-sw');
    return { ...facts(settled, null, r, 'from-sw', s), paused: settled?.timeline.paused ?? s.recorder.fetch('from-sw')?.paused ?? null };
  },
  judge(o) {
    if (o.rejected && /service worker/i.test(o.rejected.message)) {
      return {
        verdict: 'deviates',
        summary: `fetch() from the worker is refused outright, permission or not: ${o.rejected.name}: ${o.rejected.message}`,
      };
    }
    return expectEnd(o, { outcome: 'success', swEvent: 'backgroundfetchsuccess' });
  },
});

/**
 * How long a worker-started fetch with no permission decision is watched for a download, from
 * its "registered" event on. A window is unavoidable (the expectation is that nothing happens);
 * it counts from the browser's own registration, not from fetch(), and is more than twice the
 * ~2 s a granted fetch's first request takes to reach the server on a loaded 2-core machine.
 */
const NO_GRANT_WINDOW_MS = 5_000;

const fromWorkerAsk = defineScenario({
  id: 'fetch.from-worker.no-grant',
  title: 'A fetch started by the service worker, no permission decision',
  expectation: `The background-fetch permission gates fetches a page is not in front of: with no decision ("ask"), the fetch must not download without the user (Chromium starts it paused) or is refused. Watched for ${NO_GRANT_WINDOW_MS / 1000} s after the browser registered it.`,
  link: `${SPEC}#background-fetch-manager-fetch`,
  async run(ctx) {
    const s = await ctx.open();
    const r = await s.call('startFromWorker', 'ask', [ctx.res('w.bin', { size: '2k' })]);
    const registered = r.ok
      ? (await ctx.poll(() => (s.recorder.fetch('ask') ? true : undefined), ctx.untilDeadline(NO_GRANT_WINDOW_MS + 3_000), 50)) === true
      : false;
    if (registered) await ctx.sleep(NO_GRANT_WINDOW_MS);
    const t = s.recorder.fetch('ask');
    const served = ctx.server.requests().filter((q) => q.path === '/res/w.bin').length;
    if (r.ok) await s.call('abortFromWorker', 'ask');
    return { rejected: rejection(r), registered, paused: t?.paused ?? null, outcomeAfterWindow: t?.outcome ?? 'none', served };
  },
  judge(o) {
    if (o.rejected && /service worker/i.test(o.rejected.message)) {
      return {
        verdict: 'unsupported',
        summary: `Worker-started fetches are refused outright, so the permission path cannot be seen: ${o.rejected.name}: ${o.rejected.message}`,
      };
    }
    if (o.rejected) return { verdict: 'conforms', summary: `Refused without a permission: ${o.rejected.name}: ${o.rejected.message}` };
    if (o.served > 0) return { verdict: 'deviates', summary: `Downloaded (${o.served} request(s) served) with no permission decision.` };
    if (!o.registered)
      return {
        verdict: 'error',
        summary: 'fetch() resolved but the browser logged no registration: what it did with the fetch was not observed.',
      };
    return {
      verdict: 'conforms',
      summary: `Started ${o.paused ? 'paused ("Start Paused: Yes")' : 'but sent no request'} and waited for a user; nothing downloaded in ${NO_GRANT_WINDOW_MS / 1000} s.`,
    };
  },
});

const secondFromTab = defineScenario({
  id: 'fetch.second-from-tab',
  title: 'A second fetch from the same tab',
  expectation:
    'The spec sets no per-tab limit: after a first fetch, a second fetch() from the same page starts and succeeds (a browser may ask the user for more downloads).',
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
    return b.verdict === 'conforms'
      ? { verdict: 'conforms', summary: 'Both fetches from the same tab succeeded.' }
      : { verdict: 'deviates', summary: `Second fetch: ${b.summary}` };
  },
});

/** The DevTools HTTP endpoint (`http://host:port`) of a running browser given as http://, ws:// or host:port. */
function httpEndpoint(target: string): string {
  const url = new URL(/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`);
  return `${url.protocol === 'wss:' || url.protocol === 'https:' ? 'https' : 'http'}://${url.host}`;
}

/**
 * The ServiceWorker and BackgroundService commands of the browser under test, read from its
 * own `/json/protocol` (not from the devtools-protocol package bgprobe was built with: the
 * browser may be newer or older). A launched lane's binary is started once more on a profile of
 * its own with an HTTP debugging port (the lane itself talks over a pipe, which serves no
 * /json); an endpoint lane is asked directly. Null, with why, when there is no way to ask.
 */
async function protocolCommands(ctx: ScenarioContext): Promise<{ commands: string[] | null; why: string | null }> {
  const { browser } = ctx;
  if (browser.kind !== 'endpoint' && !browser.executablePath)
    return { commands: null, why: `${browser.label} is a Playwright channel: no binary to start with a DevTools HTTP endpoint` };
  const profile = mkdtempSync(join(tmpdir(), 'bgprobe-protocol-'));
  let launched: Browser | null = null;
  try {
    let endpoint: string;
    if (browser.kind === 'endpoint') endpoint = httpEndpoint(browser.target!);
    else {
      launched = await launch({
        executablePath: browser.executablePath!,
        userDataDir: profile,
        args: browser.args,
        timeout: ctx.within(15_000),
      });
      endpoint = httpEndpoint(launchedProcess(launched)?.wsEndpoint ?? '');
    }
    const res = await fetch(`${endpoint}/json/protocol`, { signal: AbortSignal.timeout(ctx.within(5_000)) });
    if (!res.ok) return { commands: null, why: `/json/protocol answered HTTP ${res.status}` };
    const schema = (await res.json()) as { domains?: Array<{ domain: string; commands?: Array<{ name: string }> }> };
    const commands = (schema.domains ?? [])
      .filter((d) => d.domain === 'ServiceWorker' || d.domain === 'BackgroundService')
      .flatMap((d) => (d.commands ?? []).map((c) => `${d.domain}.${c.name}`));
    return commands.length
      ? { commands, why: null }
      : { commands: null, why: '/json/protocol lists no ServiceWorker or BackgroundService command' };
  } finally {
    const b = launched;
    if (b) await bestEffort(log, 'closing the browser asked for its protocol', () => b.close());
    // Chromium's helper processes may still write into the profile for a moment after it exits.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

/**
 * The attempt at a click, as an observation the judge reads: the commands of the browser's own
 * protocol that could dispatch one, what chrome://downloads lists, what the worker got. Today every path ends in
 * `not-automatable`; the day a browser offers a way to click, the judge says so (an `error`:
 * this scenario must learn to use it) instead of the run going on reporting "cannot".
 */
const click = defineScenario({
  id: 'ui.click',
  title: 'The backgroundfetchclick event',
  expectation:
    "When the user clicks the browser's download UI for a fetch, the worker receives backgroundfetchclick and may clients.openWindow().",
  link: `${SPEC}#background-fetch-click-event`,
  async run(ctx) {
    const s = await ctx.open();
    await runFetch(ctx, s, 'clickable', [ctx.res('ep.mp3', { size: '1k' })], { title: 'Click me' });
    const protocol = await protocolCommands(ctx);
    const clickCommands = protocol.commands?.filter((c) => /click/i.test(c)) ?? null;
    // Desktop Chromium shows background fetches in no UI: not even chrome://downloads lists them.
    let downloadsItems: number | null = null;
    let downloadsError: string | null = null;
    const page = await s.context.newPage();
    try {
      await page.goto('chrome://downloads/', { timeout: ctx.within(5_000) });
      downloadsItems = await page.evaluate(() => {
        const manager = document.querySelector('downloads-manager');
        return manager?.shadowRoot?.querySelectorAll('downloads-item').length ?? 0;
      });
    } catch (e) {
      downloadsError = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    } finally {
      await page.close();
    }
    const swEvents = (s.recorder.fetch('clickable')?.swEvents ?? []).map((e) => e.type as string);
    return { clickCommands, protocolUnknown: protocol.why, downloadsItems, downloadsError, swEvents };
  },
  judge(o) {
    if (o.clickCommands?.length)
      return {
        verdict: 'error',
        summary: `The protocol has a command that may click (${o.clickCommands.join(', ')}): this scenario does not drive it yet.`,
      };
    if (o.downloadsItems)
      return {
        verdict: 'error',
        summary: `chrome://downloads lists ${o.downloadsItems} item(s) after the fetch: a UI to click may exist, and this scenario does not click it yet.`,
      };
    const downloads =
      o.downloadsError === null
        ? `${o.downloadsItems ?? 0} chrome://downloads items after the fetch`
        : `chrome://downloads could not be read (${o.downloadsError})`;
    return {
      verdict: 'not-automatable',
      summary: `No way to click: ${o.clickCommands ? 'the browser\'s protocol (its /json/protocol) has no command to dispatch backgroundfetchclick (none of its ServiceWorker/BackgroundService commands matches "click")' : `the browser's protocol could not be read (${o.protocolUnknown}), so no command to dispatch backgroundfetchclick is known`}, and desktop Chromium shows no background-fetch UI (${downloads}). The worker got: ${o.swEvents.join(', ') || 'no event'}.`,
    };
  },
});

export const WORKER_SCENARIOS: Scenario[] = [fromWorkerGranted, fromWorkerAsk, secondFromTab, click];
