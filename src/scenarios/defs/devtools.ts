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
import type { HarnessSession, ScenarioContext } from '../context.js';
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

const COMPLETED = 'Background Fetch completed';

/**
 * Run a fetch and wait (up to the deadline) until `events` holds its "completed" event. The
 * witness the "nothing happened" checks below rest on, instead of a window of guessed length:
 * a session receives its events in order, so an event that was going to reach it before this
 * fetch's live events (a replay, an event logged while recording was off) has arrived by then.
 */
async function markerFetch(ctx: ScenarioContext, s: HarnessSession, events: RawEvent[], id: string): Promise<boolean> {
  await start(s, id, [ctx.res(`${id}.bin`, { size: 256 })]);
  const seen = await ctx.poll(
    () => events.some((e) => e.instanceId === id && e.eventName === COMPLETED) || undefined,
    ctx.untilDeadline(),
    50,
  );
  return seen === true;
}

const recordingOff = defineScenario({
  id: 'devtools.recording-off',
  title: 'Nothing is logged while recording is off',
  expectation:
    'BackgroundService logs events only after setRecording(true): a fetch run while a session merely observes leaves no event, one run after setRecording(true) leaves its events. "No event" is judged once the second fetch\'s events have reached the same session, which receives events in order.',
  link: `${CDP_BGS}#method-setRecording`,
  async run(ctx) {
    ctx.untimed();
    // The context's recorder must not switch backgroundFetch recording on: give it another service.
    const s = await ctx.open({ services: ['paymentHandler'] });
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await start(s, 'unrecorded', [ctx.res('a.bin', { size: 256 })]);
    await s.call('waitForResult', 'unrecorded', ctx.untilDeadline());
    await session.send('BackgroundService.setRecording', { shouldRecord: true, service: 'backgroundFetch' });
    const witnessed = await markerFetch(ctx, s, events, 'recorded');
    await session.send('BackgroundService.setRecording', { shouldRecord: false, service: 'backgroundFetch' });
    await session.detach();
    const whileOff = events.filter((e) => e.instanceId === 'unrecorded').length;
    return {
      whileOff,
      whileOn: events.filter((e) => e.instanceId === 'recorded').length,
      witnessed,
      idsWhileOn: [...new Set(events.map((e) => e.instanceId))],
    };
  },
  judge(o) {
    if (o.whileOff > 0) return { verdict: 'deviates', summary: `${o.whileOff} event(s) were logged with recording off.` };
    if (!o.witnessed)
      return {
        verdict: 'deviates',
        summary: `No "${COMPLETED}" was logged even after setRecording(true) (${o.whileOn} event(s) of that fetch).`,
      };
    return { verdict: 'conforms', summary: `0 events while off; ${o.whileOn} for the fetch run after setRecording(true).` };
  },
});

const replay = defineScenario({
  id: 'devtools.replay-on-observe',
  title: 'startObserving replays stored events, once per session',
  expectation:
    "A new session's startObserving replays every stored event of the service (after recordingStateChanged); a second startObserving on the same session replays nothing (judged once a fetch started after it has reached that session live).",
  link: `${CDP_BGS}#method-startObserving`,
  async run(ctx) {
    ctx.untimed();
    const s = await ctx.open();
    await runFetch(ctx, s, 'stored', [ctx.res('a.bin', { size: 256 })]);
    const live = s.recorder.events({ instanceId: 'stored' }).length;
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    await ctx.poll(() => (live > 0 && events.length >= live ? true : undefined), ctx.untilDeadline(), 50);
    const first = events.filter((e) => e.instanceId === 'stored').length;
    const before = events.length;
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    const witnessed = await markerFetch(ctx, s, events, 'after-second');
    const second = events.slice(before).filter((e) => e.instanceId === 'stored').length;
    await session.detach();
    return { live, replayed: first, replayedAgain: second, witnessed };
  },
  judge(o) {
    // 0 live = 0 replayed would "conform" while showing nothing: the replay needs events to replay.
    if (o.live === 0)
      return { verdict: 'error', summary: 'The fetch logged no event live: there was nothing a replay could be compared with.' };
    if (o.replayed !== o.live)
      return { verdict: 'deviates', summary: `${o.live} events were recorded live, ${o.replayed} replayed on startObserving.` };
    if (o.replayedAgain !== 0)
      return { verdict: 'deviates', summary: `A second startObserving on the same session replayed ${o.replayedAgain} event(s) again.` };
    if (!o.witnessed)
      return {
        verdict: 'error',
        summary: 'The fetch started after the second startObserving never reached the session: "no second replay" was not observed.',
      };
    return {
      verdict: 'conforms',
      summary: `All ${o.replayed} stored events replayed on a new session; nothing on a second startObserving.`,
    };
  },
});

const clear = defineScenario({
  id: 'devtools.clear-events',
  title: 'clearEvents removes the stored events',
  expectation:
    'After BackgroundService.clearEvents, a new observer gets no replay of the cleared service (judged once a fetch started after startObserving has reached that observer live).',
  link: `${CDP_BGS}#method-clearEvents`,
  async run(ctx) {
    ctx.untimed();
    const s = await ctx.open();
    await runFetch(ctx, s, 'to-clear', [ctx.res('a.bin', { size: 256 })]);
    const before = s.recorder.events({ instanceId: 'to-clear' }).length;
    await s.recorder.clear('backgroundFetch');
    const { session, events } = await observer(s);
    await session.send('BackgroundService.startObserving', { service: 'backgroundFetch' });
    const witnessed = await markerFetch(ctx, s, events, 'after-clear');
    await session.detach();
    return { before, replayedAfterClear: events.filter((e) => e.instanceId === 'to-clear').length, witnessed };
  },
  judge(o) {
    if (o.before === 0) return { verdict: 'error', summary: 'Nothing was recorded before clearEvents.' };
    if (o.replayedAfterClear > 0) return { verdict: 'deviates', summary: `${o.replayedAfterClear} event(s) replayed after clearEvents.` };
    if (!o.witnessed)
      return {
        verdict: 'error',
        summary: 'The fetch started after startObserving never reached the observer: "no replay" was not observed.',
      };
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
    "The events Chromium's sources define: registered {Total Requests, Start Paused}, started, request started {URL, Request Index}, request completed {+ Response Status, Response Size (bytes)}, completed {Event Type} (+ Failure Reason on failure).",
  link: CDP_BGS,
  async run(ctx) {
    ctx.untimed();
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
