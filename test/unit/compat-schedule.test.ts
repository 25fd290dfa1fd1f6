// The compat run as the pool sees it (jobs, claims, expected times, shards by time), the
// durations a previous report gives, and a wpt file's timing breakdown: pure functions, fed
// with the suite's own scenarios and the shapes of real reports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveCompatConfig } from '../../src/compat/run.js';
import { claimsOf, compatJobs } from '../../src/compat/runner.js';
import { InputFormatError } from '../../src/errors.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import { durationsOf, expectedMs, loadDurations } from '../../src/report/durations.js';
import { renderJson } from '../../src/report/json.js';
import { SCENARIOS } from '../../src/scenarios/registry.js';
import { simulate } from '../../src/util/schedule.js';
import { imbalance, lptShards } from '../../src/util/shard.js';
import { describeTiming, fileTiming, slowestLine, type FileMarks } from '../../src/wpt/timing.js';
import { model, result } from './report-fixture.js';

const byId = (id: string) => SCENARIOS.find((s) => s.id === id)!;
const lanes = (...labels: string[]) => labels.map((label) => ({ label, kind: 'default' as const, target: null, args: [] }));

/** The Chromium lane's times on Chromium 156 (ms, one run on 2 cores), the rest of the suite at 2.5 s. */
const MEASURED: Record<string, number> = {
  'lifecycle.browser-restart': 33_300,
  'lifecycle.offline': 22_600,
  'failure.stalled-server': 7_800,
  'lifecycle.sw-stopped': 4_400,
};
const chromiumReport = () => model(SCENARIOS.map((s) => result(s.id, 'chromium', 'conforms', { durationMs: MEASURED[s.id] ?? 2_500 })));

describe('compat jobs', () => {
  it('sw-stopped shares its lane browser (it stops its own worker only), restart and offline claim nothing of it; on a Grid nothing is shared', () => {
    const [chromium, firefox] = lanes('chromium', 'firefox');
    expect(claimsOf(byId('lifecycle.sw-stopped'), chromium)).toEqual([{ resource: 'browser:chromium', exclusive: false }]);
    expect(claimsOf(byId('lifecycle.browser-restart'), chromium)).toEqual([]);
    expect(claimsOf(byId('lifecycle.offline'), chromium)).toEqual([]);
    expect(claimsOf(byId('fetch.success.one'), firefox)).toEqual([{ resource: 'browser:firefox', exclusive: false }]);
    // A Grid session per scenario: its browser is its own.
    expect(claimsOf(byId('lifecycle.sw-stopped'), { label: 'grid-chrome', kind: 'grid' })).toEqual([]);
  });

  it('no scenario of the suite needs its browser alone: at the start of a lane every worker has one, none waits behind another', () => {
    const jobs = compatJobs(SCENARIOS, lanes('chromium'), null, 30_000, 1);
    expect(jobs.filter((j) => j.claims.some((c) => c.exclusive)).map((j) => j.key)).toEqual([]);
    const { timeline } = simulate(jobs, { workers: 6 });
    expect(timeline.filter((t) => t.start === 0)).toHaveLength(6);
  });

  it("expects the previous run's time, else the declared deadline; equal ones alternate between lanes", () => {
    const d = durationsOf(chromiumReport(), 'r.json');
    const jobs = compatJobs([byId('lifecycle.browser-restart'), byId('fetch.success.one')], lanes('chromium', 'firefox'), d, 30_000, 2);
    expect(jobs.map((j) => [j.key, j.expectedMs])).toEqual([
      ['lifecycle.browser-restart [chromium]', 66_600],
      // A lane the report does not have: the longest any browser took.
      ['lifecycle.browser-restart [firefox]', 66_600],
      ['fetch.success.one [chromium]', 5_000],
      ['fetch.success.one [firefox]', 5_000],
    ]);
    const declared = compatJobs([byId('lifecycle.offline'), byId('fetch.success.one')], lanes('chromium'), null, 30_000, 1);
    expect(declared.map((j) => j.expectedMs)).toEqual([75_000, 30_000]);
  });

  it('the measured Chromium lane, scheduled at the default 6 workers, is expected within 1.3x of its longest scenario', () => {
    const d = durationsOf(chromiumReport(), 'r.json');
    const jobs = compatJobs(SCENARIOS, lanes('chromium'), d, 30_000, 1);
    expect(simulate(jobs, { workers: 6 }).makespanMs / 33_300).toBeLessThanOrEqual(1.3);
  });

  it('--shard splits by predicted wall time: two shards of the measured Chromium suite within 20 %, every scenario in one of them', () => {
    const durations = durationsOf(chromiumReport(), 'r.json');
    const browsers = lanes('chromium');
    const shards = [1, 2].map(
      (index) => resolveCompatConfig({ shard: { index, total: 2 }, durations, browsers, workers: 6 }).selected.scenarios,
    );
    expect(
      shards
        .flat()
        .map((s) => s.id)
        .sort(),
    ).toEqual(SCENARIOS.map((s) => s.id).sort());
    const wall = (part: typeof SCENARIOS) => simulate(compatJobs(part, browsers, durations, 30_000, 1), { workers: 6 }).makespanMs;
    expect(imbalance(shards.map(wall))).toBeLessThanOrEqual(1.2);
    // By summed time alone (LPT), the shard without the restart scenario waits on nothing long: its wall is far shorter.
    const bySum = lptShards(SCENARIOS, (s) => expectedMs(durations, s.id, 'chromium', 0), 2);
    expect(imbalance(bySum.map(wall))).toBeGreaterThan(imbalance(shards.map(wall)));
    // The long two are in different shards.
    const holder = (id: string) => shards.findIndex((s) => s.some((x) => x.id === id));
    expect(holder('lifecycle.browser-restart')).not.toBe(holder('lifecycle.offline'));
  });
});

