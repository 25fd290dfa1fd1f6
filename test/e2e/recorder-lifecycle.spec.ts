/**
 * The recorder across process boundaries: `bgprobe record --endpoint` against a Chromium that
 * someone else started, the endpoint closing mid-recording, and a browser relaunched on the
 * same profile mid-fetch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { discoverBrowser } from '../../src/browsers/discover.js';
import { defaultArgs } from '../../src/browsers/flags.js';
import { launch } from '../../src/browsers/launch.js';
import { connect } from '../../src/browsers/connect.js';
import { BackgroundServiceRecorder } from '../../src/recorder/recorder.js';
import type { FetchTimeline } from '../../src/recorder/timeline.js';
import { formatTimeline } from '../../src/recorder/format.js';
import { FixtureServer } from '../../src/server/index.js';
import { expect, harness, openHarness, test, uid } from './support.js';

const CLI = join(process.cwd(), 'dist/cli/main.js');

/** What each browser this test started wrote on stderr: attached to a failed test (a renderer crash says why there). */
const stderrOf: Array<() => string> = [];
test.afterEach(async ({}, testInfo) => {
  const logs = stderrOf.splice(0).map((read, i) => `--- browser ${i + 1} ---\n${read().slice(-16_000)}`);
  if (testInfo.status !== testInfo.expectedStatus && logs.length)
    await testInfo.attach('browser stderr', { body: logs.join('\n'), contentType: 'text/plain' });
});

/** Browsers started here and not stopped yet: a run interrupted (Ctrl-C does not reach their own process group) still ends them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const proc of running) {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  }
});

/** A Chromium "someone else" started with --remote-debugging-port. */
async function startDebuggableChromium(): Promise<{ proc: ChildProcess; endpoint: string; dir: string }> {
  const { executablePath } = await discoverBrowser();
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-remote-'));
  // Its own process group, so stop() ends its renderers and helpers too: killed alone, the
  // browser leaves them writing into the profile, and the temp dir outlives the test.
  const proc = spawn(
    executablePath,
    [...defaultArgs(), '--headless', '--remote-debugging-port=0', `--user-data-dir=${dir}`, 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    },
  );
  running.add(proc);
  let text = '';
  stderrOf.push(() => text);
  const endpoint = await new Promise<string>((resolve, reject) => {
    proc.stderr.on('data', (d: Buffer) => {
      text += d.toString();
      const m = /DevTools listening on ws:\/\/([^/]+)\//.exec(text);
      if (m) resolve(`http://${m[1]}`);
    });
    proc.once('exit', () => reject(new Error(`chromium exited: ${text}`)));
  });
  return { proc, endpoint, dir };
}

/** Chromium's helper processes can still be writing the profile for a moment after it exits. */
function cleanup(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch {
    // a temp profile left behind is not what these tests check
  }
}

/** SIGKILL to the browser's whole process group (see startDebuggableChromium). */
async function stop(proc: ChildProcess): Promise<void> {
  const alive = proc.exitCode === null && proc.signalCode === null;
  const exited = alive ? new Promise((r) => proc.once('exit', r)) : Promise.resolve();
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch {
    // the group is gone already
  }
  await exited;
  running.delete(proc);
}

function runCli(args: string[]): { proc: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { proc, done };
}

async function waitForOutput(get: () => string, pattern: RegExp, timeout = 20_000): Promise<void> {
  await expect.poll(get, { timeout }).toMatch(pattern);
}

test('bgprobe record --endpoint writes a DevTools file the recorder reads back', async ({ server }) => {
  const remote = await startDebuggableChromium();
  const out = join(remote.dir, 'events.json');
  try {
    let stderr = '';
    const cli = runCli(['record', '--endpoint', remote.endpoint, '--out', out, '--ndjson', '--duration', '25']);
    cli.proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForOutput(() => stderr, /Recording backgroundFetch/);
    // The app runs in the remote browser's default context, driven by someone else (here: Playwright).
    const browser = await chromium.connectOverCDP(remote.endpoint);
    const page = await openHarness(browser.contexts()[0], server);
    const id = uid('cli');
    await harness(page, 'start', id, ['/res/one.bin?size=64k', '/res/two.bin?size=1k'], {});
    await harness(page, 'waitForResult', id, 20_000);
    await browser.close();
    await new Promise((r) => setTimeout(r, 500));
    cli.proc.kill('SIGINT');
    const { code, stdout } = await cli.done;
    expect(code).toBe(130);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; instanceId: string });
    expect(lines.filter((l) => l.instanceId === id).map((l) => l.name)).toContain('Background Fetch completed');
    expect(existsSync(out)).toBe(true);
    const text = readFileSync(out, 'utf8');
    const back = BackgroundServiceRecorder.fromDevToolsJson(text);
    const t = back.fetch(id)!;
    expect(t.outcome).toBe('success');
    expect(t.requests.map((r) => r.bytes)).toEqual([64 * 1024, 1024]);
    expect(text.startsWith('[\n  {')).toBe(true);
  } finally {
    await stop(remote.proc);
    cleanup(remote.dir);
  }
});

