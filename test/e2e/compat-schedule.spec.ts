// The one pool, as a user runs it (the built CLI, real Chromium): the scenario that stops its
// service worker mid-download shares the browser with the others (it stops its own worker
// only, test/e2e/service-worker-stop.spec.ts) and still conforms, the restart scenario (a
// browser of its own) runs beside them, and --durations reorders the run by a previous
// report's times. Read back from each run's report.json (startedAt and durationMs of every result).
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
// The worker-stopping scenario, one with a browser of its own, and short ones sharing the lane's browser.
const SUBSET = [
  'lifecycle.sw-stopped',
  'lifecycle.browser-restart',
  'fetch.success.one',
  'fetch.success.multi-request',
  'failure.bad-status',
  'abort.page',
  'fetch.reject.empty-requests',
];

interface Result {
  scenarioId: string;
  verdict: string;
  startedAt: number;
  durationMs: number;
}

function bgprobe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const overlaps = (a: Result, b: Result) => a.startedAt < b.startedAt + b.durationMs && b.startedAt < a.startedAt + a.durationMs;

test.describe.serial('one pool for compat', () => {
  let dir: string;
  let results: Result[];

  test.beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-schedule-e2e-'));
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
  });
  test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the worker-stopping scenario runs beside the others on their browser; the restart scenario, on a browser of its own, beside it', async () => {
    test.setTimeout(180_000);
    const run = await bgprobe([
      'compat',
      ...SUBSET.flatMap((s) => ['--scenario', s]),
      '--workers',
      '6',
      '--out',
      join(dir, 'a'),
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    results = (JSON.parse(readFileSync(join(dir, 'a/report.json'), 'utf8')) as { results: Result[] }).results;
    const byId = Object.fromEntries(results.map((r) => [r.scenarioId, r]));
    // Stopping its worker stopped no other scenario's: every one conforms.
    expect(Object.fromEntries(results.map((r) => [r.scenarioId, r.verdict]))).toEqual(
      Object.fromEntries(SUBSET.map((id) => [id, 'conforms'])),
    );
    const sharing = results.filter((r) => !['lifecycle.sw-stopped', 'lifecycle.browser-restart'].includes(r.scenarioId));
    // Declared deadlines (30 s each): 6 workers start the restart scenario, sw-stopped and four others at once.
    expect(sharing.filter((r) => overlaps(r, byId['lifecycle.sw-stopped'])).length).toBeGreaterThanOrEqual(3);
    expect(overlaps(byId['lifecycle.browser-restart'], byId['lifecycle.sw-stopped'])).toBe(true);
  });

  test("--durations orders the run by a previous report's times, longest first", async () => {
    test.setTimeout(120_000);
    // Say fetch.reject.empty-requests took longest last time: it starts first now.
    const report = JSON.parse(readFileSync(join(dir, 'a/report.json'), 'utf8')) as { results: Result[] };
    for (const r of report.results) r.durationMs = r.scenarioId === 'fetch.reject.empty-requests' ? 90_000 : 1_000;
    writeFileSync(join(dir, 'times.json'), JSON.stringify(report));
    const run = await bgprobe([
      'compat',
      '--scenario',
      'fetch.reject.*',
      '--scenario',
      'fetch.success.one',
      '--workers',
      '1',
      '--durations',
      join(dir, 'times.json'),
      '--out',
      join(dir, 'b'),
      '--format',
      'json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const order = (JSON.parse(readFileSync(join(dir, 'b/report.json'), 'utf8')) as { results: Result[] }).results
      .filter((r) => r.verdict !== 'skipped')
      .sort((x, y) => x.startedAt - y.startedAt)
      .map((r) => r.scenarioId);
    expect(order[0]).toBe('fetch.reject.empty-requests');
  });

  test('--durations that is not a report is exit 2 with one line', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"results": [{"test": 1}]}');
    const run = await bgprobe(['compat', '--durations', join(dir, 'bad.json'), '--out', join(dir, 'c')]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `bgprobe: --durations ${join(dir, 'bad.json')} is not a report bgprobe wrote: expected "results" with each result's scenarioId, browser, verdict and durationMs (or a wptreport.json).`,
    ]);
  });
});
