/**
 * Attach to a browser someone else started with --remote-debugging-port. The raw protocol
 * (targets, version, the recorder's own page) goes through chrome-remote-interface; a
 * Playwright Browser is made only when asked for (`playwright()`).
 */
import CDP from 'chrome-remote-interface';
import type { Browser } from 'playwright-core';
import { UsageError } from '../errors.js';
import type { CriClientLike } from '../cdp/connection.js';
import { bestEffort, debug } from '../util/debug.js';
import { assertNotHeadlessShell } from './discover.js';
import { settleWithin } from '../util/deadline.js';

const log = debug('bgprobe:browsers');

export interface ConnectOptions {
  /** `http://host:port` (the --remote-debugging-port) or the browser's `ws://.../devtools/browser/...`. */
  endpoint: string;
  timeout?: number;
}

export interface BrowserVersion {
  product: string;
  protocolVersion: string;
  userAgent: string;
}

export interface TargetSummary {
  id: string;
  type: string;
  url: string;
  title: string;
}

export class ConnectedBrowser {
  private pwBrowser: Promise<Browser> | null = null;
  private disconnected = false;

  constructor(
    readonly endpoint: string,
    readonly wsEndpoint: string,
    readonly version: BrowserVersion,
    /** The browser-level chrome-remote-interface client. */
    readonly client: CDP.Client,
  ) {
    client.on('disconnect', () => {
      this.disconnected = true;
    });
  }

  get isConnected(): boolean {
    return !this.disconnected;
  }

  get cri(): CriClientLike {
    return this.client as unknown as CriClientLike;
  }

  async targets(): Promise<TargetSummary[]> {
    const { targetInfos } = await this.client.send('Target.getTargets');
    return targetInfos.map((t) => ({ id: t.targetId, type: t.type, url: t.url, title: t.title }));
  }

  /** A Playwright Browser over the same endpoint (connectOverCDP), created once. */
  playwright(): Promise<Browser> {
    this.pwBrowser ??= import('playwright-core').then(({ chromium }) => chromium.connectOverCDP(this.wsEndpoint));
    return this.pwBrowser;
  }

  /** Disconnect (the browser keeps running: it is not ours). */
  async close(): Promise<void> {
    // Best effort: the browser may have gone away on its own, which is the state close() wants.
    const pw = this.pwBrowser;
    if (pw) await bestEffort(log, 'close the Playwright connection', async () => (await pw).close());
    if (!this.disconnected) await bestEffort(log, 'close the CDP WebSocket', () => this.client.close());
    this.disconnected = true;
  }
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(endpoint) ? endpoint : `http://${endpoint}`);
  } catch {
    throw new UsageError(`Invalid endpoint "${endpoint}". Use http://host:port (from --remote-debugging-port) or a ws:// browser URL.`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol)) {
    throw new UsageError(`Invalid endpoint "${endpoint}": expected http://host:port or ws://host:port/devtools/browser/<id>.`);
  }
  return url;
}

export async function connect(options: ConnectOptions): Promise<ConnectedBrowser> {
  const url = parseEndpoint(options.endpoint);
  const timeout = options.timeout ?? 10_000;
  const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> =>
    settleWithin(p, timeout, () => new UsageError(`${what} at ${options.endpoint} did not answer within ${timeout} ms.`));
  let wsEndpoint: string;
  const port = Number(url.port || (url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80));
  try {
    if (url.protocol === 'ws:' || url.protocol === 'wss:') {
      wsEndpoint = url.href;
    } else {
      const v = (await withTimeout(
        CDP.Version({ host: url.hostname, port, secure: url.protocol === 'https:' }),
        'The DevTools endpoint',
      )) as unknown as {
        webSocketDebuggerUrl: string;
      };
      wsEndpoint = v.webSocketDebuggerUrl;
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `Cannot reach a browser at ${options.endpoint}: ${e instanceof Error ? e.message : String(e)}. ` +
        'Start Chrome with --remote-debugging-port=9222 and pass --endpoint http://127.0.0.1:9222.',
    );
  }
  let client: CDP.Client;
  try {
    client = await withTimeout(CDP({ target: wsEndpoint, local: true }), 'The browser WebSocket');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`Cannot open the browser's DevTools WebSocket ${wsEndpoint}: ${e instanceof Error ? e.message : String(e)}.`);
  }
  const v = await client.send('Browser.getVersion');
  const version = { product: v.product, protocolVersion: v.protocolVersion, userAgent: v.userAgent };
  try {
    assertNotHeadlessShell(version.product);
  } catch (e) {
    await bestEffort(log, 'close the CDP WebSocket', () => client.close());
    throw e;
  }
  return new ConnectedBrowser(options.endpoint, wsEndpoint, version, client);
}
