// Bad-input drills for the CLI, run as a user runs it: the built CLI (dist/, `npm run build`)
// in a child process. Whatever the flag or the file, the answer is one clear line on stderr,
// exit code 2, no hang, and nothing written over an output that was already there.
//
// Tests marked test.fail() pin bugs found by these drills (see each one's comment); they turn
// red ("expected to fail, but passed") once the bug is fixed: then drop the marker.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The command was still running at the deadline (and was stopped). */
  hung: boolean;
  ms: number;
}

function bgprobe(args: string[], options: { cwd: string; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // SIGTERM first: Playwright closes a browser it launched on SIGTERM, SIGKILL would orphan it.
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    }, options.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung, ms: Date.now() - t0 });
    });
  });
}

/** exit 2 and exactly one line on stderr matching `pattern`. */
function expectUsageLine(run: Run, what: string, pattern: RegExp): void {
  const lines = run.stderr.trim().split('\n');
  expect(run.hung, `${what}: still running after ${run.ms} ms`).toBe(false);
  expect(run.code, `${what}\n${run.stderr}`).toBe(2);
  expect(lines, `${what}: stderr should be one line`).toHaveLength(1);
  expect(lines[0], what).toMatch(/^bgprobe: /);
  expect(lines[0], what).toMatch(pattern);
  expect(lines[0], what).not.toMatch(/unexpected error|    at /);
}

let dir: string;
const EXISTING_EVENTS = '[{"kept": "this file must survive bad input"}]\n';
const EXISTING_REPORT = '{"kept": "this report must survive bad input"}\n';

test.beforeAll(() => {
  expect(existsSync(CLI), 'build first: npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-drills-cli-'));
  writeFileSync(join(dir, 'events.json'), EXISTING_EVENTS);
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out/report.json'), EXISTING_REPORT);
  // A DevTools "Save events" export, and the ways such a file goes wrong.
  const exported = JSON.stringify(
    [
      {
        timestamp: 1764000000.123,
        origin: 'http://127.0.0.1:8080/',
        serviceWorkerRegistrationId: '1',
        service: 'backgroundFetch',
        eventName: 'Background Fetch registered',
        instanceId: 'episode-5',
        eventMetadata: [{ key: 'Total Requests', value: '2' }],
        storageKey: 'http://127.0.0.1:8080/',
      },
    ],
    undefined,
    2,
  );
  writeFileSync(join(dir, 'export.json'), exported);
  writeFileSync(join(dir, 'truncated.json'), exported.slice(0, Math.floor(exported.length / 2)));
  writeFileSync(join(dir, 'not-json.json'), 'Background services\n#  Timestamp  Event\n');
  writeFileSync(join(dir, 'wrong-types.json'), exported.replace('"timestamp": 1764000000.123', '"timestamp": "yesterday"'));
  writeFileSync(join(dir, 'empty.json'), '');
  writeFileSync(join(dir, 'v2.json'), JSON.stringify({ schemaVersion: 2, browsers: [], scenarios: [], results: [] }));
  writeFileSync(join(dir, 'v0.json'), JSON.stringify({ schemaVersion: '1', browsers: [], scenarios: [], results: [] }));
});

test.afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function outputsUntouched(): void {
  expect(readFileSync(join(dir, 'events.json'), 'utf8')).toBe(EXISTING_EVENTS);
  expect(readdirSync(join(dir, 'out'))).toEqual(['report.json']);
  expect(readFileSync(join(dir, 'out/report.json'), 'utf8')).toBe(EXISTING_REPORT);
  // No temp files left next to the outputs either.
  expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
}