describe('loadDurations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bgprobe-durations-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a report.json: per browser, a --repeat result per run, skipped ones left out', () => {
    const file = join(dir, 'report.json');
    const repeated = result('b', 'chromium', 'conforms', {
      durationMs: 9_000,
      attempts: [1, 2, 3].map((run) => ({
        run,
        retry: false,
        verdict: 'conforms',
        summary: '',
        startedAt: 0,
        durationMs: 3_000,
        took: null,
        observation: null,
        evidence: emptyEvidence(),
        error: null,
        browserLost: null,
      })),
    });
    writeFileSync(
      file,
      renderJson(
        model(
          [
            result('a', 'chromium', 'conforms', { durationMs: 1_500 }),
            result('a', 'firefox', 'unsupported', { durationMs: 300 }),
            repeated,
            result('s', 'chromium', 'skipped'),
          ],
          ['chromium', 'firefox'],
        ),
      ),
    );
    const d = loadDurations(file);
    expect(expectedMs(d, 'a', 'firefox', 0)).toBe(300);
    expect(expectedMs(d, 'a', 'webkit', 0)).toBe(1_500);
    expect(expectedMs(d, 'b', 'chromium', 0)).toBe(3_000);
    expect(expectedMs(d, 's', 'chromium', 42)).toBe(42);
  });

  it('reads a wptreport.json (results[].duration); anything else is an InputFormatError', () => {
    const file = join(dir, 'wptreport.json');
    writeFileSync(
      file,
      JSON.stringify({ run_info: {}, results: [{ test: '/x/cors.html', status: 'OK', duration: 45_000, subtests: [] }] }),
    );
    expect(expectedMs(loadDurations(file), '/x/cors.html', '', 0)).toBe(45_000);
    writeFileSync(join(dir, 'bad.json'), '{"results": 3}');
    expect(() => loadDurations(join(dir, 'bad.json'))).toThrow(InputFormatError);
    expect(() => loadDurations(join(dir, 'none.json'))).toThrow(/no such file/);
  });
});

