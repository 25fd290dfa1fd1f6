// The wpt layer without a browser: the checkout check, test selection, the baseline rule,
// wptreport.json's shape and the report model a run becomes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputFormatError, UsageError } from '../../src/errors.js';
import { validateReport } from '../../src/report/load.js';
import { emptyEvidence } from '../../src/evidence/evidence.js';
import { globToRegExp } from '../../src/util/regexp.js';
import { defaultWptWorkers } from '../../src/wpt/config.js';
import {
  checkWptRoot,
  combineTries,
  isLongTimeout,
  laneOf,
  loadBaseline,
  Metadata,
  wptReportName,
  regressions,
  runInfoOf,
  selectTests,
  toWptReport,
  wptReportModel,
  wptRevision,
  type WptAttempt,
  type WptRun,
} from '../../src/wpt/index.js';
import { wptFyiProblems } from '../helpers/wptreport-format.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-run-'));
  for (const d of ['resources', 'bf/resources', 'bf/sub']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'resources/testharness.js'), '');
  writeFileSync(join(root, 'bf/a.https.window.js'), '// META: timeout=long\n');
  writeFileSync(join(root, 'bf/idl.https.any.js'), '// META: global=window,serviceworker\n');
  writeFileSync(join(root, 'bf/sub/c.html'), '<script src="/resources/testharness.js"></script>');
  writeFileSync(join(root, 'bf/resources/helper.js'), '');
  writeFileSync(join(root, 'bf/resources/frame.html'), '<script src="/resources/testharness.js"></script>');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the checkout and the selection', () => {
  it('a root without resources/testharness.js is an InputFormatError naming that file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'bgprobe-not-wpt-'));
    try {
      expect(() => checkWptRoot(empty)).toThrow(InputFormatError);
      expect(() => checkWptRoot(empty)).toThrow(`expected ${join(empty, 'resources/testharness.js')}`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(checkWptRoot(root)).toBe(root);
  });

  it('selects directories (skipping resources/), files and globs; a selection that matches nothing is a UsageError', () => {
    expect(selectTests(root, ['bf/'])).toEqual([
      '/bf/a.https.window.html',
      '/bf/idl.https.any.html',
      '/bf/idl.https.any.serviceworker.html',
      '/bf/sub/c.html',
    ]);
    expect(selectTests(root, ['bf/*.js'])).toEqual([
      '/bf/a.https.window.html',
      '/bf/idl.https.any.html',
      '/bf/idl.https.any.serviceworker.html',
    ]);
    expect(selectTests(root, ['bf/**/*.html'])).toEqual(['/bf/sub/c.html']);
    expect(() => selectTests(root, ['bf/nope/'])).toThrow(UsageError);
    expect(() => selectTests(root, ['bf/resources/helper.js'])).toThrow(/No testharness test matches/);
    expect(globToRegExp('a/**/b*.js', '/').test('a/x/y/bee.js')).toBe(true);
    expect(globToRegExp('a/*.js', '/').test('a/x/b.js')).toBe(false);
  });

  it('reads the long timeout from META or <meta>', () => {
    expect(isLongTimeout(root, '/bf/a.https.window.html')).toBe(true);
    expect(isLongTimeout(root, '/bf/idl.https.any.serviceworker.html')).toBe(false);
  });
});

function run(subtests: Array<[string, 'PASS' | 'FAIL' | 'TIMEOUT']>, status: 'OK' | 'TIMEOUT' | 'ERROR' = 'OK'): WptRun {
  return {
    startedAt: 1000,
    durationMs: 500,
    interrupted: false,
    browser: { label: 'chromium', executablePath: '/usr/bin/chromium', version: '156.0.1', args: [] },
    timeoutMultiplier: 5,
    workers: 2,
    retries: 1,
    launches: 1,
    shard: null,
    selection: [],
    port443: null,
    results: [
      {
        test: '/bf/a.https.window.html',
        status,
        message: null,
        startedAt: 1000,
        durationMs: 400,
        subtests: subtests.map(([name, s]) => ({ name, status: s, message: s === 'PASS' ? null : 'why' })),
        evidence: emptyEvidence(),
        browserLost: null,
        flaky: false,
        attempts: [],
      },
    ],
  };
}

