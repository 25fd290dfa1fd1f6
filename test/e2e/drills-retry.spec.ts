// The browser SIGKILLed in the middle of `bgprobe wpt` and of `bgprobe audit`, as compat's drill
// (drills-compat.spec.ts) does it: the built CLI in a child process, its Chromium found in /proc
// and killed while the run is in flight. With the default --retries 1 the run is re-run on a
// fresh browser, marked flaky and exits 0; --retries 0 keeps the lost run's result.
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, REPO, serveStatic, type StaticServer } from './audit-support.js';
import { makeWptTree } from '../helpers/wpt-tree.js';
import { chromiumChildren } from '../helpers/processes.js';

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  done: Promise<number | null>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, done };
}

/**
 * Runs the CLI and SIGKILLs the first browser it starts `afterMs` after it appears; resolves
 * with the exit code and every browser pid seen (the killed one first).
 */
async function runAndKill(args: string[], afterMs: number): Promise<{ run: Started; code: number | null; browsers: number[] }> {
  const run = start(args);
  const seen: number[] = [];
  const watch = setInterval(() => {
    for (const p of chromiumChildren(run.child.pid!)) if (!seen.includes(p)) seen.push(p);
  }, 50);
  try {
    await expect.poll(() => seen.length, { timeout: 60_000, intervals: [50] }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, afterMs));
    expect(run.child.exitCode, `the run ended before the kill:\n${run.stderr()}`).toBeNull();
    process.kill(seen[0], 'SIGKILL');
    const code = await run.done;
    return { run, code, browsers: [...seen] };
  } finally {
    clearInterval(watch);
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
  }
}

interface ReportJson {
  browsers: Array<{ launches: number }>;
  results: Array<{
    scenarioId: string;
    verdict: string;
    flaky: boolean;
    attempts: Array<{ retry: boolean; verdict: string; browserLost: { fatal: string | null } | null }>;
  }>;
  summary: { flaky: { total: number; reasons: Array<{ reason: string; count: number }> } };
}

