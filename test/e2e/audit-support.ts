/**
 * What the `bgprobe audit` specs share: a plain node:http static server (not the FixtureServer:
 * the apps must audit as they would on any server) and the built CLI run in a child process.
 */
import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = join(REPO, 'dist/cli/main.js');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.mp3': 'audio/mpeg',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Serve each `prefix -> folder` on 127.0.0.1 (a free port): files only, 404 for the rest. */
export async function serveStatic(mounts: Record<string, string>): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = Object.keys(mounts).find((m) => path.startsWith(m));
    const root = mount === undefined ? null : mounts[mount];
    let file = root === null ? null : normalize(join(root, path.slice(mount!.length)));
    if (file && root && !file.startsWith(normalize(root + sep)) && file !== normalize(root)) file = null;
    if (file && path.endsWith('/')) file = join(file, 'index.html');
    let size = -1;
    try {
      if (file && statSync(file).isFile()) size = statSync(file).size;
    } catch {
      size = -1;
    }
    if (!file || size < 0) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI in a child process, as a user runs it. */
export function bgprobe(args: string[], options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, CI: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // SIGTERM: the CLI closes the browser it launched; SIGKILL would orphan it.
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 80_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface AuditJsonOut {
  fetches: Array<{
    id: string;
    origin: string;
    outcome: string;
    failureReason: string | null;
    findings: Array<{ code: string; severity: string; message: string; evidence: Record<string, unknown> }>;
  }>;
  findings: Array<{ code: string; severity: string; message: string; evidence: Record<string, unknown>; fetch: string | null }>;
}
