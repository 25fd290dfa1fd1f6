// A 1 GiB generated body streamed to a client in another process, while this process (the
// server's) samples its own RSS: streaming must not hold the body, or any large part of it.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FixtureServer } from '../../src/server/index.js';

const GIB = 1024 ** 3;

// The client runs in a child process so its buffers do not count in our RSS. It reads and
// discards, and reports what it got as one JSON line.
const CLIENT = `
const http = require('node:http');
const t0 = performance.now();
http.get(process.argv[1], { agent: false }, (res) => {
  let bytes = 0;
  res.on('data', (chunk) => { bytes += chunk.length; });
  res.on('end', () => {
    process.stdout.write(JSON.stringify({ status: res.statusCode, bytes, ms: performance.now() - t0 }) + '\\n');
  });
}).on('error', (error) => { process.stderr.write(String(error)); process.exit(1); });
`;

interface ClientResult {
  status: number;
  bytes: number;
  ms: number;
}

function download(url: string, timeoutMs: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CLIENT, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && out.trim() !== '') resolve(JSON.parse(out) as ClientResult);
      else reject(new Error(`download client exited with ${String(code)}: ${err}`));
    });
  });
}

let server: FixtureServer;
beforeAll(async () => {
  server = await FixtureServer.start();
});
afterAll(async () => {
  await server.close();
});

test('1 GiB streams with server RSS growth under 100 MB', { timeout: 60_000 }, async () => {
  // Warm up: the pattern buffer and the http machinery are allocated once, not per transfer.
  await download(`${server.url}/res/warmup.bin?size=1m`, 10_000);
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  let result: ClientResult;
  try {
    result = await download(`${server.url}/res/huge.bin?size=1g`, 50_000);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const growthMb = (peak - baseline) / 1e6;
  const throughput = result.bytes / 1e6 / (result.ms / 1000);
  console.log(
    `1 GiB: ${result.ms.toFixed(0)} ms, ${throughput.toFixed(0)} MB/s, server RSS ${(baseline / 1e6).toFixed(1)} MB -> peak ${(peak / 1e6).toFixed(1)} MB (growth ${growthMb.toFixed(1)} MB)`,
  );
  expect(result).toMatchObject({ status: 200, bytes: GIB });
  expect(growthMb).toBeLessThan(100);
  const [entry] = server.requests({ path: '/res/huge.bin' });
  expect(entry).toMatchObject({ bytesSent: GIB, cut: false, status: 200 });
});
