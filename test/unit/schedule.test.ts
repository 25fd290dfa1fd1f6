// The pool scheduler and the time-balanced shards as pure functions: the order jobs start in,
// what an exclusive claim holds back (and what it does not), and the shards' balance, on
// durations shaped like a real Chromium compat run.
import { describe, expect, it } from 'vitest';
import { byExpected, runPool, Scheduler, simulate, type Claim, type Job } from '../../src/util/schedule.js';
import { imbalance, lptShards, shardByTime } from '../../src/util/shard.js';

const shared = (resource: string): Claim => ({ resource, exclusive: false });
const alone = (resource: string): Claim => ({ resource, exclusive: true });
const job = (key: string, expectedMs: number, claims: Claim[] = [], lane = 'chromium'): Job => ({ key, lane, expectedMs, claims });

/** The Chromium lane of a compat run on 2 cores, Chromium 156 (ms, from a report): two long scenarios with browsers of their own, one exclusive (lifecycle.sw-stopped, as it was until it stopped its own worker only), the rest short. */
function chromiumLane(): Job[] {
  const b = shared('browser:chromium');
  const jobs = [
    job('lifecycle.browser-restart', 33_300),
    job('lifecycle.offline', 22_600),
    job('failure.stalled-server', 7_800, [b]),
    job('lifecycle.sw-stopped', 4_400, [alone('browser:chromium')]),
  ];
  for (let i = 0; i < 30; i++) jobs.push(job(`short.${i}`, 2_500 + (i % 5) * 300, [b]));
  for (let i = 0; i < 15; i++) jobs.push(job(`tiny.${i}`, 400 + (i % 3) * 100, [b]));
  return jobs;
}

describe('Scheduler', () => {
  it('starts the longest expected first, equal ones in the order given', () => {
    expect(byExpected([job('a', 1), job('b', 5), job('c', 5), job('d', 3)]).map((j) => j.key)).toEqual(['b', 'c', 'd', 'a']);
    const s = new Scheduler([job('a', 1), job('b', 5), job('c', 3)], { workers: 2 });
    expect(s.startable(0).map((j) => j.key)).toEqual(['b', 'c']);
    expect(s.next(0)).toBeNull();
    s.finish('c');
    expect(s.next(1)?.key).toBe('a');
  });

  it("among equal expectations, one that needs its resource alone starts first (at the lane's start nothing holds it)", () => {
    const b = 'browser:chromium';
    const jobs = [job('restart', 75), job('short.1', 30, [shared(b)]), job('short.2', 30, [shared(b)]), job('sw-stopped', 30, [alone(b)])];
    expect(byExpected(jobs).map((j) => j.key)).toEqual(['restart', 'sw-stopped', 'short.1', 'short.2']);
    expect(new Scheduler(jobs, { workers: 4 }).startable(0).map((j) => j.key)).toEqual(['restart', 'sw-stopped']);
  });

  it('caps a lane at its slot count while other lanes fill the pool', () => {
    const jobs = [job('g1', 10, [], 'grid'), job('g2', 9, [], 'grid'), job('l1', 1, [], 'local'), job('l2', 1, [], 'local')];
    const s = new Scheduler(jobs, { workers: 3, laneSlots: { grid: 1 } });
    expect(s.startable(0).map((j) => j.key)).toEqual(['g1', 'l1', 'l2']);
  });

  it('an exclusive claim waits for the shared holders, and holds back the jobs that would outlast them', () => {
    const b = 'browser:chromium';
    const s = new Scheduler(
      [job('long', 10, [shared(b)]), job('excl', 5, [alone(b)]), job('short', 2, [shared(b)]), job('late', 9, [shared(b)])],
      { workers: 4 },
    );
    // excl is blocked by `long` (ends at 10): `late` (0 + 9 <= 10) and `short` may backfill.
    expect(s.startable(0).map((j) => j.key)).toEqual(['long', 'late', 'short']);
    s.finish('short');
    s.finish('late');
    // At 9 a new 2 ms shared job would end at 11, past the promise at 10: none is waiting, and excl still waits for `long`.
    expect(s.next(9)).toBeNull();
    s.finish('long');
    expect(s.next(10)?.key).toBe('excl');
  });

  it('a job is not started past a promise to an exclusive one ahead of it', () => {
    const b = 'browser:x';
    const s = new Scheduler([job('holder', 4, [shared(b)]), job('excl', 3, [alone(b)]), job('outlasts', 2, [shared(b)])], { workers: 4 });
    expect(s.next(0)?.key).toBe('holder');
    // excl is promised the browser at 4; `outlasts` asked at 3 would end at 5.
    expect(s.next(3)).toBeNull();
    s.finish('holder');
    expect(s.startable(4).map((j) => j.key)).toEqual(['excl']);
    s.finish('excl');
    expect(s.next(7)?.key).toBe('outlasts');
  });

  it('a holder that overran its expected time drains the resource: nothing more backfills', () => {
    const b = 'browser:x';
    const s = new Scheduler([job('holder', 4, [shared(b)]), job('excl', 3, [alone(b)]), job('tiny', 0.5, [shared(b)])], { workers: 4 });
    expect(s.next(0)?.key).toBe('holder');
    expect(s.next(10)).toBeNull();
  });

  it('exclusive claims on different lanes, and jobs that claim nothing, overlap', () => {
    const jobs = [
      job('sw-stopped@chromium', 4, [alone('browser:chromium')]),
      job('sw-stopped@firefox', 4, [alone('browser:firefox')], 'firefox'),
      job('restart', 30),
      job('offline', 20),
    ];
    const s = new Scheduler(jobs, { workers: 8 });
    expect(s.startable(0)).toHaveLength(4);
  });

  it('drop() starts nothing more; runPool always ends, whatever the claims', async () => {
    const s = new Scheduler([job('a', 1), job('b', 2)], { workers: 1 });
    expect(s.next(0)?.key).toBe('b');
    expect(s.drop().map((j) => j.key)).toEqual(['a']);
    s.finish('b');
    expect(s.done).toBe(true);
    const ran: string[] = [];
    const pool = new Scheduler([job('x', 3, [alone('r')]), job('y', 2, [shared('r')]), job('z', 1, [alone('r')])], { workers: 3 });
    await runPool(pool, async (j) => {
      ran.push(j.key);
      await new Promise((r) => setTimeout(r, j.expectedMs));
    });
    expect(ran).toEqual(['x', 'y', 'z']);
  });

  it('runPool stops starting jobs once the signal aborts and waits for those in flight', async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const pool = new Scheduler([job('a', 3), job('b', 2), job('c', 1)], { workers: 1 });
    await runPool(
      pool,
      async (j) => {
        ran.push(j.key);
        controller.abort();
        await new Promise((r) => setTimeout(r, 5));
      },
      { signal: controller.signal },
    );
    expect(ran).toEqual(['a']);
    expect(pool.done).toBe(true);
  });

  it('refuses duplicate keys', () => {
    expect(() => new Scheduler([job('a', 1), job('a', 2)], { workers: 1 })).toThrow(/unique/);
  });
});

