// Each rule of src/findings/ on hand-made timelines: the mistake it names, and the correct app
// it must stay quiet on.
import { describe, expect, it } from 'vitest';
import { atLeast, findingsFor, formatFinding, unjoinedFindings, type FindingInput } from '../../src/findings/index.js';
import type { FetchCallRecord, SwEventRecord, UiUpdateRecord } from '../../src/probes/types.js';

const T0 = 1_700_000_000_000;
const base = { id: 'ep', origin: 'http://127.0.0.1:1', at: T0 } as const;

function swEvent(over: Partial<SwEventRecord> = {}): SwEventRecord {
  return {
    ...base,
    context: 'worker',
    kind: 'sw-event',
    type: 'backgroundfetchsuccess',
    result: 'success',
    failureReason: '',
    downloaded: 1000,
    downloadTotal: 1000,
    uploaded: 0,
    uploadTotal: 0,
    recordsAvailable: true,
    listeners: 1,
    waitUntil: [{ status: 'fulfilled', error: null }],
    doneAt: T0 + 50,
    doneOk: true,
    ...over,
  };
}

function ui(over: Partial<UiUpdateRecord> = {}): UiUpdateRecord {
  return { ...base, context: 'worker', kind: 'ui-update', call: 1, title: 'Done', icons: null, ok: true, error: null, ...over };
}

function call(over: Partial<FetchCallRecord> = {}): FetchCallRecord {
  return {
    ...base,
    context: 'page',
    kind: 'fetch-call',
    ok: true,
    error: null,
    requests: ['http://127.0.0.1:1/a.bin'],
    options: {
      title: 'A',
      downloadTotal: 1000,
      icons: 1,
      iconInfo: [{ src: 'i.png', sizes: '192x192', type: 'image/png', keys: ['src', 'sizes', 'type'] }],
    },
    ...over,
  };
}

/** A correct app's successful fetch: every rule stays quiet on it. */
function good(over: Partial<FindingInput> = {}): FindingInput {
  return {
    id: 'ep',
    origin: base.origin,
    outcome: 'success',
    failureReason: null,
    completedAt: T0,
    requests: [{ index: 0, url: 'http://127.0.0.1:1/a.bin', status: 200, bytes: 1000 }],
    progress: [],
    swEvents: [swEvent()],
    uiUpdates: [ui()],
    records: [{ ...base, context: 'worker', kind: 'records', method: 'matchAll', ok: true, error: null, records: [] }],
    fetchCalls: [call()],
    openWindows: [],
    unknownListeners: [],
    ...over,
  };
}

const codes = (t: FindingInput) => findingsFor(t).map((f) => `${f.severity} ${f.code}`);

