/**
 * A browser on a Selenium Grid: one WebDriver session, driven over its `se:cdp` (the Grid's
 * WebSocket proxy to the browser's DevTools endpoint), or over that endpoint itself when the
 * browser runs on this machine (devtools.ts: no Java process relays the messages), as a
 * Playwright Browser (`chromium.connectOverCDP`). Playwright attaches to each page with flatten
 * sessions, which is what the BackgroundService domain needs: over se:cdp it answers on a page
 * session only (the browser session says "'BackgroundService.startObserving' wasn't found").
 *
 * Measured on Grid 4.48 (hub + 2 nodes here), and why the code below does what it does:
 * - A node whose Java process is SIGKILLed leaves the hub's se:cdp WebSocket open (no close
 *   within 20 s), and its browser, reached on its own endpoint, keeps running (chromedriver and
 *   Chromium outlive the node's Java): nothing would ever tell Playwright. So each session is asked every 2 s
 *   whether it still answers a WebDriver command through the hub; when the Grid says no, the
 *   connection is closed, Playwright reports 'disconnected', and the run treats it as a lost
 *   browser (retried on another session).
 * - For about two minutes after, the hub still lists the dead node UP and places some new
 *   sessions on it; those fail at once ("Connection error (POST <node>/se/grid/node/session)"),
 *   so a failed request is asked again (a few times, within the queue deadline).
 * - A session is always deleted: by close(); by the exit guard below when the process ends
 *   without close() (an uncaught error, process.exit on a second Ctrl-C); and a node deletes a
 *   session that idles past its --session-timeout (the liveness command also keeps it busy).
 */
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { BgprobeError } from '../../errors.js';
import { bestEffort, debug } from '../../util/debug.js';
import { settleWithin } from '../../util/deadline.js';
import type { Capabilities } from './capabilities.js';
import { GridSessionError, type GridClient, type GridSessionInfo } from './client.js';
import { localDevTools } from './devtools.js';

const log = debug('bgprobe:grid');

const LIVENESS_MS = 2_000;
const CONNECT_MS = 30_000;
/** A browser's own endpoint on this machine answers at once, or se:cdp is taken. */
const DIRECT_MS = 5_000;
/** Session requests a Grid refused (not queued) are asked again this many times. */
const CREATE_TRIES = 6;

export interface GridLaunchOptions {
  client: GridClient;
  /** The full request (bgprobe's merged with the user's). */
  capabilities: Capabilities;
  /** How long to wait for a slot (the Grid queues requests while every slot is busy). */
  queueTimeout: number;
}

/** Sessions opened and not yet deleted, by this process: what the exit guard deletes. */
const open = new Map<string, { url: string; headers: Record<string, string> }>();
let guarded = false;

/**
 * On exit, delete what is still open. 'exit' handlers cannot wait for a promise, so the
 * DELETEs run in a short child process, waited for synchronously (at most 5 s).
 */
function guardExit(): void {
  if (guarded) return;
  guarded = true;
  process.on('exit', () => {
    if (open.size === 0) return;
    const requests = JSON.stringify([...open.values()]);
    const script = `Promise.allSettled(${requests}.map((r) => fetch(r.url, { method: 'DELETE', headers: r.headers, signal: AbortSignal.timeout(4000) })))`;
    spawnSync(process.execPath, ['-e', script], { timeout: 5_000, stdio: 'ignore' });
  });
}

export class GridBrowser {
  private closed: Promise<void> | null = null;
  private readonly liveness: NodeJS.Timeout;
  private checking = false;
  /** Playwright's own close (the connection only): a caller may replace browser.close (a profile browser quits by SIGTERM first). */
  private readonly closeConnection: () => Promise<void>;

  constructor(
    readonly client: GridClient,
    readonly sessionId: string,
    /** The node's URI as the Grid lists it (null when /status did not show the session). */
    readonly node: string | null,
    /** The browser version the session reported (browserVersion). */
    readonly version: string,
    readonly capabilities: Capabilities,
    readonly browser: Browser,
    /** Where CDP goes: the browser's own DevTools endpoint (it runs here), or the Grid's se:cdp proxy. */
    readonly endpoint: 'browser' | 'se:cdp' = 'se:cdp',
  ) {
    this.closeConnection = browser.close.bind(browser);
    this.liveness = setInterval(() => void this.check(), LIVENESS_MS);
    this.liveness.unref();
  }

  /** The browser's process id on its node (chromedriver's `goog:processID`), when the session says. */
  get processId(): number | null {
    const pid = this.capabilities['goog:processID'];
    return typeof pid === 'number' && pid > 0 ? pid : null;
  }

