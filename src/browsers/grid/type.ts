/**
 * The Selenium Grid as a place a browser lives (`--grid <url>`, BGPROBE_GRID_URL): a BrowserType
 * like the local ones, so the run modes launch through it without asking where the browser is.
 * Before anything runs, check() reads the Grid's /status: a URL that is not a Grid, or a Grid
 * with no node that can take the request, is one line and exit 2, never a request left waiting
 * in its queue. The lane's parallelism is the Grid's matching slots, capped by --workers.
 */
import { randomUUID } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { ChromiumDriver } from '../chromium.js';
import { mergeArgs, UNSEEN_UI_FEATURES } from '../flags.js';
import type { BrowserSpec, BrowserType, LaunchedBrowser } from '../types.js';
import { capacityFor, mergeCapabilities, noMatchMessage, RUN_CAPABILITY, type Capabilities } from './capabilities.js';
import { GridClient } from './client.js';
import { gridProfileBrowsers } from './profile.js';
import { launchOnGrid } from './session.js';

/** How long a session request may wait in the Grid's queue (every matching slot busy). BGPROBE_GRID_QUEUE_TIMEOUT, seconds, overrides. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 45_000;

/** Tags this process's sessions (the `bgprobe:run` capability), so what a run left can be found on the Grid. */
export const RUN_ID = randomUUID();

export function queueTimeout(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BGPROBE_GRID_QUEUE_TIMEOUT'];
  const s = raw === undefined || raw === '' ? NaN : Number(raw);
  return Number.isFinite(s) && s > 0 ? Math.round(s * 1000) : DEFAULT_QUEUE_TIMEOUT_MS;
}

/**
 * What bgprobe asks the Grid for: a Chrome with the lane's flags, the run's tag, the user's
 * capabilities on top. The flags start with the browser UI a local launch also turns off
 * (flags.ts UNSEEN_UI_FEATURES: the omnibox popup WebUI preloaded for every window, so for every
 * scenario's context): a Grid browser would otherwise pay ~1 s of CPU per scenario that the
 * local lane does not. chromedriver joins it with its own --disable-features (measured, 156).
 */
export function gridRequest(spec: BrowserSpec): Capabilities {
  const ours: Capabilities = {
    browserName: 'chrome',
    [RUN_CAPABILITY]: RUN_ID,
    'goog:chromeOptions': { args: mergeArgs([`--disable-features=${UNSEEN_UI_FEATURES.join(',')}`], spec.args) },
  };
  return { ...mergeCapabilities(ours, spec.capabilities ?? {}), [RUN_CAPABILITY]: RUN_ID };
}

export interface GridPlan {
  client: GridClient;
  request: Capabilities;
  /** Matching slots on the Grid's UP nodes. */
  slots: number;
  nodes: string[];
}

/** The Grid's answer for this lane: reachable, and how many slots can take it; else a UsageError. */
export async function planGrid(spec: BrowserSpec): Promise<GridPlan> {
  const client = new GridClient(spec.target ?? '');
  const status = await client.status();
  const request = gridRequest(spec);
  const { slots, nodes } = capacityFor(status, request);
  if (slots === 0) throw new UsageError(noMatchMessage(client.url, status, request));
  return { client, request, slots, nodes };
}

export const gridType: BrowserType = {
  name: 'grid',
  handles: (spec) => spec.kind === 'grid',
  async check(spec) {
    await planGrid(spec);
  },
  async launch(spec): Promise<LaunchedBrowser> {
    const client = new GridClient(spec.target ?? '');
    const request = gridRequest(spec);
    const session = await launchOnGrid({ client, capabilities: request, queueTimeout: queueTimeout() });
    return {
      driver: new ChromiumDriver(
        session.browser,
        () => session.close(),
        () => session.confirm(),
      ),
      executablePath: null,
      logFile: null,
      node: session.node,
      onProfile: gridProfileBrowsers({ client, capabilities: request, queueTimeout: queueTimeout() }),
    };
  },
};

/** `--grid` as a lane of the run: its label is `grid` unless --label names it. */
export function gridSpec(url: string, capabilities: Capabilities, label = 'grid'): BrowserSpec {
  if (!url) throw new UsageError('--grid needs the URL of a Selenium Grid, e.g. --grid http://127.0.0.1:4444 (make grid starts one).');
  return { label, kind: 'grid', target: new GridClient(url).url, args: [], engine: 'chromium', capabilities };
}
