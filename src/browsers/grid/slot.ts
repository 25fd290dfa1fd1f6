/**
 * The Grid lane's slot: up to `capacity` sessions (the Grid's matching slots, capped by
 * --workers), each one browser that runs one scenario at a time. Scenarios need no fresh
 * profile (each gets a BrowserContext of its own), so a session is reused from one scenario to
 * the next and deleted only when the run ends, or when it broke. A session whose node or
 * browser went away is a lost browser, as a local crash: the attempt is retried, and get()
 * then hands out another session (a new one is placed by the Grid on a node that is alive).
 *
 * It answers the runner as BrowserSlot does (get, markBroken, crash, the log marks, close),
 * plus release(): a session is free again once its scenario has torn down. A scenario that
 * needs browsers of its own on the Grid (the restart scenario's profile browsers) borrows a
 * Grid slot: the lane gives back an idle session (or the next one released) while it lasts,
 * so its request is not left waiting behind sessions the lane keeps idle.
 */
import { BrowserLostError } from '../../errors.js';
import { bestEffort, debug } from '../../util/debug.js';
import { withDeadline } from '../../util/deadline.js';
import type { BrowserCrash } from '../slot.js';
import type { BrowserSpec, BrowserUnderTest, EngineDriver } from '../types.js';

const log = debug('bgprobe:grid');

interface Held {
  but: BrowserUnderTest;
  busy: boolean;
  broken: boolean;
}

export class GridSlot {
  version: string | null = null;
  launches = 0;
  readonly crashes: BrowserCrash[] = [];
  launchError: Error | null = null;
  private readonly held: Held[] = [];
  /** Sessions being created (they count against the capacity). */
  private creating = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly crashOf = new WeakMap<EngineDriver, BrowserCrash>();
  private firstLaunchError: Error | null = null;
  private started = false;
  private closed = false;
  /** Grid slots lent to a scenario's own browsers: the lane holds that many fewer sessions meanwhile. */
  private lent = 0;

  constructor(
    readonly spec: BrowserSpec,
    /**
     * Sessions at once: the Grid's matching slots capped by --workers, one fewer for each
     * session lost. A dead node's slots stay listed (and busy) on the hub for minutes, so a
     * lane that asked for a session in their place would wait in the queue behind its own
     * idle ones; the lost scenarios are retried on the sessions the lane still has.
     */
    private capacity: number,
    /** Opens one session (gridType's launch): the slot never asks how. */
    private readonly open: () => Promise<BrowserUnderTest>,
  ) {}

