import { describe, expect, it } from 'vitest';
import { SCENARIOS, SKIPPED, globToRegExp, selectScenarios, shard } from '../../src/scenarios/registry.js';
import { browserSpecs, classifyBrowser, parseShard } from '../../src/scenarios/spec.js';
import { VERDICTS } from '../../src/scenarios/types.js';

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
    const ok = { started: true, rejected: null, outcome: 'success', failureReason: null, requests: [], swEvents: ['backgroundfetchsuccess'], page: { result: 'success', failureReason: '', downloaded: 8192, downloadTotal: 0 }, served: 1 };
    expect(one.judge(ok).verdict).toBe('conforms');
    expect(one.judge({ ...ok, outcome: 'failure' }).verdict).toBe('deviates');
    expect(VERDICTS).toContain(one.judge({ ...ok, swEvents: [] }).verdict);
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
