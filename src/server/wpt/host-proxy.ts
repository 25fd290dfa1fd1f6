/**
 * The WPT host names for a browser without Chromium's --host-resolver-rules (Firefox, WebKitGTK):
 * an HTTP proxy on 127.0.0.1 that sends every request for a WPT host (`web-platform.test`, its
 * subdomains, the alt host) to 127.0.0.1 on the port asked for, and refuses every other host, so
 * a test never reaches the network and the system resolver is never asked. https goes through
 * CONNECT untouched (the browser sees the WPT server's own certificate).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { wptHosts } from './hosts.js';

export class WptHostProxy {
  readonly #sockets = new Set<Socket>();
  /** Requests refused (a host outside the WPT set), for the evidence. */
  readonly refused: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `host:port` as the browser's proxy settings want it. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(hosts: readonly string[] = wptHosts().all): Promise<WptHostProxy> {
    const allowed = new Set(hosts.map((h) => h.toLowerCase()));
    const server = createServer();
    const proxy = await new Promise<WptHostProxy>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(new WptHostProxy(server, (server.address() as AddressInfo).port)));
    });
    server.on('connection', (s: Socket) => {
      proxy.#sockets.add(s);
      s.once('close', () => proxy.#sockets.delete(s));
    });
    const target = (host: string, port: string): number | null =>
      allowed.has(host.toLowerCase()) && /^\d+$/.test(port) ? Number(port) : null;

    server.on('connect', (req, client: Socket, head: Buffer) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
      const port = m ? target(m[1], m[2]) : null;
      if (port === null) {
        proxy.refused.push(`CONNECT ${req.url ?? ''}`);
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      proxy.#sockets.add(upstream);
      upstream.once('close', () => proxy.#sockets.delete(upstream));
      const drop = () => {
        upstream.destroy();
        client.destroy();
      };
      upstream.on('error', drop);
      client.on('error', drop);
    });

    server.on('request', (req, res) => {
      let url: URL | null = null;
      try {
        url = new URL(req.url ?? '');
      } catch {
        url = null;
      }
      const port = url && url.protocol === 'http:' ? target(url.hostname, url.port || '80') : null;
      if (!url || port === null) {
        proxy.refused.push(`${req.method ?? 'GET'} ${req.url ?? ''}`);
        res.writeHead(403, { 'content-type': 'text/plain' }).end('bgprobe wpt: only the WPT hosts are reachable through this proxy.\n');
        return;
      }
      const upstream = httpRequest(
        { host: '127.0.0.1', port, method: req.method, path: `${url.pathname}${url.search}`, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    return proxy;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