describe('wptreport.json and the baseline', () => {
  it("has wptrunner's fields, with the multiplier in run_info", () => {
    const r = toWptReport(run([['one', 'PASS']]));
    expect(r).toMatchObject({
      time_start: 1000,
      time_end: 1500,
      run_info: { product: 'chromium', browser_version: '156.0.1', timeout_multiplier: 5 },
    });
    expect(r.results).toEqual([
      {
        test: '/bf/a.https.window.html',
        subsuite: '',
        status: 'OK',
        message: null,
        duration: 400,
        subtests: [{ name: 'one', status: 'PASS', message: null }],
      },
    ]);
  });

  it('is a report wpt.fyi takes: its required run_info, each test once, wptrunner statuses; the checker refuses what wpt.fyi refuses', () => {
    const good = toWptReport(
      run(
        [
          ['one', 'PASS'],
          ['two', 'FAIL'],
        ],
        'TIMEOUT',
      ),
      { runInfo: { ...runInfoOf(run([])), revision: 'a'.repeat(40) }, skipped: [{ test: '/bf/off.html', reason: 'disabled' }] },
    );
    expect(wptFyiProblems(good, { requireRevision: true })).toEqual([]);
    expect(good.run_info).toMatchObject({
      product: 'chromium',
      browser_channel: 'stable',
      browser_version: '156.0.1',
      os: 'linux',
      debug: false,
      revision: 'a'.repeat(40),
    });
    expect(good.results.map((r) => [r.test, r.status])).toEqual([
      ['/bf/a.https.window.html', 'TIMEOUT'],
      ['/bf/off.html', 'SKIP'],
    ]);
    // A browser whose version could not be read still gives a string (wpt.fyi matches a regex on it).
    expect(toWptReport({ ...run([]), browser: { ...run([]).browser, version: null } }).run_info['browser_version']).toBe('unknown');
    const bad = {
      ...good,
      run_info: { ...good.run_info, browser_version: null, os: undefined },
      results: [...good.results, { ...good.results[0], test: 'no-slash', status: 'MAYBE' }, good.results[0]],
    };
    expect(wptFyiProblems(bad)).toEqual([
      "Missing required metadata 'browser_version' (a non-empty string)",
      "Missing required metadata 'os' (a non-empty string)",
      "results[2].test no-slash is not a path starting with '/'",
      'results[2].status MAYBE is not a wptrunner test status',
      "Conflicting '/bf/a.https.window.html' found in the merged report",
    ]);
    expect(wptFyiProblems({ run_info: {} })).toEqual(["Missing 'results' field"]);
    expect(wptFyiProblems(toWptReport(run([]))), 'a checkout that is not a git clone has no revision').toEqual([]);
    expect(wptFyiProblems(toWptReport(run([])), { requireRevision: true })).toEqual([
      "Missing required metadata 'revision' (a non-empty string)",
    ]);
  });

  it('with --metadata, a status that was not expected carries `expected` (and its known intermittent ones), as mozlog writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-meta-'));
    try {
      mkdirSync(join(dir, 'bf'));
      writeFileSync(
        join(dir, 'bf/a.https.window.js.ini'),
        '[a.https.window.html]\n  expected: TIMEOUT\n  [two]\n    expected: [PASS, TIMEOUT]\n  [three]\n    expected: FAIL\n',
      );
      const r = toWptReport(
        run([
          ['one', 'PASS'],
          ['two', 'FAIL'],
          ['three', 'FAIL'],
        ]),
        { metadata: Metadata.open(dir) },
      );
      expect(r.results[0]).toMatchObject({ status: 'OK', expected: 'TIMEOUT' });
      expect(r.results[0].subtests).toEqual([
        { name: 'one', status: 'PASS', message: null },
        { name: 'two', status: 'FAIL', message: 'why', expected: 'PASS', known_intermittent: ['TIMEOUT'] },
        { name: 'three', status: 'FAIL', message: 'why' },
      ]);
      expect(wptFyiProblems(r)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a browser is a lane in wptrunner's terms, and several browsers a column and a wptreport file each", () => {
    expect(laneOf({ label: 'c', kind: 'default', target: null, args: [] })).toEqual({ product: 'chromium', channel: 'stable' });
    expect(laneOf({ label: 'f', kind: 'path', target: '/usr/bin/firefox-esr', args: [], engine: 'firefox' })).toEqual({
      product: 'firefox',
      channel: 'esr',
    });
    expect(laneOf({ label: 'w', kind: 'path', target: '/mb', args: [], engine: 'webkit' })).toEqual({
      product: 'webkitgtk',
      channel: 'stable',
    });
    expect(laneOf({ label: 'w+', kind: 'path', target: '/mb', args: ['--features=+BackgroundFetchAPI'], engine: 'webkit' })).toEqual({
      product: 'webkitgtk',
      channel: 'experimental',
    });
    expect(wptReportName('chromium', false)).toBe('wptreport.json');
    expect(wptReportName('webkit+bgfetch', true)).toBe('wptreport-webkit+bgfetch.json');
    expect(wptReportName('/usr/bin/firefox-esr --x=1', true)).toBe('wptreport-usr-bin-firefox-esr-x-1.json');
    const one = run([['one', 'PASS']]);
    const other = { ...run([['one', 'FAIL']]), browser: { ...one.browser, label: 'webkit', engine: 'webkit' as const } };
    const model = wptReportModel([{ run: one }, { run: other, skipped: [{ test: '/bf/off.html', reason: 'no' }] }], null);
    expect(model.browsers.map((b) => [b.label, b.engine])).toEqual([
      ['chromium', 'chromium'],
      ['webkit', 'webkit'],
    ]);
    expect(model.results.map((r) => [r.browser, r.scenarioId, r.verdict])).toEqual([
      ['chromium', '/bf/a.https.window.html', 'conforms'],
      ['webkit', '/bf/a.https.window.html', 'deviates'],
    ]);
    expect(model.scenarios.map((x) => [x.id, x.skipReason])).toEqual([
      ['/bf/a.https.window.html', null],
      ['/bf/off.html', 'disabled in the metadata: no'],
    ]);
    expect(() => validateReport(JSON.parse(JSON.stringify(model)), 'model')).not.toThrow();
  });

  it('the revision of a git checkout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-git-'));
    try {
      expect(wptRevision(dir)).toBeNull();
      mkdirSync(join(dir, '.git/refs/heads'), { recursive: true });
      writeFileSync(join(dir, '.git/HEAD'), 'ref: refs/heads/master\n');
      writeFileSync(join(dir, '.git/packed-refs'), `# pack-refs\n${'b'.repeat(40)} refs/heads/master\n`);
      expect(wptRevision(dir)).toBe('b'.repeat(40));
      writeFileSync(join(dir, '.git/refs/heads/master'), `${'c'.repeat(40)}\n`);
      expect(wptRevision(dir)).toBe('c'.repeat(40));
      writeFileSync(join(dir, '.git/HEAD'), `${'d'.repeat(40)}\n`);
      expect(wptRevision(dir)).toBe('d'.repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PASS there that is not a PASS now (or is gone) is a regression; other changes are not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-base-'));
    try {
      const file = join(dir, 'base.json');
      writeFileSync(
        file,
        JSON.stringify(
          toWptReport(
            run([
              ['one', 'PASS'],
              ['two', 'PASS'],
              ['three', 'FAIL'],
              ['four', 'PASS'],
            ]),
          ),
        ),
      );
      const base = loadBaseline(file);
      expect(
        regressions(
          base,
          run([
            ['one', 'PASS'],
            ['two', 'TIMEOUT'],
            ['three', 'PASS'],
          ]),
        ),
      ).toEqual([
        { test: '/bf/a.https.window.html', subtest: 'two', now: 'TIMEOUT' },
        { test: '/bf/a.https.window.html', subtest: 'four', now: 'MISSING' },
      ]);
      writeFileSync(file, '{"results": 3}');
      expect(() => loadBaseline(file)).toThrow(/is not a wptreport.json/);
      expect(() => loadBaseline(join(dir, 'none.json'))).toThrow(/no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the report model of a run', () => {
  it('a test file is a scenario, its verdict from the harness and the subtests, and the model is a valid report', () => {
    const model = wptReportModel(
      run([
        ['one', 'PASS'],
        ['two', 'FAIL'],
      ]),
      { name: 'base.json', regressions: [{ test: '/bf/a.https.window.html', subtest: 'two', now: 'FAIL' }] },
    );
    expect(model.scenarios.map((s) => [s.id, s.link])).toEqual([
      ['/bf/a.https.window.html', 'https://wpt.fyi/results/bf/a.https.window.html'],
    ]);
    expect(model.results[0]).toMatchObject({
      verdict: 'deviates',
      summary: 'harness OK, 1/2 subtests PASS; FAIL "two": why',
      observation: { status: 'OK', subtests: { one: 'PASS', two: 'FAIL' } },
    });
    expect(model.comparison).toMatchObject({ baseline: 'base.json', regressions: 1 });
    expect(model.run.command).toBe('wpt');
    expect(() => validateReport(JSON.parse(JSON.stringify(model)), 'model')).not.toThrow();
    expect(wptReportModel(run([['one', 'PASS']]), null).results[0].verdict).toBe('conforms');
    expect(wptReportModel(run([['one', 'PASS']], 'ERROR'), null).results[0].verdict).toBe('error');
    expect(
      wptReportModel(
        run(
          [
            ['one', 'PASS'],
            ['two', 'TIMEOUT'],
          ],
          'TIMEOUT',
        ),
        null,
      ).results[0].verdict,
    ).toBe('deviates');
  });
});

describe('a test file re-run after its browser was lost', () => {
  const attempt = (status: 'OK' | 'CRASH', lost: boolean, at: number): WptAttempt => ({
    test: '/bf/a.https.window.html',
    status,
    message: status === 'CRASH' ? 'The browser went away.' : null,
    startedAt: at,
    durationMs: 100,
    subtests: status === 'OK' ? [{ name: 'one', status: 'PASS', message: null }] : [],
    evidence: emptyEvidence(),
    browserLost: lost ? { fatal: null } : null,
  });

  it("takes the re-run's status, is flaky and keeps both runs; wptreport.json carries the re-run only", () => {
    const r = combineTries([attempt('CRASH', true, 1000), attempt('OK', false, 2000)]);
    expect(r).toMatchObject({ status: 'OK', flaky: true, startedAt: 2000 });
    expect(r.attempts.map((a) => a.status)).toEqual(['CRASH', 'OK']);
    const base = run([['one', 'PASS']]);
    const model = wptReportModel({ ...base, results: [r] }, null);
    expect(model.results[0]).toMatchObject({ verdict: 'conforms', flaky: true });
    expect(model.results[0].attempts.map((a) => [a.retry, a.verdict, a.browserLost])).toEqual([
      [false, 'error', { fatal: null }],
      [true, 'conforms', null],
    ]);
    expect(model.summary.flaky).toEqual({ total: 1, reasons: [{ reason: 'browser disconnected', count: 1 }] });
    expect(() => validateReport(JSON.parse(JSON.stringify(model)), 'model')).not.toThrow();
    expect(toWptReport({ ...base, results: [r] }).results.map((x) => x.status)).toEqual(['OK']);
  });

  it('a re-run that lost its browser again is a CRASH, not flaky; one run alone keeps no attempts', () => {
    expect(combineTries([attempt('CRASH', true, 1), attempt('CRASH', true, 2)])).toMatchObject({ status: 'CRASH', flaky: false });
    expect(combineTries([attempt('OK', false, 1)])).toMatchObject({ flaky: false, attempts: [] });
  });
});

describe('bgprobe wpt flags', () => {
  const parse = async (argv: string[]) => {
    const { parseArgs } = await import('../../src/cli/parse.js');
    return parseArgs(argv);
  };

  it('defaults: background-fetch/ selection left to the run, 2 workers per core, multiplier 5, out bgprobe-wpt', async () => {
    const parsed = await parse(['wpt', '--wpt-root', 'wpt']);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({
      tests: [],
      wptRoot: 'wpt',
      workers: defaultWptWorkers(availableParallelism()),
      timeoutMultiplier: 5,
      retries: 1,
      out: 'bgprobe-wpt',
      baseline: null,
      durations: null,
      shard: null,
    });
    expect([1, 2, 4, 64].map(defaultWptWorkers)).toEqual([2, 4, 8, 16]);
    const more = await parse([
      'wpt',
      'a/',
      'b/*.js',
      '--wpt-root',
      'w',
      '--shard',
      '2/3',
      '--timeout-multiplier',
      '2.5',
      '--browser-args=--lang=fr',
    ]);
    expect(more.kind === 'run' && more.options).toMatchObject({
      tests: ['a/', 'b/*.js'],
      shard: { index: 2, total: 3 },
      timeoutMultiplier: 2.5,
      browsers: [{ args: ['--lang=fr'] }],
      metadata: null,
      updateMetadata: null,
    });
  });

  it('several --browser: a column each; --browser all adds WebKitGTK with Background Fetch switched on', async () => {
    const two = await parse([
      'wpt',
      '--wpt-root',
      'w',
      '--browser',
      '/a/chromium',
      '--browser',
      '/b/chromium',
      '--label',
      'one',
      '--label',
      'two',
    ]);
    expect(two.kind === 'run' && (two.options as { browsers: Array<{ label: string }> }).browsers.map((b) => b.label)).toEqual([
      'one',
      'two',
    ]);
    const { withWebKitFeatureLane } = await import('../../src/cli/commands/wpt.args.js');
    const webkit = { label: 'webkit', kind: 'path' as const, target: '/mb', args: [], engine: 'webkit' as const };
    const chromium = { label: 'chromium', kind: 'default' as const, target: null, args: [] };
    expect(withWebKitFeatureLane([chromium, webkit], true)).toEqual([
      chromium,
      webkit,
      { ...webkit, label: 'webkit+bgfetch', args: ['--features=+BackgroundFetchAPI'] },
    ]);
    // Not without `all`, nor when a --browser already runs WebKitGTK with the feature.
    expect(withWebKitFeatureLane([chromium, webkit], false)).toHaveLength(2);
    expect(withWebKitFeatureLane([webkit, { ...webkit, label: 'on', args: ['--features=+BackgroundFetchAPI'] }], true)).toHaveLength(2);
  });

  it.each([
    [['wpt'], /--wpt-root <dir> is required/],
    [['wpt', '--wpt-root', 'w', '--browser', '/a', '--browser-args=x', '--browser-args=y'], /2 --browser-args for 1 browser/],
    [['wpt', '--wpt-root', 'w', '--browser', 'chrome-beta'], /not a channel name/],
    [['wpt', '--wpt-root', 'w', '--metadata='], /--metadata needs a directory/],
    [['wpt', '--wpt-root', 'w', '--browser', 'http://127.0.0.1:9222'], /not an endpoint/],
    [['wpt', '--wpt-root', 'w', '--timeout-multiplier', '0'], /--timeout-multiplier must be a positive number/],
    [['wpt', '--wpt-root', 'w', '--shard', '4/3'], /--shard "4\/3" is not valid/],
    [['wpt', '--wpt-root', 'w', '--retries', '-1'], /--retries must be a whole number of at least 0/],
  ])('rejects %j with a UsageError', async (argv, message) => {
    const error = await parse(argv).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('the output directory', () => {
  it('holds wptreport.json beside the report, and a second run may replace it (it is a report file)', async () => {
    const { writeReport } = await import('../../src/report/write.js');
    const { readFileSync, writeFileSync: write } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-out-'));
    try {
      const out = join(dir, 'o');
      const model = wptReportModel(run([['one', 'PASS']]), null);
      writeReport(out, model, ['json'], { extra: { 'wptreport.json': '{"results":[1]}' } });
      writeReport(out, model, ['json', 'md'], { extra: { 'wptreport.json': '{"results":[2]}' } });
      expect(readFileSync(join(out, 'wptreport.json'), 'utf8')).toBe('{"results":[2]}');
      write(join(out, 'notes.txt'), 'mine');
      expect(() => writeReport(out, model, ['json'], { extra: { 'wptreport.json': '{}' } })).toThrow(UsageError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('explaining a subtest that did not pass', () => {
  it('names the background fetches registered while it ran, how they ended and what reached the server', async () => {
    const { explainSubtests } = await import('../../src/wpt/explain.js');
    const fetch = (id: string, registeredAt: number, outcome: 'success' | 'failure', served: number[]) => ({
      id,
      outcome,
      failureReason: outcome === 'failure' ? ('fetch-error' as const) : null,
      failureReasonRaw: null,
      eventType: null,
      paused: null,
      totalRequests: served.length,
      resumedAfterRestart: false,
      registeredAt,
      startedAt: registeredAt,
      completedAt: registeredAt + 10,
      requests: served.map((n, index) => ({
        index,
        url: `https://x/${index}`,
        status: null,
        bytes: 0,
        uploadBytes: 0,
        startedAt: null,
        completedAt: null,
        attempts: 1,
        served: Array(n).fill({}),
      })),
      progress: [],
      probes: [],
    });
    const subtests = [
      { name: 'a', status: 'PASS' as const, message: null },
      { name: 'b', status: 'FAIL' as const, message: 'x' },
      { name: 'c', status: 'TIMEOUT' as const, message: null },
    ];
    const arrived = new Map([
      ['a', 110],
      ['b', 220],
      ['c', 330],
    ]);
    const fetches = [fetch('id0', 105, 'success', [1]), fetch('id1', 150, 'failure', [0, 0]), fetch('id2', 250, 'success', [1, 1])];
    expect(explainSubtests(subtests, arrived, fetches as never, 100)).toEqual([
      'FAIL "b": the assertion: "x"; evidence from its time: background fetch "id1" failure (fetch-error), 0 of 2 request(s) reached the server.',
      'TIMEOUT "c": no assertion message; evidence from its time: background fetch "id2" success, 2 of 2 request(s) reached the server.',
    ]);
  });

  it('where nothing was recorded in its time, says so and quotes the assertion instead of guessing a cause', async () => {
    const { explainSubtests } = await import('../../src/wpt/explain.js');
    const idl = {
      name: 'BackgroundFetchManager interface: operation fetch(DOMString, RequestInfo or sequence<RequestInfo>, optional BackgroundFetchOptions)',
      status: 'FAIL' as const,
      message: 'property has wrong .length expected 2 but got 0',
    };
    expect(explainSubtests([idl], new Map([[idl.name, 500]]), [], 100)).toEqual([
      `FAIL "${idl.name}": no evidence recorded for this subtest; the assertion: "property has wrong .length expected 2 but got 0".`,
    ]);
    expect(explainSubtests([{ name: 'z', status: 'FAIL', message: null }], new Map([['z', 500]]), [], 100)).toEqual([
      'FAIL "z": no evidence recorded for this subtest; no assertion message.',
    ]);
  });
});
