import { describe, expect, it } from 'vitest';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { TimeoutError, UsageError } from '../../src/errors.js';
import { parseServices } from '../../src/recorder/services.js';
import { FakeCdpSession, FakeCriClient, fetchEvent, successSequence } from '../helpers/fake-cdp.js';

async function recorderWith(session = new FakeCdpSession(), services: string[] = ['backgroundFetch']) {
  const recorder = await BackgroundServiceRecorder.attachToSession(session, { services, timeout: 200 });
  return { session, recorder };
}

describe('BackgroundServiceRecorder over a fake transport', () => {
  it('starts observing, switches recording on and waits for recordingStateChanged', async () => {
    const { session, recorder } = await recorderWith();
    expect(session.sent.map((s) => s.method)).toEqual(['BackgroundService.startObserving', 'BackgroundService.setRecording']);
    expect(recorder.isRecording('backgroundFetch')).toBe(true);
    await recorder.dispose();
    expect(session.sent.slice(2).map((s) => s.method)).toEqual(['BackgroundService.setRecording', 'BackgroundService.stopObserving']);
    expect(session.sent[2].params).toEqual({ shouldRecord: false, service: 'backgroundFetch' });
  });

  it('de-duplicates the replay of stored events on a second attach and after a "restart"', async () => {
    const session = new FakeCdpSession();
    session.stored.push(...successSequence('ep-1'));
    const { recorder } = await recorderWith(session);
    await new Promise((r) => setTimeout(r, 0));
    expect(recorder.events()).toHaveLength(7);
    // A second startObserving on the same recorder's data (e.g. re-attach after restart) replays all again.
    session.emit('BackgroundService.recordingStateChanged', { isRecording: true, service: 'backgroundFetch' });
    for (const e of session.stored)
      session.emit('BackgroundService.backgroundServiceEventReceived', { backgroundServiceEvent: structuredClone(e) });
    expect(recorder.events()).toHaveLength(7);
    expect(recorder.duplicatesDropped).toBe(7);
    expect(recorder.fetches()).toHaveLength(1);
    await recorder.dispose();
  });

  it('treats metadata in any order as the same event', async () => {
    const { session, recorder } = await recorderWith();
    const e = fetchEvent('Request processing completed', 'x', [
      ['URL', 'u'],
      ['Request Index', '0'],
      ['Response Status', '200'],
      ['Response Size (bytes)', '5'],
    ]);
    session.log(e);
    session.emit('BackgroundService.backgroundServiceEventReceived', {
      backgroundServiceEvent: { ...e, eventMetadata: [...e.eventMetadata].reverse() },
    });
    expect(recorder.events()).toHaveLength(1);
    expect(recorder.events()[0].metadata).toEqual({
      URL: 'u',
      'Request Index': '0',
      'Response Status': '200',
      'Response Size (bytes)': '5',
    });
    await recorder.dispose();
  });

  it('folds a two-request success into one timeline', async () => {
    const { session, recorder } = await recorderWith();
    for (const e of successSequence('ep-5')) session.log(e);
    const t = await recorder.waitForFetch('ep-5');
    expect(t.outcome).toBe('success');
    expect(t.failureReason).toBeNull();
    expect(t.paused).toBe(false);
    expect(t.totalRequests).toBe(2);
    expect(t.requests.map((r) => [r.index, r.status, r.bytes])).toEqual([
      [0, 200, 1000],
      [1, 200, 20],
    ]);
    expect(t.events[0].at).toBeGreaterThan(1e12); // ms, not seconds
    await recorder.dispose();
  });

  it.each([
    ['BAD_STATUS', 'BackgroundFetchFailEvent', 'failure', 'bad-status'],
    ['BackgroundFetchFailureReason::BAD_STATUS', 'FailEvent', 'failure', 'bad-status'],
    ['FETCH_ERROR', 'BackgroundFetchFailEvent', 'failure', 'fetch-error'],
    ['CANCELLED_BY_DEVELOPER', 'BackgroundFetchAbortEvent', 'aborted', 'aborted'],
    ['BackgroundFetchFailureReason::CANCELLED_FROM_UI', 'AbortEvent', 'aborted', 'aborted'],
    ['QUOTA_EXCEEDED', 'BackgroundFetchFailEvent', 'failure', 'quota-exceeded'],
    ['DOWNLOAD_TOTAL_EXCEEDED', 'BackgroundFetchFailEvent', 'failure', 'download-total-exceeded'],
    ['SERVICE_WORKER_UNAVAILABLE', 'BackgroundFetchFailEvent', 'failure', 'service-worker-unavailable'],
  ])('understands %s / %s', async (raw, eventType, outcome, reason) => {
    const { session, recorder } = await recorderWith();
    session.log(
      fetchEvent('Background Fetch registered', 'f', [
        ['Total Requests', '1'],
        ['Start Paused', 'No'],
      ]),
    );
    session.log(
      fetchEvent('Background Fetch completed', 'f', [
        ['Failure Reason', raw],
        ['Event Type', eventType],
      ]),
    );
    const t = await recorder.waitForFetch('f');
    expect(t.outcome).toBe(outcome);
    expect(t.failureReason).toBe(reason);
    expect(t.failureReasonRaw).toBe(raw);
    await recorder.dispose();
  });

  it('understands the older SuccessEvent name', async () => {
    const { session, recorder } = await recorderWith();
    for (const e of successSequence('old', { eventType: 'SuccessEvent' })) session.log(e);
    expect((await recorder.waitForFetch('old')).outcome).toBe('success');
    await recorder.dispose();
  });

  it('splits a reused developer id into two timelines by time', async () => {
    const { session, recorder } = await recorderWith();
    session.log(
      fetchEvent('Background Fetch registered', 'reused', [
        ['Total Requests', '1'],
        ['Start Paused', 'No'],
      ]),
    );
    session.log(
      fetchEvent('Background Fetch completed', 'reused', [
        ['Event Type', 'BackgroundFetchFailEvent'],
        ['Failure Reason', 'BAD_STATUS'],
      ]),
    );
    const since = Date.now();
    session.log(
      fetchEvent('Background Fetch registered', 'reused', [
        ['Total Requests', '1'],
        ['Start Paused', 'Yes'],
      ]),
    );
    session.log(fetchEvent('Background Fetch completed', 'reused', [['Event Type', 'BackgroundFetchSuccessEvent']]));
    const all = recorder.fetches().filter((t) => t.id === 'reused');
    expect(all.map((t) => t.outcome)).toEqual(['failure', 'success']);
    expect(all[1].paused).toBe(true);
    expect(new Set(all.map((t) => t.key)).size).toBe(2);
    expect(recorder.fetch('reused')!.outcome).toBe('success');
    expect(since).toBeGreaterThan(0);
    await recorder.dispose();
  });

  it('marks a fetch resumed after a browser restart and counts request attempts', async () => {
    const { session, recorder } = await recorderWith();
    const [reg, started, r0] = successSequence('long');
    session.log(reg);
    session.log(started);
    session.log(r0);
    session.log(
      fetchEvent('Background Fetch resuming after browser restart', 'long', [
        ['Completed Requests', '0'],
        ['Active Requests', '2'],
      ]),
    );
    session.log(
      fetchEvent('Request processing started', 'long', [
        ['URL', 'http://127.0.0.1:8080/a'],
        ['Request Index', '0'],
      ]),
    );
    const t = await recorder.waitForFetch('long', { until: 'started' });
    expect(t.resumedAfterRestart).toBe(true);
    expect(t.requests[0].attempts).toBe(2);
    expect(t.outcome).toBe('pending');
    await recorder.dispose();
  });

  it('times out with the timeline gathered so far in the message', async () => {
    const { session, recorder } = await recorderWith();
    const [reg, started, r0] = successSequence('slow');
    session.log(reg);
    session.log(started);
    session.log(r0);
    const error = await recorder.waitForFetch('slow', { timeout: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    const message = (error as Error).message;
    expect(message).toContain(`waitForFetch("slow", { until: 'completed' }) timed out after 50 ms`);
    expect(message).toContain('Background fetch "slow"');
    expect(message).toContain('pending');
    expect(message).toContain('Request processing started {Request Index: 0, URL: http://127.0.0.1:8080/a}');
    // The stack names the caller, not a timer callback.
    expect((error as Error).stack).toContain('recorder.test.ts');
    await recorder.dispose();
  });

  it('says when nothing at all was recorded for an id', async () => {
    const { recorder } = await recorderWith();
    const error = (await recorder.waitForFetch('nothing', { timeout: 20 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('Nothing was recorded for "nothing": no "Background Fetch registered" event');
    await recorder.dispose();
  });

  it('rejects waiters when the session closes', async () => {
    const { session, recorder } = await recorderWith();
    const p = recorder.waitForFetch('x', { timeout: 5_000 });
    session.close('the observer page closed');
    await expect(p).rejects.toThrow(/connection closed \(the observer page closed\)/);
    await recorder.dispose();
  });

  it('streams new events through the async iterator until disposed', async () => {
    const { session, recorder } = await recorderWith();
    const seen: string[] = [];
    const done = (async () => {
      for await (const e of recorder) seen.push(e.name);
    })();
    for (const e of successSequence('s').slice(0, 3)) session.log(e);
    await new Promise((r) => setTimeout(r, 10));
    await recorder.dispose();
    await done;
    expect(seen).toEqual(['Background Fetch registered', 'Background Fetch started', 'Request processing started']);
  });

  it('records every service with "all" and filters events', async () => {
    const { session, recorder } = await recorderWith(new FakeCdpSession(), ['all']);
    expect(session.sent.filter((s) => s.method === 'BackgroundService.startObserving')).toHaveLength(6);
    session.log(fetchEvent('Registered sync', 'tag-1', [], { service: 'backgroundSync' }));
    session.log(successSequence('f')[0]);
    expect(recorder.events({ service: 'backgroundSync' }).map((e) => e.name)).toEqual(['Registered sync']);
    expect(recorder.events({ name: /Background Fetch/ })).toHaveLength(1);
    await recorder.clear('backgroundSync');
    expect(session.sent.at(-1)).toEqual({ method: 'BackgroundService.clearEvents', params: { service: 'backgroundSync' } });
    await recorder.dispose();
  });

  it('refuses unknown service names with a did-you-mean', () => {
    expect(() => parseServices(['backgroundfetch'])).toThrow(UsageError);
    expect(() => parseServices(['backgroundfetch'])).toThrow(/Did you mean `backgroundFetch`\?/);
    expect(() => parseServices(['pushMessage'])).toThrow(/Did you mean `pushMessaging`\?/);
    expect(parseServices('all')).toHaveLength(6);
  });
});

describe('BackgroundServiceRecorder: waits end with the recorder', () => {
  it('dispose() drops every listener: on the session, on the recorder, of pending waits', async () => {
    const { session, recorder } = await recorderWith();
    recorder.on('fetch', () => undefined);
    const wait = recorder.waitForEvent(() => false, { timeout: 10_000 }).catch((e: unknown) => e);
    expect(session.listenerCount()).toBeGreaterThan(0);
    await recorder.dispose();
    expect(session.listenerCount()).toBe(0);
    expect(recorder.listenerCount('fetch') + recorder.listenerCount('event')).toBe(0);
    expect(String(await wait)).toMatch(/waitForEvent: the recorder's connection closed \(the recorder was disposed\)/);
  });

  it('dispose() ends pending waits at once, with the reason', async () => {
    const { recorder } = await recorderWith();
    const t0 = Date.now();
    const p = recorder.waitForFetch('never', { timeout: 10_000 });
    await recorder.dispose();
    await expect(p).rejects.toThrow(/connection closed \(the recorder was disposed\)/);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('a wait started after the connection closed fails at once', async () => {
    const { session, recorder } = await recorderWith();
    session.close('the observer page closed');
    const t0 = Date.now();
    await expect(recorder.waitForFetch('late', { timeout: 10_000 })).rejects.toThrow(/connection closed \(the observer page closed\)/);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await recorder.dispose();
  });
});

describe('BackgroundServiceRecorder.attach over a connect()ed browser (chrome-remote-interface)', () => {
  /** A browser behind a CRI client: an observer target to create and attach to, and the domain on its session. */
  function connectedBrowser() {
    const client = new FakeCriClient();
    const send = client.send.bind(client);
    client.send = (method: string, params?: object, sessionId?: string) => {
      const answer = send(method, params, sessionId);
      const call = client.calls.at(-1)!;
      const p = (params ?? {}) as Record<string, unknown>;
      const results: Record<string, unknown> = { 'Target.createTarget': { targetId: 'T1' }, 'Target.attachToTarget': { sessionId: 'OBS' } };
      call.resolve(results[method] ?? {});
      if (method === 'BackgroundService.setRecording') {
        queueMicrotask(() =>
          client.event('BackgroundService.recordingStateChanged', { isRecording: p['shouldRecord'], service: p['service'] }, sessionId),
        );
      }
      return answer;
    };
    return { client, connected: { wsEndpoint: 'ws://127.0.0.1:1/devtools/browser/x', client, cri: client } as never };
  }

  it("records on its own target's session, only that session's events, and closes the target on dispose", async () => {
    const { client, connected } = connectedBrowser();
    const recorder = await BackgroundServiceRecorder.attach(connected, { probes: false });
    expect(client.calls.map((c) => [c.method, c.sessionId])).toEqual([
      ['Target.createTarget', undefined],
      ['Target.attachToTarget', undefined],
      ['BackgroundService.startObserving', 'OBS'],
      ['BackgroundService.setRecording', 'OBS'],
    ]);
    const [registered] = successSequence('remote');
    client.event('BackgroundService.backgroundServiceEventReceived', { backgroundServiceEvent: registered }, 'OTHER');
    client.event('BackgroundService.backgroundServiceEventReceived', { backgroundServiceEvent: registered }, 'OBS');
    expect(recorder.events().map((e) => e.instanceId)).toEqual(['remote']);
    expect(recorder.duplicatesDropped).toBe(0);
    await recorder.dispose();
    expect(client.calls.slice(4).map((c) => [c.method, c.sessionId])).toEqual([
      ['BackgroundService.setRecording', 'OBS'],
      ['BackgroundService.stopObserving', 'OBS'],
      ['Target.detachFromTarget', undefined],
      ['Target.closeTarget', undefined],
    ]);
    expect(client.eventNames()).toEqual([]);
  });

  it('refuses what is neither a Playwright BrowserContext nor a connect()ed browser', async () => {
    await expect(BackgroundServiceRecorder.attach({} as never)).rejects.toThrow(UsageError);
    await expect(BackgroundServiceRecorder.attach(null as never)).rejects.toThrow(
      /must be a Playwright BrowserContext or the result of connect\(\)/,
    );
  });
});
