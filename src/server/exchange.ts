/**
 * One request/response pair as the handlers see it: the live log entry plus the few
 * primitives every handler needs to stream safely (abortable sleeps, waiting for 'drain',
 * cutting the connection on purpose).
 *
 * The point of routing these through one object is the log's `cut`/`cutBy`: a response that
 * ends without 'finish' was either cut by us (drop, length=long, server close) or abandoned by
 * the client, and only the code that cut it knows which.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { timestamp } from './log.js';
import type { RequestLog, ServedRequest } from './log.js';

/** A request header as one string (a repeated header joined with ', '), or null. */
export function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entry: ServedRequest;
  /** True once the response closed (finished, cut, or the client went away). */
  closed = false;
  /** True once the request body has been fully read. */
  requestEnded = false;
  #cutByServer = false;
  readonly #closeWaiters = new Set<() => void>();
  readonly #endWaiters = new Set<() => void>();

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    entry: ServedRequest,
    serverClosing: () => boolean,
    onEnd: (cutBy: 'server' | 'client' | null) => void,
  ) {
    this.req = req;
    this.res = res;
    this.entry = entry;
    // Count the request body for every route: flowing mode reads and discards it chunk by
    // chunk, so a 5 GiB upload costs one chunk of memory, and keep-alive stays usable.
    req.on('data', (chunk: Buffer) => {
      entry.bytesReceived += chunk.length;
    });
    req.on('end', () => {
      this.requestEnded = true;
      for (const waiter of [...this.#endWaiters]) waiter();
    });
    res.on('close', () => {
      this.closed = true;
      if (res.headersSent) entry.status = res.statusCode;
      const finished = res.writableFinished && !this.#cutByServer;
      let cutBy: 'server' | 'client' | null = null;
      if (!finished) cutBy = this.#cutByServer || serverClosing() ? 'server' : 'client';
      onEnd(cutBy);
      for (const waiter of [...this.#closeWaiters]) waiter();
    });
  }

  /** Logs a request as it arrives (its method, where it went, the headers the log keeps) and opens its exchange. */
  static open(
    log: RequestLog,
    req: IncomingMessage,
    res: ServerResponse,
    where: { url: string; path: string; resource: string | null },
    serverClosing: () => boolean,
  ): Exchange {
    const range = header(req, 'range');
    const entry = log.begin({
      method: req.method ?? 'GET',
      ...where,
      headers: {
        range,
        ifRange: header(req, 'if-range'),
        contentType: header(req, 'content-type'),
        userAgent: header(req, 'user-agent'),
        origin: header(req, 'origin'),
      },
      startedAt: timestamp(),
      rangeRequested: range !== null,
    });
    return new Exchange(req, res, entry, serverClosing, (cutBy) => log.end(entry, cutBy));
  }

  /** res.writeHead, recording the status in the log entry at once (in-flight entries show it). */
  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    this.entry.status = status;
    this.res.writeHead(status, headers);
  }

  /** Resolves once the response closed; used by stalls, which wait for nothing else. */
  untilClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#closeWaiters.add(resolve));
  }

  /** Resolves true once the request body was read, false if the exchange closed first. */
  requestBodyRead(): Promise<boolean> {
    if (this.requestEnded) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        this.#endWaiters.delete(onEnd);
        this.#closeWaiters.delete(onClose);
        resolve(value);
      };
      const onEnd = (): void => done(true);
      const onClose = (): void => done(this.requestEnded);
      this.#endWaiters.add(onEnd);
      this.#closeWaiters.add(onClose);
    });
  }

  /**
   * Sleeps ms; resolves false early if the exchange closed (so no timer outlives a socket).
   * Timers may fire up to a millisecond before their due time as measured by the
   * high-resolution clock, so an early wake-up sleeps again: delay=300 means at least 300 ms.
   */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    const due = timestamp() + ms;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const onClose = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const arm = (wait: number): void => {
        timer = setTimeout(() => {
          const left = due - timestamp();
          if (left > 0) return arm(Math.ceil(left));
          this.#closeWaiters.delete(onClose);
          resolve(true);
        }, wait);
      };
      arm(ms);
      this.#closeWaiters.add(onClose);
    });
  }

  /** Resolves true on 'drain', false if the response closed first. */
  drained(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onDrain = (): void => {
        this.#closeWaiters.delete(onClose);
        resolve(true);
      };
      const onClose = (): void => {
        this.res.off('drain', onDrain);
        resolve(false);
      };
      this.res.once('drain', onDrain);
      this.#closeWaiters.add(onClose);
    });
  }

  /**
   * Ends the connection mid-response on purpose (drop, length=long). The socket is ended
   * rather than destroyed so the bytes already written reach the client before the FIN;
   * destroy() would throw away whatever is still queued in Node's buffer, and the client
   * would see fewer than the N bytes the log claims.
   */
  cutConnection(): void {
    this.#cutByServer = true;
    const socket = this.res.socket;
    if (socket === null || socket.destroyed) {
      this.res.destroy();
      return;
    }
    socket.end(() => socket.destroy());
    // The client may keep its side open and never read; don't let that hold the socket.
    const guard = setTimeout(() => socket.destroy(), 5_000);
    guard.unref();
    socket.once('close', () => clearTimeout(guard));
  }
}
