// The host-mapping proxy that gives Firefox and WebKitGTK the WPT host names: a request for a
// WPT host reaches 127.0.0.1 on the port asked for (plain and through CONNECT), any other host
// is refused and never looked up.
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WptHostProxy } from '../../src/server/wpt/host-proxy.js';

let origin: Server;
let port: number;
let proxy: WptHostProxy;

beforeAll(async () => {
  origin = createServer((req, res) => res.writeHead(200, { 'x-host': req.headers.host ?? '' }).end(`${req.method} ${req.url}`));
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  port = (origin.address() as AddressInfo).port;
  proxy = await WptHostProxy.start();
});
afterAll(async () => {
  await proxy.close();
  await new Promise<void>((r) => origin.close(() => r()));
});

function viaProxy(url: string): Promise<{ status: number; body: string; host: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.port, path: url, headers: { host: new URL(url).host } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, host: String(res.headers['x-host'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

function tunnel(target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(proxy.port, '127.0.0.1', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    let text = '';
    s.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes('\r\n\r\n') && !text.includes('GET')) {
        if (!text.startsWith('HTTP/1.1 200')) return resolve(text.split('\r\n')[0]);
        s.write(`GET /through HTTP/1.1\r\nHost: ${target}\r\nConnection: close\r\n\r\n`);
        text += 'GET';
      }
    });
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
}

describe('WptHostProxy', () => {
  it('sends a WPT host (and its subdomains, IDNA ones too) to 127.0.0.1 on the asked port, with the Host header kept', async () => {
    expect(await viaProxy(`http://web-platform.test:${port}/a?b=1`)).toEqual({
      status: 200,
      body: 'GET /a?b=1',
      host: `web-platform.test:${port}`,
    });
    expect((await viaProxy(`http://xn--lve-6lad.web-platform.test:${port}/`)).status).toBe(200);
    expect((await viaProxy(`http://www1.not-web-platform.test:${port}/`)).status).toBe(200);
  });

  it('tunnels CONNECT to a WPT host', async () => {
    expect(await tunnel(`www.web-platform.test:${port}`)).toContain('GET /through');
  });

  it('refuses any other host, plain or CONNECT, and lists it', async () => {
    expect((await viaProxy(`http://example.com:${port}/`)).status).toBe(403);
    expect(await tunnel(`example.com:${port}`)).toBe('HTTP/1.1 403 Forbidden');
    expect(proxy.refused).toEqual([`GET http://example.com:${port}/`, `CONNECT example.com:${port}`]);
  });
});
