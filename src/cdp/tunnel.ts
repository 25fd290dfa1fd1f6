/**
 * A flattened browser-level connection tunnelled through a page, for Playwright contexts:
 * Playwright's CDPSession cannot talk to child sessions, and browser-level auto-attach only
 * supports the flattened protocol. `Target.exposeDevToolsProtocol` gives the page a binding to
 * the browser target; commands go in with `page.evaluate`, and answers and events come back
 * through a `Runtime.addBinding` binding on the page's own session.
 *
 * A target attached while it waits for the debugger can be sent its first commands by the
 * observer page itself, as the attach message passes through (`sendOnAttach`): a service worker
 * does not wait for every client that holds it (Playwright's own connection resumes it at
 * once), and a round trip to Node is what its script loading can outrun.
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

export class TunnelTransport implements CdpTransport {
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
      .evaluate(
        ([tunnel, m]) => {
          (window as unknown as Record<string, { send(m: string): void }>)[tunnel].send(m);
        },
        [this.tunnelName, message] as const,
      )
      .catch((e: unknown) => this.onanswer?.({ id: command.id, sessionId: command.sessionId, error: { message: messageOf(e) } }));
  }

  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void {
    return this.events.subscribe(event, sessionId, listener);
  }

  /**
   * From now on, every target of `type` attached while waiting for the debugger is sent
   * `commands` by the observer page before the attach message goes on to Node. Their answers
   * (ids of their own, from 2^30 up: no session waits for them) are dropped by the connection.
   */
  async sendOnAttach(type: string, commands: ReadonlyArray<{ method: string; params: object }>): Promise<void> {
    await this.page.evaluate(
      ([tunnel, kind, list]) => {
        const w = window as unknown as Record<string, { early?: Record<string, ReadonlyArray<unknown>> }>;
        (w[tunnel].early ??= {})[kind] = list;
      },
      [this.tunnelName, type, commands] as const,
    );
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
  await page.evaluate(
    ([tunnel, out]) => {
      interface Tunnel {
        onmessage: (m: string) => void;
        send(m: string): void;
        early?: Record<string, Array<{ method: string; params: object }>>;
      }
      const w = window as unknown as Record<string, Tunnel & ((m: string) => void)>;
      let nextEarly = 2 ** 30;
      w[tunnel].onmessage = (m: string) => {
        const t = w[tunnel];
        if (t.early && m.includes('"Target.attachedToTarget"')) {
          const msg = JSON.parse(m) as {
            method?: string;
            params?: { sessionId: string; waitingForDebugger: boolean; targetInfo: { type: string } };
          };
          const commands =
            msg.method === 'Target.attachedToTarget' && msg.params?.waitingForDebugger ? t.early[msg.params.targetInfo.type] : undefined;
          for (const c of commands ?? [])
            t.send(JSON.stringify({ id: nextEarly++, method: c.method, params: c.params, sessionId: msg.params!.sessionId }));
        }
        w[out](m);
      };
    },
    [transport.tunnelName, transport.outName] as const,
  );
  return connection;
}
