// /res/ and /upload against a real FixtureServer on 127.0.0.1 with Node's real http client.
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { expectedBody, FixtureServer } from '../../src/server/index.js';

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the connection failed or the body was cut short. */
  error: Error | null;
  /** ms from sending the request to the response headers, and to the end of the body. */
  headersAfter: number;
  endAfter: number;
}

interface GetOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A request body of this many bytes, streamed in 64 KiB writes. */
  uploadBytes?: number;
}

// Every request on its own connection (agent: false), so one test's cut socket can never be
// reused by the next.
function get(url: string, options: GetOptions = {}): Promise<Got> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let headersAfter = 0;
    const chunks: Buffer[] = [];
    let settled = false;
    let response: http.IncomingMessage | null = null;
    const done = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      resolve({
        status: response?.statusCode ?? 0,
        headers: response?.headers ?? {},
        body: Buffer.concat(chunks),
        error,
        headersAfter,
        endAfter: performance.now() - t0,
      });
    };
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      response = res;
      headersAfter = performance.now() - t0;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(res.complete ? null : new Error('incomplete body')));
      res.on('aborted', () => done(new Error('aborted')));
      res.on('error', (error) => done(error));
      res.on('close', () => done(res.complete ? null : new Error('closed before the body ended')));
    });
    req.on('error', (error) => done(error));
    if (options.uploadBytes !== undefined) {
      const chunk = Buffer.alloc(64 * 1024, 7);
      let left = options.uploadBytes;
      const pump = (): void => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    } else {
      req.end();
    }
  });
}

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(async () => {
  await server.close();
});

const finished = (path: string) => server.waitForRequest((r) => r.path === path, 5_000);

