import { describe, expect, it } from 'vitest';
import { SCENARIOS, SKIPPED, selectScenarios } from '../../src/scenarios/registry.js';
import { globToRegExp } from '../../src/util/regexp.js';
import { parseShard, shard } from '../../src/util/shard.js';
import { browserSpecs, classifyBrowser } from '../../src/browsers/spec.js';
import type { Observation } from '../../src/scenarios/types.js';

describe('the suite as data', () => {
  it('has unique dotted ids, titles, expectations and links', () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SCENARIOS) {
      expect(s.id).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
      expect(s.title.length).toBeGreaterThan(5);
      expect(s.expectation.length).toBeGreaterThan(10);
      expect(s.link).toMatch(/^https:\/\//);
    }
    for (const s of SKIPPED) expect(s.reason.length).toBeGreaterThan(10);
  });

  it('judges are pure functions of the observation', () => {
    const one = SCENARIOS.find((s) => s.id === 'fetch.success.one')!;
    const ok = {
      started: true,
      rejected: null,
      outcome: 'success',
      failureReason: null,
      requests: [],
      swEvents: ['backgroundfetchsuccess'],
      page: { result: 'success', failureReason: '', downloaded: 8192, downloadTotal: 0 },
      served: 1,
    };
    expect(one.judge(ok).verdict).toBe('conforms');
    expect(one.judge({ ...ok, outcome: 'failure' }).verdict).toBe('deviates');
    const noEvent = one.judge({ ...ok, swEvents: [] });
    expect(noEvent).toEqual({
      verdict: 'deviates',
      summary: 'Ended success but the service worker got no event, not backgroundfetchsuccess.',
    });
  });
});

/** A scenario's judge, by id. */
const judge = (id: string) => {
  const scenario = SCENARIOS.find((s) => s.id === id)!;
  return (observation: Observation) => scenario.judge(observation);
};
const ended = {
  started: true,
  rejected: null,
  outcome: 'success',
  failureReason: null,
  requests: [{ status: 200, bytes: 8192 }],
  swEvents: ['backgroundfetchsuccess'],
};

describe('no verdict without evidence', () => {
  it('fetch.success.* byte checks: a missing page view is a failure to observe, not a pass', () => {
    expect(judge('fetch.success.one')({ ...ended, page: null, served: 1 })).toMatchObject({
      verdict: 'error',
      summary: expect.stringMatching(/not observed/) as unknown,
    });
    expect(judge('fetch.success.multi-request')({ ...ended, requests: [ended.requests[0], ended.requests[0]], page: null })).toMatchObject({
      verdict: 'error',
    });
    expect(judge('progress.download-total-larger')({ ...ended, page: null })).toMatchObject({ verdict: 'error' });
    // ...and with the view, the check runs.
    expect(
      judge('fetch.success.one')({ ...ended, page: { result: 'success', failureReason: '', downloaded: 100, downloadTotal: 0 }, served: 1 })
        .verdict,
    ).toBe('deviates');
  });

  it('devtools.replay-on-observe: nothing seen live is no evidence of a replay', () => {
    const replay = judge('devtools.replay-on-observe');
    expect(replay({ live: 0, replayed: 0, replayedAgain: 0, witnessed: true })).toMatchObject({ verdict: 'error' });
    expect(replay({ live: 5, replayed: 5, replayedAgain: 0, witnessed: true }).verdict).toBe('conforms');
    // "No second replay" needs the later fetch to have reached the session.
    expect(replay({ live: 5, replayed: 5, replayedAgain: 0, witnessed: false }).verdict).toBe('error');
    expect(replay({ live: 5, replayed: 5, replayedAgain: 5, witnessed: true }).verdict).toBe('deviates');
  });

  it('devtools.clear-events: "no replay" needs the later fetch as a witness', () => {
    const clear = judge('devtools.clear-events');
    expect(clear({ before: 5, replayedAfterClear: 0, witnessed: false }).verdict).toBe('error');
    expect(clear({ before: 5, replayedAfterClear: 0, witnessed: true }).verdict).toBe('conforms');
  });

  it('ui.click: the judge reads the attempt, and says so when a way to click appears', () => {
    const click = judge('ui.click');
    const none = {
      clickCommands: [],
      protocolUnknown: null,
      downloadsItems: 0,
      downloadsError: null,
      swEvents: ['backgroundfetchsuccess'],
    };
    expect(click(none)).toMatchObject({
      verdict: 'not-automatable',
      summary: expect.stringMatching(/its \/json\/protocol\) has no command.*0 chrome:\/\/downloads items/) as unknown,
    });
    // A browser whose protocol could not be read (a channel) says so rather than "no command".
    expect(click({ ...none, clickCommands: null, protocolUnknown: 'a Playwright channel' })).toMatchObject({
      verdict: 'not-automatable',
      summary: expect.stringMatching(/could not be read \(a Playwright channel\)/) as unknown,
    });
    expect(click({ ...none, clickCommands: ['ServiceWorker.dispatchBackgroundFetchClickEvent'] })).toMatchObject({
      verdict: 'error',
      summary: expect.stringMatching(/dispatchBackgroundFetchClickEvent/) as unknown,
    });
    expect(click({ ...none, downloadsItems: 1 }).verdict).toBe('error');
  });

  it('failure.stalled-server: silence that was never reached is not "still in progress"', () => {
    const stalled = judge('failure.stalled-server');
    const o = {
      started: true,
      stallReached: true,
      resultAfterSilence: '',
      downloadedAfterSilence: 4096,
      abortResolved: true,
      outcome: 'aborted',
    };
    expect(stalled(o).verdict).toBe('conforms');
    expect(stalled({ ...o, stallReached: false }).verdict).toBe('error');
  });

  it('fetch.from-worker.no-grant: no download and no registration is not "waited for a user"', () => {
    const ask = judge('fetch.from-worker.no-grant');
    const o = { rejected: null, registered: true, paused: true, outcomeAfterWindow: 'pending', served: 0 };
    expect(ask(o).verdict).toBe('conforms');
    expect(ask({ ...o, registered: false, paused: null }).verdict).toBe('error');
  });
});

