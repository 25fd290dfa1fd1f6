/**
 * One typed CDP session interface over two transports: a Playwright `CDPSession` and a
 * chrome-remote-interface client (flattened sessionId). Payload types come from
 * devtools-protocol's ProtocolMapping: nothing is hand-written.
 */
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type { CDPSession } from 'playwright-core';
import { ProtocolError, SessionClosedError } from '../errors.js';

export type Commands = ProtocolMapping.Commands;
export type Events = ProtocolMapping.Events;
export type Method = keyof Commands;
export type EventName = keyof Events;
export type Params<M extends Method> = Commands[M]['paramsType'];
export type Result<M extends Method> = Commands[M]['returnType'];

export interface CdpSession {
  send<M extends Method>(method: M, ...params: Params<M>): Promise<Result<M>>;
  /** Subscribe; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void;
  /** Called once when the session goes away (target closed, browser gone, detach). */
  onClose(listener: (reason: string) => void): () => void;
  readonly closed: boolean;
  detach(): Promise<void>;
}

/**
 * Shared bookkeeping: pending calls (so a close rejects them with a clear error), close
 * listeners, and the error created at send time.
 */
abstract class BaseSession implements CdpSession {
  private pending = new Set<{ error: ProtocolError; reject: (e: Error) => void }>();
  private closeListeners = new Set<(reason: string) => void>();
  private closeReason: string | null = null;

  get closed(): boolean {
    return this.closeReason !== null;
  }

  protected abstract rawSend(method: string, params: object | undefined): Promise<unknown>;
  abstract on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void;
  abstract detach(): Promise<void>;

  send<M extends Method>(method: M, ...params: Params<M>): Promise<Result<M>> {
    // Created here, not in the callback: its stack names the caller.
    const error = new ProtocolError(method);
    if (this.closeReason !== null) return Promise.reject(this.closedError(method, error.stack));
    return new Promise<Result<M>>((resolve, reject) => {
      const entry = { error, reject };
      this.pending.add(entry);
      this.rawSend(method, params[0] as object | undefined).then(
        (value) => {
          this.pending.delete(entry);
          resolve(value as Result<M>);
        },
        (e: unknown) => {
          this.pending.delete(entry);
          if (this.closeReason !== null) reject(this.closedError(method, error.stack));
          else reject(error.fill(e instanceof Error ? e.message : String(e)));
        },
      );
    });
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closeReason !== null) {
      listener(this.closeReason);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected markClosed(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    for (const p of this.pending) p.reject(this.closedError(p.error.method, p.error.stack));
    this.pending.clear();
    for (const l of [...this.closeListeners]) l(reason);
    this.closeListeners.clear();
  }

  private closedError(method: string, stack: string | undefined): SessionClosedError {
    const e = new SessionClosedError(method).fill(
      `the CDP session closed (${this.closeReason ?? 'closed'}) before the browser answered. The page, context or browser went away.`,
    );
    if (stack) e.stack = `${e.name}: ${e.message}\n${stack.split('\n').slice(1).join('\n')}`;
    return e;
  }
}

/** Over a Playwright CDPSession (from `context.newCDPSession(page)` or `browser.newBrowserCDPSession()`). */
export class PlaywrightCdpSession extends BaseSession {
  constructor(private readonly session: CDPSession) {
    super();
    session.on('close' as never, (() => this.markClosed('detached')) as never);
  }

  /** Let the owner report the close it can see (page 'close', browser 'disconnected'). */
  notifyClosed(reason: string): void {
    this.markClosed(reason);
  }

  protected rawSend(method: string, params: object | undefined): Promise<unknown> {
    return (this.session.send as (m: string, p?: object) => Promise<unknown>)(method, params);
  }

  on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void {
    const fn = listener as unknown as (p: unknown) => void;
    (this.session.on as (e: string, f: (p: unknown) => void) => void)(event, fn);
    return () => (this.session.off as (e: string, f: (p: unknown) => void) => void)(event, fn);
  }

  async detach(): Promise<void> {
    if (this.closed) return;
    this.markClosed('detached');
    await this.session.detach().catch(() => undefined);
  }
}

/** The raw chrome-remote-interface client surface we use (flattened sessions). */
export interface CriClientLike {
  send(method: string, params?: object, sessionId?: string): Promise<unknown>;
  on(event: string, listener: (params: unknown, sessionId?: string) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * Over a chrome-remote-interface client. With a sessionId, commands go to that flattened
 * target session and only that session's events are delivered.
 */
export class CriCdpSession extends BaseSession {
  private offs: Array<() => void> = [];

  constructor(
    private readonly client: CriClientLike,
    readonly sessionId: string | undefined,
  ) {
    super();
    const onDisconnect = () => this.markClosed('the CDP endpoint disconnected');
    client.on('disconnect', onDisconnect);
    this.offs.push(() => client.removeListener('disconnect', onDisconnect));
    if (sessionId) {
      const onDetached = (params: unknown) => {
        if ((params as { sessionId?: string }).sessionId === sessionId) this.markClosed('target detached');
      };
      client.on('Target.detachedFromTarget', onDetached);
      this.offs.push(() => client.removeListener('Target.detachedFromTarget', onDetached as never));
    }
  }

  protected rawSend(method: string, params: object | undefined): Promise<unknown> {
    return this.client.send(method, params ?? {}, this.sessionId);
  }

  on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void {
    // chrome-remote-interface emits `Domain.event` with (params, sessionId) for every session.
    const fn = (params: unknown, sessionId?: string) => {
      if (sessionId === this.sessionId || (!sessionId && !this.sessionId)) (listener as (p: unknown) => void)(params);
    };
    this.client.on(event, fn);
    const off = () => this.client.removeListener(event, fn as never);
    this.offs.push(off);
    return off;
  }

  async detach(): Promise<void> {
    if (this.closed) return;
    const sid = this.sessionId;
    this.markClosed('detached');
    if (sid) await this.client.send('Target.detachFromTarget', { sessionId: sid }).catch(() => undefined);
    for (const off of this.offs) off();
    this.offs = [];
  }
}