describe('ranges', () => {
  test('206 with Content-Range and the right bytes, for a-b, a- and -n', async () => {
    const url = `${server.url}/res/range.bin?size=100000`;
    const cases: Array<[string, number, number]> = [
      ['bytes=100-199', 100, 199],
      ['bytes=99000-', 99000, 99999],
      ['bytes=-500', 99500, 99999],
      ['bytes=70000-200000', 70000, 99999],
    ];
    for (const [range, start, end] of cases) {
      const got = await get(url, { headers: { Range: range } });
      expect(got.status, range).toBe(206);
      expect(got.headers['content-range']).toBe(`bytes ${start}-${end}/100000`);
      expect(got.headers['content-length']).toBe(String(end - start + 1));
      expect(got.body.equals(expectedBody('range.bin', start, end + 1)), range).toBe(true);
    }
  });

  test('If-Range: matching ETag gives 206, a mismatch the full 200', async () => {
    const url = `${server.url}/res/ifrange.bin?size=5000`;
    const full = await get(url);
    const etag = full.headers.etag ?? '';
    expect(etag).toMatch(/^".+"$/);
    const match = await get(url, { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
    expect(match.status).toBe(206);
    const mismatch = await get(url, { headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' } });
    expect(mismatch.status).toBe(200);
    expect(mismatch.body.equals(expectedBody('ifrange.bin', 0, 5000))).toBe(true);
  });

  test('unsatisfiable gives 416 with bytes */size; range=0 ignores Range', async () => {
    const unsatisfiable = await get(`${server.url}/res/r.bin?size=1000`, { headers: { Range: 'bytes=1000-' } });
    expect(unsatisfiable.status).toBe(416);
    expect(unsatisfiable.headers['content-range']).toBe('bytes */1000');
    const ignored = await get(`${server.url}/res/r.bin?size=1000&range=0`, { headers: { Range: 'bytes=0-9' } });
    expect(ignored.status).toBe(200);
    expect(ignored.headers['accept-ranges']).toBe('none');
    expect(ignored.body.equals(expectedBody('r.bin', 0, 1000))).toBe(true);
  });
});

describe('faults', () => {
  test('throttled rate is observed within 10% by a plain client', async () => {
    const got = await get(`${server.url}/res/slow.mp3?size=512k&rate=256k`);
    expect(got.error).toBeNull();
    expect(got.body.length).toBe(512 * 1024);
    // Headers are flushed before pacing starts, so headers -> end is the paced body time.
    const seconds = (got.endAfter - got.headersAfter) / 1000;
    const rate = got.body.length / seconds;
    const errorPct = ((rate - 256 * 1024) / (256 * 1024)) * 100;
    console.log(
      `throttle: 512 KiB at rate=256k took ${seconds.toFixed(3)} s, ${(rate / 1024).toFixed(1)} KiB/s (${errorPct.toFixed(2)}% off)`,
    );
    expect(Math.abs(errorPct)).toBeLessThan(10);
  });

  test('drop=N cuts the connection after N bytes, logged as cut by the server', async () => {
    const logged = finished('/res/drop.bin');
    const got = await get(`${server.url}/res/drop.bin?size=1m&drop=100000`);
    expect(got.status).toBe(200);
    expect(got.error).not.toBeNull();
    expect(got.body.length).toBe(100000);
    expect(got.body.equals(expectedBody('drop.bin', 0, 100000))).toBe(true);
    const entry = await logged;
    expect(entry).toMatchObject({ cut: true, cutBy: 'server', bytesSent: 100000, status: 200, resource: 'drop.bin' });
  });

  test('length=absent is chunked with no Content-Length', async () => {
    const got = await get(`${server.url}/res/chunked.bin?size=300k&length=absent`);
    expect(got.error).toBeNull();
    expect(got.headers['content-length']).toBeUndefined();
    expect(got.headers['transfer-encoding']).toBe('chunked');
    expect(got.body.length).toBe(300 * 1024);
  });

  test('length=long declares more than it sends, then closes', async () => {
    const logged = finished('/res/long.bin');
    const got = await get(`${server.url}/res/long.bin?size=10k&length=long`);
    expect(got.headers['content-length']).toBe(String(20 * 1024));
    expect(got.error).not.toBeNull();
    expect(got.body.length).toBe(10 * 1024);
    expect(await logged).toMatchObject({ cut: true, cutBy: 'server', bytesSent: 10 * 1024 });
  });

  test('length=short declares half, writes the whole body, then closes (raw socket view)', async () => {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.end('GET /res/short.bin?size=1000&length=short HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
    const split = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, split).toString('latin1');
    expect(head).toMatch(/\r\nContent-Length: 500\r\n/i);
    expect(head).toMatch(/\r\nConnection: close\r\n/i);
    expect(raw.length - split - 4).toBe(1000);
  });

  test('status=404 returns 404 with the body', async () => {
    const got = await get(`${server.url}/res/missing.bin?status=404&size=2000`);
    expect(got.status).toBe(404);
    expect(got.body.equals(expectedBody('missing.bin', 0, 2000))).toBe(true);
  });

  test('HEAD declares the length a GET would send (none with length=absent); 204 and 304 have no body', async () => {
    const head = await get(`${server.url}/res/head.bin?size=4096`, { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '4096', 0]);
    const ranged = await get(`${server.url}/res/head.bin?size=4096`, { method: 'HEAD', headers: { Range: 'bytes=0-9' } });
    expect([ranged.status, ranged.headers['content-length'], ranged.headers['content-range']]).toEqual([206, '10', 'bytes 0-9/4096']);
    const absent = await get(`${server.url}/res/head.bin?size=4096&length=absent`, { method: 'HEAD' });
    expect([absent.status, absent.headers['content-length'], absent.body.length]).toEqual([200, undefined, 0]);
    for (const status of [204, 304]) {
      const got = await get(`${server.url}/res/empty.bin?size=4096&status=${status}`);
      expect([got.status, got.body.length, got.error], String(status)).toEqual([status, 0, null]);
    }
  });

  test('delay=300 holds the headers at least 300 ms', async () => {
    const got = await get(`${server.url}/res/late.bin?delay=300`);
    expect(got.status).toBe(200);
    expect(got.headersAfter).toBeGreaterThanOrEqual(300);
  });

  test('redirect=2 gives two 302s then the 200', async () => {
    let url = `${server.url}/res/hop.bin?size=10&redirect=2`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const got = await get(url);
      statuses.push(got.status);
      if (got.status !== 302) break;
      url = new URL(got.headers.location ?? '', url).href;
    }
    expect(statuses).toEqual([302, 302, 200]);
    expect(url).toBe(`${server.url}/res/hop.bin?size=10`);
  });

  test('malformed and unknown parameters give 400 naming the parameter', async () => {
    const bad = await get(`${server.url}/res/x.bin?size=lots`);
    expect(bad.status).toBe(400);
    expect(bad.body.toString()).toContain('"size"');
    const unknown = await get(`${server.url}/res/x.bin?sise=10`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.toString()).toContain('Did you mean "size"?');
    const status = await get(`${server.url}/res/x.bin?status=99`);
    expect(status.body.toString()).toContain('"status"');
  });

  test('CORS headers by default, none with cors=0, preflight answered', async () => {
    expect((await get(`${server.url}/res/c.bin`)).headers['access-control-allow-origin']).toBe('*');
    expect((await get(`${server.url}/res/c.bin?cors=0`)).headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await get(`${server.url}/res/c.bin`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toBe('range');
  });
});

describe('/upload', () => {
  test('counts a 5 MiB POST body exactly', async () => {
    const size = 5 * 1024 * 1024;
    const logged = finished('/upload');
    const got = await get(`${server.url}/upload`, {
      method: 'POST',
      uploadBytes: size,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body.toString())).toEqual({ received: size });
    expect(await logged).toMatchObject({ method: 'POST', bytesReceived: size, headers: { contentType: 'application/octet-stream' } });
  });

  test('status and unknown params', async () => {
    const got = await get(`${server.url}/upload?status=201`, { method: 'PUT', uploadBytes: 10 });
    expect(got.status).toBe(201);
    expect((await get(`${server.url}/upload?size=1`, { method: 'POST', uploadBytes: 1 })).status).toBe(400);
    expect((await get(`${server.url}/upload`)).status).toBe(405);
  });
});
