// wptrunner's expectation files: where a test's expectations live, how a run is held against
// them (expected, known intermittent, unexpected), and --update-metadata's writing, which a run
// checked against what it just wrote must pass.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputFormatError, UsageError } from '../../src/errors.js';
import {
  checkMetadataDir,
  Metadata,
  metadataLocation,
  unexpectedResults,
  updateMetadata,
  type ResultLike,
  type UpdateRun,
} from '../../src/wpt/expectations.js';
import type { RunInfo } from '../../src/wpt/wptmanifest.js';

const chromium: RunInfo = { product: 'chromium', browser_channel: 'stable', os: 'linux', debug: false };
const firefox: RunInfo = { product: 'firefox', browser_channel: 'esr', os: 'linux', debug: false };
const webkit: RunInfo = { product: 'webkitgtk', browser_channel: 'stable', os: 'linux', debug: false };
const webkitFeature: RunInfo = { product: 'webkitgtk', browser_channel: 'experimental', os: 'linux', debug: false };

const FETCH = '/background-fetch/fetch.https.window.html';
const GET = '/background-fetch/get.https.window.html';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-wpt-meta-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}
const read = (rel: string) => readFileSync(join(dir, rel), 'utf8');

const result = (test: string, status: string, subtests: Record<string, string>): ResultLike => ({
  test,
  status,
  subtests: Object.entries(subtests).map(([name, s]) => ({ name, status: s })),
});

describe('where expectations live', () => {
  it.each([
    [FETCH, 'background-fetch/fetch.https.window.js.ini', 'fetch.https.window.html'],
    ['/a/b.any.worker.html', 'a/b.any.js.ini', 'b.any.worker.html'],
    ['/a/b.any.serviceworker.html?v=1/2', 'a/b.any.js.ini', 'b.any.serviceworker.html?v=1/2'],
    ['/a/plain.html', 'a/plain.html.ini', 'plain.html'],
    ['/a/b.worker.html', 'a/b.worker.js.ini', 'b.worker.html'],
  ])('%s: %s [%s]', (test, file, heading) => {
    expect(metadataLocation(test)).toEqual({ file, heading });
  });
});

