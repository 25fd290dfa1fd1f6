/**
 * One pool of workers for jobs from several lanes (browsers), longest expected first, with what
 * a job needs to itself modelled as named resources rather than as "run alone".
 *
 * - A job holds its claims for as long as it runs: a shared claim (many holders) or an
 *   exclusive one (no other holder): a scenario declared `exclusive` (one that does something
 *   to its whole browser) claims its lane's browser exclusively, the others share it; a scenario
 *   that brings a browser and profile of its own claims nothing of the lane's, so it overlaps
 *   with anything.
 * - Longest expected first (list scheduling, LPT order): the long jobs start at once and the
 *   short ones fill the gaps, so the wall time tends to the longest job when workers allow.
 * - A job blocked by a claim reserves the resource from when its holders are expected to be
 *   done; a later job may still take the resource if it is expected to end before then (EASY
 *   backfilling, as batch schedulers do). Without the reservation a stream of short shared
 *   jobs could keep an exclusive one waiting; without backfilling the lane would drain and idle.
 * - A lane may cap its jobs in flight (a Selenium Grid's free slots); the pool caps them all.
 *
 * Pure: `Scheduler` decides from the clock it is given; `simulate()` plays a schedule out on
 * expected durations (unit tests, the bench's prediction); `runPool()` drives real jobs.
 */

export interface Claim {
  /** A name shared by every job that needs the same thing: `browser:chromium`, `netns:x`. */
  readonly resource: string;
  readonly exclusive: boolean;
}

export interface Job {
  /** Unique among the jobs of one scheduler. */
  readonly key: string;
  /** The group whose slot count caps its jobs in flight (a browser lane). */
  readonly lane: string;
  /** What the job is expected to take, ms: a previous run's measurement or its declared timeout. */
  readonly expectedMs: number;
  readonly claims: readonly Claim[];
}

export interface PoolLimits {
  /** Jobs in flight at once, all lanes together. */
  workers: number;
  /** Jobs of one lane in flight at once (e.g. a Grid's slots for that browser); unlimited when absent. */
  laneSlots?: Readonly<Record<string, number>>;
}

interface Running<J extends Job> {
  job: J;
  startedAt: number;
}

const holdsAlone = (job: Job) => job.claims.some((c) => c.exclusive);

/**
 * Longest expected first; among equals, one that needs a resource to itself first (started
 * while nothing holds it, it keeps no one waiting: reached later, it drains its lane), then in
 * the order given (which the caller interleaves by lane).
 */
export function byExpected<J extends Job>(jobs: readonly J[]): J[] {
  return jobs
    .map((job, i) => ({ job, i }))
    .sort((a, b) => b.job.expectedMs - a.job.expectedMs || Number(holdsAlone(b.job)) - Number(holdsAlone(a.job)) || a.i - b.i)
    .map((x) => x.job);
}

export class Scheduler<J extends Job> {
  private readonly pending: J[];
  private readonly running = new Map<string, Running<J>>();
  private readonly workers: number;

  constructor(
    jobs: readonly J[],
    private readonly limits: PoolLimits,
  ) {
    const keys = new Set(jobs.map((j) => j.key));
    if (keys.size !== jobs.length) throw new Error('Scheduler: job keys must be unique');
    this.pending = byExpected(jobs);
    this.workers = Math.max(1, Math.floor(limits.workers));
  }

  /** Jobs not started yet. */
  get waiting(): number {
    return this.pending.length;
  }

  get inFlight(): number {
    return this.running.size;
  }

  /** Nothing waiting, nothing running. */
  get done(): boolean {
    return this.pending.length === 0 && this.running.size === 0;
  }

  /** Jobs of `lane` not finished yet (waiting or running). */
  left(lane: string): number {
    return this.pending.filter((j) => j.lane === lane).length + [...this.running.values()].filter((r) => r.job.lane === lane).length;
  }

  /**
   * The job to start at `now` (it is then running), or null when none may start now: the pool
   * is full, or every waiting job's lane is full or its claims are held or promised.
   */
  next(now: number): J | null {
    if (this.running.size >= this.workers) return null;
    // When each resource is promised to a blocked job ahead in the order (EASY backfilling).
    const promised = new Map<string, number>();
    for (let i = 0; i < this.pending.length; i++) {
      const job = this.pending[i];
      if (this.laneFull(job.lane)) continue;
      const blocked = job.claims.filter((c) => this.conflicts(c));
      if (blocked.length > 0) {
        // It starts once the last of its blockers is expected to be gone: every claim it makes is promised from then.
        const startsAt = Math.max(now, ...blocked.map((c) => this.freeAt(c, now)));
        for (const c of job.claims) promised.set(c.resource, Math.min(promised.get(c.resource) ?? Infinity, startsAt));
        continue;
      }
      if (job.claims.some((c) => now + job.expectedMs > (promised.get(c.resource) ?? Infinity))) continue;
      this.pending.splice(i, 1);
      this.running.set(job.key, { job, startedAt: now });
      return job;
    }
    return null;
  }