describe('findings rules', () => {
  it('a correct app has no findings', () => {
    expect(findingsFor(good())).toEqual([]);
  });

  it('no-listener: an event no listener handled (error for success/fail, warning for abort/click)', () => {
    const t = good({ swEvents: [swEvent({ listeners: 0, waitUntil: [] })], uiUpdates: [], records: [] });
    expect(codes(t)).toEqual(['error no-listener']);
    expect(findingsFor(t)[0].message).toContain("self.addEventListener('backgroundfetchsuccess'");
    expect(codes(good({ swEvents: [swEvent(), swEvent({ type: 'backgroundfetchclick', listeners: 0 })] }))).toEqual([
      'warning no-listener',
    ]);
    // Unknown (the probe came after the worker's script): no claim either way.
    expect(codes(good({ swEvents: [swEvent({ listeners: null })] }))).toEqual([]);
  });

  it('unknown-event-listener: names the likely intended event', () => {
    const t = good({
      unknownListeners: [
        { ...base, id: '', context: 'worker', kind: 'unknown-listener', name: 'backgroundfetchfailure', via: 'addEventListener' },
      ],
    });
    const [f] = findingsFor(t);
    expect(f).toMatchObject({ code: 'unknown-event-listener', severity: 'error', evidence: { didYouMean: 'backgroundfetchfail' } });
    expect(f.message).toContain('Did you mean "backgroundfetchfail"?');
    const prop = findingsFor(
      good({
        unknownListeners: [
          { ...base, id: '', context: 'worker', kind: 'unknown-listener', name: 'onbackgroundfetchsucess', via: 'property' },
        ],
      }),
    );
    expect(prop[0].evidence['didYouMean']).toBe('onbackgroundfetchsuccess');
  });

  it('wait-until-rejected: name and message of the rejection', () => {
    const t = good({
      swEvents: [
        swEvent({ doneOk: false, waitUntil: [{ status: 'rejected', error: { name: 'ReferenceError', message: 'cache is not defined' } }] }),
      ],
    });
    expect(codes(t)).toEqual(['error wait-until-rejected']);
    expect(findingsFor(t)[0].message).toContain('ReferenceError: cache is not defined');
  });

  it('fetch-rejected: in the timeline, and for a call that registered nothing', () => {
    const rejected = call({ ok: false, error: { name: 'TypeError', message: 'There already is a registration for the given id.' } });
    expect(codes(good({ fetchCalls: [call(), rejected] }))).toEqual(['error fetch-rejected']);
    const orphan = call({
      id: 'nothing',
      ok: false,
      error: { name: 'TypeError', message: 'This origin does not have permission to start a fetch.' },
    });
    expect(unjoinedFindings([orphan], [good()]).map((f) => f.code)).toEqual(['fetch-rejected']);
    expect(unjoinedFindings([rejected], [good({ fetchCalls: [call(), rejected] })])).toEqual([]);
  });

  it('update-ui-rejected: a second call', () => {
    const t = good({
      uiUpdates: [
        ui(),
        ui({ call: 2, ok: false, error: { name: 'InvalidStateError', message: 'The update UI event is no longer active.' } }),
      ],
    });
    expect(codes(t)).toEqual(['error update-ui-rejected']);
    expect(findingsFor(t)[0].message).toContain('once per event');
  });

  it('download-total-mismatch: overstated total, both numbers and what it does to progress', () => {
    const t = good({ swEvents: [swEvent({ downloadTotal: 4000 })] });
    const [f] = findingsFor(t);
    expect(f).toMatchObject({ code: 'download-total-mismatch', severity: 'warning', evidence: { downloadTotal: 4000, downloaded: 1000 } });
    expect(f.message).toContain('progress stops at 25%');
    // No total given: nothing to compare.
    expect(codes(good({ swEvents: [swEvent({ downloadTotal: 0 })], fetchCalls: [call({ options: { icons: 0, iconInfo: [] } })] }))).toEqual(
      [],
    );
  });

  it('download-total-exceeded: the failure Chromium reports for a total that was too small', () => {
    const t = good({
      outcome: 'failure',
      failureReason: 'download-total-exceeded',
      swEvents: [swEvent({ type: 'backgroundfetchfail', downloadTotal: 10 })],
    });
    expect(codes(t)).toContain('error download-total-exceeded');
  });

  it('icon-without-sizes: names the key it had instead', () => {
    const t = good({
      fetchCalls: [call({ options: { icons: 1, iconInfo: [{ src: 'i.png', sizes: null, type: null, keys: ['src', 'size'] }] } })],
    });
    const [f] = findingsFor(t);
    expect(f).toMatchObject({ code: 'icon-without-sizes', severity: 'warning' });
    expect(f.message).toContain('"size" instead');
    expect(codes(good({ uiUpdates: [ui({ icons: [{ src: 'x.png', sizes: null, keys: ['src'] }] })] }))).toEqual([
      'warning icon-without-sizes',
    ]);
  });

  it('records-not-read: a handled success event without match()/matchAll() in the worker', () => {
    expect(codes(good({ records: [] }))).toEqual(['warning records-not-read']);
    // Not yet handled: no claim.
    expect(codes(good({ records: [], swEvents: [swEvent({ doneAt: null })] }))).toEqual([]);
  });

  it('no-update-ui: info for a handled success or fail event', () => {
    expect(codes(good({ uiUpdates: [] }))).toEqual(['info no-update-ui']);
  });

  it('request-failed: which request failed the fetch', () => {
    const t = good({
      outcome: 'failure',
      failureReason: 'bad-status',
      swEvents: [swEvent({ type: 'backgroundfetchfail', result: 'failure', failureReason: 'bad-status' })],
      requests: [
        { index: 0, url: 'http://127.0.0.1:1/a.bin', status: 200, bytes: 1000 },
        { index: 1, url: 'http://127.0.0.1:1/missing', status: 404, bytes: 0 },
      ],
    });
    expect(codes(t)).toEqual(['error request-failed']);
    expect(findingsFor(t)[0].message).toContain('[1] http://127.0.0.1:1/missing answered 404');
  });

  it('click-opens-nothing: a handled click without openWindow', () => {
    expect(codes(good({ swEvents: [swEvent(), swEvent({ type: 'backgroundfetchclick' })] }))).toEqual(['info click-opens-nothing']);
  });

  it('errors come first; severity thresholds; one line per finding', () => {
    const t = good({
      uiUpdates: [],
      records: [],
      swEvents: [swEvent({ waitUntil: [{ status: 'rejected', error: { name: 'Error', message: 'x' } }] })],
    });
    const all = findingsFor(t);
    expect(all.map((f) => f.severity)).toEqual(['error', 'warning', 'info']);
    expect(all.filter((f) => atLeast(f, 'warning')).length).toBe(2);
    expect(formatFinding(all[0])).toMatch(/^error {3}wait-until-rejected: /);
  });
});
