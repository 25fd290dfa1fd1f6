/**
 * A flattened browser-level connection tunnelled through a page, for Playwright contexts:
 * Playwright's CDPSession cannot talk to child sessions, and browser-level auto-attach only
 * supports the flattened protocol. `Target.exposeDevToolsProtocol` gives the page a binding to
 * the browser target; commands go in with `page.evaluate`, and answers and events come back
 * through a `Runtime.addBinding` binding on the page's own session.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { debug } from '../util/debug.js';
import { messageOf } from './callbacks.js';
import { CdpConnection, EventRouter, type CdpAnswer, type CdpCommand, type CdpTransport } from './connection.js';
import type { CdpSession } from './session.js';

const log = debug('bgprobe:cdp');

interface TunnelMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { message: string };
  sessionId?: string;
}

class TunnelTransport implements CdpTransport {
  onanswer: ((answer: CdpAnswer) => void) | null = null;
  onclose: ((reason: string) => void) | null = null;
  private readonly events = new EventRouter();
  private readonly suffix = randomBytes(6).toString('hex');
  /** The browser-target binding the page sends into. */
  readonly tunnelName = `__bgprobeCdp_${this.suffix}`;
  /** The page binding the browser's messages come out of. */
  readonly outName = `__bgprobeOut_${this.suffix}`;

  constructor(
    private readonly page: Page,
    private readonly pageSession: CdpSession,
  ) {}

  receive(payload: string): void {
    let msg: TunnelMessage;
    try {
      msg = JSON.parse(payload) as TunnelMessage;
    } catch {
      log('tunnel: not JSON, dropped: %s', payload.slice(0, 200));
      return;
    }
    if (msg.id !== undefined) this.onanswer?.({ id: msg.id, sessionId: msg.sessionId, result: msg.result, error: msg.error });
    else if (msg.method) this.events.emit(msg.method, msg.sessionId, msg.params ?? {});
  }

  send(command: CdpCommand): void {
    const message = JSON.stringify(command);
    this.page
      .evaluate(([tunnel, m]) => {
        (window as unknown as Record<string, { send(m: string): void }>)[tunnel].send(m);
      }, [this.tunnelName, message] as const)
      .catch((e: unknown) => this.onanswer?.({ id: command.id, sessionId: command.sessionId, error: { message: messageOf(e) } }));
  }

  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void {
    return this.events.subscribe(event, sessionId, listener);
  }

  async close(): Promise<void> {
    this.events.clear();
    await this.pageSession.detach();
  }
}

/**
 * Open the tunnel on `page`. `pageSession` is a session of its own on `page` (the tunnel
 * detaches it on close); `browserSession` is a browser-target session, kept by the caller
 * until the connection closes (the exposed binding is not promised to outlive it).
 */
export async function openTunnel(page: Page, pageSession: CdpSession, browserSession: CdpSession): Promise<CdpConnection> {
  const transport = new TunnelTransport(page, pageSession);
  const connection = new CdpConnection(transport);
  pageSession.on('Runtime.bindingCalled', ({ name, payload }) => {
    if (name === transport.outName) transport.receive(payload);
  });
  pageSession.onClose((reason) => transport.onclose?.(`the observer page's session closed (${reason})`));
  await pageSession.send('Runtime.addBinding', { name: transport.outName });
  const { targetInfo } = await pageSession.send('Target.getTargetInfo');
  await browserSession.send('Target.exposeDevToolsProtocol', { targetId: targetInfo.targetId, bindingName: transport.tunnelName });
  await page.evaluate(([tunnel, out]) => {
    const w = window as unknown as Record<string, { onmessage: (m: string) => void } & ((m: string) => void)>;
    w[tunnel].onmessage = (m: string) => w[out](m);
  }, [transport.tunnelName, transport.outName] as const);
  return connection;
}
