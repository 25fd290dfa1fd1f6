/**
 * `bgprobe compat --grid` on a Grid of the test's own (hub + 2 nodes, scripts/grid.sh, 2 slots
 * each), as a user runs it: the built CLI in a child process.
 * - Beside a local lane in one run, on a selection with a successful fetch, a failure, a page
 *   abort and the browser restart: the same verdicts on both lanes, the Grid's results from
 *   both nodes, the Grid and its browser version in the report, and no session left after.
 * - A node SIGKILLed mid-run costs no verdict: what ran there is retried on the other node and
 *   marked flaky; exit 0.
 * - Nothing of the Grid (hub, nodes, event bus, drivers, browsers) listens off 127.0.0.1.
 * - A session whose browser runs on this machine is driven on the browser's own DevTools
 *   endpoint: with the Grid's Java processes stopped, CDP still answers and records a fetch;
 *   bgprobe's request leaves out the omnibox popup WebUI, as a local launch does.
 * - A bad --grid URL and a Grid with no matching node are one line and exit 2.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReportModel } from '../../src/report/model.js';
import { GridClient } from '../../src/browsers/grid/client.js';
import { launchOnGrid } from '../../src/browsers/grid/session.js';
import { gridRequest, gridSpec } from '../../src/browsers/grid/type.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import { FixtureServer } from '../../src/server/index.js';
import { gridMissing, gridSessions, startGrid, type TestGrid } from '../helpers/grid.js';

const REPO = join(import.meta.dirname, '../..');
const CLI = join(REPO, 'dist/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bgprobe(args: string[], timeout: number, onStderr?: (text: string) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1', BGPROBE_GRID_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as ReportModel;
const verdicts = (r: ReportModel, lane: string) =>
  Object.fromEntries(r.results.filter((x) => x.browser === lane).map((x) => [x.scenarioId, x.verdict]));

/** Listening sockets of the Grid's process groups (Java, chromedriver, Chromium), as `address:port`. */
function gridListeners(grid: TestGrid): string[] {
  const groups = new Set(Object.values(grid.pids()));
  const ss = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' }).stdout;
  const out: string[] = [];
  for (const line of ss.split('\n')) {
    const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const inGrid = pids.some((pid) => {
      const stat = spawnSync('ps', ['-o', 'pgid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
      return groups.has(Number(stat));
    });
    if (inGrid) out.push(line.trim().split(/\s+/)[3] ?? '');
  }
  return out;
}

test.describe('compat on a local Grid (hub + 2 nodes)', () => {
  test.describe.configure({ mode: 'serial' });
  const missing = gridMissing();
  test.skip(missing !== null, missing ?? '');
  let grid: TestGrid;
  const dirs: string[] = [];
  test.beforeAll(async () => {
    grid = await startGrid({ nodes: 2, maxSessions: 2 });
  });
  test.afterAll(async () => {
    await grid?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const outDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'bgp-grid-report-'));
    dirs.push(d);
    return join(d, 'out');
  };

  test('the same verdicts as a local run, results from both nodes, no session left', async () => {
    test.setTimeout(240_000);
    const out = outDir();
    const selection = ['fetch.success.one', 'failure.bad-status', 'abort.page', 'lifecycle.browser-restart'];
    const run = await bgprobe(
      [
        'compat',
        '--browser',
        'chromium',
        '--grid',
        grid.url,
        '--workers',
        '4',
        '--format',
        'json',
        '--out',
        out,
        ...selection.flatMap((s) => ['--scenario', s]),
      ],
      220_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const r = report(out);
    const local = verdicts(r, 'chromium');
    expect(Object.keys(local).sort()).toEqual([...selection].sort());
    expect(verdicts(r, 'grid')).toEqual(local);
    expect(local['lifecycle.browser-restart']).toBe('conforms');
    const lane = r.browsers.find((b) => b.label === 'grid')!;
    expect(lane).toMatchObject({ kind: 'grid', target: grid.url });
    expect(lane.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const nodes = new Set(r.results.filter((x) => x.browser === 'grid').map((x) => x.node));
    expect([...nodes].sort()).toEqual([
      `http://127.0.0.1:${Number(new URL(grid.url).port) + 3}`,
      `http://127.0.0.1:${Number(new URL(grid.url).port) + 4}`,
    ]);
    expect(r.results.filter((x) => x.browser === 'chromium').every((x) => x.node === undefined)).toBe(true);
    // The Grid's /status learns of a closed session by event, a moment after the DELETE answered.
    await expect.poll(() => gridSessions(grid.url), { timeout: 10_000 }).toEqual([]);
  });

  test('nothing of the Grid listens off 127.0.0.1', () => {
    const listening = gridListeners(grid);
    expect(listening.length).toBeGreaterThanOrEqual(5);
    expect(listening.filter((a) => !/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]|\[::1\]):\d+$/.test(a))).toEqual([]);
  });

  test("a session on this machine is driven on its browser's own DevTools endpoint: no Java process relays CDP", async () => {
    test.setTimeout(90_000);
    const server = await FixtureServer.start();
    const session = await launchOnGrid({
      client: new GridClient(grid.url),
      capabilities: gridRequest(gridSpec(grid.url, {})),
      queueTimeout: 30_000,
    });
    const java = Object.values(grid.pids());
    try {
      expect(session.endpoint).toBe('browser');
      const context = await session.browser.newContext();
      const recorder = await BackgroundServiceRecorder.attach(context);
      const page = await context.newPage();
      // With the hub and both nodes stopped (SIGSTOP), CDP still answers: it does not go through them.
      for (const pid of java) process.kill(pid, 'SIGSTOP');
      try {
        await page.goto(`${server.url}/podcast/?media=res&size=64k`, { timeout: 10_000 });
        await page.waitForSelector('body[data-sw-ready="1"]', { timeout: 10_000 });
        await page.getByRole('button', { name: 'Download episode 1', exact: true }).click({ timeout: 10_000 });
        expect((await recorder.waitForFetch('episode-1', { timeout: 10_000 })).outcome).toBe('success');
      } finally {
        for (const pid of java) process.kill(pid, 'SIGCONT');
      }
      expect(recorder.events({ instanceId: 'episode-1' }).map((e) => e.name)).toEqual(
        expect.arrayContaining(['Background Fetch registered', 'Background Fetch started', 'Background Fetch completed']),
      );
      // bgprobe's request turns off the omnibox popup WebUI a local launch also goes without (a renderer per window).
      const targets = await (await session.browser.newBrowserCDPSession()).send('Target.getTargets');
      expect(targets.targetInfos.map((t) => t.url).filter((u) => u.startsWith('chrome://omnibox-popup'))).toEqual([]);
      await recorder.dispose();
      await context.close();
    } finally {
      await session.close();
      await server.close();
    }
    await expect.poll(() => gridSessions(grid.url), { timeout: 10_000 }).toEqual([]);
  });

  test('a bad --grid URL and a Grid with no matching node: one line, exit 2', async () => {
    const bad = await bgprobe(['compat', '--grid', 'http://127.0.0.1:9', '--out', outDir()], 30_000);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('Cannot reach a Selenium Grid at http://127.0.0.1:9');
    const none = await bgprobe(
      ['compat', '--grid', grid.url, '--grid-capabilities', '{"browserName":"firefox"}', '--out', outDir()],
      30_000,
    );
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/No node of the Grid at .* can take browserName="firefox".*chrome on linux \(UP\)/);
  });

  test('a node SIGKILLed mid-run costs no verdict: retried on the other node, flaky, exit 0', async () => {
    test.setTimeout(420_000);
    // Ten scenarios on four slots: once the first verdict is printed, the six still queued keep
    // every slot running one, so node-1 is killed with scenarios under way. On a loaded machine
    // node-1's scenarios can still end between the kill and the moment their browser is found
    // gone, or sit between two scenarios: nothing is lost, nothing retried, and the drill proved
    // nothing. It is then run again on a fresh Grid (at most three drills); a wrong verdict or a
    // loss not retried fails at once.
    const selection = [
      'failure.stalled-server',
      'progress.monotonic',
      'records.match-pending',
      'lifecycle.page-closed',
      'fetch.success.one',
      'failure.bad-status',
      'failure.server-error',
      'abort.page',
      'progress.upload',
      'ui.update-ui.success',
    ];
    const drill = async (g: TestGrid) => {
      const out = outDir();
      const port = Number(new URL(g.url).port);
      const [node1, node2] = [`http://127.0.0.1:${port + 3}`, `http://127.0.0.1:${port + 4}`];
      let killed = false;
      let firstVerdict = false;
      const kill = async () => {
        if (!firstVerdict || killed) return;
        const status = (await (await fetch(`${g.url}/status`)).json()) as {
          value: { nodes: Array<{ uri: string; slots: Array<{ session: unknown }> }> };
        };
        const busy = status.value.nodes.find((n) => n.uri === node1)?.slots.filter((s) => s.session).length ?? 0;
        if (busy < 2 || killed) return;
        killed = true;
        process.kill(g.pids()['node-1'], 'SIGKILL');
      };
      const watcher = setInterval(() => void kill(), 250);
      const run = await bgprobe(
        ['compat', '--grid', g.url, '--workers', '4', '--format', 'json', '--out', out, ...selection.flatMap((s) => ['--scenario', s])],
        160_000,
        (stderr) => (firstVerdict ||= /^(conforms|deviates|unsupported|not-automatable|error)\s+\S+ \[grid\]/m.test(stderr)),
      ).finally(() => clearInterval(watcher));
      expect(killed).toBe(true);
      expect(run.code, run.stderr).toBe(0);
      const r = report(out);
      expect(
        Object.values(verdicts(r, 'grid')).every((v) => v === 'conforms'),
        JSON.stringify(
          r.results.map((x) => [
            x.scenarioId,
            x.verdict,
            x.summary,
            x.node,
            x.attempts.map((a) => [a.verdict, a.node, a.browserLost, a.summary]),
          ]),
        ),
      ).toBe(true);
      return { r, run, node1, node2, grid: g };
    };
    let result = await drill(grid);
    const extra: TestGrid[] = [];
    try {
      for (let n = 2; n <= 3 && !result.r.results.some((x) => x.flaky); n++) {
        const fresh = await startGrid({ nodes: 2, maxSessions: 2 });
        extra.push(fresh);
        result = await drill(fresh);
      }
      const { r, run, node1, node2 } = result;
      const flaky = r.results.filter((x) => x.flaky);
      expect(
        flaky.length,
        `no result was retried in three drills (node-1 ${node1}, node-2 ${node2}): ${JSON.stringify(r.results.map((x) => [x.scenarioId, x.node, x.verdict, x.durationMs, x.attempts.length]))}; ${run.stderr.slice(0, 3000)}`,
      ).toBeGreaterThanOrEqual(1);
      for (const f of flaky) {
        expect(f.node).toBe(node2);
        expect(f.attempts[0]?.node).toBe(node1);
        expect(f.attempts[0]?.browserLost).not.toBeNull();
      }
      // The live node holds no session of the run (the dead one's are gone with it); the Grid's
      // /status learns of a closed session a moment after the DELETE answered.
      const live = async () => {
        const status = (await (await fetch(`${result.grid.url}/status`)).json()) as {
          value: { nodes: Array<{ uri: string; slots: Array<{ session: unknown }> }> };
        };
        return status.value.nodes.find((n) => n.uri === node2)?.slots.filter((s) => s.session);
      };
      await expect.poll(live, { timeout: 10_000 }).toEqual([]);
    } finally {
      for (const g of extra) await g.stop();
    }
  });
});
