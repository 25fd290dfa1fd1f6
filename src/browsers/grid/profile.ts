/**
 * A Grid browser on a profile that survives its close (the restart scenario: close the browser
 * mid-fetch, start it again on the same profile). The close must be a user quitting: SIGTERM.
 * Measured on Grid 4.48 with Chromium 156, the ways a Grid can end a browser are not: deleting
 * the session (chromedriver's quit), CDP Browser.close, or closing every tab (the browser stays
 * up, headless or headful on Xvfb) all leave a fetch that resumes after the relaunch and then
 * fails with SERVICE_WORKER_UNAVAILABLE, which would be the Grid's artefact reported as the
 * browser's behaviour; `chrome://quit` opened over CDP does nothing.
 *
 * So a profile browser is offered where bgprobe can send that SIGTERM itself: the session's
 * browser runs on this machine (its `goog:processID` is a local process whose command line
 * holds the profile directory bgprobe made). Elsewhere the scenario is not automatable, with
 * this reason. The relaunch asks for the node the profile is on when its stereotype names one
 * (`bgprobe:node`, as scripts/grid.sh's nodes do); nodes on this machine share its disk anyway.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { NotAutomatable } from '../../errors.js';
import { bestEffort, debug } from '../../util/debug.js';
import { NODE_CAPABILITY, type Capabilities } from './capabilities.js';
import type { GridClient } from './client.js';
import { launchOnGrid, type GridBrowser } from './session.js';

const log = debug('bgprobe:grid');

const EXIT_MS = 15_000;

export const NOT_LOCAL =
  'A restart on the same profile needs a browser bgprobe can quit as a user would (SIGTERM), which a Grid node on another host does not offer: ' +
  "deleting the session or CDP Browser.close instead makes the resumed fetch fail with SERVICE_WORKER_UNAVAILABLE (measured), the Grid's doing, not the browser's. " +
  'Run this scenario on a local browser, or on a Grid node on this machine.';

function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

const running = (pid: number) => commandLine(pid) !== null;

/** SIGTERM, then wait for the process to go (SIGKILL after 15 s, as launch()'s close does). */
async function quit(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + EXIT_MS;
  while (running(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  if (running(pid)) process.kill(pid, 'SIGKILL');
}

/** The stereotype capability that places a new session on `session`'s node, when the node has one. */
async function pinOf(client: GridClient, session: GridBrowser): Promise<Capabilities> {
  const status = await client.status().catch(() => null);
  for (const node of status?.nodes ?? []) {
    for (const slot of node.slots) {
      if (slot.session?.sessionId !== session.sessionId) continue;
      const name = slot.stereotype[NODE_CAPABILITY];
      return name === undefined ? {} : { [NODE_CAPABILITY]: name };
    }
  }
  return {};
}

export interface GridProfileOptions {
  client: GridClient;
  /** The lane's request; `--user-data-dir` is added. */
  capabilities: Capabilities;
  queueTimeout: number;
}

/**
 * Opens browsers on one profile directory, one after the other; each Browser's close() quits
 * it with SIGTERM and deletes its session. Throws NotAutomatable when the browser is not local.
 */
export function gridProfileBrowsers(options: GridProfileOptions): (userDataDir: string) => Promise<Browser> {
  let pin: Capabilities = {};
  return async (userDataDir) => {
    const caps = withProfile(options.capabilities, userDataDir);
    const session = await launchOnGrid({ client: options.client, capabilities: { ...caps, ...pin }, queueTimeout: options.queueTimeout });
    const pid = session.processId;
    if (pid === null || !commandLine(pid)?.includes(`--user-data-dir=${userDataDir}`)) {
      await session.close();
      throw new NotAutomatable(NOT_LOCAL);
    }
    pin = await pinOf(options.client, session);
    session.browser.close = async () => {
      await bestEffort(log, `quit the browser ${pid}`, () => quit(pid));
      await session.close();
    };
    return session.browser;
  };
}

function withProfile(capabilities: Capabilities, userDataDir: string): Capabilities {
  const chrome = (capabilities['goog:chromeOptions'] ?? {}) as { args?: string[] };
  return { ...capabilities, 'goog:chromeOptions': { ...chrome, args: [...(chrome.args ?? []), `--user-data-dir=${userDataDir}`] } };
}