  /** Disconnects and deletes the session (the node quits the browser); once, however often called. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.liveness);
      await this.disconnect();
      await deleteSession(this.client, this.sessionId);
    })();
    return this.closed;
  }

  /** Closes the CDP connection only: Playwright then reports 'disconnected'. */
  async disconnect(): Promise<void> {
    await bestEffort(log, 'disconnect from CDP', () => settleWithin(this.closeConnection(), 10_000, () => new Error('timed out')));
  }

  /**
   * Whether the session still runs, asked now (the liveness timer asks every 2 s): a scenario
   * that ended while its node was dying is judged only once this says yes. A session found gone
   * is disconnected (a lost browser); a hub that does not answer in time counts as yes, as for
   * the timer.
   */
  async confirm(): Promise<boolean> {
    if (this.closed || !this.browser.isConnected()) return false;
    await this.check(true);
    return this.browser.isConnected();
  }

  private async check(now = false): Promise<void> {
    if ((this.checking && !now) || this.closed || !this.browser.isConnected()) return;
    this.checking = true;
    try {
      if (!(await this.client.alive(this.sessionId))) {
        log(`session ${this.sessionId} on ${this.node ?? '?'} no longer answers: treated as a lost browser`);
        clearInterval(this.liveness);
        await this.disconnect();
      }
    } catch (e) {
      // The hub did not answer in time: a busy Grid is not a dead browser; ask again next time.
      log(`liveness of ${this.sessionId}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.checking = false;
    }
  }
}

async function deleteSession(client: GridClient, sessionId: string): Promise<void> {
  await bestEffort(log, `delete session ${sessionId}`, () => client.deleteSession(sessionId));
  open.delete(sessionId);
}

/** A session, asked again when the Grid refused it (a dead node it still lists); the queue deadline is not asked again. */
async function createSession(options: GridLaunchOptions): Promise<GridSessionInfo> {
  const deadline = Date.now() + options.queueTimeout;
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.client.newSession(options.capabilities, { timeout: Math.max(1_000, deadline - Date.now()) });
    } catch (e) {
      if (!(e instanceof GridSessionError) || e.queued || attempt >= CREATE_TRIES || Date.now() >= deadline) throw e;
      log(`session request refused (${e.message}); asking again`);
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/**
 * The session's browser over CDP: on its own DevTools endpoint when it runs here (devtools.ts:
 * no Java process relays the messages), else, or when that does not answer, over se:cdp.
 */
async function connect(session: GridSessionInfo): Promise<{ browser: Browser; endpoint: 'browser' | 'se:cdp' }> {
  const { chromium } = await import('playwright-core');
  const direct = localDevTools(session.capabilities);
  if (direct) {
    try {
      return { browser: await chromium.connectOverCDP(direct, { timeout: DIRECT_MS }), endpoint: 'browser' };
    } catch (e) {
      log(
        `the browser's own DevTools endpoint ${direct} did not answer (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); over se:cdp`,
      );
    }
  }
  return { browser: await chromium.connectOverCDP(session.seCdp, { timeout: CONNECT_MS }), endpoint: 'se:cdp' };
}

/**
 * A new session on the Grid, connected over CDP (connect()). A session whose se:cdp cannot be opened
 * (its node died in between: the hub answers 400) is deleted and another one asked for, as a
 * refused request is.
 */
export async function launchOnGrid(options: GridLaunchOptions): Promise<GridBrowser> {
  const { client } = options;
  guardExit();
  const deadline = Date.now() + options.queueTimeout;
  for (let attempt = 1; ; attempt++) {
    const session = await createSession({ ...options, queueTimeout: Math.max(1_000, deadline - Date.now()) });
    open.set(session.sessionId, { url: `${client.url}/session/${encodeURIComponent(session.sessionId)}`, headers: client.requestHeaders });
    try {
      const [{ browser, endpoint }, node] = await Promise.all([connect(session), client.nodeOf(session.sessionId).catch(() => null)]);
      return new GridBrowser(client, session.sessionId, node?.uri ?? null, session.browserVersion, session.capabilities, browser, endpoint);
    } catch (e) {
      await deleteSession(client, session.sessionId);
      const why = `Could not connect to the Grid session's se:cdp ${session.seCdp}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      if (attempt >= CREATE_TRIES || Date.now() >= deadline) throw new BgprobeError(why);
      log(`${why}; asking for another session`);
    }
  }
}

/** Sessions this process opened that are not deleted yet (for tests and the run's final sweep). */
export function openSessions(): string[] {
  return [...open.keys()];
}
