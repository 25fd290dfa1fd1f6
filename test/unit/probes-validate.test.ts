/**
 * The trust boundary at the probe channel: whatever a page sends over its binding, nothing
 * throws, nothing unchecked is handed on, a page cannot speak for a worker, and what is dropped
 * is counted by reason. The real channel (a hostile page in Chromium) is test/e2e/hostile-page.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RECORDS_PER_FETCH, ProbeInstaller } from '../../src/probes/installer.js';
import type { ProbeRecord } from '../../src/probes/types.js';
import { checkPayload, knownKinds, MAX_PAYLOAD_CHARS } from '../../src/probes/validate.js';

const ORIGIN = 'http://127.0.0.1:1';

function installer(): { probes: ProbeInstaller; got: ProbeRecord[] } {
  const probes = new ProbeInstaller({ openBrowserLink: () => Promise.resolve(null) });
  const got: ProbeRecord[] = [];
  probes.onRecord((r) => got.push(r));
  return { probes, got };
}

const progress = (id: string, context: 'page' | 'worker' = 'page') => ({
  kind: 'progress',
  id,
  at: 1,
  origin: ORIGIN,
  context,
  downloaded: 1,
  downloadTotal: 2,
  uploaded: 0,
  uploadTotal: 0,
  result: '',
  failureReason: '',
});

const swEvent = (context: 'page' | 'worker') => ({
  kind: 'sw-event',
  type: 'backgroundfetchsuccess',
  id: 'x',
  at: 1,
  origin: ORIGIN,
  context,
  recordsAvailable: true,
  listeners: 1,
  downloaded: 1,
  downloadTotal: 1,
  uploaded: 0,
  uploadTotal: 0,
  result: 'success',
  failureReason: '',
});

describe('the probe channel', () => {
  it('knows every record kind of ProbeRecord', () => {
    expect(knownKinds().sort()).toEqual(
      [
        'abort-call',
        'fetch-call',
        'open-window',
        'progress',
        'records',
        'sw-event',
        'sw-event-done',
        'ui-update',
        'unknown-listener',
        'worker-start',
      ].sort(),
    );
  });

  it('keeps a valid record, and a batch of them in order', () => {
    const { probes, got } = installer();
    probes.deliver(JSON.stringify([progress('a'), progress('b')]), 'page');
    expect(got.map((r) => r.id)).toEqual(['a', 'b']);
    expect(probes.stats).toMatchObject({ payloads: 1, accepted: 2, dropped: 0 });
  });

  it("a worker's records from a page are forgeries: dropped, and counted as such", () => {
    const { probes, got } = installer();
    probes.deliver(JSON.stringify(swEvent('worker')), 'page');
    probes.deliver(JSON.stringify(swEvent('page')), 'page');
    expect(got).toEqual([]);
    expect(probes.stats.droppedBy).toEqual({ 'worker record from a page': 2 });
    probes.deliver(JSON.stringify(swEvent('worker')), 'worker');
    expect(got).toHaveLength(1);
  });

  it("a binding call without the probe's seal is dropped, even a perfect record on the worker's channel", () => {
    // The binding stays callable in realms the probe never runs in (a blank iframe, a popup's first
    // document): only the probe knows the seal its payloads start with.
    const { probes, got } = installer();
    probes.receive(JSON.stringify(swEvent('worker')), 'worker');
    probes.receive(42, 'page');
    expect(got).toEqual([]);
    expect(probes.stats).toMatchObject({ payloads: 2, accepted: 0, dropped: 2, droppedBy: { 'not from the probe': 2 } });
  });

  it('each source has its own seal, and a seal opens only its own kind of channel', () => {
    // A late-probed worker's seal is the app's to read (the probe ran after the app's script): it
    // must not let a page send page-kind records through the binding of a blank iframe.
    const { probes, got } = installer();
    const { seals } = probes as unknown as { seals: { page: string; worker: string; late: string } };
    expect(new Set([seals.page, seals.worker, seals.late]).size).toBe(3);
    const rec = JSON.stringify(progress('a'));
    probes.receive(seals.worker + rec, 'page');
    probes.receive(seals.late + rec, 'page');
    probes.receive(seals.page + JSON.stringify(progress('w', 'worker')), 'worker');
    expect(got).toEqual([]);
    expect(probes.stats.droppedBy).toEqual({ 'not from the probe': 3 });
    probes.receive(seals.page + rec, 'page');
    probes.receive(seals.worker + JSON.stringify(progress('w', 'worker')), 'worker');
    probes.receive(seals.late + JSON.stringify(progress('l', 'worker')), 'worker');
    expect(got.map((r) => r.id)).toEqual(['a', 'w', 'l']);
  });

  it('a record that says it came from elsewhere than its channel is dropped', () => {
    const { probes, got } = installer();
    probes.deliver(JSON.stringify(progress('a', 'worker')), 'page');
    expect(got).toEqual([]);
    expect(probes.stats.droppedBy).toEqual({ 'context does not match the channel': 1 });
    expect(probes.warnings.at(-1)).toMatch(/^1 probe record\(s\) dropped at the channel \(1 context does not match the channel\)/);
  });

  it('bad JSON, oversized payloads, deep nesting, __proto__ keys and wrong types: dropped, counted, nothing polluted', () => {
    const { probes, got } = installer();
    const junk = [
      '{',
      'undefined',
      '',
      'x'.repeat(MAX_PAYLOAD_CHARS + 1),
      JSON.stringify({ ...progress('a'), pad: 'x'.repeat(5 * 1024 * 1024) }),
      '['.repeat(5000) + ']'.repeat(5000),
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      '{"__proto__":{"polluted":true},"kind":"progress"}',
      JSON.stringify({ ...progress('a'), __proto__: { polluted: true } }).replace('"kind"', '"__proto__":{"polluted":true},"kind"'),
      JSON.stringify({ ...progress('a'), downloaded: '1' }),
      JSON.stringify({ ...progress('a'), id: 5 }),
      JSON.stringify({ ...progress('a'), origin: undefined }),
      JSON.stringify({ ...progress('a'), extra: 1 }),
      JSON.stringify({ kind: 'toString' }),
      JSON.stringify({ kind: '__proto__' }),
      JSON.stringify({ kind: 'constructor' }),
      'null',
      '[null, 1, "x", []]',
      JSON.stringify(Array.from({ length: 300 }, () => progress('a'))),
    ];
    for (const payload of junk) expect(() => probes.deliver(payload, 'page')).not.toThrow();
    expect(() => probes.deliver(42, 'page')).not.toThrow();
    expect(got).toEqual([]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(probes.stats.accepted).toBe(0);
    expect(probes.stats.dropped).toBe(junk.length + 1 + 3);
    expect(Object.keys(probes.stats.droppedBy).sort()).toEqual(
      ['invalid record', 'not JSON', 'not a record', 'payload too large', 'too many records in one payload', 'unknown kind'].sort(),
    );
    // Only counts and short reasons are kept: no payload.
    expect(JSON.stringify(probes.stats).length).toBeLessThan(3000);
  });

  it('any JSON value at all: never throws, and whatever is kept is a valid record of the channel', () => {
    const { probes, got } = installer();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.json(),
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify([v, progress('ok')])),
        ),
        (payload) => {
          expect(() => probes.deliver(payload, 'page')).not.toThrow();
        },
      ),
      { numRuns: 2000 },
    );
    for (const r of got) {
      expect(r.context).toBe('page');
      expect(checkPayload(JSON.stringify(r), 'page').records).toHaveLength(1);
    }
  });

  it('records kept per fetch are capped; the rest dropped and counted', () => {
    const { probes, got } = installer();
    const batch = JSON.stringify(Array.from({ length: 200 }, () => progress('flood')));
    for (let i = 0; i < MAX_RECORDS_PER_FETCH / 200 + 5; i++) probes.deliver(batch, 'page');
    expect(got).toHaveLength(MAX_RECORDS_PER_FETCH);
    expect(probes.stats.droppedBy['per-fetch cap reached']).toBe(1000);
    // Another id, and the worker's own channel, are not starved by the flood.
    probes.deliver(JSON.stringify(progress('other')), 'page');
    probes.deliver(JSON.stringify(progress('flood', 'worker')), 'worker');
    expect(got.slice(-2).map((r) => [r.id, r.context])).toEqual([
      ['other', 'page'],
      ['flood', 'worker'],
    ]);
  });
});
