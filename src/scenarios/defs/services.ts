/**
 * The other background services the BackgroundService domain records: background sync,
 * periodic sync, push and notifications. CDP can dispatch sync and push events itself
 * (ServiceWorker.dispatchSyncEvent, dispatchPeriodicSyncEvent, deliverPushMessage); a
 * notification is shown by the worker. Each scenario checks the domain logged it.
 *
 * CDP ordering trap: the ServiceWorker domain's registration id (needed by every dispatch
 * command) arrives in `workerRegistrationUpdated`, which fires right after `enable`: subscribe
 * BEFORE enabling or it is missed (whenServiceWorkers does).
 */
import type { ServiceName } from '../../recorder/services.js';
import type { HarnessSession, ScenarioContext } from '../context.js';
import { whenServiceWorkers } from '../service-worker.js';
import { CDP_BGS, defineScenario, type Judgement, type Scenario } from '../types.js';

const SW_CDP = 'https://chromedevtools.github.io/devtools-protocol/tot/ServiceWorker/';

async function registrationId(ctx: ScenarioContext, s: HarnessSession): Promise<{ id: string; origin: string }> {
  const id = await whenServiceWorkers(
    await s.cdp(),
    (registrations) => [...registrations.values()].find((r) => r.scopeURL.startsWith(ctx.server.url) && !r.isDeleted)?.registrationId,
    ctx.untilDeadline(),
    () => new Error('ServiceWorker.workerRegistrationUpdated named no registration for the fixture origin.'),
  );
  return { id, origin: ctx.server.url };
}

interface ServiceFacts {
  names: string[];
  error: string | null;
}

async function logged(ctx: ScenarioContext, s: HarnessSession, service: ServiceName, until: string): Promise<string[]> {
  await ctx.poll(() => (s.recorder.events({ service }).some((e) => e.name === until) ? true : undefined), ctx.untilDeadline(), 100);
  return s.recorder.events({ service }).map((e) => e.name);
}

function expectNames(o: ServiceFacts, want: string[], what: string): Judgement {
  if (o.error) return { verdict: 'deviates', summary: `${what} failed: ${o.error}` };
  const missing = want.filter((n) => !o.names.includes(n));
  if (missing.length)
    return {
      verdict: 'deviates',
      summary: `Not logged: ${missing.map((n) => `"${n}"`).join(', ')} (logged: ${o.names.join(', ') || 'nothing'}).`,
    };
  return { verdict: 'conforms', summary: `Logged ${[...new Set(o.names)].map((n) => `"${n}"`).join(', ')}.` };
}

