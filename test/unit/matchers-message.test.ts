/**
 * The one matcher-message formatter, and the polling loop every matcher waits in (with a fake
 * clock: the intervals and the final evaluation at the deadline are the contract).
 */
import { describe, expect, it } from 'vitest';
import { timelinesText } from '../../src/playwright/attach.js';
import { formatMatcherMessage, matcherHint } from '../../src/playwright/message.js';
import { poll, POLL_INTERVALS } from '../../src/playwright/poll.js';
import { Recording } from '../../src/recorder/recording.js';
import { successSequence } from '../helpers/fake-cdp.js';

function timelineOf(id: string, eventType?: string) {
  const r = new Recording();
  for (const e of successSequence(id, eventType ? { eventType } : {})) r.ingest(e);
  return r.fetch(id)!;
}

describe('matcherHint', () => {
  it('names the matcher, .not and an `expected` placeholder for matchers with arguments', () => {
    expect(matcherHint('toSucceed', false)).toBe('expect(received).toSucceed() failed');
    expect(matcherHint('toSucceed', true)).toBe('expect(received).not.toSucceed() failed');
    expect(matcherHint('toFail', false, true)).toBe('expect(received).toFail(expected) failed');
  });
});

describe('formatMatcherMessage', () => {
  it('is hint, blank, Expected, Received, blank, then the timeline indented', () => {
    const t = timelineOf('ep-fail', 'BackgroundFetchFailEvent');
    const text = formatMatcherMessage({ matcher: 'toSucceed', isNot: false, expected: 'success', received: 'failure', timeline: t });
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'expect(received).toSucceed() failed',
      '',
      'Expected: success',
      'Received: failure',
      '',
      'Timeline so far:',
    ]);
    expect(lines[6]).toBe('  Background fetch "ep-fail" (http://127.0.0.1:8080/, registration 7): failure');
    expect(text).toContain('cdp     Background Fetch completed {Event Type: BackgroundFetchFailEvent}');
    expect(text).toContain('    requests:');
    expect(text).not.toContain('Timeout:');
    expect(text).not.toContain('Note:');
  });

  it('says "not" in Expected for a negated matcher, and shows the timeout and a note when it waited', () => {
    const t = timelineOf('ep-ok');
    const text = formatMatcherMessage({
      matcher: 'toReportProgressUpTo',
      hasArgs: true,
      isNot: true,
      expected: 'progress up to 10 bytes',
      received: 'progress up to 20 bytes',
      timeout: 5000,
      note: 'the fetch was still pending after 5000 ms',
      timeline: t,
    });
    expect(text.split('\n').slice(0, 6)).toEqual([
      'expect(received).not.toReportProgressUpTo(expected) failed',
      '',
      'Expected: not progress up to 10 bytes',
      'Received: progress up to 20 bytes',
      'Timeout:  5000 ms',
      'Note:     the fetch was still pending after 5000 ms',
    ]);
  });

  it('explains why there is no timeline when nothing was recorded', () => {
    const text = formatMatcherMessage({
      matcher: 'toSucceed',
      isNot: false,
      expected: 'success',
      received: 'nothing recorded for "x"',
      timeout: 100,
      nothingRecorded: 'Nothing was recorded for "x".\nRecorded ids: "y"',
    });
    expect(text.endsWith('Timeline so far:\n  Nothing was recorded for "x".\n  Recorded ids: "y"')).toBe(true);
    const bare = formatMatcherMessage({ matcher: 'toSucceed', isNot: false, expected: 'success', received: 'nothing' });
    expect(bare).toContain('  Nothing was recorded for this fetch.');
  });
});

describe('the failure attachment text', () => {
  it('is every timeline, then the events of other services', () => {
    const r = new Recording();
    for (const e of successSequence('one')) r.ingest(e);
    for (const e of successSequence('two', { eventType: 'BackgroundFetchAbortEvent' })) r.ingest(e);
    r.ingest({
      ...successSequence('sync')[0],
      service: 'backgroundSync',
      eventName: 'Registered sync',
      instanceId: 'tag-1',
      eventMetadata: [],
    });
    const other = r.events().filter((e) => e.service !== 'backgroundFetch');
    const text = timelinesText(r.fetches(), other);
    expect(text).toMatch(/^Background fetch "one" .*: success\n/);
    expect(text).toContain('\n\nBackground fetch "two" (http://127.0.0.1:8080/, registration 7): aborted');
    expect(text).toMatch(/\n\nOther background service events:\n {2}\+0\.000s {2}backgroundSync Registered sync \[tag-1\]\n$/);
  });

  it('says so when nothing was recorded', () => {
    expect(timelinesText([], [])).toBe('No background fetch was recorded in this test (no "Background Fetch registered" event).\n');
  });
});

describe('poll', () => {
  function fakeClock() {
    let now = 0;
    const sleeps: number[] = [];
    return {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
      sleeps,
    };
  }

  it('waits 100, 250, 500, then 1000 ms between evaluations, clipping the last sleep to the deadline', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await poll(
      () => ++calls,
      () => false,
      { timeout: 3000, now: clock.now, sleep: clock.sleep },
    );
    expect(POLL_INTERVALS).toEqual([100, 250, 500, 1000]);
    expect(clock.sleeps).toEqual([100, 250, 500, 1000, 1000, 150]);
    expect(result).toEqual({ value: 7, timedOut: true, elapsed: 3000 });
  });

  it('stops at the first value `done` accepts', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await poll(
      () => ++calls,
      (v) => v === 3,
      { timeout: 10_000, now: clock.now, sleep: clock.sleep },
    );
    expect(result).toEqual({ value: 3, timedOut: false, elapsed: 350 });
  });

  it('evaluates exactly once with timeout 0', async () => {
    const clock = fakeClock();
    let calls = 0;
    const result = await poll(
      async () => ++calls,
      () => false,
      { timeout: 0, now: clock.now, sleep: clock.sleep },
    );
    expect(calls).toBe(1);
    expect(result.timedOut).toBe(true);
    expect(clock.sleeps).toEqual([]);
  });
});