  /** Every job that may start at `now`, in the order to start them. */
  startable(now: number): J[] {
    const out: J[] = [];
    for (let j = this.next(now); j; j = this.next(now)) out.push(j);
    return out;
  }

  finish(key: string): void {
    if (!this.running.delete(key)) throw new Error(`Scheduler: ${key} is not running`);
  }

  /** Stop starting jobs: what is waiting is dropped (an interrupt). */
  drop(): J[] {
    return this.pending.splice(0);
  }

  private laneFull(lane: string): boolean {
    const cap = this.limits.laneSlots?.[lane];
    if (cap === undefined) return false;
    let n = 0;
    for (const r of this.running.values()) if (r.job.lane === lane) n++;
    return n >= Math.max(1, cap);
  }

  private holders(resource: string): Array<Running<J> & { exclusive: boolean }> {
    const out: Array<Running<J> & { exclusive: boolean }> = [];
    for (const r of this.running.values()) {
      const c = r.job.claims.find((x) => x.resource === resource);
      if (c) out.push({ ...r, exclusive: c.exclusive });
    }
    return out;
  }

  private conflicts(claim: Claim): boolean {
    const held = this.holders(claim.resource);
    return claim.exclusive ? held.length > 0 : held.some((h) => h.exclusive);
  }

  /** When the holders that block `claim` are expected to be gone (now, for one that overran). */
  private freeAt(claim: Claim, now: number): number {
    const blocking = this.holders(claim.resource).filter((h) => claim.exclusive || h.exclusive);
    return Math.max(now, ...blocking.map((h) => h.startedAt + h.job.expectedMs));
  }
}

export interface Simulated {
  /** When the last job is expected to end, ms from the start. */
  makespanMs: number;
  /** Each job's expected start and end, ms from the start, in start order. */
  timeline: Array<{ key: string; lane: string; start: number; end: number }>;
}

/** The schedule played out on expected durations: what runPool() would do if every job took what it was expected to. */
export function simulate(jobs: readonly Job[], limits: PoolLimits): Simulated {
  const s = new Scheduler(jobs, limits);
  const timeline: Simulated['timeline'] = [];
  const ends: Array<{ key: string; end: number }> = [];
  let now = 0;
  while (!s.done) {
    for (const job of s.startable(now)) {
      const end = now + Math.max(0, job.expectedMs);
      timeline.push({ key: job.key, lane: job.lane, start: now, end });
      ends.push({ key: job.key, end });
    }
    // The earliest end finishes next (ties: in start order).
    ends.sort((a, b) => a.end - b.end);
    const first = ends.shift();
    if (!first) throw new Error('Scheduler: nothing running and nothing can start');
    now = first.end;
    s.finish(first.key);
  }
  return { makespanMs: Math.max(0, ...timeline.map((t) => t.end)), timeline };
}

export interface PoolOptions {
  signal?: AbortSignal;
  /** The clock (ms); Date.now by default. */
  now?: () => number;
}

/**
 * Runs every job through `scheduler`, `run(job)` for each as it may start, until all are done
 * or `signal` aborts (then nothing more starts, and what is in flight is awaited). `run` must
 * not reject: a job's failure is its own result.
 */
export async function runPool<J extends Job>(
  scheduler: Scheduler<J>,
  run: (job: J) => Promise<void>,
  options: PoolOptions = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const inflight = new Set<Promise<void>>();
  const stopped = () => options.signal?.aborted === true;
  while (!scheduler.done) {
    if (stopped()) scheduler.drop();
    else {
      for (const job of scheduler.startable(now())) {
        const p: Promise<void> = run(job).finally(() => {
          scheduler.finish(job.key);
          inflight.delete(p);
        });
        inflight.add(p);
      }
    }
    if (inflight.size === 0) {
      if (scheduler.done) break;
      throw new Error('Scheduler: nothing running and nothing can start');
    }
    await Promise.race(inflight);
  }
}
