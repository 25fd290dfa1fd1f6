// The FixtureServer request log, onRequest, waitForRequest and close(), with real sockets.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FixtureServer } from '../../src/server/index.js';
import type { ServedRequest } from '../../src/server/index.js';

// Resolves with the status and body length; never rejects (cut bodies are expected here).
function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve) => {
    let bytes = 0;
    let status = 0;
    const req = http.get(url, { headers, agent: false }, (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('close', () => resolve({ status, bytes }));
    });
    req.on('error', () => resolve({ status, bytes }));
  });
}

/** Starts a GET and resolves once its response headers arrived, with the request to destroy. */
function openResponse(url: string): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => resolve({ req, res }));
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
  });
}

let server: FixtureServer;
beforeEach(async () => {
  server = await FixtureServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('request log', () => {
  test('fields are filled for a completed Range request', async () => {
    const seen: ServedRequest[] = [];
    const unsubscribe = server.onRequest((r) => seen.push(r));
    const got = await fetchBytes(`${server.url}/res/episode-5.mp3?size=10k`, { Range: 'bytes=0-99', 'User-Agent': 'bgprobe-test' });
    expect(got).toEqual({ status: 206, bytes: 100 });
    const entry = await server.waitForRequest((r) => r.resource === 'episode-5.mp3');
    expect(entry).toMatchObject({
      method: 'GET',
      url: `${server.url}/res/episode-5.mp3?size=10k`,
      path: '/res/episode-5.mp3',
      status: 206,
      bytesSent: 100,
      bytesReceived: 0,
      cut: false,
      cutBy: null,
      rangeRequested: true,
      resource: 'episode-5.mp3',
      headers: { range: 'bytes=0-99', ifRange: null, userAgent: 'bgprobe-test', origin: null, contentType: null },
    });
    expect(entry.completedAt).not.toBeNull();
    expect(entry.startedAt).toBeLessThanOrEqual(entry.completedAt ?? 0);
    expect(Math.abs(entry.startedAt - Date.now())).toBeLessThan(10_000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual(entry);

    unsubscribe();
    await fetchBytes(`${server.url}/res/other.bin`);
    await server.waitForRequest((r) => r.resource === 'other.bin');
    expect(seen).toHaveLength(1);
  });

  test('requests() filters by exact path or RegExp, in start order; clearLog empties it', async () => {
    await fetchBytes(`${server.url}/res/a.bin`);
    await fetchBytes(`${server.url}/res/b.bin`);
    await fetchBytes(`${server.url}/nothing-here`);
    await server.waitForRequest((r) => r.path === '/nothing-here');
    expect(server.requests().map((r) => r.path)).toEqual(['/res/a.bin', '/res/b.bin', '/nothing-here']);
    expect(server.requests({ path: '/res/b.bin' })).toHaveLength(1);
    expect(server.requests({ path: /^\/res\//g }).map((r) => r.resource)).toEqual(['a.bin', 'b.bin']);
    expect(server.requests({ path: '/nothing-here' })[0]?.status).toBe(404);
    const ids = server.requests().map((r) => r.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    server.clearLog();
    expect(server.requests()).toEqual([]);
  });

  test('in-flight requests are listed; close() cuts a stalled response quickly', async () => {
    const { res } = await openResponse(`${server.url}/res/stuck.bin?size=1m&stall=1&stallAfter=1000`);
    let received = 0;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    res.on('error', () => {});
    const ended = new Promise<ServedRequest>((resolve) => server.onRequest(resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [inFlight] = server.requests({ path: '/res/stuck.bin' });
    expect(inFlight).toMatchObject({ completedAt: null, status: 200, bytesSent: 1000, cut: false });
    const started = performance.now();
    await server.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await ended).toMatchObject({ cut: true, cutBy: 'server', bytesSent: 1000 });
    expect(received).toBe(1000);
  });

  test('a client that goes away mid-body is logged as cut by the client', async () => {
    const { req, res } = await openResponse(`${server.url}/res/abandoned.bin?size=10m&rate=1m`);
    res.once('data', () => req.destroy());
    res.on('error', () => {});
    const entry = await server.waitForRequest((r) => r.resource === 'abandoned.bin');
    expect(entry).toMatchObject({ cut: true, cutBy: 'client', status: 200 });
    expect(entry.bytesSent).toBeLessThan(10 * 1024 * 1024);
  });

  test('waitForRequest resolves for requests already logged, and times out listing the log', async () => {
    await fetchBytes(`${server.url}/res/early.bin`);
    await expect(server.waitForRequest((r) => r.resource === 'early.bin', 2_000)).resolves.toMatchObject({ status: 200 });
    const error = await server.waitForRequest((r) => r.resource === 'never', 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toContain('/res/early.bin');
  });
});
