// `bgprobe wpt --update-metadata` then `--metadata`, as an engine team uses wptrunner's
// expectation files: a real run writes them, a rerun against them has nothing unexpected (exit
// 0), one edited expectation gives exactly one unexpected result (exit 1), a disabled test is a
// SKIP. Real Chromium, the built CLI, our own WPT-shaped tree.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeWptTree } from '../helpers/wpt-tree.js';
import { wptFyiProblems } from '../helpers/wptreport-format.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');

interface Run {
  code: number | null;
  stderr: string;
}

function bgprobe(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: REPO,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

interface WptReport {
  results: Array<{ test: string; status: string; expected?: string; subtests: Array<{ name: string; status: string; expected?: string }> }>;
}

const unexpectedLines = (r: Run) => r.stderr.split('\n').filter((l) => l.startsWith('UNEXPECTED '));

test.describe.serial('bgprobe wpt --metadata / --update-metadata', () => {
  let root: string;
  let meta: string;
  // 0.5: the hanging test's harness gives up after 5 s.
  const tests = ['selftest/fails.https.any.js', 'selftest/hangs.window.js', 'selftest/plain.html'];
  const wpt = (out: string, ...more: string[]) =>
    bgprobe(['wpt', ...tests, '--wpt-root', root, '--out', join(root, out), '--timeout-multiplier', '0.5', '--format', 'json', ...more]);

  test.beforeAll(() => {
    expect(existsSync(CLI), 'dist/cli/main.js').toBe(true);
    root = makeWptTree('bgprobe-wpt-meta-tree-');
    meta = join(root, 'meta');
  });
  test.afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('a run writes expectation files for what did not pass; a rerun against them finds nothing unexpected', async () => {
    test.setTimeout(150_000);
    const first = await wpt('o1', '--update-metadata', meta);
    // Without --metadata the run's statuses decide nothing: exit 0.
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Metadata updated in ${meta}: 2 file(s) written`);
    expect(readFileSync(join(meta, 'selftest/fails.https.any.js.ini'), 'utf8')).toBe(
      '[fails.https.any.serviceworker.html]\n  [runs in a window]\n    expected: FAIL\n',
    );
    expect(readFileSync(join(meta, 'selftest/hangs.window.js.ini'), 'utf8')).toBe(
      '[hangs.window.html]\n  expected: TIMEOUT\n  [never settles]\n    expected: TIMEOUT\n',
    );
    expect(existsSync(join(meta, 'selftest/plain.html.ini')), 'a test that gave only the defaults needs no file').toBe(false);

    const again = await wpt('o2', '--metadata', meta);
    expect(again.code, again.stderr).toBe(0);
    expect(unexpectedLines(again)).toEqual([]);
    expect(again.stderr).toContain(`Metadata ${meta}: 0 unexpected result(s)`);
    const report = JSON.parse(readFileSync(join(root, 'o2/wptreport.json'), 'utf8')) as WptReport;
    expect(wptFyiProblems(report)).toEqual([]);
    expect(report.results.flatMap((r) => [r.expected, ...r.subtests.map((s) => s.expected)]).filter(Boolean)).toEqual([]);
  });

  test('an edited expectation is exactly one unexpected result and exit 1; a disabled test is a SKIP', async () => {
    test.setTimeout(150_000);
    const file = join(meta, 'selftest/fails.https.any.js.ini');
    writeFileSync(file, readFileSync(file, 'utf8').replace('expected: FAIL', 'expected: PASS'));
    writeFileSync(join(meta, 'selftest/plain.html.ini'), '[plain.html]\n  disabled: https://example.test/bug/1\n');
    const edited = await wpt('o3', '--metadata', meta);
    expect(edited.code, edited.stderr).toBe(1);
    expect(unexpectedLines(edited)).toEqual([
      'UNEXPECTED /selftest/fails.https.any.serviceworker.html "runs in a window": FAIL, expected PASS',
    ]);
    expect(edited.stderr).toContain('SKIP /selftest/plain.html: disabled in the metadata (https://example.test/bug/1)');
    const report = JSON.parse(readFileSync(join(root, 'o3/wptreport.json'), 'utf8')) as WptReport;
    expect(wptFyiProblems(report)).toEqual([]);
    const sw = report.results.find((r) => r.test === '/selftest/fails.https.any.serviceworker.html')!;
    expect(sw.subtests.find((s) => s.name === 'runs in a window')).toMatchObject({ status: 'FAIL', expected: 'PASS' });
    expect(report.results.find((r) => r.test === '/selftest/plain.html')).toMatchObject({ status: 'SKIP', subtests: [] });
    const model = JSON.parse(readFileSync(join(root, 'o3/report.json'), 'utf8')) as {
      results: Array<{ scenarioId: string; summary: string; evidence: { notes: string[] } }>;
      scenarios: Array<{ id: string; skipReason: string | null }>;
    };
    expect(model.scenarios.find((s) => s.id === '/selftest/plain.html')?.skipReason).toBe(
      'disabled in the metadata: https://example.test/bug/1',
    );
    const swResult = model.results.find((r) => r.scenarioId === '/selftest/fails.https.any.serviceworker.html')!;
    expect(swResult.summary).toMatch(/^1 unexpected against the metadata; /);
    expect(swResult.evidence.notes[0]).toBe('UNEXPECTED "runs in a window": FAIL, the metadata expects PASS.');
  });

  test('a broken expectation file is exit 2 with one line naming it, before any browser starts', async () => {
    const broken = join(root, 'broken-meta');
    mkdirSync(join(broken, 'selftest'), { recursive: true });
    writeFileSync(join(broken, 'selftest/plain.html.ini'), '[plain.html]\n  expected: @Maybe\n');
    for (const flag of ['--metadata', '--update-metadata']) {
      const r = await wpt(`o-${flag}`, flag, broken);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(
        `bgprobe: Unrecognised symbol @Maybe: ${join(broken, 'selftest/plain.html.ini')} line 2: not a wptmanifest expectation file (wptrunner's .ini syntax).`,
      );
      expect(existsSync(join(root, `o-${flag}`))).toBe(false);
    }
  });
});