describe('selection', () => {
  it('globs match across dots', () => {
    expect(globToRegExp('fetch.*').test('fetch.success.one')).toBe(true);
    expect(globToRegExp('*.abort.*').test('fetch.abort.page')).toBe(true);
    expect(globToRegExp('fetch.one').test('fetchXone')).toBe(false);
    expect(selectScenarios(['lifecycle.*']).scenarios.every((s) => s.id.startsWith('lifecycle.'))).toBe(true);
    expect(() => selectScenarios(['nope.*'])).toThrow(/No scenario matches/);
  });

  it('a glob that matches nothing is refused even beside one that matches, naming only it', () => {
    expect(() => selectScenarios(['fetch.*', 'lifecylce.*'])).toThrow(/^No scenario matches "lifecylce\.\*"\./);
    // A glob that matches only skip-list entries is a selection too.
    const [first] = selectScenarios([]).skipped;
    expect(first).toBeDefined();
    const skippedId = first.id;
    expect(selectScenarios(['fetch.*', skippedId]).skipped.map((s) => s.id)).toEqual([skippedId]);
  });

  it('shards partition the list', () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const parts = [1, 2, 3].map((i) => shard(items, i, 3));
    expect(parts.flat().sort()).toEqual(items);
    expect(parseShard('2/3')).toEqual({ index: 2, total: 3 });
    for (const bad of ['3/2', '0/1', 'a/b', '1/0', '1']) expect(() => parseShard(bad)).toThrow(/--shard/);
  });

  it('pairs browsers with their args and labels', () => {
    expect(classifyBrowser('http://127.0.0.1:9222')).toBe('endpoint');
    expect(classifyBrowser('msedge')).toBe('channel');
    expect(classifyBrowser('/usr/bin/chromium')).toBe('path');
    const specs = browserSpecs(['/usr/bin/chromium', '/usr/bin/chromium'], ['', '--disable-blink-features=BackgroundFetch'], []);
    expect(specs.map((s) => s.label)).toEqual(['chromium', 'chromium --disable-blink-features=BackgroundFetch']);
    expect(browserSpecs([], ['--a --b'], [])[0]).toMatchObject({ kind: 'default', args: ['--a', '--b'] });
    expect(browserSpecs(['/x', '/x'], [], ['same', 'same']).map((s) => s.label)).toEqual(['same', 'same#2']);
    expect(() => browserSpecs(['/x'], ['', ''], [])).toThrow(/--browser-args/);
  });
});
