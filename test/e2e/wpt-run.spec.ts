// `bgprobe wpt` as a user runs it: the built CLI in a child process, real Chromium, the WPT
// server on https, over a WPT-shaped tree of our own (test/wpt-tree) copied into a temporary
// checkout with testharness.js taken from the wpt-runner devDependency. Collect, then assert.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadReport } from '../../src/report/load.js';
import { makeWptTree } from '../helpers/wpt-tree.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function bgprobe(args: string[], env: NodeJS.ProcessEnv = {}, timeout = 170_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface WptReport {
  run_info: Record<string, unknown>;
  results: Array<{
    test: string;
    status: string;
    message: string | null;
    subtests: Array<{ name: string; status: string; message: string | null }>;
  }>;
}
interface Report {
  results: Array<{
    scenarioId: string;
    verdict: string;
    evidence: {
      fetches: Array<{
        id: string;
        outcome: string;
        requests: Array<{ url: string; served: Array<{ status: number }> }>;
        probes: Array<{ kind: string }>;
      }>;
      events: Array<{ name: string }>;
      steps: Array<{ what: string; result: unknown }>;
      notes: string[];
    };
  }>;
  comparison: { regressions: number } | null;
}

const byTest = (r: WptReport) => Object.fromEntries(r.results.map((x) => [x.test, x]));

