/**
 * A flattened browser-level CDP connection (Playwright's CRConnection): the browser target's
 * session plus one typed child CdpSession per attached target, handed out by session id. What
 * the service-worker probes need: browser-level auto-attach only supports the flattened protocol.
 *
 * Two transports carry it: chrome-remote-interface (CriTransport, below: a connect()ed browser)
 * and a page binding tunnelled to the browser target (tunnel.ts: a Playwright context, whose
 * CDPSession cannot talk to child sessions).
 */
import { EventEmitter } from 'node:events';
import { debug, bestEffort } from '../util/debug.js';
import { idGenerator, messageOf } from './callbacks.js';
import { BaseSession } from './session.js';

const log = debug('bgprobe:cdp');

/** One command on the wire. `sessionId` undefined: the browser target. */
export interface CdpCommand {
  id: number;
  method: string;
  params: object;
  sessionId?: string;
}

/** The answer to a CdpCommand, by its id and session. */
export interface CdpAnswer {
  id: number;
  sessionId?: string;
  result?: unknown;
  error?: { message: string };
}

/** A message-level transport (Playwright's ConnectionTransport); the connection sets the handlers. */
export interface CdpTransport {
  send(command: CdpCommand): void;
  /** Subscribe to one event of one session (`undefined`: the browser target); returns the unsubscribe function. */
  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void;
  onanswer: ((answer: CdpAnswer) => void) | null;
  onclose: ((reason: string) => void) | null;
  /** Release what the transport holds; a transport over someone else's client leaves it open. */
  close(): Promise<void>;
  /**
   * Optional: send `commands` to every target of `type` attached while it waits for the
   * debugger, from as close to the browser as the transport gets (see tunnel.ts).
   */
  sendOnAttach?(type: string, commands: ReadonlyArray<{ method: string; params: object }>): Promise<void>;
}

/** A session of the connection: the browser target's (no id) or a flattened child's. */
export class ConnectionSession extends BaseSession {
  constructor(
    private readonly connection: CdpConnection,
    readonly sessionId: string | undefined,
    nextId: () => number,
  ) {
    super(nextId);
  }

  protected dispatch(id: number, method: string, params: object | undefined): void {
    this.connection.transport.send({ id, method, params: params ?? {}, ...(this.sessionId ? { sessionId: this.sessionId } : {}) });
  }

  protected subscribe(event: string, listener: (params: unknown) => void): () => void {
    return this.connection.transport.subscribe(event, this.sessionId, listener);
  }

  /** @internal The connection routes this session's answers here. */
  answer(a: CdpAnswer): void {
    if (a.error) this.callbacks.reject(a.id, a.error.message);
    else this.callbacks.resolve(a.id, a.result ?? {});
  }

  /** @internal */
  close(reason: string): void {
    this.markClosed(reason);
  }

  /** A child detaches from its target; the browser target's session only stops listening. */
  async detach(): Promise<void> {
    if (this.closed) return;
    this.markClosed('detached');
    const sessionId = this.sessionId;
    if (!sessionId) return;
    this.connection.forget(sessionId);
    // The target may be gone already (a worker stopped, a page closed): then it is detached.
    await bestEffort(log, `detach ${sessionId}`, () => this.connection.root.send('Target.detachFromTarget', { sessionId }));
  }
}

export class CdpConnection {
  private readonly nextId = idGenerator();
  private readonly children = new Map<string, ConnectionSession>();
  private closeReason: string | null = null;
  /** The browser target's session. */
  readonly root: ConnectionSession;