/**
 * A browser someone else started, recorded through connect() with probes, while Playwright
 * drives the harness in it (from `origin`): one small fetch, its settled timeline.
 */
async function fetchInConnectedBrowser(origin: Pick<FixtureServer, 'url'>, prefix: string): Promise<FetchTimeline> {
  const remote = await startDebuggableChromium();
  try {
    const connected = await connect({ endpoint: remote.endpoint });
    const recorder = await BackgroundServiceRecorder.attach(connected);
    const browser = await chromium.connectOverCDP(remote.endpoint);
    const page = await openHarness(browser.contexts()[0], origin);
    const id = uid(prefix);
    await harness(page, 'start', id, ['/res/p.bin?size=32k'], {});
    const t = await recorder.waitForFetch(id, { until: 'settled' });
    await recorder.dispose();
    await browser.close();
    await connected.close();
    return t;
  } finally {
    await stop(remote.proc);
    cleanup(remote.dir);
  }
}

test('a connect()ed browser: the recorder gets page and worker probe records too', async ({ server }) => {
  const t = await fetchInConnectedBrowser(server, 'remote-probes');
  expect(t.outcome).toBe('success');
  expect(t.fetchCalls.map((c) => [c.context, c.ok])).toEqual([['page', true]]);
  expect(t.progress.some((p) => p.context === 'page')).toBe(true);
  expect(t.swEvents.map((e) => e.type)).toEqual(['backgroundfetchsuccess']);
});

/**
 * The fixture server behind a proxy that sends the first bytes of the harness's sw.js at once
 * and the rest `lateMs` later: the worker starts, and waits for its own script, for that long.
 */