test('bgprobe record: every flag with an invalid value', async () => {
  const page = ['--url', 'http://127.0.0.1:9/'];
  const out = ['--out', 'events.json'];
  const cases: Array<[string[], RegExp]> = [
    [['record', ...out], /Give --endpoint .* or --url/],
    [['record', '--endpoint', 'http://127.0.0.1:9222', ...page, ...out], /--endpoint and --url cannot be combined/],
    [['record', '--endpoint', 'ftp://127.0.0.1:9222', ...out], /Invalid endpoint "ftp:\/\/127\.0\.0\.1:9222"/],
    [['record', '--endpoint', 'ws://', ...out], /endpoint/i],
    [['record', '--url', 'notaurl', ...out], /--url "notaurl" is not an http\(s\) URL/],
    [['record', '--url', 'javascript:alert(1)', ...out], /--url "javascript:alert\(1\)" is not an http\(s\) URL/],
    [['record', ...page, '--service', 'bgFetch', ...out], /Unknown background service "bgFetch"\. Did you mean `backgroundFetch`\?/],
    [['record', ...page, '--service', '', ...out], /No background service given/],
    [['record', ...page, '--service', 'all,nope', ...out], /Unknown background service "nope"/],
    [['record', ...page, '--duration', 'abc', ...out], /--duration takes a number, got "abc"/],
    [['record', ...page, '--duration', '-1', ...out], /--duration must be a positive number/],
    [['record', ...page, '--duration', '0', ...out], /--duration must be a positive number/],
    [['record', ...page, '--duration', 'Infinity', ...out], /--duration must be a positive number/],
    [['record', ...page, '--out'], /--out needs a file path/],
    [['record', ...page, '--servce', 'backgroundFetch', ...out], /Unknown option --servce\. Did you mean --service\?/],
  ];
  for (const [args, pattern] of cases) expectUsageLine(await bgprobe(args, { cwd: dir }), args.join(' '), pattern);
  // --browser: the no-browser message lists where it looked, one line per place, by design.
  const missing = await bgprobe(['record', ...page, '--browser', join(dir, 'no-such-chrome'), ...out], { cwd: dir });
  expect(missing.code, missing.stderr).toBe(2);
  expect(missing.stderr).toMatch(/^bgprobe: No Chromium-based browser found\..*no-such-chrome/s);
  outputsUntouched();
});

test('bgprobe compat --browser <a path that is not there>: exit 2 before any browser starts, the previous report kept', async () => {
  // Once a report of `error` verdicts with exit 1, written over the last good report.
  for (const browsers of [[join(dir, 'no-such-chrome')], ['chrome', join(dir, 'no-such-chrome')]]) {
    const run = await bgprobe(
      ['compat', ...browsers.flatMap((b) => ['--browser', b]), '--scenario', 'api.exposure.window', '--out', 'out'],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/^bgprobe: No Chromium-based browser found\..*no-such-chrome.*Pass --browser <path>/s);
    expect(run.stderr).not.toMatch(/^start /m);
  }
  outputsUntouched();
});

test('bgprobe serve: a port in use, a --root that is a file or missing, a port that is not a number: one line, exit 2', async () => {
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  const port = (busy.address() as { port: number }).port;
  try {
    // Was an 'unexpected error' with a stack and exit 1.
    expectUsageLine(
      await bgprobe(['serve', '--port', String(port)], { cwd: dir }),
      'serve on a busy port',
      new RegExp(`--port ${port} is in use on 127\\.0\\.0\\.1: give another port, or --port 0`),
    );
  } finally {
    busy.close();
  }
  // Was accepted, then every request got a 404.
  expectUsageLine(
    await bgprobe(['serve', '--root', 'events.json'], { cwd: dir }),
    'serve --root <a file>',
    /--root events\.json: not a folder/,
  );
  expectUsageLine(await bgprobe(['serve', '--root', 'nowhere'], { cwd: dir }), 'serve --root <missing>', /--root nowhere: no such folder/);
  // Was quoted as "NaN".
  expectUsageLine(await bgprobe(['serve', '--port', 'abc'], { cwd: dir }), 'serve --port abc', /--port takes a number, got "abc"/);
});

test('bgprobe record: a boolean flag given a value it cannot mean is refused', async () => {
  // yargs would read --probes=maybe as false: a typo must not switch a feature off silently.
  for (const flag of ['--probes=maybe', '--headed=maybe', '--ndjson=x']) {
    const run = await bgprobe(['record', '--url', 'http://127.0.0.1:9/', flag, '--browser', join(dir, 'no-such-chrome')], { cwd: dir });
    expectUsageLine(run, flag, new RegExp(flag.split('=')[0]));
  }
});

