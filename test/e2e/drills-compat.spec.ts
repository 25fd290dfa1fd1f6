// Reliability drills for `bgprobe compat` and its report writer, with real processes: the
// browser SIGKILLed in the middle of a scenario, and the report writer killed while writing.
// The built CLI (dist/, `npm run build`) runs in a child process, as a user runs it.
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { chromiumChildren } from '../helpers/processes.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
const FILES = ['report.html', 'report.json', 'report.md', 'junit.xml'];

interface Started {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], cwd: string): Started {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.resume();
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => err, done };
}

const hashes = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

let dir: string;
test.beforeAll(() => {
  expect(existsSync(CLI), 'build first: npm run build').toBe(true);
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-drills-compat-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the browser SIGKILLed mid-scenario: that scenario is retried on a relaunched browser, the run exits 0, the report lists both attempts', async () => {
  test.setTimeout(180_000);
  // --workers 1 runs them in this (registry) order; stalled-server spends 5 s waiting on a
  // stalled body, so a kill shortly after it starts lands inside it.
  const ids = ['fetch.success.one', 'failure.stalled-server', 'abort.after-completion', 'progress.download-total-larger'];
  const victim = 'failure.stalled-server';
  const out = join(dir, 'killed');
  const run = start(['compat', ...ids.flatMap((s) => ['--scenario', s]), '--workers', '1', '--out', out], dir);
  const browsers = new Set<number>();
  let killed: number | null = null;
  const watch = setInterval(() => {
    for (const p of chromiumChildren(run.child.pid!)) browsers.add(p);
  }, 100);
  try {
    await expect.poll(run.stderr, { timeout: 90_000, intervals: [100] }).toContain(`start  ${victim} [chromium]`);
    await new Promise((r) => setTimeout(r, 1_500));
    const current = chromiumChildren(run.child.pid!);
    expect(current, 'the compat run should have one browser process').toHaveLength(1);
    killed = current[0]!;
    // What a Chromium that dies on a CHECK leaves in its log (bgprobe passes --log-file to the
    // browsers it launches): planted here, so the report must carry it to the scenario it cost.
    const logFile = readFileSync(`/proc/${killed}/cmdline`, 'utf8')
      .split('\0')
      .find((a) => a.startsWith('--log-file='))
      ?.slice('--log-file='.length);
    expect(logFile, 'the browser should have been given a --log-file').toBeTruthy();
    appendFileSync(logFile!, `[${killed}:${killed}:1201/120000.000000:FATAL:drill/planted.cc:42] Check failed: planted by the drill.\n`);
    process.kill(killed, 'SIGKILL');
    const { code } = await run.done;
    // The lost browser is retried (--retries 1 is the default): no error verdict, exit 0.
    expect(code, run.stderr()).toBe(0);
  } finally {
    clearInterval(watch);
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
  }

  // Relaunched: another browser process came after the killed one.
  expect([...browsers].filter((p) => p !== killed).length, `browser pids seen: ${[...browsers].join(', ')}`).toBeGreaterThanOrEqual(1);

  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    browsers: Array<{ launches: number; crashes: Array<{ at: number; lastWords: string | null }> }>;
    results: Array<{
      scenarioId: string;
      verdict: string;
      summary: string;
      flaky: boolean;
      error: { message: string } | null;
      attempts: Array<{
        run: number;
        retry: boolean;
        verdict: string;
        summary: string;
        durationMs: number;
        browserLost: { fatal: string | null } | null;
      }>;
    }>;
    summary: { total: number; flaky: { total: number; reasons: Array<{ reason: string; count: number }> } };
    run: { interrupted: boolean };
  };
  expect(report.run.interrupted).toBe(false);
  const lastWords = 'FATAL drill/planted.cc:42: Check failed: planted by the drill.';
  expect(report.browsers[0].launches).toBe(2);
  expect(report.browsers[0].crashes).toEqual([{ at: expect.any(Number), lastWords }]);
  expect(report.results.map((r) => r.scenarioId).sort()).toEqual([...ids].sort());
  const byId = Object.fromEntries(report.results.map((r) => [r.scenarioId, r]));
  // The victim's first attempt lost its browser (with the FATAL line); the retry gave its verdict.
  const victimResult = byId[victim];
  expect(victimResult.flaky).toBe(true);
  expect(victimResult.verdict).toMatch(/^(conforms|deviates)$/);
  expect(victimResult.attempts.map((a) => [a.run, a.retry, a.verdict, a.browserLost])).toEqual([
    [1, false, 'error', { fatal: lastWords }],
    [1, true, victimResult.verdict, null],
  ]);
  expect(victimResult.attempts[0].summary).toBe(`BrowserLostError: the browser crashed during the scenario: ${lastWords}`);
  expect(victimResult.attempts[0].durationMs).toBeGreaterThan(0);
  expect(report.summary.flaky).toEqual({ total: 1, reasons: [{ reason: 'browser crash: FATAL planted.cc:42', count: 1 }] });
  expect(run.stderr()).toContain('1 flaky (browser crash: FATAL planted.cc:42)');
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain('ended on its own 1× (started 2×)');
  expect(html).toContain(`run 1: error in`);
  expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(
    victimResult.verdict === 'conforms'
      ? /<flakyError message="BrowserLostError: the browser crashed/
      : /<rerunError message="BrowserLostError: the browser crashed/,
  );
  // The scenarios after the crash ran on the relaunched browser and got real verdicts.
  for (const id of ids.filter((i) => i !== victim))
    expect([id, byId[id].verdict]).toEqual([id, expect.stringMatching(/^(conforms|deviates)$/)]);
  // Complete: every format, each naming every scenario.
  expect(readdirSync(out).sort()).toEqual([...FILES].sort());
  for (const f of FILES) {
    const text = readFileSync(join(out, f), 'utf8');
    for (const id of ids) expect(text, `${f} names ${id}`).toContain(id.replace(/-/g, f === 'report.md' ? '\\-' : '-'));
  }
  expect(XMLValidator.validate(readFileSync(join(out, 'junit.xml'), 'utf8'))).toBe(true);
  expect(run.stderr()).toMatch(
    /(conforms|deviates)\s+failure\.stalled-server \[chromium\] [\d.]+ s \(flaky: re-run after the browser was lost\)/,
  );
});

