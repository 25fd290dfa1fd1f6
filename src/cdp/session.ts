/**
 * One typed CDP session interface over two transports: a Playwright `CDPSession` (page-level,
 * below) and a flattened browser-level connection's child sessions (connection.ts: over
 * chrome-remote-interface, or tunnelled through a page). Payload types come from
 * devtools-protocol's ProtocolMapping: nothing is hand-written.
 */
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type { CDPSession } from 'playwright-core';
import { ProtocolError } from '../errors.js';
import { bestEffort, debug } from '../util/debug.js';
import { CallbackRegistry, messageOf, sessionClosedError } from './callbacks.js';

const log = debug('bgprobe:cdp');

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
 * What every session shares: its commands in one CallbackRegistry (so a close rejects them with
 * a clear error naming their callers), its close listeners, and its event subscriptions, all
 * dropped when it closes.
 */
export abstract class BaseSession implements CdpSession {
  protected readonly callbacks: CallbackRegistry;
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly subscriptions = new Set<() => void>();
  private closeReason: string | null = null;

  constructor(nextId?: () => number) {
    this.callbacks = new CallbackRegistry(nextId);
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Put command `id` on the wire; its answer goes to `this.callbacks`. */
  protected abstract dispatch(id: number, method: string, params: object | undefined): void;
  /** Subscribe at the transport; returns the unsubscribe function. */
  protected abstract subscribe(event: string, listener: (params: unknown) => void): () => void;
  abstract detach(): Promise<void>;

  send<M extends Method>(method: M, ...params: Params<M>): Promise<Result<M>> {
    if (this.closeReason !== null) return Promise.reject(sessionClosedError(new ProtocolError(method), this.closeReason));
    return this.callbacks.create(method, (id) => this.dispatch(id, method, params[0])) as Promise<Result<M>>;
  }

  on<E extends EventName>(event: E, listener: (...payload: Events[E]) => void): () => void {
    if (this.closeReason !== null) return () => {};
    const off = this.subscribe(event, listener as unknown as (params: unknown) => void);
    const drop = () => {
      this.subscriptions.delete(drop);
      off();
    };
    this.subscriptions.add(drop);
    return drop;
  }

  /** Settle command `id` with a promise-level transport's answer. */
  protected settle(id: number, answer: Promise<unknown>): void {
    answer.then(
      (result) => this.callbacks.resolve(id, result),
      (e: unknown) => this.callbacks.reject(id, messageOf(e)),
    );
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
    this.callbacks.rejectAll(reason);
    for (const drop of [...this.subscriptions]) drop();
    for (const l of [...this.closeListeners]) l(reason);
    this.closeListeners.clear();
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

  protected dispatch(id: number, method: string, params: object | undefined): void {
    this.settle(id, (this.session.send as (m: string, p?: object) => Promise<unknown>)(method, params));
  }

  protected subscribe(event: string, listener: (params: unknown) => void): () => void {
    (this.session.on as (e: string, f: (p: unknown) => void) => void)(event, listener);
    return () => (this.session.off as (e: string, f: (p: unknown) => void) => void)(event, listener);
  }

  async detach(): Promise<void> {
    if (this.closed) return;
    this.markClosed('detached');
    // The page or browser may be gone already, which detaches the session by itself.
    await bestEffort(log, 'detach Playwright CDP session', () => this.session.detach());
  }
}
