/**
 * toReportProgressUpTo's checks: reached the bytes, never went backwards, never passed a set
 * downloadTotal, and when a failing answer becomes final (a violation at once; otherwise only
 * after late records had time to arrive).
 */
import { describe, expect, it } from 'vitest';
import { checkProgress, LATE_RECORD_GRACE_MS, summariseProgress } from '../../src/playwright/checks.js';
import type { ProgressSample } from '../../src/probes/types.js';
import { Recording } from '../../src/recorder/recording.js';
import type { FetchTimeline } from '../../src/recorder/timeline.js';
import { fetchEvent, successSequence } from '../helpers/fake-cdp.js';

function sample(at: number, downloaded: number, downloadTotal = 0): ProgressSample {
  return {
    kind: 'progress',
    at,
    id: 'ep',
    origin: 'http://127.0.0.1:8080',
    context: 'page',
    downloaded,
    downloadTotal,
    uploaded: 0,
    uploadTotal: 0,
    result: '',
    failureReason: '',
  };
}

/** A timeline of "ep" with these progress samples at offsets (ms) from registration. */
function withProgress(points: Array<[number, number, number?]>, complete = true): FetchTimeline {
  const r = new Recording();
  const events = successSequence('ep');
  for (const e of complete ? events : events.slice(0, 3)) r.ingest(e);
  const t0 = r.fetch('ep')!.registeredAt!;
  for (const [dt, downloaded, total] of points) r.ingestProbe(sample(t0 + dt, downloaded, total ?? 0));
  return r.fetch('ep')!;
}

describe('summariseProgress', () => {
  it('reports the highest value and no violation for a monotonic series', () => {
    const s = summariseProgress(
      withProgress([
        [10, 0],
        [20, 500],
        [30, 500],
        [40, 1020],
      ]),
    );
    expect(s).toEqual({ samples: 4, reached: 1020, backwards: null, overTotal: null });
  });

  it('finds the first decrease', () => {
    const t = withProgress([
      [10, 100],
      [20, 800],
      [30, 300],
      [40, 200],
    ]);
    const s = summariseProgress(t);
    expect(s.backwards).toEqual({ from: 800, to: 300, at: t.registeredAt! + 30 });
    expect(s.reached).toBe(800);
  });

  it('orders samples by time, not arrival (two pages interleave)', () => {
    const t = withProgress([
      [30, 900],
      [10, 100],
      [20, 500],
    ]);
    expect(summariseProgress(t).backwards).toBeNull();
  });

  it('flags a sample above a non-zero downloadTotal, and ignores downloadTotal 0 (not set)', () => {
    expect(summariseProgress(withProgress([[10, 1500, 1000]])).overTotal).toMatchObject({ downloaded: 1500, downloadTotal: 1000 });
    expect(summariseProgress(withProgress([[10, 1500, 0]])).overTotal).toBeNull();
  });
});

describe('checkProgress', () => {
  it('passes when the bytes were reached without violations', () => {
    const t = withProgress([
      [10, 0, 1020],
      [20, 1020, 1020],
    ]);
    const v = checkProgress(t, 1020, t.completedAt! + 1);
    expect(v.pass).toBe(true);
    expect(v.received).toBe('progress up to 1020 bytes (1020 B) in 2 sample(s)');
    expect(v.expected).toBe('progress up to 1020 bytes (1020 B), never decreasing, never above downloadTotal');
  });

  it('fails short of the bytes; final only once late records had time to arrive', () => {
    const t = withProgress([[10, 10]]);
    expect(checkProgress(t, 1020, t.completedAt! + 10)).toMatchObject({ pass: false, final: false });
    expect(checkProgress(t, 1020, t.completedAt! + LATE_RECORD_GRACE_MS)).toMatchObject({ pass: false, final: true });
  });

  it('fails at once, finally, when progress went backwards, even past the bytes', () => {
    const t = withProgress(
      [
        [10, 2048],
        [20, 1024],
        [30, 4096],
      ],
      false,
    );
    const v = checkProgress(t, 1024, t.registeredAt! + 40);
    expect(v).toMatchObject({ pass: false, final: true });
    expect(v.received).toBe('progress up to 4096 bytes (4.0 KiB) in 3 sample(s); went backwards from 2048 to 1024 bytes at +0.020s');
  });

  it('fails when progress passed downloadTotal', () => {
    const t = withProgress([[10, 3000, 2048]]);
    const v = checkProgress(t, 1024, t.completedAt!);
    expect(v.pass).toBe(false);
    expect(v.received).toContain('reported 3000 bytes, above downloadTotal 2048, at +0.010s');
  });

  it('says why there are no samples', () => {
    const t = withProgress([]);
    const v = checkProgress(t, 1, t.completedAt! + LATE_RECORD_GRACE_MS);
    expect(v).toMatchObject({ pass: false, final: true });
    expect(v.received).toContain('no progress samples');
    expect(v.received).toContain('bgprobe: { probes: false }');
  });

  it('is not final while the fetch is pending', () => {
    const t = withProgress([[10, 5]], false);
    expect(t.outcome).toBe('pending');
    expect(checkProgress(t, 1000, Date.now() + 60_000).final).toBe(false);
  });

  it('ignores samples of another fetch id', () => {
    const r = new Recording();
    r.ingest(fetchEvent('Background Fetch registered', 'ep', [['Total Requests', '1']]));
    const t0 = r.fetch('ep')!.registeredAt!;
    r.ingestProbe({ ...sample(t0 + 5, 999), id: 'other' });
    expect(r.fetch('ep')!.progress).toEqual([]);
  });
});

describe('summariseProgress: the page, not the worker', () => {
  it("ignores the service worker's samples (the matcher is about what the page saw)", () => {
    const r = new Recording();
    for (const e of successSequence('ep')) r.ingest(e);
    const t0 = r.fetch('ep')!.registeredAt!;
    r.ingestProbe(sample(t0 + 10, 100));
    r.ingestProbe({ ...sample(t0 + 20, 5000), context: 'worker' });
    r.ingestProbe({ ...sample(t0 + 30, 0), context: 'worker' });
    expect(summariseProgress(r.fetch('ep')!)).toEqual({ samples: 1, reached: 100, backwards: null, overTotal: null });
  });
});