/** A schemaVersion-1 report holding `events` BackgroundService event rows: big enough to take a while to write. */
function bigReport(events: number, label: string): string {
  const results = 20;
  const per = Math.ceil(events / results);
  const t0 = Date.UTC(2026, 0, 1);
  const verdicts = ['conforms', 'deviates', 'error', 'conforms'];
  const scenarios = [];
  const rows = [];
  for (let r = 0; r < results; r++) {
    const id = `drill.scenario-${r}`;
    scenarios.push({
      id,
      title: `${label} ${r}`,
      group: 'fetch',
      expectation: 'The fetch succeeds.',
      link: 'https://wicg.github.io/background-fetch/',
      skipReason: null,
    });
    const evs = [];
    for (let i = 0; i < per; i++) {
      evs.push({
        at: t0 + r * 10_000 + i,
        service: 'backgroundFetch',
        name: 'Request processing completed',
        origin: '{fixture}/',
        storageKey: '{fixture}/',
        registrationId: '1',
        instanceId: `episode-${i % 50}`,
        metadata: [
          ['Request Index', String(i % 2)],
          ['Response Size (bytes)', '1048576'],
          ['Response Status', '200'],
          ['URL', `{fixture}/res/episode-${i % 50}.mp3?size=1m`],
        ],
      });
    }
    const verdict = verdicts[r % verdicts.length];
    rows.push({
      scenarioId: id,
      browser: 'chromium',
      verdict,
      summary: `${label} ${verdict}`,
      startedAt: t0 + r * 10_000,
      durationMs: 1_000,
      observation: { label },
      evidence: { fixtureOrigin: 'http://127.0.0.1:8080', fetches: [], events: evs, worker: [], server: [], steps: [], notes: [] },
      error: verdict === 'error' ? { name: 'Error', message: 'drill', stack: null } : null,
    });
  }
  const byVerdict = { conforms: 10, deviates: 5, unsupported: 0, 'not-automatable': 0, error: 5, skipped: 0 };
  return JSON.stringify({
    schemaVersion: 1,
    tool: { name: 'bgprobe', version: '0.1.0' },
    run: {
      startedAt: t0,
      durationMs: 60_000,
      interrupted: false,
      shard: null,
      mergedFrom: [],
      selection: [],
      workers: 3,
      timeoutMs: 30_000,
    },
    browsers: [{ label: 'chromium', kind: 'default', target: null, args: [], version: '150.0.0.0', launchError: null }],
    scenarios,
    results: rows,
    summary: { total: results, byVerdict },
    comparison: null,
  });
}

