/**
 * WptServer: the fixture origin for web-platform-tests, a wptserve subset. The user's WPT
 * checkout is the document root, served over http and https on two ports each (as wptrunner
 * does) under the WPT host names; every request goes into the same request log as the fixture
 * server's, with the URL the browser asked for, so a background fetch's requests join their
 * timeline.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Exchange, header } from '../exchange.js';
import { RequestLog, type ServedRequest } from '../log.js';
import type { WptCertificate } from './certificate.js';
import { fileReply, sendReply, type Reply } from './files.js';
import { wptHosts, WPT_HOST, type WptHosts } from './hosts.js';
import { servePython } from './python.js';
import { TESTDRIVER_VENDOR_JS, testharnessReportJs } from './scripts.js';
import type { SubstitutionContext } from './substitute.js';

export interface WptServerOptions {
  /** The WPT checkout. */
  root: string;
  certificate: WptCertificate;
  /** testharness.js' timeout_multiplier, set by bgprobe's testharnessreport.js. */
  timeoutMultiplier: number;
  /** Ports to listen on; 0 picks a free one. Default two http and two https. */
  http?: number[];
  https?: number[];
}

type Scheme = 'http' | 'https';

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export class WptServer {
  readonly hosts: WptHosts = wptHosts();
  readonly ports: Record<string, number[]> = { http: [], https: [], ws: [], wss: [] };
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #log = new RequestLog();
  #closing = false;

  private constructor(private readonly options: WptServerOptions) {}

  static async start(options: WptServerOptions): Promise<WptServer> {
    const server = new WptServer(options);
    try {
      for (const port of options.http ?? [0, 0]) server.ports['http'].push(await server.#listen('http', port));
      for (const port of options.https ?? [0, 0]) server.ports['https'].push(await server.#listen('https', port));
    } catch (e) {
      await server.close();
      throw e;
    }
    // No WebSocket server: the ws/wss ports only keep {{ports[ws][0]}} substitutions well-formed.
    server.ports['ws'] = [server.ports['http'][0] ?? 0];
    server.ports['wss'] = [server.ports['https'][0] ?? 0];
    return server;
  }

  async #listen(scheme: Scheme, port: number): Promise<number> {
    const { key, cert } = this.options.certificate;
    // Slow handlers and trickled bodies are the point; Node's request timeout must not cut them.
    const server = scheme === 'https' ? createHttpsServer({ key, cert, requestTimeout: 0 }) : createHttpServer({ requestTimeout: 0 });
    this.#servers.push(server);
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#handle(scheme, req, res));
    return listen(server, port);
  }

  /** `https://web-platform.test:<port>/path` (or http). */
  url(path: string, scheme: Scheme = 'https'): string {
    return `${scheme}://${WPT_HOST}:${this.ports[scheme][0]}${path}`;
  }

  /** Logged requests in start order, as copies. */
  requests(): ServedRequest[] {
    return this.#log.list();
  }

  #handle(scheme: Scheme, req: IncomingMessage, res: ServerResponse): void {
    const host = header(req, 'host') ?? `127.0.0.1:${(req.socket.address() as AddressInfo).port}`;
    const target = req.url ?? '/';
    const url = new URL(target, `${scheme}://${host}`);
    const ex = Exchange.open(this.#log, req, res, { url: url.href, path: url.pathname, resource: null }, () => this.#closing);
    this.#route(ex, url).catch((error: unknown) => {
      // A handler bug (or a template this subset does not know) costs one response, named.
      if (res.headersSent) return void res.destroy();
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      void sendReply(
        ex,
        { status: 500, headers: [['Content-Type', 'text/plain; charset=utf-8']], body: Buffer.from(`bgprobe wpt server: ${message}\n`) },
        null,
        this.#context(url, req),
      );
    });
  }

  #context(url: URL, req: IncomingMessage): SubstitutionContext {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { hosts: this.hosts, ports: this.ports, url, headers };
  }

  async #route(ex: Exchange, url: URL): Promise<void> {
    const path = url.pathname;
    const ctx = this.#context(url, ex.req);
    const pipe = url.searchParams.get('pipe');
    const js = (body: string): Reply => ({
      status: 200,
      headers: [['Content-Type', 'text/javascript; charset=utf-8']],
      body: Buffer.from(body),
    });
    if (path.endsWith('.py')) return servePython(ex, path);
    const method = ex.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      // wptserve's file handler is GET-only too: a CORS preflight (OPTIONS) to a file fails there as here.
      return sendReply(
        ex,
        {
          status: 405,
          headers: [
            ['Content-Type', 'text/plain'],
            ['Allow', 'GET, HEAD'],
          ],
          body: Buffer.from(`Method ${method} not allowed for ${path}.\n`),
        },
        null,
        ctx,
      );
    }
    let reply: Reply;
    if (path === '/resources/testharnessreport.js') reply = js(testharnessReportJs(this.options.timeoutMultiplier));
    else if (path === '/resources/testdriver-vendor.js') reply = js(TESTDRIVER_VENDOR_JS);
    else if (path === '/resources/WebIDLParser.js') {
      // wptserve rewrites this name to the vendored webidl2 parser.
      reply = await fileReply(this.options.root, '/resources/webidl2/lib/webidl2.js', url.search.slice(1), ctx);
    } else reply = await fileReply(this.options.root, path, url.search.slice(1), ctx);
    return sendReply(ex, reply, pipe, ctx);
  }

  /** Stops listening and destroys every open socket. */
  async close(): Promise<void> {
    this.#closing = true;
    const closed = this.#servers.filter((s) => s.listening).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const socket of this.#sockets) socket.destroy();
    await Promise.all(closed);
  }
}
