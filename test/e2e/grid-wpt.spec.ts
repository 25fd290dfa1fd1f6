/**
 * `bgprobe wpt --grid` on a Grid of the test's own (standalone, scripts/grid.sh, 2 slots), as a
 * user runs it: the built CLI in a child process, over a WPT-shaped tree built for the test (our
 * own selftest files and the wpt-runner harness: makeWptTree). The same files run locally first;
 * on the Grid they earn the same statuses, each result names the node it ran on, the report's
 * column names the Grid and the browser version, and no session is left on the Grid afterwards.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReportModel } from '../../src/report/model.js';
import { gridMissing, gridSessions, startGrid, type TestGrid } from '../helpers/grid.js';
import { makeWptTree } from '../helpers/wpt-tree.js';

const REPO = join(import.meta.dirname, '../..');
const CLI = join(REPO, 'dist/cli/main.js');
/** A real background fetch (set_permission, bless), a failing subtest in a service worker, a plain .html, an ERROR. */
const TESTS = [
  'selftest/background-fetch.https.window.js',
  'selftest/fails.https.any.js',
  'selftest/plain.html',
  'selftest/throws.window.js',
];

interface Run {
  code: number | null;
  stderr: string;
}

function bgprobe(args: string[], timeout = 150_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1', BGPROBE_GRID_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

interface WptReport {
  results: Array<{ test: string; status: string; subtests: Array<{ name: string; status: string }> }>;
}
const statuses = (dir: string) => {
  const w = JSON.parse(readFileSync(join(dir, 'wptreport.json'), 'utf8')) as WptReport;
  return Object.fromEntries(
    w.results.map((r) => [r.test, { status: r.status, subtests: r.subtests.map((s) => `${s.name}: ${s.status}`) }]),
  );
};
const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportModel;

test.describe('wpt on a local Grid', () => {
  test.describe.configure({ mode: 'serial' });
  const missing = gridMissing();
  test.skip(missing !== null, missing ?? '');
  let grid: TestGrid;
  let root: string;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    root = makeWptTree('bgprobe-grid-wpt-');
    grid = await startGrid({ standalone: true, maxSessions: 2 });
  });
  test.afterAll(async () => {
    await grid?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('the same statuses as the local run, each result on its node, the Grid named, no session left', async () => {
    test.setTimeout(300_000);
    const local = await bgprobe(['wpt', ...TESTS, '--wpt-root', root, '--out', join(root, 'out-local'), '--workers', '2']);
    expect(local.code, local.stderr).toBe(0);
    const onGrid = await bgprobe([
      'wpt',
      ...TESTS,
      '--wpt-root',
      root,
      '--out',
      join(root, 'out-grid'),
      '--grid',
      grid.url,
      '--workers',
      '4',
    ]);
    expect(onGrid.code, onGrid.stderr).toBe(0);

    const expected = statuses(join(root, 'out-local'));
    expect(Object.keys(expected)).toHaveLength(5);
    expect(expected['/selftest/background-fetch.https.window.html']?.status).toBe('OK');
    expect(statuses(join(root, 'out-grid'))).toEqual(expected);

    const r = report(join(root, 'out-grid'));
    expect(r.browsers).toHaveLength(1);
    expect(r.browsers[0]).toMatchObject({ label: 'grid', kind: 'grid', target: grid.url, version: expect.stringMatching(/^\d+\./) });
    expect(r.results).toHaveLength(5);
    const nodes = new Set(r.results.map((x) => x.node));
    expect([...nodes]).toHaveLength(1);
    expect([...nodes][0]).toMatch(/^https?:\/\/127\.0\.0\.1:\d+/);
    expect(onGrid.stderr).toContain(`on ${[...nodes][0]}`);
    // The fetch was recorded over se:cdp, as in the local run.
    const fetchTest = r.results.find((x) => x.scenarioId === '/selftest/background-fetch.https.window.html');
    expect(fetchTest?.evidence.fetches.map((f) => f.outcome)).toEqual(['success']);
    expect(report(join(root, 'out-local')).results.every((x) => x.node === undefined)).toBe(true);

    // The Grid drops a deleted session a moment after the DELETE answers: poll.
    await expect.poll(() => gridSessions(grid.url), { timeout: 15_000 }).toEqual([]);
  });

  test('a Grid that is not on this machine is one line and exit 2 (its node would not reach the WPT server on 127.0.0.1)', async () => {
    const run = await bgprobe(
      ['wpt', ...TESTS, '--wpt-root', root, '--out', join(root, 'out-remote'), '--grid', 'http://198.51.100.7:4444'],
      30_000,
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('needs a Grid on this machine');
  });
});
