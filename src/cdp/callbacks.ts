/**
 * The one registry of commands waiting for their answer (Puppeteer's CallbackRegistry). A
 * command's error is created when it is SENT, so its stack names the caller rather than the
 * WebSocket or binding callback that delivers the answer; the browser's message is filled in
 * when the answer comes: `Protocol error (BackgroundService.startObserving): ...`.
 */
import { ProtocolError, SessionClosedError } from '../errors.js';

interface Callback {
  resolve(value: unknown): void;
  reject(error: Error): void;
  error: ProtocolError;
}

/** A counter of command ids; sessions of one connection share one, so ids never collide on the wire. */
export function idGenerator(): () => number {
  let last = 0;
  return () => ++last;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `sentAt`'s method and stack (the caller's), with the reason the session went away. */
export function sessionClosedError(sentAt: ProtocolError, reason: string): SessionClosedError {
  const e = new SessionClosedError(sentAt.method).fill(
    `the CDP session closed (${reason}) before the browser answered. The page, context or browser went away.`,
  );
  if (sentAt.stack) e.stack = `${e.name}: ${e.message}\n${sentAt.stack.split('\n').slice(1).join('\n')}`;
  return e;
}

export class CallbackRegistry {
  private readonly callbacks = new Map<number, Callback>();

  constructor(private readonly nextId: () => number = idGenerator()) {}

  /** Register `method` under a fresh id, then `send(id)` it; resolves with the answer's result. */
  create(method: string, send: (id: number) => void): Promise<unknown> {
    const error = new ProtocolError(method);
    const id = this.nextId();
    const answer = new Promise<unknown>((resolve, reject) => this.callbacks.set(id, { resolve, reject, error }));
    try {
      send(id);
    } catch (e) {
      this.reject(id, messageOf(e));
    }
    return answer;
  }

  /** The answer to `id` came. An id no longer registered (rejected at close) is ignored. */
  resolve(id: number, result: unknown): void {
    const callback = this.take(id);
    callback?.resolve(result);
  }

  /** The browser answered `id` with an error (or the transport could not send it). */
  reject(id: number, message: string): void {
    const callback = this.take(id);
    callback?.reject(callback.error.fill(message));
  }

  /** The session went away: every pending command fails now, naming its caller and the reason. */
  rejectAll(reason: string): void {
    const pending = [...this.callbacks.values()];
    this.callbacks.clear();
    for (const callback of pending) callback.reject(sessionClosedError(callback.error, reason));
  }

  get pending(): number {
    return this.callbacks.size;
  }

  private take(id: number): Callback | undefined {
    const callback = this.callbacks.get(id);
    this.callbacks.delete(id);
    return callback;
  }
}
