import { describe, expect, it } from 'vitest';
import { Recording } from '../../src/recorder/recording.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { InputFormatError } from '../../src/errors.js';
import { devToolsFileName, parseDevToolsJson, toDevToolsJsonText } from '../../src/recorder/devtools-json.js';
import { fetchEvent, successSequence } from '../helpers/fake-cdp.js';

describe('DevTools "Save events" format', () => {
  it('writes a 2-space JSON array of the raw events and reads it back into the same timelines', () => {
    const r = new Recording();
    const raw = successSequence('ep-1');
    for (const e of raw) r.ingest(e);
    r.ingest(fetchEvent('Registered sync', 'tag', [], { service: 'backgroundSync' }));
    const text = r.toDevToolsJson('backgroundFetch');
    expect(text).toBe(JSON.stringify(raw, undefined, 2));
    expect(text.startsWith('[\n  {\n    "timestamp": ')).toBe(true);
    const parsed = JSON.parse(text) as unknown[];
    expect(parsed).toHaveLength(7);
    const back = BackgroundServiceRecorder.fromDevToolsJson(text);
    expect(back.fetches()).toHaveLength(1);
    expect(back.fetches()[0].outcome).toBe('success');
    expect(back.fetches()[0].requests).toEqual(r.fetches()[0].requests);
    expect(back.toDevToolsJson()).toBe(text);
  });

  it('names files like the panel does', () => {
    expect(devToolsFileName('backgroundFetch', new Date(2026, 10, 24, 7, 1, 2))).toBe('backgroundFetch-20261124T070102.json');
  });

  it('accepts files without storageKey (pre-2022 builds)', () => {
    const e = fetchEvent('Background Fetch started', 'x');
    const { storageKey: _s, ...old } = e;
    expect(parseDevToolsJson(JSON.stringify([old]))).toHaveLength(1);
  });

  it.each([
    ['', /not valid JSON \(the file is empty\)/],
    ['[{"timestamp": 1,', /not valid JSON/],
    ['{"events": []}', /expected a JSON array of BackgroundServiceEvent objects, got an object/],
    ['[1]', /event \[0\]: expected an object, got number 1/],
    [JSON.stringify([{ ...fetchEvent('a', 'b'), timestamp: '12' }]), /event \[0\]\.timestamp: expected a number/],
    [
      JSON.stringify([fetchEvent('a', 'b'), { ...fetchEvent('a', 'b'), instanceId: 5 }]),
      /event \[1\]\.instanceId: expected a string, got number 5/,
    ],
    [JSON.stringify([{ ...fetchEvent('a', 'b'), service: 'bgFetch' }]), /event \[0\]\.service: "bgFetch" is not a background service/],
    [
      JSON.stringify([{ ...fetchEvent('a', 'b'), eventMetadata: [{ key: 'k', value: 3 }] }]),
      /event \[0\]\.eventMetadata\[0\]\.value: expected a string, got number 3/,
    ],
    [JSON.stringify([{ ...fetchEvent('a', 'b'), eventMetadata: null }]), /event \[0\]\.eventMetadata: expected an array/],
  ])('refuses malformed input %#', (text, message) => {
    expect(() => parseDevToolsJson(text, 'events.json')).toThrow(InputFormatError);
    expect(() => parseDevToolsJson(text, 'events.json')).toThrow(message);
  });

  it('names the line and column of a JSON syntax error', () => {
    const text = '[\n  {\n    "timestamp": 1,\n    oops\n  }\n]';
    expect(() => parseDevToolsJson(text, 'f.json')).toThrow(/f\.json: not valid JSON at line 4, column \d+/);
  });

  it('round-trips what toDevToolsJsonText writes', () => {
    const events = successSequence('z');
    expect(parseDevToolsJson(toDevToolsJsonText(events))).toEqual(events);
  });
});
