/**
 * When a Grid session's browser is reached on its own DevTools endpoint instead of the hub's
 * se:cdp (src/browsers/grid/devtools.ts): only when the process chromedriver names runs here,
 * in this network namespace, on the profile the session reports, and that profile's
 * DevToolsActivePort names the port of `debuggerAddress`. The process is a real one (a node
 * process carrying the profile flag); the namespace case runs it under `unshare --net`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localDevTools } from '../../src/browsers/grid/devtools.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A profile directory with a DevToolsActivePort as Chromium writes it. */
function profile(port = 45678, path = '/devtools/browser/4c1d3a5e-0000-4000-8000-000000000001'): string {
  const dir = mkdtempSync(join(tmpdir(), 'bgp-devtools-test-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'DevToolsActivePort'), `${port}\n${path}`);
  return dir;
}

/** A running process whose command line carries `--user-data-dir=<dir>`, as the browser's does. */
async function browserLike(dir: string, wrap: string[] = []): Promise<number> {
  const argv = [process.execPath, '-e', 'setInterval(() => {}, 1000)', '--', `--user-data-dir=${dir}`];
  const [cmd, ...rest] = [...wrap, ...argv];
  const child = spawn(cmd, rest, { stdio: 'ignore' });
  children.push(child);
  await new Promise((r) => child.once('spawn', r));
  // `unshare` execs the command in place: the pid is the one that ends up with the profile flag.
  for (let i = 0; i < 50 && !spawnSync('cat', [`/proc/${child.pid}/cmdline`]).stdout.includes('--user-data-dir'); i++)
    await new Promise((r) => setTimeout(r, 20));
  return child.pid!;
}

const caps = (pid: number, dir: string, address: string) => ({
  browserName: 'chrome',
  'goog:processID': pid,
  chrome: { userDataDir: dir },
  'goog:chromeOptions': { debuggerAddress: address },
  'se:cdp': 'ws://127.0.0.1:4444/session/x/se/cdp',
});

describe('localDevTools', () => {
  it("answers the browser's own endpoint when its process runs here on that profile, on the port its DevToolsActivePort names", async () => {
    const dir = profile();
    const pid = await browserLike(dir);
    expect(localDevTools(caps(pid, dir, 'localhost:45678'))).toBe(
      'ws://127.0.0.1:45678/devtools/browser/4c1d3a5e-0000-4000-8000-000000000001',
    );
    expect(localDevTools(caps(pid, dir, '127.0.0.1:45678'))).toBe(
      'ws://127.0.0.1:45678/devtools/browser/4c1d3a5e-0000-4000-8000-000000000001',
    );
  });

  it('answers null when anything does not check out: se:cdp is used', async () => {
    const dir = profile();
    const pid = await browserLike(dir);
    // Another port than the profile's browser listens on.
    expect(localDevTools(caps(pid, dir, 'localhost:45679'))).toBeNull();
    // An address of another host.
    expect(localDevTools(caps(pid, dir, '10.0.0.5:45678'))).toBeNull();
    // A process that is not the one on this profile (another browser, or a pid of another host).
    const other = profile();
    expect(localDevTools(caps(pid, other, 'localhost:45678'))).toBeNull();
    expect(localDevTools(caps(process.pid, dir, 'localhost:45678'))).toBeNull();
    // No such process here.
    expect(localDevTools(caps(2 ** 22 + 17, dir, 'localhost:45678'))).toBeNull();
    // The session did not say.
    expect(localDevTools({ browserName: 'chrome', 'se:cdp': 'ws://127.0.0.1:4444/session/x/se/cdp' })).toBeNull();
    expect(localDevTools({ ...caps(pid, dir, 'localhost:45678'), 'goog:processID': '1' })).toBeNull();
    // A profile with no DevToolsActivePort (the browser is not where the profile says), or a garbled one.
    const empty = mkdtempSync(join(tmpdir(), 'bgp-devtools-test-'));
    dirs.push(empty);
    const pid2 = await browserLike(empty);
    expect(localDevTools(caps(pid2, empty, 'localhost:45678'))).toBeNull();
    writeFileSync(join(empty, 'DevToolsActivePort'), '45678\n/json/version');
    expect(localDevTools(caps(pid2, empty, 'localhost:45678'))).toBeNull();
  });

  const netns = spawnSync('unshare', ['--net', 'true']).status === 0;
  it.skipIf(!netns)('answers null for a browser in another network namespace (its localhost is not this one)', async () => {
    const dir = profile();
    const pid = await browserLike(dir, ['unshare', '--net']);
    expect(localDevTools(caps(pid, dir, 'localhost:45678'))).toBeNull();
  });
});
