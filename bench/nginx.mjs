// nginx (the Debian package) as the reference static server: a config of our own in a temp
// dir, listening on a loopback port, serving one file. Started and stopped by the benchmark.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { run } from './procs.mjs';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

export function findNginx() {
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Install nginx-light with apt-get when missing and we are root; returns the binary or a reason. */
export async function ensureNginx(log) {
  const found = findNginx();
  if (found) return { path: found };
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return { path: null, reason: 'nginx is not installed and this is not root (apt-get install nginx-light)' };
  log('installing nginx-light with apt-get ...');
  const r = await run('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light'], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.code !== 0) return { path: null, reason: `apt-get install nginx-light failed: ${r.stderr.trim().split('\n').slice(-1)[0]}` };
  return findNginx() ? { path: findNginx() } : { path: null, reason: 'nginx-light installed but no nginx binary found' };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Start nginx serving `www` on 127.0.0.1; resolves { url, pid, stop() }. Debian's default
 * config serves static files with sendfile on, so this one does too: the comparison is with
 * nginx as people run it.
 */
export async function startNginx(binary, dir, www) {
  const port = await freePort();
  for (const d of ['tmp', 'logs']) mkdirSync(join(dir, d), { recursive: true });
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `${root ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'logs/error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${join(dir, 'tmp/body')};
  proxy_temp_path ${join(dir, 'tmp/proxy')};
  fastcgi_temp_path ${join(dir, 'tmp/fastcgi')};
  uwsgi_temp_path ${join(dir, 'tmp/uwsgi')};
  scgi_temp_path ${join(dir, 'tmp/scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${www};
    location / { }
  }
}
`,
  );
  execFileSync(binary, ['-t', '-q', '-p', dir, '-c', conf], { stdio: 'pipe' });
  const child = spawn(binary, ['-p', dir, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  // Ready when the port answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${url}/`], { timeoutMs: 2_000 });
    if (r.stdout.length === 3 && r.stdout !== '000') break;
    if (child.exitCode !== null) throw new Error(`nginx exited: ${err}`);
    if (Date.now() > deadline) throw new Error(`nginx did not answer on ${url}: ${err}`);
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      // SIGQUIT is nginx's graceful shutdown of the master and its worker.
      child.kill('SIGQUIT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    },
  };
}