describe('simulate', () => {
  it('the Chromium lane at 6 workers ends within 1.3x of its longest scenario, the sequential queue of 3 workers does not', () => {
    const jobs = chromiumLane();
    const longest = Math.max(...jobs.map((j) => j.expectedMs));
    const six = simulate(jobs, { workers: 6 });
    expect(six.makespanMs / longest).toBeLessThanOrEqual(1.3);
    // The runner before the pool: shared ones longest first on 3 workers, then the exclusive one alone.
    const three = simulate(jobs, { workers: 3 });
    expect(three.makespanMs).toBeGreaterThan(six.makespanMs);
    // The exclusive one never overlaps another holder of the browser.
    const excl = six.timeline.find((t) => t.key === 'lifecycle.sw-stopped')!;
    const holders = new Set(jobs.filter((j) => j.claims.some((c) => c.resource === 'browser:chromium')).map((j) => j.key));
    const overlapping = six.timeline.filter((t) => t.key !== excl.key && holders.has(t.key) && t.start < excl.end && t.end > excl.start);
    expect(overlapping).toEqual([]);
  });

  it('four lanes in one pool take about the longest lane, not their sum', () => {
    const lanes = ['chromium', 'firefox', 'webkit', 'webkit+bgf'];
    const jobs = lanes.flatMap((lane) =>
      chromiumLane().map((j) => ({
        ...j,
        key: `${j.key}@${lane}`,
        lane,
        expectedMs: lane === 'chromium' ? j.expectedMs : j.expectedMs / 8,
        claims: j.claims.map((c) => ({ ...c, resource: `browser:${lane}` })),
      })),
    );
    const { makespanMs } = simulate(jobs, { workers: 8 });
    expect(makespanMs / 33_300).toBeLessThanOrEqual(1.3);
  });
});

describe('lptShards', () => {
  const weights = chromiumLane().map((j) => j.expectedMs);

  it('covers every item exactly once, each shard in the order given', () => {
    const shards = lptShards(
      weights.map((w, i) => ({ i, w })),
      (x) => x.w,
      3,
    );
    const all = shards
      .flat()
      .map((x) => x.i)
      .sort((a, b) => a - b);
    expect(all).toEqual(weights.map((_, i) => i));
    for (const s of shards) expect(s.map((x) => x.i)).toEqual([...s.map((x) => x.i)].sort((a, b) => a - b));
  });

  it('two shards of the Chromium lane differ by at most 20 %, where every other item did not', () => {
    const loads = lptShards(weights, (w) => w, 2).map((s) => s.reduce((a, b) => a + b, 0));
    expect(imbalance(loads)).toBeLessThanOrEqual(1.2);
    expect(Math.max(...loads) / Math.min(...loads)).toBeLessThanOrEqual(1.2);
    // The split by count (every other item) puts both long scenarios in one shard.
    const byCount = [0, 1].map((k) => weights.filter((_, i) => i % 2 === k).reduce((a, b) => a + b, 0));
    expect(imbalance(byCount)).toBeGreaterThan(imbalance(loads));
  });

  it('is the LPT split: the longest items go to different shards', () => {
    expect(lptShards([5, 4, 3, 3, 2, 1], (w) => w, 2)).toEqual([
      [5, 3, 1],
      [4, 3, 2],
    ]);
    expect(shardByTime([5, 4, 3, 3, 2, 1], (w) => w, 2, 2)).toEqual([4, 3, 2]);
  });

  it('refuses an impossible split', () => {
    expect(() => lptShards([1], (w) => w, 0)).toThrow(RangeError);
    expect(() => shardByTime([1], (w) => w, 3, 2)).toThrow(RangeError);
    expect(imbalance([])).toBe(1);
  });
});