  constructor(readonly transport: CdpTransport) {
    this.root = new ConnectionSession(this, undefined, this.nextId);
    transport.onanswer = (a) => (a.sessionId ? this.children.get(a.sessionId) : this.root)?.answer(a);
    transport.onclose = (reason) => this.closeAll(reason);
    this.root.on('Target.detachedFromTarget', ({ sessionId }) => {
      log('target of session %s detached', sessionId);
      this.children.get(sessionId)?.close('target detached');
      this.children.delete(sessionId);
    });
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** The typed session of an attached target (`Target.attachedToTarget`'s or `attachToTarget`'s sessionId). */
  session(sessionId: string): ConnectionSession {
    let child = this.children.get(sessionId);
    if (!child) {
      child = new ConnectionSession(this, sessionId, this.nextId);
      if (this.closeReason !== null) child.close(this.closeReason);
      else this.children.set(sessionId, child);
    }
    return child;
  }

  /** @internal A child detached itself. */
  forget(sessionId: string): void {
    this.children.delete(sessionId);
  }

  /** Close every session (their pending commands fail with the reason) and release the transport. */
  async close(reason = 'the connection closed'): Promise<void> {
    this.closeAll(reason);
    await this.transport.close();
  }

  private closeAll(reason: string): void {
    if (this.closeReason !== null) return;
    log('connection closed: %s', reason);
    this.closeReason = reason;
    for (const child of this.children.values()) child.close(reason);
    this.children.clear();
    this.root.close(reason);
  }
}

/** The raw chrome-remote-interface client surface used here (flattened sessions). */
export interface CriClientLike {
  send(method: string, params?: object, sessionId?: string): Promise<unknown>;
  on(event: string, listener: (params: unknown, sessionId?: string) => void): unknown;
  removeListener(event: string, listener: (params: unknown, sessionId?: string) => void): unknown;
}

/**
 * chrome-remote-interface as a CdpTransport. It numbers and matches commands itself; this only
 * maps its promises to answers. It emits every event twice, as `Domain.event` with the
 * sessionId as second argument and as `Domain.event.<sessionId>`: a child subscribes to its own
 * name and never sees another session's events; the browser target's events are the plain
 * name with no sessionId.
 */
export class CriTransport implements CdpTransport {
  onanswer: ((answer: CdpAnswer) => void) | null = null;
  onclose: ((reason: string) => void) | null = null;
  private readonly offs = new Set<() => void>();

  constructor(private readonly client: CriClientLike) {
    this.listen('disconnect', () => this.onclose?.('the CDP endpoint disconnected'));
  }

  send({ id, method, params, sessionId }: CdpCommand): void {
    this.client.send(method, params, sessionId).then(
      (result) => this.onanswer?.({ id, sessionId, result }),
      (e: unknown) => this.onanswer?.({ id, sessionId, error: { message: messageOf(e) } }),
    );
  }

  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void {
    if (sessionId) return this.listen(`${event}.${sessionId}`, (params) => listener(params));
    return this.listen(event, (params, from) => {
      if (!from) listener(params);
    });
  }

  /** The client is its owner's (ConnectedBrowser): only this transport's listeners go. */
  close(): Promise<void> {
    for (const off of [...this.offs]) off();
    return Promise.resolve();
  }

  private listen(event: string, fn: (params: unknown, sessionId?: string) => void): () => void {
    this.client.on(event, fn);
    const off = () => {
      this.offs.delete(off);
      this.client.removeListener(event, fn);
    };
    this.offs.add(off);
    return off;
  }
}

/** A message-level transport's events: `method` for the browser target, `method.sessionId` for a child (chrome-remote-interface's names). */
export class EventRouter {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every worker session subscribes to a few events; more than Node's default of 10 is normal.
    this.emitter.setMaxListeners(0);
  }

  emit(method: string, sessionId: string | undefined, params: unknown): void {
    this.emitter.emit(sessionId ? `${method}.${sessionId}` : method, params);
  }

  subscribe(event: string, sessionId: string | undefined, listener: (params: unknown) => void): () => void {
    const name = sessionId ? `${event}.${sessionId}` : event;
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }

  clear(): void {
    this.emitter.removeAllListeners();
  }
}

/**
 * A way to the browser target for the worker probes, and the browser context they belong to
 * (null: any). `close()` releases what opening it created.
 */
export interface BrowserLink {
  readonly connection: CdpConnection;
  readonly browserContextId: string | null;
  close(): Promise<void>;
}
