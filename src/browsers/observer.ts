/**
 * The recorder's adapters to the two kinds of browser it records: a Playwright BrowserContext
 * and a connect()ed browser. Each gives the recorder its own page target (the BackgroundService
 * domain lives on page targets only, and events must outlive the app's pages, so the recorder
 * never uses the app's), a CDP session on it, and a way to the browser target for the worker
 * probes.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { CdpConnection, CriTransport, type BrowserLink } from '../cdp/connection.js';
import { PlaywrightCdpSession, type CdpSession } from '../cdp/session.js';
import { openTunnel } from '../cdp/tunnel.js';
import { BrowserLostError, UsageError } from '../errors.js';
import { bestEffort, debug } from '../util/debug.js';
import type { ConnectedBrowser } from './connect.js';

const log = debug('bgprobe:browsers');

export interface Observer {
  /** A session on the observer's own page target. */
  readonly session: CdpSession;
  /** The observer page (Playwright contexts only). */
  readonly page: Page | null;
  /** The Playwright context (page probes go in through its init scripts); null for connect(). */
  readonly context: BrowserContext | null;
  /** A flattened browser-level connection for the probes; null when the browser has none. */
  openBrowserLink(): Promise<BrowserLink | null>;
  /** The observer page's target id (the probes leave it alone). */
  ownTargetId(): Promise<string | null>;
  /** Close the observer page and what it opened. */
  close(): Promise<void>;
}

export type ObservedTarget = BrowserContext | ConnectedBrowser;

const BAD_TARGET = 'BackgroundServiceRecorder.attach(target): target must be a Playwright BrowserContext or the result of connect().';

/** Open an observer page in `target` (at `url`, default about:blank). */
export function observe(target: ObservedTarget, url?: string): Promise<Observer> {
  if (!target || typeof target !== 'object') throw new UsageError(BAD_TARGET);
  if (isConnectedBrowser(target)) return observeConnected(target, url);
  if (typeof target.newCDPSession !== 'function') throw new UsageError(BAD_TARGET);
  return observeContext(target, url);
}

/** By shape, not instanceof: a second copy of bgprobe (dist and src, two installs) makes another class. */
function isConnectedBrowser(t: ObservedTarget): t is ConnectedBrowser {
  return typeof (t as ConnectedBrowser).wsEndpoint === 'string' && 'client' in t;
}

async function observeContext(context: BrowserContext, url: string | undefined): Promise<Observer> {
  const page = await whileOpen(context, context.newPage());
  let session: PlaywrightCdpSession;
  try {
    if (url) await page.goto(url);
    session = new PlaywrightCdpSession(await context.newCDPSession(page));
  } catch (e) {
    // Nothing else owns the observer page yet: do not leave it in the user's context.
    await bestEffort(log, 'close observer page', () => page.close());
    throw e;
  }
  const onClose = () => session.notifyClosed('the observer page closed');
  page.on('close', onClose);
  return {
    session,
    page,
    context,
    openBrowserLink: () => tunnelLink(context, page),
    ownTargetId: async () => (await session.send('Target.getTargetInfo')).targetInfo.targetId,
    async close() {
      page.off('close', onClose);
      await bestEffort(log, 'close observer page', () => page.close());
    },
  };
}

/**
 * `work`, unless the context closes first (its browser crashed, was killed or closed). Measured
 * with Playwright 1.65 and Chromium 156: a browser SIGKILLed while `newPage()` creates the page
 * (0.2-0.5 s after launch on an idle machine, later under load) leaves that promise pending
 * for good, and with nothing else to wait for, Node then exits 0 without a word
 * (test/e2e/drills-retry.spec.ts, "--retries 0: the audit stops where the browser was lost").
 */
function whileOpen<T>(context: BrowserContext, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onClose = () => reject(new BrowserLostError(null));
    context.once('close', onClose);
    work.then(
      (value) => {
        context.off('close', onClose);
        resolve(value);
      },
      (e: unknown) => {
        context.off('close', onClose);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** The browser target, tunnelled through the observer page (see cdp/tunnel.ts). */
async function tunnelLink(context: BrowserContext, page: Page): Promise<BrowserLink | null> {
  // A persistent context has no Browser to open a browser-level session on.
  const browser = context.browser();
  if (!browser) return null;
  const browserSession = new PlaywrightCdpSession(await browser.newBrowserCDPSession());
  const pageSession = new PlaywrightCdpSession(await context.newCDPSession(page));
  try {
    const { targetInfo } = await pageSession.send('Target.getTargetInfo');
    const connection = await openTunnel(page, pageSession, browserSession);
    return {
      connection,
      browserContextId: targetInfo.browserContextId ?? null,
      async close() {
        await connection.close();
        // Kept until now: the exposed binding is not promised to outlive the session that made it.
        await browserSession.detach();
      },
    };
  } catch (e) {
    await pageSession.detach();
    await browserSession.detach();
    throw e;
  }
}

async function observeConnected(browser: ConnectedBrowser, url = 'about:blank'): Promise<Observer> {
  const connection = new CdpConnection(new CriTransport(browser.cri));
  let targetId: string | undefined;
  let sessionId: string;
  try {
    ({ targetId } = await connection.root.send('Target.createTarget', { url, background: true }));
    ({ sessionId } = await connection.root.send('Target.attachToTarget', { targetId, flatten: true }));
  } catch (e) {
    if (targetId) await closeTarget(connection, targetId);
    await connection.close();
    throw e;
  }
  const observerTarget = targetId;
  return {
    session: connection.session(sessionId),
    page: null,
    context: null,
    // The observer's own connection is already one to the browser target; it closes with the observer.
    openBrowserLink: () => Promise.resolve({ connection, browserContextId: null, close: () => Promise.resolve() }),
    ownTargetId: () => Promise.resolve(observerTarget),
    async close() {
      await closeTarget(connection, observerTarget);
      await connection.close('the observer closed');
    },
  };
}

function closeTarget(connection: CdpConnection, targetId: string): Promise<void> {
  // The browser may be gone already, and the target with it.
  return bestEffort(log, 'close observer target', () => connection.root.send('Target.closeTarget', { targetId }));
}