const sync = defineScenario({
  id: 'services.sync.dispatch',
  // Another background service: Background Fetch being absent says nothing about it.
  needsBackgroundFetch: false,
  title: 'Background sync, registered by the page and dispatched through CDP, is recorded',
  expectation:
    'registration.sync.register(tag) logs "Registered sync", then (online) "Dispatched sync event" and "Sync completed"; ServiceWorker.dispatchSyncEvent logs "Dispatched sync event" for its tag.',
  link: `${SW_CDP}#method-dispatchSyncEvent`,
  async run(ctx) {
    const s = await ctx.open({ services: ['backgroundSync'], requireBackgroundFetch: false });
    const registered = await s.page.evaluate(async () => {
      try {
        const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & {
          sync?: { register(tag: string): Promise<void> };
        };
        if (!reg.sync) return 'registration.sync is missing';
        await reg.sync.register('bgprobe-sync');
        return null;
      } catch (e) {
        return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    });
    const byPage = await logged(ctx, s, 'backgroundSync', 'Sync completed');
    const reg = await registrationId(ctx, s);
    const cdp = await s.cdp();
    let error: string | null = registered;
    try {
      await cdp.send('ServiceWorker.dispatchSyncEvent', {
        origin: reg.origin,
        registrationId: reg.id,
        tag: 'bgprobe-cdp',
        lastChance: false,
      });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    await ctx.poll(
      () => (s.recorder.events({ service: 'backgroundSync', instanceId: 'bgprobe-cdp' }).length ? true : undefined),
      ctx.untilDeadline(),
      100,
    );
    const byCdp = s.recorder.events({ service: 'backgroundSync', instanceId: 'bgprobe-cdp' }).map((e) => e.name);
    return { names: byPage, byCdp, error };
  },
  judge(o) {
    const j = expectNames(o, ['Registered sync', 'Dispatched sync event', 'Sync completed'], 'sync.register()');
    if (j.verdict !== 'conforms') return j;
    if (!o.byCdp.includes('Dispatched sync event'))
      return { verdict: 'deviates', summary: `dispatchSyncEvent logged ${o.byCdp.join(', ') || 'nothing'} for its tag.` };
    return { verdict: 'conforms', summary: `${j.summary} dispatchSyncEvent logged "Dispatched sync event".` };
  },
});

const periodic = defineScenario({
  id: 'services.periodic-sync.dispatch',
  // Another background service: Background Fetch being absent says nothing about it.
  needsBackgroundFetch: false,
  title: 'A periodic sync dispatched through CDP is recorded',
  expectation:
    'ServiceWorker.dispatchPeriodicSyncEvent fires a periodicsync event; the periodicBackgroundSync service logs "Dispatched periodicsync event".',
  link: `${SW_CDP}#method-dispatchPeriodicSyncEvent`,
  async run(ctx) {
    const s = await ctx.open({ services: ['periodicBackgroundSync'], requireBackgroundFetch: false });
    const reg = await registrationId(ctx, s);
    const cdp = await s.cdp();
    let error: string | null = null;
    try {
      await cdp.send('ServiceWorker.dispatchPeriodicSyncEvent', { origin: reg.origin, registrationId: reg.id, tag: 'bgprobe-periodic' });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    return { names: await logged(ctx, s, 'periodicBackgroundSync', 'Dispatched periodicsync event'), error };
  },
  judge: (o) => expectNames(o, ['Dispatched periodicsync event'], 'dispatchPeriodicSyncEvent'),
});

const push = defineScenario({
  id: 'services.push.deliver',
  // Another background service: Background Fetch being absent says nothing about it.
  needsBackgroundFetch: false,
  title: 'A push message delivered through CDP is recorded',
  expectation:
    'ServiceWorker.deliverPushMessage fires a push event; the pushMessaging service logs "Push event dispatched" (with the payload) and "Push event completed".',
  link: `${SW_CDP}#method-deliverPushMessage`,
  async run(ctx) {
    const s = await ctx.open({ services: ['pushMessaging'], requireBackgroundFetch: false });
    const reg = await registrationId(ctx, s);
    const cdp = await s.cdp();
    let error: string | null = null;
    try {
      await cdp.send('ServiceWorker.deliverPushMessage', { origin: reg.origin, registrationId: reg.id, data: 'bgprobe push payload' });
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const names = await logged(ctx, s, 'pushMessaging', 'Push event completed');
    const payload = s.recorder.events({ service: 'pushMessaging', name: 'Push event dispatched' })[0]?.metadata['Payload'] ?? null;
    return { names, error, payload };
  },
  judge(o) {
    const j = expectNames(o, ['Push event dispatched', 'Push event completed'], 'deliverPushMessage');
    if (j.verdict === 'conforms' && o.payload !== 'bgprobe push payload')
      return { verdict: 'deviates', summary: `Dispatched, but the logged Payload was ${JSON.stringify(o.payload)}.` };
    return j;
  },
});

const notification = defineScenario({
  id: 'services.notification.show',
  // Another background service: Background Fetch being absent says nothing about it.
  needsBackgroundFetch: false,
  title: 'A notification shown by the worker is recorded',
  expectation:
    'With the notifications permission granted, registration.showNotification() in the worker resolves and the notifications service logs "Notification displayed" with its Title and Body.',
  link: CDP_BGS,
  async run(ctx) {
    const s = await ctx.open({ services: ['notifications'], requireBackgroundFetch: false });
    await s.context.grantPermissions(['notifications'], { origin: ctx.server.url });
    const worker = s.context.serviceWorkers()[0] ?? (await s.context.waitForEvent('serviceworker', { timeout: ctx.within(5_000) }));
    const error = await worker.evaluate(async () => {
      try {
        await (self as unknown as { registration: ServiceWorkerRegistration }).registration.showNotification('bgprobe title', {
          body: 'bgprobe body',
          tag: 'bgprobe-tag',
        });
        return null;
      } catch (e) {
        return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    });
    const names = await logged(ctx, s, 'notifications', 'Notification displayed');
    const shown = s.recorder.events({ service: 'notifications', name: 'Notification displayed' })[0];
    return { names, error, title: shown?.metadata['Title'] ?? null, body: shown?.metadata['Body'] ?? null };
  },
  judge(o) {
    const j = expectNames(o, ['Notification displayed'], 'showNotification()');
    if (j.verdict === 'conforms' && (o.title !== 'bgprobe title' || o.body !== 'bgprobe body')) {
      return { verdict: 'deviates', summary: `Displayed, but logged Title ${JSON.stringify(o.title)}, Body ${JSON.stringify(o.body)}.` };
    }
    return j;
  },
});

export const SERVICE_SCENARIOS: Scenario[] = [sync, periodic, push, notification];
