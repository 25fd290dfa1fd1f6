/**
 * The DevTools recording itself: what the BackgroundService domain logs and replays.
 *
 * CDP ordering traps checked here:
 * - Nothing is logged unless `setRecording(true)` was called for the service, even while a
 *   session observes.
 * - `startObserving` replays the stored events of the whole storage partition; a second
 *   `startObserving` on the same session replays nothing.
 * - `clearEvents` removes the stored events: a new observer gets no replay.
 * Each check uses a fresh CDP session on the harness page, never the recorder's own.
 */
import type { Protocol } from 'devtools-protocol';
import { PlaywrightCdpSession } from '../../cdp/session.js';
import type { HarnessSession } from '../context.js';
import { CDP_BGS, defineScenario, type Scenario } from '../types.js';
import { runFetch, start } from './common.js';

type RawEvent = Protocol.BackgroundService.BackgroundServiceEvent;

/** A new CDP session on the page that collects backgroundFetch events. */
async function observer(s: HarnessSession) {
  const session = new PlaywrightCdpSession(await s.context.newCDPSession(s.page));
  const events: RawEvent[] = [];
  session.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent }) => events.push(backgroundServiceEvent));
  return { session, events };
}

const recordingOff = defineScenario({
  id: 'devtools.recording-off',
  title: 'Nothing is logged while recording is off',
  expectation: 'BackgroundService logs events only after setRecording(true): a fetch run while a session merely observes leaves no event, one run after setRecording(true) leaves its events.',
  link: `${CDP_BGS}#method-setRecording`,
  async run(ctx) {
    // The context's recorder must not switch backgroundFetch recording on: give it another service.
    const s = await ctx.open({ services: ['paymentHandler'] });
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await start(s, 'unrecorded', [ctx.res('a.bin', { size: 256 })]);
    await s.call('waitForResult', 'unrecorded', ctx.within(10_000));
    await ctx.sleep(300);
    const whileOff = events.length;
    await session.send('BackgroundService.setRecording', { shouldRecord: true, service: 'backgroundFetch' });
    await start(s, 'recorded', [ctx.res('b.bin', { size: 256 })]);
    await s.call('waitForResult', 'recorded', ctx.within(10_000));
    await ctx.poll(() => events.some((e) => e.eventName === 'Background Fetch completed') || undefined, 3_000, 50);
    await session.send('BackgroundService.setRecording', { shouldRecord: false, service: 'backgroundFetch' });
    await session.detach();
    return { whileOff, whileOn: events.length, idsWhileOn: [...new Set(events.map((e) => e.instanceId))] };
  },
  judge(o) {
    if (o.whileOff > 0) return { verdict: 'deviates', summary: `${o.whileOff} event(s) were logged with recording off.` };
    if (o.whileOn === 0) return { verdict: 'deviates', summary: 'No event was logged even after setRecording(true).' };
    return { verdict: 'conforms', summary: `0 events while off; ${o.whileOn} for the fetch run after setRecording(true).` };
  },
});

const replay = defineScenario({
  id: 'devtools.replay-on-observe',
  title: 'startObserving replays stored events, once per session',
  expectation: 'A new session\'s startObserving replays every stored event of the service (after recordingStateChanged); a second startObserving on the same session replays nothing.',
  link: `${CDP_BGS}#method-startObserving`,
  async run(ctx) {
    const s = await ctx.open();
    await runFetch(ctx, s, 'stored', [ctx.res('a.bin', { size: 256 })]);
    const live = s.recorder.events({ instanceId: 'stored' }).length;
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await ctx.poll(() => (events.length >= live ? true : undefined), 3_000, 50);
    const first = events.length;
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await ctx.sleep(500);
    const second = events.length - first;
    await session.detach();
    return { live, replayed: first, replayedAgain: second };
  },
  judge(o) {
    if (o.replayed !== o.live) return { verdict: 'deviates', summary: `${o.live} events were recorded live, ${o.replayed} replayed on startObserving.` };
    if (o.replayedAgain !== 0) return { verdict: 'deviates', summary: `A second startObserving on the same session replayed ${o.replayedAgain} event(s) again.` };
    return { verdict: 'conforms', summary: `All ${o.replayed} stored events replayed on a new session; nothing on a second startObserving.` };
  },
});

const clear = defineScenario({
  id: 'devtools.clear-events',
  title: 'clearEvents removes the stored events',
  expectation: 'After BackgroundService.clearEvents, a new observer gets no replay of the cleared service.',
  link: `${CDP_BGS}#method-clearEvents`,
  async run(ctx) {
    const s = await ctx.open();
    await runFetch(ctx, s, 'to-clear', [ctx.res('a.bin', { size: 256 })]);
    const before = s.recorder.events().length;
    await s.recorder.clear('backgroundFetch');
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await ctx.sleep(700);
    await session.detach();
    return { before, replayedAfterClear: events.length };
  },
  judge(o) {
    if (o.before === 0) return { verdict: 'error', summary: 'Nothing was recorded before clearEvents.' };
    if (o.replayedAfterClear > 0) return { verdict: 'deviates', summary: `${o.replayedAfterClear} event(s) replayed after clearEvents.` };
    return { verdict: 'conforms', summary: `${o.before} events recorded, none replayed after clearEvents.` };
  },
});

const EXPECTED: Record<string, string[]> = {
  'Background Fetch registered': ['Start Paused', 'Total Requests'],
  'Background Fetch started': [],
  'Request processing started': ['Request Index', 'URL'],
  'Request processing completed': ['Request Index', 'Response Size (bytes)', 'Response Status', 'URL'],
};

const names = defineScenario({
  id: 'devtools.event-names',
  title: 'Event names and metadata keys of a success and a failure',
  expectation:
    'The events Chromium\'s sources define: registered {Total Requests, Start Paused}, started, request started {URL, Request Index}, request completed {+ Response Status, Response Size (bytes)}, completed {Event Type} (+ Failure Reason on failure).',
  link: CDP_BGS,
  async run(ctx) {
    const s = await ctx.open();
    await runFetch(ctx, s, 'good', [ctx.res('a.bin', { size: 256 })]);
    await runFetch(ctx, s, 'bad', [ctx.res('b.bin', { size: 256, status: 404 })]);
    const shape = (id: string) => {
      const out: Record<string, string[]> = {};
      for (const e of s.recorder.events({ instanceId: id })) out[e.name] = Object.keys(e.metadata).sort();
      return out;
    };
    return { success: shape('good'), failure: shape('bad') };
  },
  judge(o) {
    const problems: string[] = [];
    const check = (label: string, got: Record<string, string[]>, completed: string[]) => {
      const want: Record<string, string[]> = { ...EXPECTED, 'Background Fetch completed': completed };
      for (const [name, keys] of Object.entries(want)) {
        if (!got[name]) problems.push(`${label}: no "${name}"`);
        else if (got[name].join('|') !== keys.join('|')) problems.push(`${label}: "${name}" has keys ${got[name].join(', ') || '(none)'}`);
      }
      for (const name of Object.keys(got)) if (!want[name]) problems.push(`${label}: unexpected "${name}"`);
    };
    check('success', o.success, ['Event Type']);
    check('failure', o.failure, ['Event Type', 'Failure Reason']);
    if (problems.length) return { verdict: 'deviates', summary: problems.join('; ') };
    return { verdict: 'conforms', summary: 'Five event names and their metadata keys as documented, for a success and a failure.' };
  },
});

export const DEVTOOLS_SCENARIOS: Scenario[] = [recordingOff, replay, clear, names];