test('bgprobe record --browser <an executable that is not a browser>: one line, exit 2', async () => {
  // Playwright's launch error becomes one line naming the binary (exit 2), not a stack.
  const run = await bgprobe(['record', '--url', 'http://127.0.0.1:9/', '--browser', '/bin/true', '--out', 'events.json'], { cwd: dir });
  expectUsageLine(run, '--browser /bin/true', /\/bin\/true/);
  outputsUntouched();
});

test('report, diff, merge and compat --baseline: missing, truncated, non-JSON, ill-typed or foreign files', async () => {
  const files: Array<[string, RegExp]> = [
    ['missing.json', /missing\.json.*no such file/],
    ['export.json', /export\.json is not a bgprobe report/],
    ['truncated.json', /truncated\.json is not JSON/],
    ['not-json.json', /not-json\.json is not JSON/],
    ['wrong-types.json', /wrong-types\.json is not a bgprobe report/],
    ['empty.json', /empty\.json is not JSON/],
    ['v2.json', /v2\.json has schemaVersion 2; this bgprobe reads schemaVersion 1/],
    ['v0.json', /v0\.json has schemaVersion "1"/],
  ];
  for (const [file, pattern] of files) {
    expectUsageLine(await bgprobe(['report', file, '--out', 'out'], { cwd: dir }), `report ${file}`, pattern);
    expectUsageLine(await bgprobe(['diff', file, 'v2.json'], { cwd: dir }), `diff ${file}`, pattern);
    expectUsageLine(await bgprobe(['merge', file, '--out', 'out'], { cwd: dir }), `merge ${file}`, pattern);
    // Refused before any browser starts: the previous report stays.
    expectUsageLine(
      await bgprobe(['compat', '--scenario', 'fetch.success.one', '--baseline', file, '--out', 'out'], { cwd: dir }),
      `compat --baseline ${file}`,
      pattern,
    );
  }
  outputsUntouched();
});

test('a report.json of the right schemaVersion with ill-typed fields: one line, exit 2', async () => {
  // Every field the renderers read is checked first: one line naming it, exit 2, nothing written.
  const bad = {
    schemaVersion: 1,
    tool: { name: 'bgprobe', version: '0.1.0' },
    run: null,
    browsers: [],
    scenarios: [],
    results: [
      { scenarioId: 'fetch.success.one', browser: 'chromium', verdict: 'conforms', startedAt: 'x', durationMs: 'y', evidence: null },
    ],
    summary: null,
    comparison: null,
  };
  writeFileSync(join(dir, 'ill-typed.json'), JSON.stringify(bad));
  expectUsageLine(await bgprobe(['report', 'ill-typed.json', '--out', 'out'], { cwd: dir }), 'report ill-typed.json', /ill-typed\.json/);
  expectUsageLine(await bgprobe(['merge', 'ill-typed.json', '--out', 'out'], { cwd: dir }), 'merge ill-typed.json', /ill-typed\.json/);
  outputsUntouched();
});

/** A loopback port with nothing listening on it (closed again at once). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('bgprobe record --url <a page that cannot load>: one line, exit 2, the browser closed, no hang', async () => {
  // A failed navigation is bad input (exit 2), and the launched browser is closed (no hang).
  test.setTimeout(60_000);
  const run = await bgprobe(['record', '--url', `http://127.0.0.1:${await closedPort()}/`, '--duration', '1', '--out', 'events.json'], {
    cwd: dir,
    timeoutMs: 25_000,
  });
  expectUsageLine(run, 'record --url <refused>', /could not|cannot|refused/i);
  outputsUntouched();
});

test('bgprobe record --out <a directory>: refused before recording, exit 2, no temp file left', async () => {
  // --out is checked before recording: a recording is never lost to it at the end.
  test.setTimeout(60_000);
  const run = await bgprobe(['record', '--url', `file://${REPO}/fixtures/podcast/index.html`, '--duration', '1', '--out', 'out'], {
    cwd: dir,
    timeoutMs: 25_000,
  });
  expectUsageLine(run, 'record --out <dir>', /--out/);
  outputsUntouched();
});