describe('a run held against the metadata', () => {
  it('without metadata for a test: OK and PASS are expected, anything else is not', () => {
    const m = Metadata.open(dir);
    expect(unexpectedResults(m, [result(FETCH, 'OK', { a: 'PASS', b: 'FAIL' }), result(GET, 'TIMEOUT', {})], chromium)).toEqual([
      { test: FETCH, subtest: 'b', status: 'FAIL', expected: ['PASS'] },
      { test: GET, subtest: null, status: 'TIMEOUT', expected: ['OK'] },
    ]);
  });

  it('expected, conditional values, known intermittent lists', () => {
    write(
      'background-fetch/fetch.https.window.js.ini',
      [
        '[fetch.https.window.html]',
        '  expected:',
        '    if product == "firefox": TIMEOUT',
        '  [a]',
        '    expected: FAIL',
        '  [b]',
        '    expected:',
        '      if product == "chromium" and os == "linux": [PASS, FAIL]',
        '      NOTRUN',
        '',
      ].join('\n'),
    );
    const m = Metadata.open(dir);
    const run = [result(FETCH, 'OK', { a: 'FAIL', b: 'FAIL', c: 'PASS' })];
    expect(unexpectedResults(m, run, chromium)).toEqual([]);
    expect(unexpectedResults(m, run, firefox)).toEqual([
      { test: FETCH, subtest: null, status: 'OK', expected: ['TIMEOUT'] },
      { test: FETCH, subtest: 'b', status: 'FAIL', expected: ['NOTRUN'] },
    ]);
    expect(m.expected(FETCH, chromium).subtest('b')).toEqual(['PASS', 'FAIL']);
  });

  it('disabled on the test, on the file, or in a __dir__.ini above it; @False and conditions that do not hold leave it enabled', () => {
    write(
      'background-fetch/fetch.https.window.js.ini',
      '[fetch.https.window.html]\n  disabled:\n    if product == "webkitgtk": https://bugs.webkit.org/1\n',
    );
    write('background-fetch/get.https.window.js.ini', 'disabled: @False\n');
    write('__dir__.ini', 'disabled:\n  if product == "firefox": no Background Fetch\n');
    const m = Metadata.open(dir);
    expect(m.disabled(FETCH, webkit)).toBe('https://bugs.webkit.org/1');
    expect(m.disabled(FETCH, chromium)).toBeNull();
    expect(m.disabled(FETCH, firefox)).toBe('no Background Fetch');
    // The file's own @False is nearer than the folder's.
    expect(m.disabled(GET, firefox)).toBeNull();
    expect(m.disabled('/other/x.html', firefox)).toBe('no Background Fetch');
  });

  it('every file of a folder is checked up front: a broken one anywhere is an input error naming its line', () => {
    expect(checkMetadataDir(join(dir, 'not-yet'))).toBe(0);
    write('a/ok.html.ini', '[ok.html]\n  expected: FAIL\n');
    write('a/b/__dir__.ini', 'disabled: yes\n');
    write('a/notes.txt', 'not an expectation file [');
    expect(checkMetadataDir(dir)).toBe(2);
    write('a/b/broken.html.ini', '[broken.html]\n  expected: [PASS\n');
    expect(() => checkMetadataDir(dir)).toThrow(InputFormatError);
    expect(() => checkMetadataDir(dir)).toThrow(/broken\.html\.ini line 2/);
  });

  it('a missing folder is a usage error, a broken file an input error naming its line', () => {
    expect(() => Metadata.open(join(dir, 'nope'))).toThrow(UsageError);
    write('background-fetch/fetch.https.window.js.ini', '[fetch.https.window.html]\n  expected: @Bogus\n');
    const m = Metadata.open(dir);
    expect(() => m.expected(FETCH, chromium)).toThrow(InputFormatError);
    expect(() => m.expected(FETCH, chromium)).toThrow(/fetch\.https\.window\.js\.ini line 2/);
  });
});

