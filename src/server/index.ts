/**
 * FixtureServer: the fixture origin. Serves the fixture web apps as static files and
 * programmable resources (/res/<name>?size=64m&rate=1m&drop=...), and logs every request so
 * a Background Fetch timeline can be joined with what actually crossed the wire.
 *
 * It listens on 127.0.0.1 only (fixtures are not for the network), or on the one address a
 * user names for browsers on other hosts (`--fixture-host`, a Grid node), over https then
 * (a browser treats only loopback origins as secure without it; src/server/certificate.ts).
 * It streams every body: nothing it serves or receives is held in memory whole.
 */
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TimeoutError } from '../errors.js';
import { Exchange } from './exchange.js';
import { describeRequest, RequestLog } from './log.js';
import type { RequestFilter, RequestListener, ServedRequest } from './log.js';
import { sendText, serveResource, serveUpload } from './resources.js';
import { serveStatic } from './static.js';

export type { RequestFilter, RequestListener, ServedRequest, ServedRequestHeaders } from './log.js';
export { RESOURCE_GRAMMAR, parseResourceParams, parseUploadParams, parseByteCount } from './params.js';
export type { LengthMode, ResourceSpec, UploadSpec } from './params.js';
export { expectedBody, parseRange } from './body.js';
export type { RangeResult } from './body.js';
export { contentTypeFor } from './static.js';

export interface FixtureServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The address to listen on and to put in every URL. Default 127.0.0.1. */
  host?: string;
  /** Serve https with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** Static files root; defaults to the package's fixtures/ folder. */
  root?: string;
}

const DEFAULT_WAIT_MS = 10_000;

// ../../fixtures from src/server/ and from dist/server/ alike.
function defaultRoot(): string {
  return fileURLToPath(new URL('../../fixtures/', import.meta.url));
}

export class FixtureServer {
  /** 'http://127.0.0.1:PORT' (https and another host when started so), no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly root: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #log = new RequestLog();
  readonly #pendingWaits = new Set<(error: Error) => void>();
  #closing = false;
  #closed: Promise<void> | null = null;

  private constructor(server: Server, origin: string, port: number, root: string) {
    this.#server = server;
    this.port = port;
    this.url = origin;
    this.root = root;
  }

  static async start(options: FixtureServerOptions = {}): Promise<FixtureServer> {
    // Throttled downloads, stalls and slow uploads are the point of this server; Node's
    // default 5-minute request timeout would cut them behind the scenario's back.
    const server: Server = options.tls ? createTlsServer({ requestTimeout: 0, ...options.tls }) : createServer({ requestTimeout: 0 });
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const origin = `${options.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const fixture = new FixtureServer(server, origin, port, options.root ?? defaultRoot());
    fixture.#attach();
    return fixture;
  }

  #attach(): void {
    this.#server.on('connection', (socket: Socket) => {
      // Tracked so close() can destroy kept-alive and stalled connections instead of waiting.
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      if (this.#closing) socket.destroy();
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const isResource = rawPath.startsWith('/res/');
    let resource: string | null = null;
    let badName = false;
    if (isResource) {
      try {
        resource = decodeURIComponent(rawPath.slice('/res/'.length));
      } catch {
        resource = rawPath.slice('/res/'.length);
        badName = true;
      }
    }
    const ex = Exchange.open(
      this.#log,
      req,
      res,
      { url: target.startsWith('/') ? `${this.url}${target}` : target, path: rawPath, resource },
      () => this.#closing,
    );

    let work: Promise<void>;
    if (badName) {
      work = Promise.resolve(
        sendText(ex, 400, 'Bad resource name: not valid percent-encoding. Valid: /res/<name> with a URL-encoded name.\n', {
          'Access-Control-Allow-Origin': '*',
        }),
      );
    } else if (isResource) {
      work = serveResource(ex, resource ?? '', rawPath, new URLSearchParams(rawQuery));
    } else if (rawPath === '/upload') {
      work = serveUpload(ex, new URLSearchParams(rawQuery));
    } else {
      work = serveStatic(ex, this.root, rawPath, rawQuery);
    }
    work.catch((error: unknown) => {
      // A handler bug must cost one response, not the whole fixture origin.
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendText(ex, 500, `FixtureServer internal error: ${message}\n`);
      } else {
        res.destroy();
      }
    });
  }

  /** Logged requests (completed and in flight) in start order, as copies. */
  requests(filter?: RequestFilter): ServedRequest[] {
    return this.#log.list(filter);
  }

  /** Calls `listener` as each request ends (finished, cut, or abandoned). Returns unsubscribe. */
  onRequest(listener: RequestListener): () => void {
    return this.#log.subscribe(listener);
  }

  /**
   * Resolves with the first completed request matching `predicate`, looking at the log first
   * (a request that already ended counts: tests race the browser otherwise), then at requests
   * as they end. Rejects after `timeoutMs` with the requests seen so far in the message.
   */
  waitForRequest(predicate: (request: ServedRequest) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ServedRequest> {
    return new Promise((resolve, reject) => {
      let settled = false;
      let unsubscribe = (): void => {};
      const finish = (error: Error | null, request?: ServedRequest): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        this.#pendingWaits.delete(fail);
        if (error !== null) reject(error);
        else resolve(request as ServedRequest);
      };
      const fail = (error: Error): void => finish(error);
      const test = (request: ServedRequest): boolean => {
        try {
          return predicate(request);
        } catch (error) {
          finish(error instanceof Error ? error : new Error(String(error)));
          return false;
        }
      };
      const timer = setTimeout(() => {
        const seen = this.#log.list();
        const shown = seen.slice(-20).map((r) => `  ${describeRequest(r)}`);
        const error = new TimeoutError(
          `Timed out after ${timeoutMs} ms waiting for a matching request to ${this.url}.\n` +
            `Requests so far (${shown.length} of ${seen.length} shown):\n${shown.length > 0 ? shown.join('\n') : '  (none)'}`,
        );
        finish(error);
      }, timeoutMs);
      this.#pendingWaits.add(fail);
      for (const request of this.#log.list()) {
        if (request.completedAt !== null && test(request)) finish(null, request);
        if (settled) return;
      }
      unsubscribe = this.#log.subscribe((request) => {
        if (test(request)) finish(null, request);
      });
    });
  }

  /** Forgets the logged requests (ids keep increasing). */
  clearLog(): void {
    this.#log.clear();
  }

  /** Stops listening and destroys every open socket (stalled responses included). */
  close(): Promise<void> {
    if (this.#closed !== null) return this.#closed;
    this.#closing = true;
    this.#closed = new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
      this.#server.closeAllConnections();
    });
    for (const fail of [...this.#pendingWaits]) fail(new Error(`FixtureServer ${this.url} closed while waiting for a request.`));
    return this.#closed;
  }
}
