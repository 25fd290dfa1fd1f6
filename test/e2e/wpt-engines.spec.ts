// `bgprobe wpt` in Firefox ESR and WebKitGTK (with and without Background Fetch switched on), as
// a user runs it: the built CLI, the real engines (Firefox over WebDriver BiDi, WebKitGTK through
// WebKitWebDriver under Xvfb), the WPT server behind bgprobe's host proxy, our own WPT-shaped
// tree. The harness results come back over each engine's protocol, every file ends with a real
// harness status (no runner TIMEOUT), set_permission goes to WebDriver's Permissions extension
// and the driver's answer is in the result. A lane whose engine is not installed is skipped.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingPart } from '../../src/browsers/installed.js';
import { makeWptTree } from '../helpers/wpt-tree.js';
import { wptFyiProblems } from '../helpers/wptreport-format.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const firefoxMissing = missingPart('firefox');
const webkitMissing = missingPart('webkit');

interface WptReport {
  run_info: Record<string, unknown>;
  results: Array<{
    test: string;
    status: string;
    duration: number;
    subtests: Array<{ name: string; status: string; message: string | null }>;
  }>;
}
interface Report {
  browsers: Array<{ label: string; engine?: string; version: string | null }>;
  results: Array<{
    scenarioId: string;
    browser: string;
    verdict: string;
    evidence: { steps: Array<{ what: string; result: unknown }>; notes: string[]; server: unknown[] };
  }>;
}

test.describe.serial('bgprobe wpt in Firefox ESR and WebKitGTK', () => {
  test.skip(!!firefoxMissing || !!webkitMissing, `an engine is not installed: ${firefoxMissing ?? webkitMissing ?? ''}`);
  let root: string;
  let out: string;
  let code: number | null = null;
  let stderr = '';

  test.beforeAll(async () => {
    test.setTimeout(170_000);
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
    root = makeWptTree('bgprobe-wpt-engines-tree-');
    out = join(root, 'out');
    const args = [
      'wpt',
      'selftest/plain.html',
      'selftest/fails.https.any.js',
      'selftest/background-fetch.https.window.js',
      '--wpt-root',
      root,
      '--out',
      out,
      '--timeout-multiplier',
      '0.5',
      '--format',
      'json',
    ];
    const browsers = [
      '--browser',
      'firefox',
      '--browser',
      'webkit',
      '--browser',
      'webkit',
      '--browser-args=',
      '--browser-args=',
      '--browser-args=--features=+BackgroundFetchAPI',
      '--label',
      'firefox',
      '--label',
      'webkit',
      '--label',
      'webkit+bgfetch',
    ];
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args, ...browsers], {
        cwd: REPO,
        env: { ...process.env, CI: '1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 160_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        code = c;
        resolve();
      });
    });
  });
  test.afterAll(() => rmSync(root, { recursive: true, force: true }));

  const wptreport = (name: string) => JSON.parse(readFileSync(join(out, name), 'utf8')) as WptReport;

  test('a wptreport.json per browser, in the format wpt.fyi takes, with each lane in run_info', () => {
    expect(code, stderr).toBe(0);
    const lanes = {
      'wptreport-firefox.json': ['firefox', 'esr'],
      'wptreport-webkit.json': ['webkitgtk', 'stable'],
      'wptreport-webkit+bgfetch.json': ['webkitgtk', 'experimental'],
    };
    for (const [file, [product, channel]] of Object.entries(lanes)) {
      const r = wptreport(file);
      expect(wptFyiProblems(r), file).toEqual([]);
      expect(r.run_info, file).toMatchObject({ product, browser_channel: channel, os: 'linux' });
      expect(String(r.run_info['browser_version']), file).toMatch(/^\d+\.\d+/);
      // Every file ends with the harness's own status, read back over the engine's protocol.
      expect(Object.fromEntries(r.results.map((t) => [t.test, t.status])), file).toEqual({
        '/selftest/background-fetch.https.window.html': 'OK',
        '/selftest/fails.https.any.html': 'OK',
        '/selftest/fails.https.any.serviceworker.html': 'OK',
        '/selftest/plain.html': 'OK',
      });
      const statuses = (test: string) =>
        Object.fromEntries(r.results.find((t) => t.test === test)!.subtests.map((s) => [s.name, s.status]));
      expect(statuses('/selftest/fails.https.any.serviceworker.html'), file).toEqual({
        'GLOBAL is defined': 'PASS',
        'runs in a window': 'FAIL',
      });
      expect(statuses('/selftest/plain.html'), file).toEqual({ 'an .html test runs as it is': 'PASS' });
    }
  });

  test("set_permission goes to the driver's Permissions extension, and its answer is the subtest's message", () => {
    const message = (file: string) =>
      wptreport(file)
        .results.find((t) => t.test === '/selftest/background-fetch.https.window.html')!
        .subtests.find((s) => s.name.startsWith('set_permission'))!;
    // Firefox ESR's BiDi knows no 'background-fetch' permission; WebKitWebDriver has no such command.
    expect(message('wptreport-firefox.json')).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('permissions.setPermission'),
    });
    for (const f of ['wptreport-webkit.json', 'wptreport-webkit+bgfetch.json']) {
      expect(message(f)).toMatchObject({
        status: 'FAIL',
        message: expect.stringContaining('POST /session/{id}/permissions with HTTP 404 unknown command'),
      });
    }
    expect(stderr).toContain('firefox: set_permission: WebDriver BiDi permissions.setPermission');
    expect(stderr).toContain('webkit+bgfetch: set_permission: WebDriver POST /session/{id}/permissions');
  });

  test('one bgprobe report with a column per browser; the evidence is the server log and says why there is no timeline', () => {
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.browsers.map((b) => [b.label, b.engine])).toEqual([
      ['firefox', 'firefox'],
      ['webkit', 'webkit'],
      ['webkit+bgfetch', 'webkit'],
    ]);
    expect(report.results).toHaveLength(12);
    const plain = report.results.find((r) => r.browser === 'webkit+bgfetch' && r.scenarioId === '/selftest/plain.html')!;
    expect(plain.verdict).toBe('conforms');
    expect(plain.evidence.server.length).toBeGreaterThan(0);
    expect(plain.evidence.notes.join(' ')).toContain('no CDP, so no BackgroundService recorder');
    const steps = report.results
      .find((r) => r.browser === 'firefox' && r.scenarioId === '/selftest/background-fetch.https.window.html')!
      .evidence.steps.map((s) => s.what);
    expect(steps.some((w) => w.startsWith('testdriver: set_permission('))).toBe(true);
  });
});