describe('--update-metadata', () => {
  const runs = (): UpdateRun[] => [
    { runInfo: chromium, results: [result(FETCH, 'OK', { a: 'PASS', b: 'FAIL', 'c ]#x': 'PASS' }), result(GET, 'OK', { g: 'PASS' })] },
    { runInfo: firefox, results: [result(FETCH, 'OK', { a: 'FAIL', b: 'FAIL', 'c ]#x': 'FAIL' }), result(GET, 'OK', { g: 'FAIL' })] },
    { runInfo: webkit, results: [result(FETCH, 'OK', { a: 'FAIL', b: 'FAIL', 'c ]#x': 'FAIL' }), result(GET, 'OK', { g: 'FAIL' })] },
    { runInfo: webkitFeature, results: [result(FETCH, 'TIMEOUT', { a: 'PASS', b: 'TIMEOUT' }), result(GET, 'OK', { g: 'PASS' })] },
  ];

  // [a] and [g]: two PASS, two FAIL; on a tie the built-in default (PASS) stays implicit.
  it('writes what wpt update-expectations writes: defaults left out, conditions per browser, the commonest value the default', () => {
    const { written } = updateMetadata(dir, runs());
    expect(written).toEqual(['background-fetch/fetch.https.window.js.ini', 'background-fetch/get.https.window.js.ini']);
    expect(read('background-fetch/fetch.https.window.js.ini')).toBe(
      [
        '[fetch.https.window.html]',
        '  expected:',
        '    if (product == "webkitgtk") and (browser_channel == "experimental"): TIMEOUT',
        '  [a]',
        '    expected:',
        '      if (product == "webkitgtk") and (browser_channel == "stable"): FAIL',
        '      if product == "firefox": FAIL',
        '',
        '  [b]',
        '    expected:',
        '      if (product == "webkitgtk") and (browser_channel == "experimental"): TIMEOUT',
        '      FAIL',
        '',
        '  [c \\]#x]',
        '    expected:',
        '      if product == "chromium": PASS',
        '      FAIL',
        '',
      ].join('\n'),
    );
    expect(read('background-fetch/get.https.window.js.ini')).toBe(
      '[get.https.window.html]\n  [g]\n    expected:\n      if (product == "webkitgtk") and (browser_channel == "stable"): FAIL\n      if product == "firefox": FAIL\n',
    );
  });

  it('round-trips: each run held against what the runs wrote has nothing unexpected; one edit gives exactly one', () => {
    updateMetadata(dir, runs());
    for (const run of runs()) expect(unexpectedResults(Metadata.open(dir), run.results, run.runInfo)).toEqual([]);
    // A second update from the same runs changes nothing.
    expect(updateMetadata(dir, runs())).toEqual({ written: [], removed: [] });
    const edited = read('background-fetch/get.https.window.js.ini').replace(
      'if product == "firefox": FAIL',
      'if product == "firefox": PASS',
    );
    expect(edited).toContain('if product == "firefox": PASS');
    write('background-fetch/get.https.window.js.ini', edited);
    const all = runs().flatMap((run) => unexpectedResults(Metadata.open(dir), run.results, run.runInfo));
    expect(all).toEqual([{ test: GET, subtest: 'g', status: 'FAIL', expected: ['PASS'] }]);
  });

  it('a single browser keeps the other browsers’ conditions, comments and keys; an expected known-intermittent value stays', () => {
    write(
      'background-fetch/fetch.https.window.js.ini',
      [
        '# Kept: a human note.',
        '[fetch.https.window.html]',
        '  bug: https://crbug.com/1',
        '  [a]',
        '    expected:',
        '      if product == "firefox": TIMEOUT',
        '      if product == "chromium": FAIL',
        '  [b]',
        '    expected: [PASS, FAIL]',
        '',
      ].join('\n'),
    );
    const { written } = updateMetadata(dir, [{ runInfo: chromium, results: [result(FETCH, 'OK', { a: 'PASS', b: 'FAIL' })] }]);
    expect(written).toEqual(['background-fetch/fetch.https.window.js.ini']);
    expect(read('background-fetch/fetch.https.window.js.ini')).toBe(
      [
        '# Kept: a human note.',
        '[fetch.https.window.html]',
        '  bug: https://crbug.com/1',
        '  [a]',
        '    expected:',
        '      if product == "firefox": TIMEOUT',
        '',
        '  [b]',
        '    expected: [PASS, FAIL]',
        '',
      ].join('\n'),
    );
  });

  it('a test that now gives only defaults loses its heading, a file left empty is removed', () => {
    write('background-fetch/get.https.window.js.ini', '[get.https.window.html]\n  expected: TIMEOUT\n  [g]\n    expected: FAIL\n');
    expect(updateMetadata(dir, [{ runInfo: chromium, results: [result(GET, 'OK', { g: 'PASS' })] }])).toEqual({
      written: [],
      removed: ['background-fetch/get.https.window.js.ini'],
    });
    expect(existsSync(join(dir, 'background-fetch/get.https.window.js.ini'))).toBe(false);
  });

  it('two runs of one browser that differ become a known-intermittent list', () => {
    updateMetadata(dir, [
      { runInfo: chromium, results: [result(GET, 'OK', { g: 'PASS' })] },
      { runInfo: chromium, results: [result(GET, 'OK', { g: 'FAIL' })] },
    ]);
    expect(read('background-fetch/get.https.window.js.ini')).toBe('[get.https.window.html]\n  [g]\n    expected: [PASS, FAIL]\n');
  });
});
