/**
 * The Grid lane's session pool (GridSlot) and a session's liveness and deletion (GridBrowser),
 * over a fake launcher and a fake GridClient: no Grid, no browser. A session is reused from one
 * scenario to the next, deleted when the lane closes (busy or not) and when it broke, a session
 * whose browser went away is a lost browser (a crash the runner retries), and a launcher that
 * fails costs the lane a slot, not the run, once the lane has a session.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Browser } from 'playwright-core';
import { GridSlot } from '../../src/browsers/grid/slot.js';
import { openLane } from '../../src/browsers/lane.js';
import { GridBrowser } from '../../src/browsers/grid/session.js';
import type { GridClient } from '../../src/browsers/grid/client.js';
import type { BrowserSpec, BrowserUnderTest, EngineDriver } from '../../src/browsers/types.js';
import { BrowserLostError, UsageError } from '../../src/errors.js';

const spec: BrowserSpec = { label: 'grid', kind: 'grid', target: 'http://127.0.0.1:4444', args: [], engine: 'chromium' };

/** A session as the launcher hands it out: `die()` is its node going away, `closed` counts deletions. */
interface FakeSession {
  but: BrowserUnderTest;
  id: number;
  closed: number;
  die(): void;
}

/** `nodeOf` places session `id` on a node (default: a node of its own). */
function fakeLauncher(nodeOf: (id: number) => string = (id) => `http://127.0.0.1:${5554 + id}`) {
  const sessions: FakeSession[] = [];
  let failNext: Error | null = null;
  let hold: Promise<void> | null = null;
  const open = async (): Promise<BrowserUnderTest> => {
    if (hold) await hold;
    if (failNext) {
      const e = failNext;
      failNext = null;
      throw e;
    }
    const id = sessions.length + 1;
    let connected = true;
    const listeners: Array<() => void> = [];
    const s: FakeSession = {
      id,
      closed: 0,
      but: undefined as unknown as BrowserUnderTest,
      die() {
        connected = false;
        for (const l of listeners) l();
      },
    };
    const engine: EngineDriver = {
      info: { engine: 'chromium', product: 'Chromium', version: `156.0.${id}`, provides: ['cdp'] },
      playwright: null,
      newPage: () => Promise.reject(new Error('not in this test')),
      onDisconnected(l) {
        listeners.push(l);
        return () => undefined;
      },
      isConnected: () => connected,
      async close() {
        connected = false;
        s.closed++;
      },
    };
    s.but = {
      label: 'grid',
      kind: 'grid',
      target: spec.target,
      args: [],
      engine,
      browser: null,
      version: `156.0.${id}`,
      executablePath: null,
      node: nodeOf(id),
    };
    sessions.push(s);
    return s.but;
  };
  return {
    open,
    sessions,
    failNextWith(e: Error) {
      failNext = e;
    },
    /** Launches wait until the returned function is called. */
    holdLaunches(): () => void {
      let release!: () => void;
      hold = new Promise<void>((r) => (release = r));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const idOf = (l: ReturnType<typeof fakeLauncher>, but: BrowserUnderTest) => l.sessions.find((s) => s.but.engine === but.engine)?.id;
/** Lets the slot's background work (a create, a dispose) run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('GridSlot: the Grid lane’s sessions', () => {
  it('reuses a released session for the next scenario instead of opening another', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    const a = await slot.get();
    slot.release(a.engine);
    const b = await slot.get();
    expect(idOf(l, b)).toBe(idOf(l, a));
    expect(slot.launches).toBe(1);
    expect(l.sessions.map((s) => s.closed)).toEqual([0]);
    expect(slot.version).toBe('156.0.1');
    await slot.close();
  });

  it('opens up to its capacity at once; one more scenario waits for a release and gets that session', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    const [a, b] = await Promise.all([slot.get(), slot.get()]);
    expect(new Set([idOf(l, a), idOf(l, b)])).toEqual(new Set([1, 2]));
    let third: BrowserUnderTest | null = null;
    const waiting = slot.get().then((x) => (third = x));
    await settle();
    expect(third).toBeNull();
    expect(slot.launches).toBe(2);
    slot.release(b.engine);
    await waiting;
    expect(idOf(l, third!)).toBe(idOf(l, b));
    expect(slot.launches).toBe(2);
    await slot.close();
  });

  it('prewarm opens the sessions its scenarios can use at once, up to its capacity, and get() hands those out', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 3, l.open);
    slot.prewarm(5);
    expect(slot.launches).toBe(3);
    await settle();
    const got = await Promise.all([slot.get(), slot.get(), slot.get()]);
    expect(new Set(got.map((b) => idOf(l, b)))).toEqual(new Set([1, 2, 3]));
    expect(slot.launches).toBe(3);
    const small = new GridSlot(spec, 3, fakeLauncher().open);
    small.prewarm(1);
    expect(small.launches).toBe(1);
    await Promise.all([slot.close(), small.close()]);
  });

  it('hands out the idle session on the node running the fewest of its scenarios', async () => {
    // Sessions 1 and 2 on node a, 3 on node b.
    const l = fakeLauncher((id) => (id <= 2 ? 'http://a:5555' : 'http://b:5555'));
    const slot = new GridSlot(spec, 3, l.open);
    slot.prewarm(3);
    await settle();
    const first = await slot.get();
    expect(idOf(l, first)).toBe(1);
    // Node a runs one scenario, node b none: b's session, though a's second is idle and listed first.
    const second = await slot.get();
    expect(idOf(l, second)).toBe(3);
    await slot.close();
  });

  it('a lent Grid slot is freed from the node where the lane holds the most sessions', async () => {
    // Session 1 on node b, 2 and 3 on node a.
    const l = fakeLauncher((id) => (id === 1 ? 'http://b:5555' : 'http://a:5555'));
    const slot = new GridSlot(spec, 3, l.open);
    slot.prewarm(3);
    await settle();
    // A scenario's own browser borrows a Grid slot: an idle session goes, from node a (two there), not the first listed (b's only one).
    slot.lend();
    await settle();
    expect(l.sessions.map((s) => s.closed)).toEqual([0, 1, 0]);
    slot.giveBack();
    await slot.close();
  });

  it('a slot lent while the sessions are still being created: the one over the limit is deleted once it arrives', async () => {
    const l = fakeLauncher();
    const release = l.holdLaunches();
    const slot = new GridSlot(spec, 3, l.open);
    slot.prewarm(3);
    // The restart scenario's own browser borrows a slot before any of the three sessions is there.
    slot.lend();
    release();
    await settle();
    // Three arrived; the lane may hold two while the slot is lent: one is deleted, freeing its Grid slot.
    expect(l.sessions.map((s) => s.closed).sort()).toEqual([0, 0, 1]);
    slot.giveBack();
    await slot.close();
  });

  it('deletes every session on close, the busy ones too, once each; get() after close is a lost browser', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    const [a] = await Promise.all([slot.get(), slot.get()]);
    slot.release(a.engine);
    await slot.close();
    expect(l.sessions.map((s) => s.closed)).toEqual([1, 1]);
    await expect(slot.get()).rejects.toBeInstanceOf(BrowserLostError);
  });

  it('deletes a session that the Grid gave only after the lane closed', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 1, l.open);
    const go = l.holdLaunches();
    const pending = slot.get().catch((e: unknown) => e);
    await settle();
    await slot.close();
    go();
    expect(await pending).toBeInstanceOf(BrowserLostError);
    await settle();
    expect(l.sessions.map((s) => s.closed)).toEqual([1]);
  });

  it('a session whose node went away is a lost browser: a crash naming the node, deleted, and the next scenario gets a new session', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    const a = await slot.get();
    l.sessions[0].die();
    expect(slot.crashes).toHaveLength(1);
    expect(slot.crash(a.engine)?.lastWords).toContain('http://127.0.0.1:5555');
    slot.release(a.engine);
    const b = await slot.get();
    expect(idOf(l, b)).toBe(2);
    expect(l.sessions[0].closed).toBe(1);
    expect(slot.crash(b.engine)).toBeUndefined();
    await slot.close();
    expect(l.sessions.map((s) => s.closed)).toEqual([1, 1]);
  });

  it('a session the runner marked broken is deleted once released, not handed out again', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 1, l.open);
    const a = await slot.get();
    slot.markBroken(a.engine);
    slot.release(a.engine);
    const b = await slot.get();
    expect(idOf(l, b)).toBe(2);
    expect(l.sessions[0].closed).toBe(1);
    expect(slot.crashes).toHaveLength(0);
    await slot.close();
  });

  it('a lane that never got a session fails with the Grid’s error', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    l.failNextWith(new Error('no slot within 45 s'));
    await expect(slot.get()).rejects.toThrow('no slot within 45 s');
    expect(slot.launchError?.message).toBe('no slot within 45 s');
    await slot.close();
  });

  it('a refused request once the lane has a session costs the lane that slot, not the scenario: it waits for the session it has', async () => {
    const l = fakeLauncher();
    const slot = new GridSlot(spec, 2, l.open);
    const a = await slot.get();
    l.failNextWith(new Error('Connection error (POST http://127.0.0.1:5556/se/grid/node/session)'));
    const next = slot.get();
    await settle();
    slot.release(a.engine);
    const b = await next;
    expect(idOf(l, b)).toBe(1);
    expect(slot.launches).toBe(2);
    expect(l.sessions).toHaveLength(1);
    // The lane now holds one session: another scenario waits for it rather than asking the Grid again.
    let more: BrowserUnderTest | null = null;
    const waiting = slot.get().then((x) => (more = x));
    await settle();
    expect(more).toBeNull();
    expect(slot.launches).toBe(2);
    slot.release(b.engine);
    await waiting;
    expect(idOf(l, more!)).toBe(1);
    await slot.close();
  });
});

describe('GridBrowser: one session', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function fakeClient(alive: () => boolean) {
    const deleted: string[] = [];
    const asked = vi.fn(async () => alive());
    const client = {
      url: 'http://127.0.0.1:4444',
      requestHeaders: {},
      alive: asked,
      deleteSession: vi.fn(async (id: string) => {
        deleted.push(id);
      }),
    } as unknown as GridClient;
    return { client, deleted, asked };
  }
  function fakeBrowser() {
    let connected = true;
    const browser = {
      isConnected: () => connected,
      close: vi.fn(async () => {
        connected = false;
      }),
    };
    return browser;
  }

  it('close() disconnects and deletes the session once, however often it is called', async () => {
    const { client, deleted } = fakeClient(() => true);
    const browser = fakeBrowser();
    const g = new GridBrowser(client, 's-1', 'http://127.0.0.1:5555', '156', {}, browser as unknown as Browser);
    await Promise.all([g.close(), g.close()]);
    await g.close();
    expect(deleted).toEqual(['s-1']);
    expect(browser.close).toHaveBeenCalledTimes(1);
  });

  it('a session the Grid no longer answers for is disconnected (Playwright then reports a lost browser); a slow answer is not', async () => {
    vi.useFakeTimers();
    let answer: boolean | 'slow' = 'slow';
    const { client, deleted, asked } = fakeClient(() => {
      if (answer === 'slow') throw new Error('timed out');
      return answer;
    });
    const browser = fakeBrowser();
    const g = new GridBrowser(client, 's-2', null, '156', {}, browser as unknown as Browser);
    await vi.advanceTimersByTimeAsync(2_100);
    expect(asked).toHaveBeenCalledTimes(1);
    expect(browser.close).not.toHaveBeenCalled();
    answer = true;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(browser.close).not.toHaveBeenCalled();
    answer = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(browser.close).toHaveBeenCalledTimes(1);
    expect(browser.isConnected()).toBe(false);
    // Disconnected, not yet deleted: the lane's close() (dispose) deletes it.
    expect(deleted).toEqual([]);
    await g.close();
    expect(deleted).toEqual(['s-2']);
  });
});

describe('openLane: a Grid lane’s slot count', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = null;
  });
  /** A fake Grid answering /status: `slots` chrome slots on one UP node, `down` more on a DOWN node, `firefox` slots of another browser. */
  const grid = (slots: number, down = 0, firefox = 0) =>
    new Promise<string>((resolve) => {
      const slot = (browserName: string) => ({ stereotype: { browserName, platformName: 'linux' }, session: null });
      const value = {
        ready: true,
        message: 'Selenium Grid ready.',
        nodes: [
          {
            id: 'up',
            uri: 'http://127.0.0.1:5555',
            availability: 'UP',
            slots: [
              ...Array(slots)
                .fill(0)
                .map(() => slot('chrome')),
              ...Array(firefox)
                .fill(0)
                .map(() => slot('firefox')),
            ],
          },
          {
            id: 'down',
            uri: 'http://127.0.0.1:5556',
            availability: 'DOWN',
            slots: Array(down)
              .fill(0)
              .map(() => slot('chrome')),
          },
        ],
      };
      server = createServer((_, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ value })));
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server!.address() as AddressInfo).port}`));
    });

  it('is the Grid’s matching slots on UP nodes, capped by --workers', async () => {
    const url = await grid(3, 4, 5);
    const at = (workers: number) => openLane({ ...spec, target: url }, { headless: true, workers });
    const wide = await at(8);
    expect(wide.workers).toBe(3);
    expect(wide.slot).toBeInstanceOf(GridSlot);
    await wide.slot.close();
    const narrow = await at(2);
    expect(narrow.workers).toBe(2);
    await narrow.slot.close();
  });

  it('a Grid with no matching slot is a UsageError before any session is asked for', async () => {
    const url = await grid(0, 2, 2);
    await expect(openLane({ ...spec, target: url }, { headless: true, workers: 4 })).rejects.toBeInstanceOf(UsageError);
  });
});