test('the report writer killed while writing: the previous report stays intact', async () => {
  test.setTimeout(180_000);
  const out = join(dir, 'report');
  writeFileSync(join(dir, 'old.json'), bigReport(40_000, 'OLD'));
  writeFileSync(join(dir, 'new.json'), bigReport(40_000, 'NEW'));
  const first = start(['report', 'old.json', '--out', out], dir);
  expect((await first.done).code, first.stderr()).toBe(0);
  const before = hashes(out);
  expect(Object.keys(before).sort()).toEqual([...FILES].sort());

  // Kill the writer at each step of its write phase, seen from outside: its temporary
  // directory appears (rendering is done), then each file in it appears (the one before it
  // is complete, this one is being written), then the swap (the old report moved aside).
  const steps: Array<[string, (tmp: string[] | null, names: string[]) => boolean]> = [
    ['temp dir created', (tmp) => tmp !== null],
    ['report.html being written', (tmp) => !!tmp?.includes('report.html')],
    ['report.json being written', (tmp) => !!tmp?.includes('report.json')],
    ['report.md being written', (tmp) => !!tmp?.includes('report.md')],
    ['junit.xml being written', (tmp) => !!tmp?.includes('junit.xml')],
    ['old report moved aside', (_tmp, names) => names.some((f) => f.startsWith('.report.tmp-') && f.endsWith('-old'))],
  ];
  const outcomes: string[] = [];
  for (const [step, reached] of steps) {
    // Temp dirs an earlier killed round left behind are not this round's.
    const earlier = new Set(readdirSync(dir));
    const run = start(['report', 'new.json', '--out', out], dir);
    let killedAt: string | null = null;
    while (run.child.exitCode === null) {
      const names = readdirSync(dir).filter((f) => !earlier.has(f));
      const tmpName = names.find((f) => f.startsWith('.report.tmp-') && !f.endsWith('-old'));
      let tmp: string[] | null = null;
      try {
        tmp = tmpName ? readdirSync(join(dir, tmpName)) : null;
      } catch {
        // renamed into place between the two reads
      }
      if (reached(tmp, names)) {
        killedAt = step;
        run.child.kill('SIGKILL');
        break;
      }
      await new Promise((r) => setImmediate(r));
    }
    await run.done;
    const now = existsSync(out) ? hashes(out) : {};
    const json = existsSync(join(out, 'report.json')) ? readFileSync(join(out, 'report.json'), 'utf8') : '';
    // Either the previous report, byte for byte, or (the kill came after the swap) the new
    // one, complete. Never a mix, never a missing or truncated file.
    if (JSON.stringify(now) === JSON.stringify(before)) outcomes.push(`old (${killedAt ?? 'finished'})`);
    else {
      expect(Object.keys(now).sort(), `after a kill at ${killedAt}`).toEqual([...FILES].sort());
      expect((JSON.parse(json) as { scenarios: { title: string }[] }).scenarios[0].title).toBe('NEW 0');
      outcomes.push(`new (${killedAt ?? 'finished'})`);
      // Put the old report back for the next round.
      const again = start(['report', 'old.json', '--out', out], dir);
      expect((await again.done).code).toBe(0);
    }
  }
  test.info().annotations.push({ type: 'kills', description: outcomes.join('; ') });
  // The kills landed inside the write phase: the first steps (the big files) are always caught
  // before the swap; the small files may be written before the next poll on a fast disk.
  expect(outcomes.slice(0, 2)).toEqual(['old (temp dir created)', 'old (report.html being written)']);
  // What the killed writers left beside the report is cleaned up by the next write (their
  // processes are gone), which finds the previous report where it was.
  const litter = readdirSync(dir).filter((f) => f.startsWith('.report.tmp-'));
  test.info().annotations.push({ type: 'leftovers before the next write', description: litter.join(', ') || 'none' });
  const next = start(['report', 'new.json', '--out', out], dir);
  expect((await next.done).code).toBe(0);
  expect(readdirSync(dir).filter((f) => f.startsWith('.report.tmp-'))).toEqual([]);
  expect(Object.keys(hashes(out)).sort()).toEqual([...FILES].sort());
});

test("the lane's shared browser SIGKILLed while the restart scenario runs on browsers of its own: that scenario is not re-run", async () => {
  test.setTimeout(180_000);
  const out = join(dir, 'shared-killed');
  const run = start(
    ['compat', '--scenario', 'lifecycle.browser-restart', '--scenario', 'fetch.success.one', '--workers', '2', '--out', out],
    dir,
  );
  // The lane's browser is the one Playwright launched (over a pipe); the restart scenario's own
  // are started on a profile with a debugging port.
  const shared = () =>
    chromiumChildren(run.child.pid!).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('--remote-debugging-pipe'));
  try {
    await expect.poll(run.stderr, { timeout: 90_000, intervals: [100] }).toContain('start  lifecycle.browser-restart [chromium]');
    // Past its gate (the exposure probe, on the shared browser): its first browser is downloading.
    await new Promise((r) => setTimeout(r, 8_000));
    const lane = shared();
    expect(lane, 'the lane should have one shared browser').toHaveLength(1);
    expect(run.stderr()).not.toMatch(/lifecycle\.browser-restart \[chromium\] \d/);
    process.kill(lane[0], 'SIGKILL');
    const { code } = await run.done;
    expect(code, run.stderr()).toBe(0);
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
  }
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    browsers: Array<{ crashes: unknown[] }>;
    results: Array<{ scenarioId: string; verdict: string; flaky: boolean; attempts: unknown[] }>;
  };
  expect(report.browsers[0].crashes).toHaveLength(1);
  const restart = report.results.find((r) => r.scenarioId === 'lifecycle.browser-restart')!;
  expect([restart.verdict, restart.flaky, restart.attempts.length]).toEqual(['conforms', false, 0]);
});