  /**
   * A free session: an idle one, else whichever comes first of a new one (asked for while under
   * capacity) and one another scenario releases. A session request that fails or waits in the
   * queue (a node died: its slots stay busy on the hub) then costs no verdict while the lane
   * still has sessions; only a lane that never got one throws.
   */
  async get(): Promise<BrowserUnderTest> {
    for (;;) {
      if (this.firstLaunchError && !this.started) throw this.firstLaunchError;
      if (this.closed) throw new BrowserLostError('the Grid lane was closed');
      this.dropBroken();
      const idle = this.spread();
      if (idle) {
        idle.busy = true;
        return idle.but;
      }
      if (this.held.length + this.creating < this.limit()) void this.create();
      else if (this.held.length === 0 && this.creating === 0 && this.launchError) throw this.launchError;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Sessions opened now, side by side, before the scenarios ask (at most the limit): the lane's
   * first scenarios find them ready, and the Grid has spread them over its nodes.
   */
  prewarm(n: number): void {
    while (!this.closed && this.held.length + this.creating < Math.min(n, this.limit())) void this.create();
  }

  /** Busy sessions of this lane on `node`. */
  private busyOn(node: string | null | undefined): number {
    return this.held.filter((h) => h.busy && h.but.node === node).length;
  }

  /**
   * The idle session to hand out: one on the node where this lane runs the fewest scenarios now
   * (the first such), so scenarios running at once share the nodes instead of piling on one.
   */
  private spread(): Held | undefined {
    let best: Held | undefined;
    for (const h of this.held) if (!h.busy && (!best || this.busyOn(h.but.node) < this.busyOn(best.but.node))) best = h;
    return best;
  }

  private wakeAll(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The scenario on `engine` is done with it: the session is free for the next one (deleted when the lane is over its limit). */
  release(engine: EngineDriver): void {
    const h = this.held.find((x) => x.but.engine === engine);
    if (h) h.busy = false;
    this.shrink();
    this.waiters.shift()?.();
  }

  /** A Grid slot for a browser a scenario opens itself, until giveBack(). */
  lend(): void {
    this.lent++;
    this.shrink();
  }

  giveBack(): void {
    this.lent = Math.max(0, this.lent - 1);
    this.waiters.shift()?.();
  }

  /** At least one session stays: a scenario holding the lane's only one borrows beside it. */
  private limit(): number {
    return Math.max(1, this.capacity - this.lent);
  }

  /** Idle sessions beyond the limit are deleted, freeing their Grid slots: from the node where the lane holds the most. */
  private shrink(): void {
    while (this.held.length > this.limit()) {
      const on = (h: Held) => this.held.filter((x) => x.but.node === h.but.node).length;
      let i = -1;
      this.held.forEach((h, j) => {
        if (!h.busy && (i < 0 || on(h) > on(this.held[i]))) i = j;
      });
      if (i < 0) return;
      void this.dispose(this.held.splice(i, 1)[0]);
    }
  }

  markBroken(engine: EngineDriver): void {
    const h = this.held.find((x) => x.but.engine === engine);
    if (h) h.broken = true;
  }

  /** A Grid browser's log stays on its node: there are no FATAL lines to read here. */
  logMark(): number {
    return 0;
  }

  fatalSince(): string[] {
    return [];
  }

  crash(engine: EngineDriver): BrowserCrash | undefined {
    return this.crashOf.get(engine);
  }

  /** Deletes every session (also those still busy: the run is over or interrupted). */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.held.splice(0);
    await Promise.all(all.map((h) => this.dispose(h)));
    for (const w of this.waiters.splice(0)) w();
  }

  /** One more session, added idle (the waiters are woken to take it); a failure lowers the lane's session count instead. */
  private async create(): Promise<void> {
    this.creating++;
    this.launches++;
    let but: BrowserUnderTest;
    try {
      but = await this.open();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.launchError = error;
      if (!this.started) this.firstLaunchError = error;
      // The Grid did not give this slot (a dead node's, a full queue): the lane goes on with fewer.
      else this.capacity = Math.max(1, this.capacity - 1);
      this.creating--;
      this.wakeAll();
      return;
    }
    this.creating--;
    this.started = true;
    if (this.closed) {
      await this.dispose({ but, busy: false, broken: false });
      return;
    }
    this.version = but.version;
    const held: Held = { but: this.lending(but), busy: false, broken: false };
    but.engine.onDisconnected(() => {
      if (!this.held.includes(held)) return;
      held.broken = true;
      this.capacity = Math.max(1, this.capacity - 1);
      const crash = {
        at: Date.now(),
        lastWords: `the Grid session on ${but.node ?? 'its node'} ended (the node or its browser went away)`,
      };
      this.crashes.push(crash);
      this.crashOf.set(but.engine, crash);
    });
    this.held.push(held);
    // A slot lent while this session was being created leaves the lane over its limit.
    this.shrink();
    this.wakeAll();
  }

  /** `but` whose profile browsers borrow a Grid slot from the lane while they run. */
  private lending(but: BrowserUnderTest): BrowserUnderTest {
    const onProfile = but.onProfile;
    if (!onProfile) return but;
    return {
      ...but,
      onProfile: async (userDataDir) => {
        this.lend();
        let browser;
        try {
          browser = await onProfile(userDataDir);
        } catch (e) {
          this.giveBack();
          throw e;
        }
        const close = browser.close.bind(browser);
        browser.close = async () => {
          try {
            await close();
          } finally {
            this.giveBack();
          }
        };
        return browser;
      },
    };
  }

  /** Broken sessions that no scenario holds are deleted (in the background: a dead node may be slow to answer). */
  private dropBroken(): void {
    for (let i = this.held.length - 1; i >= 0; i--) {
      const h = this.held[i];
      if (h.busy || (!h.broken && h.but.engine.isConnected())) continue;
      this.held.splice(i, 1);
      void this.dispose(h);
    }
  }

  private async dispose(h: Held): Promise<void> {
    await bestEffort(log, `delete the Grid session on ${h.but.node ?? '?'}`, () =>
      withDeadline(h.but.engine.close(), 15_000, 'deleting a Grid session'),
    );
  }
}
