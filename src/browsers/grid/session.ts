/**
 * A browser on a Selenium Grid: one WebDriver session, driven over its `se:cdp` (the Grid's
 * WebSocket proxy to the browser's DevTools endpoint) as a Playwright Browser
 * (`chromium.connectOverCDP`). Playwright attaches to each page with flatten sessions, which
 * is what the BackgroundService domain needs: over se:cdp it answers on a page session only
 * (the browser session says "'BackgroundService.startObserving' wasn't found").
 *
 * A session is always deleted: by close(); by the exit guard below when the process ends
 * without close() (an uncaught error, process.exit on Ctrl-C); and the Grid's node deletes one
 * that idles past its --session-timeout. A session driven only over se:cdp looks idle to the
 * node (CDP traffic is not a WebDriver command), so a keep-alive command runs every minute.
 */
import { spawnSync } from 'node:child_process';
import type { Browser } from 'playwright-core';
import { BgprobeError } from '../../errors.js';
import { bestEffort, debug } from '../../util/debug.js';
import { settleWithin } from '../../util/deadline.js';
import type { Capabilities } from './capabilities.js';
import type { GridClient } from './client.js';

const log = debug('bgprobe:grid');

const KEEPALIVE_MS = 60_000;
const CONNECT_MS = 30_000;

export interface GridLaunchOptions {
  client: GridClient;
  /** The full request (bgprobe's merged with the user's). */
  capabilities: Capabilities;
  /** How long to wait for a slot (the Grid queues requests while every slot is busy). */
  queueTimeout: number;
}

/** Sessions opened and not yet deleted, by this process: what the exit guard deletes. */
const open = new Map<string, string>();
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
    const urls = JSON.stringify([...open.values()]);
    spawnSync(process.execPath, ['-e', `Promise.allSettled(${urls}.map((u) => fetch(u, { method: 'DELETE', signal: AbortSignal.timeout(4000) })))`], { timeout: 5_000, stdio: 'ignore' });
  });
}

export class GridBrowser {
  private closed: Promise<void> | null = null;
  private readonly keepalive: NodeJS.Timeout;

  constructor(
    readonly client: GridClient,
    readonly sessionId: string,
    /** The node's URI as the Grid lists it (null when /status did not show the session). */
    readonly node: string | null,
    /** The browser version the session reported (browserVersion). */
    readonly version: string,
    readonly capabilities: Capabilities,
    readonly browser: Browser,
  ) {
    this.keepalive = setInterval(() => void bestEffort(log, `keep ${sessionId} alive`, () => client.touch(sessionId)), KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Disconnects and deletes the session (the node quits the browser); once, however often called. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.keepalive);
      await bestEffort(log, 'disconnect from se:cdp', () => settleWithin(this.browser.close(), 10_000, () => new Error('timed out')));
      await deleteSession(this.client, this.sessionId);
    })();
    return this.closed;
  }
}

async function deleteSession(client: GridClient, sessionId: string): Promise<void> {
  await bestEffort(log, `delete session ${sessionId}`, () => client.deleteSession(sessionId));
  open.delete(sessionId);
}

/** A new session on the Grid, connected over se:cdp. A session that cannot be connected is deleted before the error is thrown. */
export async function launchOnGrid(options: GridLaunchOptions): Promise<GridBrowser> {
  const { client } = options;
  guardExit();
  const session = await client.newSession(options.capabilities, { timeout: options.queueTimeout });
  open.set(session.sessionId, `${client.url}/session/${encodeURIComponent(session.sessionId)}`);
  try {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.connectOverCDP(session.seCdp, { timeout: CONNECT_MS });
    const node = await client.nodeOf(session.sessionId).catch(() => null);
    return new GridBrowser(client, session.sessionId, node?.uri ?? null, session.browserVersion, session.capabilities, browser);
  } catch (e) {
    await deleteSession(client, session.sessionId);
    throw new BgprobeError(`Could not connect to the Grid session's se:cdp ${session.seCdp}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Sessions this process opened that are not deleted yet (for tests and the run's final sweep). */
export function openSessions(): string[] {
  return [...open.keys()];
}
