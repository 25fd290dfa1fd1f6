/**
 * A raw, browser-level CDP channel with flattened child sessions: what the service-worker
 * probes need to auto-attach to workers before their script runs.
 *
 * Playwright's CDPSession cannot talk to child sessions, and browser-level auto-attach only
 * supports the flattened protocol. So for a Playwright context the channel is tunnelled through
 * the recorder's own observer page: `Target.exposeDevToolsProtocol` gives that page a binding
 * to the browser target, and its messages are relayed with `Runtime.addBinding`. For a
 * connect()ed browser the chrome-remote-interface client is such a channel already.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { CdpSession } from '../cdp/session.js';
import type { CriClientLike } from '../cdp/session.js';
import { ProtocolError, SessionClosedError } from '../errors.js';

export type RawListener = (method: string, params: Record<string, unknown>, sessionId: string | undefined) => void;

export interface RawChannel {
  send(method: string, params?: object, sessionId?: string): Promise<Record<string, unknown>>;
  onEvent(listener: RawListener): () => void;
  close(): Promise<void>;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
  error: ProtocolError;
}

export class TunnelChannel implements RawChannel {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Set<RawListener>();
  private closed = false;

  private constructor(
    private readonly page: Page,
    private readonly pageSession: CdpSession,
    private readonly tunnelName: string,
    private readonly outName: string,
  ) {}

  /** `browserSession` is a browser-target Playwright session; `pageSession` is on `page`. */
  static async open(page: Page, pageSession: CdpSession, exposeOnBrowser: (targetId: string, bindingName: string) => Promise<unknown>): Promise<TunnelChannel> {
    const suffix = randomBytes(6).toString('hex');
    const channel = new TunnelChannel(page, pageSession, `__bgprobeCdp_${suffix}`, `__bgprobeOut_${suffix}`);
    pageSession.on('Runtime.bindingCalled', ({ name, payload }) => {
      if (name === channel.outName) channel.onMessage(payload);
    });
    pageSession.onClose(() => channel.markClosed());
    await pageSession.send('Runtime.addBinding', { name: channel.outName });
    const { targetInfo } = await pageSession.send('Target.getTargetInfo');
    await exposeOnBrowser(targetInfo.targetId, channel.tunnelName);
    await page.evaluate(([tunnel, out]) => {
      const w = window as unknown as Record<string, { onmessage: (m: string) => void } & ((m: string) => void)>;
      w[tunnel]!.onmessage = (m: string) => w[out]!(m);
    }, [channel.tunnelName, channel.outName] as const);
    return channel;
  }

  private onMessage(payload: string): void {
    let msg: { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string }; sessionId?: string };
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(p.error.fill(msg.error.message));
      else p.resolve(msg.result ?? {});
      return;
    }
    if (msg.method) for (const l of [...this.listeners]) l(msg.method, msg.params ?? {}, msg.sessionId);
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const error = new ProtocolError(method);
    if (this.closed) return Promise.reject(new SessionClosedError(method).fill('the probe channel is closed'));
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) });
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, error });
      this.page
        .evaluate(([tunnel, m]) => {
          (window as unknown as Record<string, { send(m: string): void }>)[tunnel]!.send(m);
        }, [this.tunnelName, message] as const)
        .catch((e: unknown) => {
          this.pending.delete(id);
          reject(error.fill(e instanceof Error ? e.message : String(e)));
        });
    });
  }

  onEvent(listener: RawListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private markClosed(): void {
    this.closed = true;
    for (const p of this.pending.values()) p.reject(new SessionClosedError(p.error.method).fill('the probe channel closed'));
    this.pending.clear();
  }

  async close(): Promise<void> {
    this.markClosed();
    this.listeners.clear();
    await this.pageSession.detach();
  }
}

/** chrome-remote-interface already is a flattened browser-level connection. */
export class CriChannel implements RawChannel {
  private offs: Array<() => void> = [];
  constructor(private readonly client: CriClientLike) {}

  async send(method: string, params: object = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const error = new ProtocolError(method);
    try {
      return (await this.client.send(method, params, sessionId)) as Record<string, unknown>;
    } catch (e) {
      throw error.fill(e instanceof Error ? e.message : String(e));
    }
  }

  onEvent(listener: RawListener): () => void {
    const fn = (message: unknown) => {
      const m = message as { method: string; params: Record<string, unknown>; sessionId?: string };
      listener(m.method, m.params, m.sessionId);
    };
    this.client.on('event', fn);
    const off = () => this.client.removeListener('event', fn as never);
    this.offs.push(off);
    return off;
  }

  async close(): Promise<void> {
    for (const off of this.offs) off();
    this.offs = [];
  }
}
