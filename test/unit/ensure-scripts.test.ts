/**
 * The set-up scripts `make compat` and `make test` run first (scripts/ensure-*.sh), on the path a
 * fresh machine takes: the commands they look for are missing. `id` and `apt-get` are stubs on a
 * PATH of the test's own, so what the scripts would install is recorded, never installed.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

/** Runs scripts/<name> on a PATH holding only the basics and the stubs; `uid` is what `id -u` says. */
function run(name: string, args: string[], opts: { uid: number; apt: boolean; aptFailsFirst?: boolean; aptFails?: boolean }) {
  const bin = mkdtempSync(join(tmpdir(), 'bgprobe-ensure-'));
  dirs.push(bin);
  for (const tool of ['bash', 'dirname', 'ls', 'cat', 'grep']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  const stub = (file: string, body: string) => {
    writeFileSync(join(bin, file), `#!/usr/bin/bash\n${body}\n`);
    chmodSync(join(bin, file), 0o755);
  };
  stub('id', `echo ${opts.uid}`);
  const log = join(bin, 'apt.log');
  if (opts.apt) {
    // The first install fails when asked to (stale package lists); update, then install again.
    stub(
      'apt-get',
      `echo "$*" >> ${log}\n${opts.aptFails ? 'exit 100' : ''}\n${opts.aptFailsFirst ? `if [ "$1" = install ] && ! grep -q '^update' ${log}; then exit 100; fi` : ''}`,
    );
  }
  const r = spawnSync('/usr/bin/bash', [join(REPO, 'scripts', name), ...args], {
    encoding: 'utf8',
    env: { PATH: bin, BGPROBE_CHROMEDRIVER: join(bin, 'no-chromedriver') },
  });
  let apt: string[] = [];
  try {
    apt = readFileSync(log, 'utf8').trim().split('\n');
  } catch {
    apt = [];
  }
  return { code: r.status, stderr: r.stderr, apt };
}

describe('scripts/ensure-*.sh on a machine that lacks what they look for', () => {
  it('as root with apt-get: installs exactly the missing packages, and exits 0', () => {
    const grid = run('ensure-grid.sh', [], { uid: 0, apt: true });
    expect(grid.apt).toEqual(['install -y --no-install-recommends openjdk-17-jre-headless chromium-driver']);
    expect(grid.code).toBe(0);
    const browser = run('ensure-browser.sh', [], { uid: 0, apt: true });
    expect(browser.apt).toEqual(['install -y --no-install-recommends chromium']);
    const engines = run('ensure-engines.sh', [], { uid: 0, apt: true });
    expect(engines.apt[0]).toMatch(/^install -y --no-install-recommends firefox-esr webkit2gtk-driver xvfb( libwebkit2gtk-4\.1-0)?$/);
    expect(engines.code).toBe(0);
  });

  it('stale package lists: the failed install is followed by apt-get update and the install again', () => {
    const grid = run('ensure-grid.sh', [], { uid: 0, apt: true, aptFailsFirst: true });
    expect(grid.apt).toEqual([
      'install -y --no-install-recommends openjdk-17-jre-headless chromium-driver',
      'update',
      'install -y --no-install-recommends openjdk-17-jre-headless chromium-driver',
    ]);
    expect(grid.code).toBe(0);
  });

  it('as root, apt-get failing even after update: its own line, exit 2, also with --optional (a broken install is not a skip)', () => {
    for (const name of ['ensure-grid.sh', 'ensure-engines.sh', 'ensure-browser.sh']) {
      const r = run(name, ['--optional'], { uid: 0, apt: true, aptFails: true });
      expect(
        r.apt.map((a) => a.split(' ')[0]),
        name,
      ).toEqual(['install', 'update']);
      expect(r.stderr, name).toMatch(/bgprobe: apt-get install .* failed/);
      expect(r.code, name).toBe(2);
    }
  });

  it('not root: nothing installed; the command to run, exit 2, or exit 0 with --optional', () => {
    const grid = run('ensure-grid.sh', [], { uid: 1000, apt: true });
    expect(grid.apt).toEqual([]);
    expect(grid.code).toBe(2);
    expect(grid.stderr).toContain('missing openjdk-17-jre-headless chromium-driver');
    expect(grid.stderr).toContain('apt-get install -y openjdk-17-jre-headless chromium-driver');
    expect(run('ensure-grid.sh', ['--optional'], { uid: 1000, apt: true }).code).toBe(0);
    const engines = run('ensure-engines.sh', ['--optional'], { uid: 1000, apt: true });
    expect([engines.code, engines.apt]).toEqual([0, []]);
    expect(engines.stderr).toContain('Run as root: apt-get install -y firefox-esr webkit2gtk-driver xvfb');
    const browser = run('ensure-browser.sh', [], { uid: 0, apt: false });
    expect(browser.code).toBe(2);
    expect(browser.stderr).toContain('set BGPROBE_BROWSER=/path/to/chrome');
  });
});