test.describe.serial('bgprobe wpt: a test file whose browser is SIGKILLed', () => {
  let root: string;
  const TEST = '/drill/waits.window.html';

  test.beforeAll(() => {
    expect(existsSync(CLI), 'build first: npm run build').toBe(true);
    root = makeWptTree('bgprobe-drill-wpt-');
    mkdirSync(join(root, 'drill'));
    // Long enough for the kill to land inside it, short of its harness timeout (10 s x 2).
    writeFileSync(
      join(root, 'drill/waits.window.js'),
      "'use strict';\npromise_test(() => new Promise((r) => setTimeout(r, 6000)), 'waits 6 s');\n",
    );
  });
  test.afterAll(() => rmSync(root, { recursive: true, force: true }));

  const wptArgs = (out: string, more: string[] = []) => [
    'wpt',
    'drill/',
    '--wpt-root',
    root,
    '--out',
    out,
    '--timeout-multiplier',
    '2',
    '--workers',
    '1',
    ...more,
  ];

  test("is re-run on a fresh browser: the re-run's OK is its status, flaky with both runs kept, exit 0", async () => {
    test.setTimeout(150_000);
    const out = join(root, 'out-retry');
    const { run, code, browsers } = await runAndKill(wptArgs(out), 3_000);
    expect(code, run.stderr()).toBe(0);
    expect(browsers.length, `browser pids seen: ${browsers.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(run.stderr()).toMatch(/OK +1\/1 PASS {2}\/drill\/waits\.window\.html .* \(flaky: re-run after the browser was lost\)/);
    expect(run.stderr()).toContain('1 flaky (browser disconnected)');
    const wptreport = JSON.parse(readFileSync(join(out, 'wptreport.json'), 'utf8')) as {
      results: Array<{ test: string; status: string; subtests: Array<{ status: string }> }>;
    };
    expect(wptreport.results).toEqual([
      expect.objectContaining({ test: TEST, status: 'OK', subtests: [expect.objectContaining({ status: 'PASS' })] }),
    ]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(report.browsers[0].launches).toBe(2);
    expect(report.results).toEqual([expect.objectContaining({ scenarioId: TEST, verdict: 'conforms', flaky: true })]);
    expect(report.results[0].attempts.map((a) => [a.retry, a.verdict, a.browserLost])).toEqual([
      [false, 'error', { fatal: null }],
      [true, 'conforms', null],
    ]);
    expect(report.summary.flaky).toEqual({ total: 1, reasons: [{ reason: 'browser disconnected', count: 1 }] });
  });

  test('--retries 0: the lost run is the result, CRASH, not flaky, one browser', async () => {
    test.setTimeout(120_000);
    const out = join(root, 'out-none');
    const { run, code, browsers } = await runAndKill(wptArgs(out, ['--retries', '0']), 3_000);
    // wpt's exit code gates only on a baseline: a CRASH alone exits 0, as before.
    expect(code, run.stderr()).toBe(0);
    expect(browsers).toHaveLength(1);
    const wptreport = JSON.parse(readFileSync(join(out, 'wptreport.json'), 'utf8')) as { results: Array<{ status: string }> };
    expect(wptreport.results.map((r) => r.status)).toEqual(['CRASH']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(report.results).toEqual([expect.objectContaining({ verdict: 'error', flaky: false, attempts: [] })]);
    expect(run.stderr()).not.toContain('flaky');
  });
});

test.describe.serial('bgprobe audit: the browser SIGKILLed during the audit', () => {
  let server: StaticServer;
  let dir: string;
  test.beforeAll(async () => {
    expect(existsSync(CLI), 'build first: npm run build').toBe(true);
    server = await serveStatic({ '/': join(REPO, 'test/apps') });
    dir = mkdtempSync(join(tmpdir(), 'bgprobe-drill-audit-'));
  });
  test.afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // no-update-ui: one info finding, so a finished audit exits 0. The kill lands 2.5 s after the
  // browser starts: the page is open and the fetch registered, its download not yet settled.
  const auditArgs = (out: string, more: string[] = []) => [
    'audit',
    `${server.url}/no-update-ui/`,
    '--click',
    '#download',
    '--timeout',
    '40',
    '--json',
    '--out',
    out,
    ...more,
  ];

  test("is re-run once on a fresh browser: the re-run's findings, the output says why, flaky, exit 0", async () => {
    test.setTimeout(150_000);
    const out = join(dir, 'retry');
    const { run, code, browsers } = await runAndKill(auditArgs(out), 2_500);
    expect(code, run.stderr()).toBe(0);
    expect(browsers.length, `browser pids seen: ${browsers.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(run.stderr()).toContain(
      'The browser was lost during the audit (browser disconnected): re-running it on a fresh browser (retry 1 of --retries 1).',
    );
    expect(run.stderr()).toMatch(
      /bgprobe audit: 1 background fetch\(es\); 0 error\(s\), 0 warning\(s\), 1 info \(flaky: re-run after the browser was lost: browser disconnected; the findings are the re-run's\); exit 0/,
    );
    const json = JSON.parse(run.stdout()) as { findings: Array<{ code: string }>; retried: Array<{ reason: string; durationMs: number }> };
    expect(json.findings.map((f) => f.code)).toEqual(['no-update-ui']);
    expect(json.retried).toEqual([expect.objectContaining({ reason: 'browser disconnected', fatal: null })]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(
      report.results.every((r) => r.flaky),
      JSON.stringify(report.results),
    ).toBe(true);
    expect(report.results[0].attempts.map((a) => [a.retry, a.verdict, a.browserLost])).toEqual([
      [false, 'error', { fatal: null }],
      [true, 'conforms', null],
    ]);
    expect(report.summary.flaky.reasons).toEqual([{ reason: 'browser disconnected', count: report.results.length }]);
  });

  test('--retries 0: the audit stops where the browser was lost, nothing re-run, not flaky', async () => {
    test.setTimeout(120_000);
    const out = join(dir, 'none');
    const { run, code, browsers } = await runAndKill(auditArgs(out, ['--retries', '0']), 2_500);
    expect(browsers).toHaveLength(1);
    expect(run.stderr(), `exit ${code}; stdout: ${run.stdout().slice(0, 2000)}`).toMatch(/\(stopped: lost\); exit \d/);
    expect(run.stderr()).not.toContain('re-running');
    const json = JSON.parse(run.stdout()) as { retried: unknown[] };
    expect(json.retried).toEqual([]);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(report.results.some((r) => r.flaky)).toBe(false);
  });

  // Under load the kill above can land while the browser is still being set up (launched, its
  // context and the recorder's page made): Playwright's newPage() then never settled and Node
  // exited 0 without a word. Each phase, hit on purpose: the audit says it lost the browser.
  // One window is Playwright's own and not closed here: a kill while the page probes' binding or
  // init script is being added can make Playwright 1.65's client throw "Cannot find parent
  // object browser-context@... to create disposable@..." from its dispatcher, which ends the
  // process (seen once in 20 kills at 450 ms, two workers). That is not silent either: exit 1.
  test('--retries 0, the browser lost while it is set up: never a silent exit, a lost browser named as one', async () => {
    test.setTimeout(120_000);
    for (const afterMs of [0, 150, 300, 450, 700]) {
      const { run, code, browsers } = await runAndKill(auditArgs(join(dir, `setup-${afterMs}`), ['--retries', '0']), afterMs);
      expect(browsers, `kill at ${afterMs} ms`).toHaveLength(1);
      if (run.stderr().includes('Cannot find parent object browser-context@')) {
        expect(code, `kill at ${afterMs} ms: Playwright's client crash`).toBe(1);
        continue;
      }
      expect(run.stderr(), `kill at ${afterMs} ms: exit ${code}`).toMatch(/\(stopped: lost\); exit \d\n$/);
      expect(run.stderr(), `kill at ${afterMs} ms`).not.toMatch(/unexpected error|did not start as a Chromium/);
    }
  });
});