async function lateWorkerScriptProxy(target: FixtureServer, lateMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target.url);
  const proxy: Server = createServer((req, res) => {
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('error', () => res.destroy());
        if (!req.url?.startsWith('/harness/sw.js')) return void answer.pipe(res);
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          res.write(body.subarray(0, 16));
          setTimeout(() => res.end(body.subarray(16)), lateMs);
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}

test('a worker whose script arrives late: probed once it has its script, and the renderer survives', async ({ server }) => {
  // Found in the minidumps of this suite's rare "Target crashed": the worker probe was evaluated
  // just after resuming a worker that had not loaded its script yet, and reading self.location
  // then is a CHECK failure that kills the renderer, the page with it. A late sw.js body made it
  // happen every time; the probe now waits for the worker's script (see installer.ts).
  const proxy = await lateWorkerScriptProxy(server, 1_000);
  try {
    const t = await fetchInConnectedBrowser(proxy, 'late-sw');
    expect(t.outcome).toBe('success');
    // The worker was probed: its success event is recorded.
    expect(t.swEvents.map((e) => e.type)).toEqual(['backgroundfetchsuccess']);
  } finally {
    await proxy.close();
  }
});

test('the endpoint closing mid-record: events so far are written, exit code 1', async ({ server }) => {
  const remote = await startDebuggableChromium();
  const out = join(remote.dir, 'partial.json');
  try {
    let stderr = '';
    const cli = runCli(['record', '--endpoint', remote.endpoint, '--out', out]);
    cli.proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await waitForOutput(() => stderr, /Recording backgroundFetch/);
    const browser = await chromium.connectOverCDP(remote.endpoint);
    const page = await openHarness(browser.contexts()[0], server);
    const id = uid('cut');
    await harness(page, 'start', id, ['/res/one.bin?size=8k'], {});
    await harness(page, 'waitForResult', id, 20_000);
    await waitForOutput(() => stderr, /Background Fetch completed/);
    await browser.close();
    await stop(remote.proc);
    const { code, stderr: err } = await cli.done;
    expect(code).toBe(1);
    expect(err).toMatch(/Recording stopped early: .*(disconnected|closed)/);
    const back = BackgroundServiceRecorder.fromDevToolsJson(readFileSync(out, 'utf8'));
    expect(back.fetch(id)?.outcome).toBe('success');
  } finally {
    await stop(remote.proc);
    cleanup(remote.dir);
  }
});

test('bgprobe record --url --duration: opens the page, stops cleanly after the duration, exit 0', async ({ server }) => {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-record-url-'));
  try {
    const out = join(dir, 'events.json');
    const { code, stderr } = await runCli(['record', '--url', `${server.url}/harness/`, '--duration', '4', '--out', out]).done;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/Opened http:\/\/127\.0\.0\.1:\d+\/harness\//);
    expect(stderr).not.toMatch(/stopped early/);
    expect(BackgroundServiceRecorder.fromDevToolsJson(readFileSync(out, 'utf8')).events()).toEqual([]);
  } finally {
    cleanup(dir);
  }
});

test('bad record input: one clear line and exit code 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['record'], /Give --endpoint/],
    [['record', '--endpoint', 'http://127.0.0.1:1'], /Cannot reach a browser at http:\/\/127\.0\.0\.1:1/],
    [
      ['record', '--url', 'http://127.0.0.1:1/', '--service', 'bgFetch'],
      /Unknown background service "bgFetch"\. Did you mean `backgroundFetch`\?/,
    ],
    [['record', '--url', 'http://127.0.0.1:1/', '--duration', 'abc'], /--duration takes a number, got "abc"/],
    [['record', '--url', 'http://127.0.0.1:1/', '--browser', '/nope/chrome'], /No Chromium-based browser found.*\/nope\/chrome/s],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await runCli(args).done;
    expect(code, args.join(' ')).toBe(2);
    expect(stderr, args.join(' ')).toMatch(pattern);
    expect(stderr.trim().split('\n').length, stderr).toBeLessThanOrEqual(3);
  }
});

test('a browser relaunched on the same profile mid-fetch: the recorder sees resumedAfterRestart', async () => {
  test.setTimeout(150_000);
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-profile-'));
  // The server must outlive the browser: the resumed fetch restarts its requests from byte 0.
  const server = await FixtureServer.start();
  let browser: Browser | null = null;
  try {
    browser = await launch({ userDataDir: dir });
    let context = browser.contexts()[0];
    let recorder = await BackgroundServiceRecorder.attach(context);
    const page = await openHarness(context, server);
    const id = uid('restart');
    await harness(page, 'start', id, ['/res/big.bin?size=2m&rate=512k', '/res/small.bin?size=1k'], {});
    await recorder.waitForFetch(id, { until: 'started' });
    await expect.poll(() => server.requests({ path: /^\/res\/big\.bin/ })[0]?.bytesSent ?? 0).toBeGreaterThan(0);
    // Recording stays on in the profile, so the start-up events of the next run are stored.
    await recorder.dispose({ stopRecording: false });
    await browser.close();

    browser = await launch({ userDataDir: dir });
    context = browser.contexts()[0]!;
    recorder = await BackgroundServiceRecorder.attach(context);
    // Measured: the download service resumes the interrupted request about 30 s after start-up.
    const t = await recorder.waitForFetch(id, { timeout: 80_000 });
    expect(t.resumedAfterRestart, formatTimeline(t)).toBe(true);
    expect(t.outcome, formatTimeline(t)).toBe('success');
    expect(t.events.filter((e) => e.kind === 'registered')).toHaveLength(1);
    // Chromium logs no second "Request processing started" for a resumed request: the server
    // log is what shows it was fetched again.
    const resumed = t.events.find((e) => e.kind === 'resumed')!;
    expect(Object.keys(resumed.metadata).sort()).toEqual(['Active Requests', 'Completed Requests']);
    // The relaunched browser asked for the big body again (from byte 0: no Range).
    expect(server.requests({ path: /^\/res\/big\.bin/ }).length).toBeGreaterThanOrEqual(2);
    await recorder.dispose();
  } finally {
    await browser?.close();
    await server.close();
    cleanup(dir);
  }
});
