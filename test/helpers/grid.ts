/**
 * A Selenium Grid of the test's own, started with scripts/grid.sh (the same script as `make
 * grid`) on free ports and a directory of its own, and a network namespace for a node that is
 * really another host: a veth pair whose ends carry addresses from 198.51.100.0/24 (a
 * documentation range), so the namespace reaches the host end's address and not the host's
 * 127.0.0.1. Both need Java and chromedriver (and root for the namespace): `gridMissing()`
 * says why a test skips.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../../scripts/grid.sh');

/** Why a Grid cannot start here, or null. */
export function gridMissing(): string | null {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'no java: install openjdk-17-jre-headless (make test does, as root)';
  }
  if (!existsSync(process.env['BGPROBE_CHROMEDRIVER'] ?? '/usr/bin/chromedriver'))
    return 'no /usr/bin/chromedriver: install chromium-driver (make test does, as root)';
  return null;
}

export function namespaceMissing(): string | null {
  return typeof process.getuid === 'function' && process.getuid() === 0 ? null : 'a network namespace needs root (ip netns add)';
}

/** A block of `n` consecutive ports free on 127.0.0.1 now. */
async function freePorts(n: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let p = base; p < base + n && ok; p++) ok = await free(p);
    if (ok) return base;
  }
}

export interface TestGrid {
  url: string;
  dir: string;
  /** PIDs (process-group leaders) by name: hub, node-1, node-2 or standalone. */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

export interface GridOptions {
  nodes?: number;
  standalone?: boolean;
  maxSessions?: number;
  /** Listen here (default 127.0.0.1). */
  host?: string;
  /** Run the Grid inside this network namespace. */
  netns?: string;
}

export async function startGrid(options: GridOptions = {}): Promise<TestGrid> {
  const nodes = options.nodes ?? 2;
  const host = options.host ?? '127.0.0.1';
  const port = options.netns ? 4444 : await freePorts(3 + nodes);
  const dir = mkdtempSync(join(tmpdir(), 'bgp-grid-test-'));
  const args = [
    'start',
    '--port',
    String(port),
    '--host',
    host,
    '--dir',
    join(dir, 'grid'),
    '--max-sessions',
    String(options.maxSessions ?? 2),
  ];
  args.push(...(options.standalone ? ['--standalone'] : ['--nodes', String(nodes)]));
  const [cmd, ...rest] = options.netns ? ['ip', 'netns', 'exec', options.netns, SCRIPT, ...args] : [SCRIPT, ...args];
  await run(cmd, rest, { timeout: 90_000 });
  return {
    url: `http://${host}:${port}`,
    dir,
    pids: () =>
      Object.fromEntries(
        readFileSync(join(dir, 'grid', 'pids'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(' '))
          .map(([name, pid]) => [name, Number(pid)]),
      ),
    async stop() {
      await run(SCRIPT, ['stop', '--dir', join(dir, 'grid')], { timeout: 30_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sessions the Grid at `url` lists now. */
export async function gridSessions(url: string): Promise<string[]> {
  const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
  const status = (await res.json()) as { value: { nodes: Array<{ slots: Array<{ session: { sessionId: string } | null }> }> } };
  return status.value.nodes.flatMap((n) => n.slots.flatMap((s) => (s.session ? [s.session.sessionId] : [])));
}

export interface TestNamespace {
  name: string;
  /** The host end's address: what the namespace can reach. */
  hostAddress: string;
  /** The namespace end's address. */
  address: string;
  remove(): Promise<void>;
}

/** `bgp-grid-<tag>`: lo up, and a veth pair to the host with a /30 of 198.51.100.0/24. */
export async function makeNamespace(tag: string): Promise<TestNamespace> {
  const name = `bgp-grid-${tag}-${process.pid}`;
  const id = Math.random().toString(36).slice(2, 7);
  const [outer, inner] = [`bgpg${id}h`, `bgpg${id}n`];
  // A /30 of its own (64 in the range), so two tests' namespaces never share a route.
  const block = 4 * Math.floor(Math.random() * 64);
  const hostAddress = `198.51.100.${block + 1}`;
  const address = `198.51.100.${block + 2}`;
  const ip = (...args: string[]) => run('ip', args, { timeout: 10_000 });
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    await ip('link', 'set', inner, 'netns', name);
    await ip('addr', 'add', `${hostAddress}/30`, 'dev', outer);
    await ip('link', 'set', outer, 'up');
    await ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    await ip('netns', 'exec', name, 'ip', 'addr', 'add', `${address}/30`, 'dev', inner);
    await ip('netns', 'exec', name, 'ip', 'link', 'set', inner, 'up');
  } catch (e) {
    await ip('netns', 'del', name).catch(() => undefined);
    throw e;
  }
  return {
    name,
    hostAddress,
    address,
    async remove() {
      // Deleting the namespace deletes its veth end, and with it the pair.
      await ip('netns', 'del', name);
      await ip('link', 'del', outer).catch(() => undefined);
    },
  };
}