test.describe.serial('bgprobe wpt', () => {
  let root: string;
  let out: string;
  let run: Run;
  let wpt: WptReport;

  test.beforeAll(async () => {
    test.setTimeout(200_000);
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
    root = makeWptTree('bgprobe-wpt-tree-', { webidl2: true });
    out = join(root, '..', `${root.split('/').pop()}-out`);
    // 0.5: the hanging test's harness gives up after 5 s; the fetch test is `timeout=long` (30 s).
    run = await bgprobe(['wpt', 'selftest/', '--wpt-root', root, '--out', out, '--timeout-multiplier', '0.5', '--workers', '2']);
    wpt = JSON.parse(readFileSync(join(out, 'wptreport.json'), 'utf8')) as WptReport;
  });
  test.afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  test("every test ran: exit 0, wptreport.json in wptrunner's shape with the statuses the tests earn", () => {
    expect(run.code, run.stderr).toBe(0);
    expect(wpt.run_info).toMatchObject({ product: 'chromium', timeout_multiplier: 0.5, os: 'linux' });
    expect(String(wpt.run_info['browser_version'])).toMatch(/^\d+\./);
    const t = byTest(wpt);
    expect(Object.keys(t).sort()).toEqual([
      '/selftest/background-fetch.https.window.html',
      '/selftest/fails.https.any.html',
      '/selftest/fails.https.any.serviceworker.html',
      '/selftest/hangs.window.html',
      '/selftest/plain.html',
      '/selftest/server.https.window.html',
      '/selftest/spins.window.html',
      '/selftest/throws.window.html',
    ]);
    const statuses = (name: string) => Object.fromEntries(t[name].subtests.map((s) => [s.name, s.status]));
    expect(t['/selftest/server.https.window.html'].status).toBe('OK');
    expect(Object.values(statuses('/selftest/server.https.window.html'))).toEqual(Array(8).fill('PASS'));
    expect(t['/selftest/server.https.window.html'].message).toContain('/selftest/resources/not-implemented.py');
    expect(t['/selftest/background-fetch.https.window.html']).toMatchObject({ status: 'OK' });
    expect(statuses('/selftest/background-fetch.https.window.html')).toEqual({
      'set_permission, then a background fetch runs to completion': 'PASS',
      'bless() clicks through Playwright input': 'PASS',
    });
    expect(t['/selftest/hangs.window.html'].status).toBe('TIMEOUT');
    expect(statuses('/selftest/hangs.window.html')).toEqual({ 'finishes before the hang': 'PASS', 'never settles': 'TIMEOUT' });
    // Frozen: the runner's own deadline (5 s harness timeout + 10 s) ends it, keeping the result that came first.
    expect(t['/selftest/spins.window.html']).toMatchObject({
      status: 'TIMEOUT',
      message: expect.stringContaining('did not complete within 15000 ms'),
    });
    expect(statuses('/selftest/spins.window.html')).toEqual({ 'reported before the page froze': 'PASS' });
    expect(t['/selftest/throws.window.html']).toMatchObject({
      status: 'ERROR',
      message: expect.stringContaining('thrown at the top level'),
    });
    expect(statuses('/selftest/fails.https.any.html')).toEqual({ 'GLOBAL is defined': 'PASS', 'runs in a window': 'PASS' });
    expect(statuses('/selftest/fails.https.any.serviceworker.html')).toEqual({ 'GLOBAL is defined': 'PASS', 'runs in a window': 'FAIL' });
    expect(statuses('/selftest/plain.html')).toEqual({ 'an .html test runs as it is': 'PASS' });
  });

  test("the bgprobe report: a scenario per test file, a row per subtest, the background fetch's timeline as evidence", () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    // Valid against reports/report.schema.json: what bgprobe report|diff|merge load back.
    expect(() => loadReport(join(out, 'report.json'))).not.toThrow();
    for (const f of ['report.html', 'report.md', 'junit.xml']) expect(existsSync(join(out, f)), f).toBe(true);
    const fetchTest = report.results.find((r) => r.scenarioId === '/selftest/background-fetch.https.window.html')!;
    expect(fetchTest.verdict).toBe('conforms');
    const [timeline] = fetchTest.evidence.fetches;
    expect(timeline).toMatchObject({ id: 'selftest-fetch', outcome: 'success' });
    expect(timeline.requests.map((r) => r.url.replace(/:\d+/, ':PORT'))).toEqual([
      'https://web-platform.test:PORT/selftest/resources/plain.txt',
      'https://web-platform.test:PORT/selftest/resources/with-headers.txt',
    ]);
    expect(timeline.requests.every((r) => r.served.some((s) => s.status === 200))).toBe(true);
    expect(timeline.probes.map((p) => p.kind)).toContain('sw-event');
    expect(fetchTest.evidence.events.map((e) => e.name)).toContain('Background Fetch completed');
    const whats = fetchTest.evidence.steps.map((s) => s.what);
    expect(whats).toContain('subtest: set_permission, then a background fetch runs to completion');
    expect(whats.some((w) => w.startsWith('testdriver: set_permission('))).toBe(true);
    expect(report.results.find((r) => r.scenarioId === '/selftest/hangs.window.html')!.verdict).toBe('deviates');
    expect(report.results.find((r) => r.scenarioId === '/selftest/throws.window.html')!.verdict).toBe('error');
    // A subtest that did not pass and that no evidence bears on says so and quotes its assertion
    // (#21: never a guessed cause such as "no background fetch was registered").
    expect(report.results.find((r) => r.scenarioId === '/selftest/fails.https.any.serviceworker.html')!.evidence.notes).toContain(
      'FAIL "runs in a window": no evidence recorded for this subtest; the assertion: "assert_equals: expected a window expected true but got false".',
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('selftest-fetch');
  });

  test('where the time went: a Time: note per file, the timeout a file waited out, and the slowest file named', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report & { results: Array<{ durationMs: number }> };
    const time = (id: string) => report.results.find((r) => r.scenarioId === id)!.evidence.notes.find((n) => n.startsWith('Time: '));
    for (const r of report.results)
      expect(time(r.scenarioId), r.scenarioId).toMatch(
        /^Time: [\d.]+ s = server [\d.]+ s \+ browser [\d.]+ s.* \+ harness [\d.]+ s \+ teardown [\d.]+ s/,
      );
    // Frozen page: bgprobe's deadline ended it; the hanging test's own harness timed out.
    expect(time('/selftest/spins.window.html')).toContain("the harness never reported completion: the file waited out bgprobe's deadline");
    expect(time('/selftest/hangs.window.html')).toContain('the harness waited out its own timeout');
    expect(time('/selftest/background-fetch.https.window.html')).toMatch(
      /the first background fetch's first request [\d.]+ s after it registered/,
    );
    const slowest = [...report.results].sort((a, b) => b.durationMs - a.durationMs)[0];
    expect(run.stderr).toContain(`Slowest file: ${slowest.scenarioId} ${(slowest.durationMs / 1000).toFixed(1)} s of the run's`);
  });

  test('--baseline: a subtest that passed there and not now is exit 1; the same statuses are exit 0', async () => {
    const hangs = wpt.results.find((r) => r.test === '/selftest/hangs.window.html')!;
    const passedBefore = { ...wpt, results: [{ ...hangs, subtests: hangs.subtests.map((s) => ({ ...s, status: 'PASS' })) }] };
    writeFileSync(join(root, 'was-passing.json'), JSON.stringify(passedBefore));
    writeFileSync(join(root, 'same.json'), JSON.stringify({ ...wpt, results: [hangs] }));
    // As on GitHub Actions: the Markdown summary goes to the step summary, the regression is an ::error.
    const summary = join(root, 'step-summary.md');
    const regressed = await bgprobe(
      [
        'wpt',
        'selftest/hangs.window.js',
        '--wpt-root',
        root,
        '--out',
        join(root, 'o1'),
        '--timeout-multiplier',
        '0.5',
        '--baseline',
        join(root, 'was-passing.json'),
      ],
      { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    );
    expect(regressed.code, regressed.stderr).toBe(1);
    expect(regressed.stderr).toContain('REGRESSION /selftest/hangs.window.html "never settles": PASS -> TIMEOUT');
    expect(readFileSync(summary, 'utf8')).toContain('| /selftest/hangs.window.html |');
    expect(regressed.stdout.split('\n').filter((l) => l.startsWith('::error'))).toEqual([
      `::error title=bgprobe%3A /selftest/hangs.window.html [chromium] regressed::/selftest/hangs.window.html [chromium] regressed against ${join(root, 'was-passing.json')}: conforms -> deviates (subtests.never settles: "PASS" -> "TIMEOUT")`,
    ]);
    const report = JSON.parse(readFileSync(join(root, 'o1/report.json'), 'utf8')) as Report;
    expect(report.comparison?.regressions).toBe(1);
    const same = await bgprobe([
      'wpt',
      'selftest/hangs.window.js',
      '--wpt-root',
      root,
      '--out',
      join(root, 'o2'),
      '--timeout-multiplier',
      '0.5',
      '--baseline',
      join(root, 'same.json'),
    ]);
    expect(same.code, same.stderr).toBe(0);
  });

  test('bad input is exit 2 with one line: a root that is not a WPT checkout names the file it expected', async () => {
    const notWpt = mkdtempSync(join(tmpdir(), 'bgprobe-not-wpt-'));
    try {
      const r = await bgprobe(['wpt', '--wpt-root', notWpt, '--out', join(notWpt, 'out')]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(
        `bgprobe: --wpt-root ${notWpt} is not a web-platform-tests checkout: expected ${join(notWpt, 'resources/testharness.js')}. Give the root of a WPT clone (README: "bgprobe wpt" shows a sparse checkout).`,
      );
      expect(existsSync(join(notWpt, 'out'))).toBe(false);
      const none = await bgprobe(['wpt', 'selftest/nothing-here/', '--wpt-root', root, '--out', join(notWpt, 'out')]);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('No test matches "selftest/nothing-here/"');
      const baseline = await bgprobe([
        'wpt',
        'selftest/plain.html',
        '--wpt-root',
        root,
        '--out',
        join(notWpt, 'out'),
        '--baseline',
        join(notWpt, 'missing.json'),
      ]);
      expect(baseline.code).toBe(2);
      expect(baseline.stderr).toContain('Cannot read the baseline');
    } finally {
      rmSync(notWpt, { recursive: true, force: true });
    }
  });
});