describe('wpt file timing', () => {
  const t0 = 1_700_000_000_000;
  const marks = (extra: Partial<FileMarks> = {}): FileMarks => ({
    start: t0,
    server: t0 + 10,
    browser: t0 + 20,
    attached: t0 + 900,
    committed: t0 + 1_000,
    ended: t0 + 45_000,
    closed: t0 + 45_300,
    launchedAt: t0 - 3_000,
    launchMs: 800,
    deadline: false,
    ...extra,
  });
  /** cors.https.window.html's shape: a fetch whose first request waits 3.5 s, then 20 s with nothing happening. */
  const evidence = () => {
    const e = emptyEvidence();
    const req = (url: string, at: number, ms = 5) => ({
      method: 'GET',
      url,
      status: 200,
      bytesSent: 10,
      bytesReceived: 0,
      cut: false,
      range: null,
      startedAt: t0 + at,
      completedAt: t0 + at + ms,
    });
    e.server = [
      req('https://web-platform.test:1/background-fetch/service_workers/sw-cors.js', 1_100),
      req('https://web-platform.test:1/background-fetch/service_workers/sw-helpers.js', 1_150),
      req('https://www1.web-platform.test:1/common/slow.py?x=1', 4_600, 2_000),
      req('https://www1.web-platform.test:1/a.txt', 24_700),
    ];
    e.steps = [
      { at: t0 + 1_200, what: 'testdriver: set_permission', result: 'ok' },
      { at: t0 + 44_900, what: 'subtest: x', result: { status: 'PASS' } },
    ];
    e.fetches = [
      {
        id: 'id0',
        outcome: 'success',
        failureReason: null,
        failureReasonRaw: null,
        eventType: null,
        paused: false,
        totalRequests: 1,
        resumedAfterRestart: false,
        registeredAt: t0 + 1_240,
        startedAt: t0 + 1_240,
        completedAt: t0 + 24_800,
        requests: [{ index: 0, url: 'https://www1.web-platform.test:1/a.txt', served: [e.server[3]] } as never],
        progress: [],
        probes: [],
      },
    ];
    return e;
  };

  it("names bgprobe's phases, the first fetch's wait, slow requests and the longest quiet stretch", () => {
    const t = fileTiming(marks(), evidence(), false);
    expect(t.totalMs).toBe(45_300);
    expect(t.phases.map((p) => [p.phase, p.ms])).toEqual([
      ['server', 10],
      ['browser', 10],
      ['attach', 880],
      ['load', 100],
      ['harness', 44_000],
      ['teardown', 300],
    ]);
    expect(t.launch).toEqual({ ms: 800, ahead: true });
    expect(t.fetchWaitsMs).toEqual([23_460]);
    expect(t.serviceWorkers.registrations).toBe(1);
    expect(t.slowRequests).toEqual([{ path: '/common/slow.py?x=1', ms: 2_000 }]);
    expect(t.longestQuiet).toEqual({ atMs: 24_705, ms: 20_195 });
    expect(t.waitedFor).toBeNull();
    expect(describeTiming(t)).toMatch(
      /^Time: 45\.3 s = server 0\.0 s \+ browser 0\.0 s \(launched ahead in 0\.8 s\) \+ attach 0\.9 s .*longest quiet stretch 20\.2 s from \+24\.7 s/,
    );
  });

  it('says which timeout a file waited out, and the slowest file of a run', () => {
    expect(fileTiming(marks({ deadline: true }), evidence(), true).waitedFor).toBe('runner deadline');
    expect(describeTiming(fileTiming(marks({ deadline: true }), evidence(), true))).toContain("waited out bgprobe's deadline (44.0 s)");
    expect(fileTiming(marks(), evidence(), true).waitedFor).toBe('harness timeout');
    const slow = fileTiming(marks({ deadline: true }), evidence(), true);
    expect(
      slowestLine(
        [
          { test: '/a.html', durationMs: 2_000 },
          { test: '/spins.html', durationMs: 45_300, timing: slow },
        ],
        47_000,
      ),
    ).toBe(
      "Slowest file: /spins.html 45.3 s of the run's 47.0 s (harness 44.0 s, waited out the runner deadline, quiet 20.2 s from +24.7 s).",
    );
    expect(slowestLine([], 0)).toBeNull();
  });
});
