// Static fixture files and path-traversal refusal, against a real FixtureServer.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FixtureServer } from '../../src/server/index.js';

interface Got {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

// http.request sends `path` verbatim (no dot-segment normalisation, no re-encoding), which is
// what a traversal test needs; fetch() and new URL() would normalise the attack away.
function getRaw(port: number, rawPath: string, method = 'GET'): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

let base: string;
let root: string;
let server: FixtureServer;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'bgprobe-static-'));
  root = path.join(base, 'fixtures');
  mkdirSync(path.join(root, 'podcast'), { recursive: true });
  writeFileSync(path.join(root, 'podcast', 'index.html'), '<!doctype html><title>podcast</title>');
  writeFileSync(path.join(root, 'podcast', 'sw.js'), 'self.addEventListener("backgroundfetchsuccess", () => {});');
  writeFileSync(path.join(root, 'podcast', 'app.webmanifest'), '{}');
  writeFileSync(path.join(root, 'podcast', 'My Episode.mp3'), 'ID3');
  writeFileSync(path.join(base, 'secret.txt'), 'outside the root');
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(base, 'outside', 'also-secret.txt'), 'outside the root');
  // Symlinks: two pointing out of the root (file and folder), one pointing inside it.
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'leak.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'outside-dir'));
  symlinkSync(path.join(root, 'podcast', 'index.html'), path.join(root, 'alias.html'));
  server = await FixtureServer.start({ root });
});

afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

describe('static files', () => {
  test('a real file is served with 200, its content type and no-store', async () => {
    const got = await getRaw(server.port, '/podcast/index.html');
    expect(got.status).toBe(200);
    expect(got.body).toContain('<title>podcast</title>');
    expect(got.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(got.headers['cache-control']).toBe('no-store');
  });

  test('a folder with a trailing slash serves index.html; without it, 301 to the slash', async () => {
    expect((await getRaw(server.port, '/podcast/')).body).toContain('podcast');
    const moved = await getRaw(server.port, '/podcast?x=1');
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe('/podcast/?x=1');
  });

  test('scripts carry Service-Worker-Allowed; other types are guessed by extension', async () => {
    const sw = await getRaw(server.port, '/podcast/sw.js');
    expect(sw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(sw.headers['service-worker-allowed']).toBe('/');
    expect((await getRaw(server.port, '/podcast/app.webmanifest')).headers['content-type']).toBe(
      'application/manifest+json; charset=utf-8',
    );
    const mp3 = await getRaw(server.port, '/podcast/My%20Episode.mp3');
    expect(mp3.status).toBe(200);
    expect(mp3.headers['content-type']).toBe('audio/mpeg');
  });

  test('HEAD has the headers and no body; other methods get 405', async () => {
    const head = await getRaw(server.port, '/podcast/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
    expect((await getRaw(server.port, '/podcast/index.html', 'POST')).status).toBe(405);
  });

  test('a symlink that stays inside the root is served', async () => {
    expect((await getRaw(server.port, '/alias.html')).status).toBe(200);
  });
});

describe('traversal is refused with 404', () => {
  test.each([
    '/../secret.txt',
    '/podcast/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E/secret.txt',
    '/podcast/%2e%2e/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/podcast%2f..%2f..%2fsecret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/podcast\\..\\..\\secret.txt',
    '/podcast/index.html%00.txt',
    '/./podcast/index.html',
    '/leak.txt',
    '/outside-dir/also-secret.txt',
    '/nope.html',
  ])('%s', async (rawPath) => {
    const got = await getRaw(server.port, rawPath);
    expect(got.status).toBe(404);
    expect(got.body).not.toContain('outside the root');
  });
});
