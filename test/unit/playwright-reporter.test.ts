/**
 * The Playwright run as a bgprobe report (src/playwright/run-model.ts) and the attach modes:
 * retries kept as attempts and marked flaky, findings counted by code and origin with the
 * fixture server's port gone, the report valid against the schema and worded as tests
 * (passed/failed) in HTML and Markdown. The reporter and the attachments in a real Playwright
 * run are test/e2e/playwright-reporter.spec.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FullConfig, Suite, TestCase, TestResult } from '@playwright/test/reporter';
import { BgprobeReporter } from '../../src/playwright/reporter.js';
import {
  attachMode,
  cappedText,
  encodeData,
  keepsTimelines,
  packedHtml,
  reporterWantsData,
  PLAIN_JSON_MAX,
} from '../../src/playwright/attach.js';
import {
  decodeData,
  fetchSummary,
  findingCounts,
  playwrightReport,
  type TestAttempt,
  type TestData,
  type TestEntry,
} from '../../src/playwright/run-model.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { validateReport } from '../../src/report/load.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { Recording } from '../../src/recorder/recording.js';
import type { FetchTimeline } from '../../src/recorder/timeline.js';
import { fetchEvent, successSequence } from '../helpers/fake-cdp.js';

const ORIGIN = 'http://127.0.0.1:8080';

/** A fetch that failed with bad-status and whose worker had a misspelled fail listener. */
function failedWithTypo(id: string): FetchTimeline {
  const r = new Recording();
  for (const e of successSequence(id).slice(0, -1)) r.ingest(e);
  r.ingest(
    fetchEvent('Background Fetch completed', id, [
      ['Event Type', 'BackgroundFetchFailEvent'],
      ['Failure Reason', 'BAD_STATUS'],
    ]),
  );
  const at = r.fetch(id)!.registeredAt! - 50;
  r.ingestProbe({
    kind: 'unknown-listener',
    id: '',
    origin: `${ORIGIN}/`,
    context: 'worker',
    at,
    name: 'backgroundfetchfailure',
    via: 'addEventListener',
  });
  return r.fetch(id)!;
}

function succeeded(id: string): FetchTimeline {
  const r = new Recording();
  for (const e of successSequence(id)) r.ingest(e);
  return r.fetch(id)!;
}

/** As the reporter reads it: the attachment's bytes through decodeData. */
function data(timelines: FetchTimeline[]): TestData {
  const attached = encodeData({
    version: 1,
    fixtureOrigin: ORIGIN,
    timelines,
    otherEvents: [],
    steps: [],
    browserVersion: 'chromium 156.0',
  });
  return decodeData(attached.name, attached.body)!;
}

function attempt(retry: number, status: TestAttempt['status'], d: TestData | null): TestAttempt {
  return {
    retry,
    status,
    startedAt: 1_800_000_000_000 + retry * 1000,
    durationMs: 900,
    error: status === 'failed' ? { message: 'boom', stack: null } : null,
    data: d,
  };
}

function entry(title: string, line: number, attempts: TestAttempt[]): TestEntry {
  return {
    id: `tests/a.spec.ts › ${title}`,
    title,
    project: 'chromium',
    location: { file: 'tests/a.spec.ts', line, column: 5 },
    expectedStatus: 'passed',
    attempts,
  };
}

const RUN = {
  startedAt: 1_800_000_000_000,
  durationMs: 5000,
  interrupted: false,
  shard: null,
  mergedFrom: [],
  workers: 1,
  timeoutMs: 30_000,
  retries: 1,
  toolVersion: '0.1.0',
};

describe('a Playwright run as a bgprobe report', () => {
  const report = playwrightReport(
    [
      entry('typo', 20, [attempt(0, 'passed', data([failedWithTypo('episode-4')]))]),
      entry('clean', 10, [attempt(0, 'passed', data([succeeded('episode-5')]))]),
      entry('retried', 30, [attempt(0, 'failed', data([])), attempt(1, 'passed', data([succeeded('episode-6')]))]),
    ],
    RUN,
  );

  it('lists tests in file and line order, a retried test with both attempts, flaky', () => {
    expect(report.run.command).toBe('playwright');
    expect(report.results.map((r) => [r.scenarioId, r.verdict, r.flaky, r.attempts.length])).toEqual([
      ['tests/a.spec.ts › clean', 'conforms', false, 0],
      ['tests/a.spec.ts › typo', 'conforms', false, 0],
      ['tests/a.spec.ts › retried', 'conforms', true, 2],
    ]);
    const retried = report.results[2];
    expect(retried.attempts.map((a) => [a.verdict, a.retry, a.error?.message ?? null])).toEqual([
      ['deviates', false, 'boom'],
      ['conforms', true, null],
    ]);
    expect(report.summary.flaky).toEqual({ total: 1, reasons: [{ reason: 'passed on a retry', count: 1 }] });
    expect(report.scenarios[0]).toMatchObject({ link: 'tests/a.spec.ts:10', location: { file: 'tests/a.spec.ts', line: 10, column: 5 } });
    expect(report.browsers).toEqual([expect.objectContaining({ label: 'chromium', version: 'chromium 156.0' })]);
  });

  it('counts findings by code and app origin, the fixture server as {fixture}, errors first', () => {
    const typo = report.results[1].evidence.fetches[0];
    expect(typo.origin).toBe('{fixture}');
    expect(JSON.stringify(report)).not.toContain(ORIGIN);
    expect(report.summary.findings?.filter((f) => f.severity === 'error').map((f) => [f.code, f.origin, f.fetches, f.results])).toEqual([
      ['request-failed', '{fixture}', 1, 1],
      ['unknown-event-listener', '{fixture}', 1, 1],
    ]);
    expect(findingCounts([])).toEqual([]);
  });

  it('validates against report.schema.json and renders as tests: passed, failed, the findings table', () => {
    expect(() => validateReport(JSON.parse(renderJson(report)), 'test')).not.toThrow();
    const html = renderHtml(report);
    expect(html).toContain('<title>bgprobe playwright</title>');
    expect(html).toContain('Findings across the run');
    expect(html).toMatch(/<code>unknown-event-listener<\/code><\/td><td><code>\{fixture\}<\/code>/);
    expect(html).toContain('>passed</a>');
    expect(html).toContain('tests/a.spec.ts:10:5');
    const md = renderMarkdown(report);
    expect(md).toContain('## bgprobe playwright');
    expect(md).toContain('| unknown\\-event\\-listener | error | \\{fixture\\} | 1 | 1 |');
    expect(md).toContain('### Flaky (failed, then passed on a retry)');
    expect(html).toContain('attempt 2 (retry #1): passed in 0.9 s');
    expect(md).toContain('| Test |');
  });

  it('words one fetch as the step does', () => {
    const t = succeeded('episode-5');
    expect(fetchSummary(t)).toBe('background fetch "episode-5": success, 1020 B in 0.1 s, 0 findings');
    expect(fetchSummary(failedWithTypo('x'))).toBe('background fetch "x": failure (bad-status), 1020 B in 0.1 s, 2 findings');
  });
});

describe('attachments', () => {
  it('the JSON is plain up to 64 KB and gzip past it; both decode, the fixture origin as {fixture} but not a longer port', () => {
    const small = encodeData({
      version: 1,
      fixtureOrigin: ORIGIN,
      timelines: [succeeded('a')],
      otherEvents: [{ ...succeeded('a').events[0], origin: `${ORIGIN}0/` }],
    });
    expect(small.name).toBe('bgprobe-timelines.json');
    const back = decodeData(small.name, small.body)!;
    expect(back.timelines[0].origin).toBe('{fixture}/');
    expect(back.otherEvents[0].origin).toBe(`${ORIGIN}0/`);
    const many = Array.from({ length: 60 }, (_, i) => succeeded(`episode-${i}`));
    const big = encodeData({ version: 1, fixtureOrigin: ORIGIN, timelines: many, otherEvents: [] });
    expect(JSON.stringify(many).length).toBeGreaterThan(PLAIN_JSON_MAX);
    expect([big.name, big.contentType]).toEqual(['bgprobe-timelines.json.gz', 'application/gzip']);
    expect(decodeData(big.name, big.body)!.timelines.map((t) => t.id)).toEqual(many.map((t) => t.id));
  });

  it('a large HTML page is packed: the same page, gzip in the page, its script allowed by hash', () => {
    const page = `<!doctype html><html><head></head><body>${'<p>row</p>'.repeat(20_000)}\n<script>console.log(1)</script>\n</body></html>`;
    expect(packedHtml('<p>small</p>')).toBe('<p>small</p>');
    const packed = packedHtml(page);
    expect(packed.length).toBeLessThan(page.length / 10);
    const b64 = /<script type="application\/octet-stream" id="packed">([^<]+)<\/script>/.exec(packed)![1];
    expect(gunzipSync(Buffer.from(b64, 'base64')).toString()).toBe(page);
    expect(packed).toMatch(/script-src 'sha256-[^']+' 'sha256-[^']+'/);
    expect(cappedText('line\n'.repeat(20_000))).toMatch(/^(line\n)+\.\.\. cut at 64 KB/);
  });
});

describe('attach modes', () => {
  it('attach wins over attachOnFailure; the old spelling false is off; a typo is an error', () => {
    expect(attachMode({})).toBe('retain-on-failure');
    expect(attachMode({ attachOnFailure: false })).toBe('off');
    expect(attachMode({ attach: 'on', attachOnFailure: false })).toBe('on');
    expect(() => attachMode({ attach: 'always' as never })).toThrow(
      "attach must be one of 'on', 'off', 'retain-on-failure', 'on-first-retry'",
    );
  });

  it("keeps the timelines as Playwright's trace modes keep a trace", () => {
    const failed = { status: 'failed', expectedStatus: 'passed', retry: 0 } as const;
    const passed = { status: 'passed', expectedStatus: 'passed', retry: 0 } as const;
    const firstRetry = { status: 'passed', expectedStatus: 'passed', retry: 1 } as const;
    expect([
      keepsTimelines('on', passed),
      keepsTimelines('off', failed),
      keepsTimelines('retain-on-failure', failed),
      keepsTimelines('retain-on-failure', passed),
    ]).toEqual([true, false, true, false]);
    expect([keepsTimelines('on-first-retry', firstRetry), keepsTimelines('on-first-retry', failed)]).toEqual([true, false]);
    expect(keepsTimelines('retain-on-failure', { status: 'failed', expectedStatus: 'failed', retry: 0 })).toBe(false);
  });

  it('the JSON goes to every test when bgprobe/reporter or blob runs', () => {
    expect(reporterWantsData({ reporter: [['list', undefined]] })).toBe(false);
    expect(reporterWantsData({ reporter: [['blob', undefined]] })).toBe(true);
    expect(
      reporterWantsData({
        reporter: [
          ['html', undefined],
          ['/p/node_modules/bgprobe/dist/playwright/reporter.js', {}],
        ],
      }),
    ).toBe(true);
  });
});

describe('bgprobe/reporter over the results Playwright hands it', () => {
  // The parts of TestCase and TestResult the reporter reads, as Playwright fills them.
  const testCase = (title: string, line: number) =>
    ({
      id: title,
      title,
      titlePath: () => ['', 'chromium', 'a.spec.ts', title],
      location: { file: '/p/tests/a.spec.ts', line, column: 1 },
      parent: { project: () => ({ name: 'chromium' }) },
      expectedStatus: 'passed',
    }) as unknown as TestCase;
  const result = (retry: number, status: TestResult['status'], attachments: TestResult['attachments']) =>
    ({ retry, status, startTime: new Date(1_800_000_000_000), duration: 500, error: undefined, attachments }) as unknown as TestResult;
  const config = {
    configFile: '/p/playwright.config.ts',
    rootDir: '/p/tests',
    shard: null,
    workers: 1,
    projects: [{ timeout: 30_000, retries: 1 }],
  } as unknown as FullConfig;
  const json = (timelines: FetchTimeline[]) => {
    const a = encodeData({ version: 1, fixtureOrigin: ORIGIN, timelines, otherEvents: [] });
    return [{ name: a.name, contentType: a.contentType, body: a.body }];
  };

  function runReporter(options: ConstructorParameters<typeof BgprobeReporter>[0], feed: (r: BgprobeReporter) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'bgprobe-reporter-unit-'));
    const r = new BgprobeReporter({ configDir: dir, stepSummary: false, ...options });
    r.onConfigure(config);
    r.onBegin({} as Suite);
    feed(r);
    return { r, dir, done: () => rmSync(dir, { recursive: true, force: true }) };
  }

  it("failOn 'error-findings' turns a passed run into failed; 'never' leaves it; a bad attachment is a note, not a crash", async () => {
    for (const [failOn, want] of [
      ['error-findings', { status: 'failed' }],
      ['never', undefined],
    ] as const) {
      const { dir, r, done } = runReporter({ failOn }, (rep) => {
        rep.onTestEnd(testCase('typo', 3), result(0, 'passed', json([failedWithTypo('e')])));
        rep.onTestEnd(
          testCase('broken', 9),
          result(0, 'passed', [{ name: 'bgprobe-timelines.json', contentType: 'application/json', body: Buffer.from('{"version":1,') }]),
        );
      });
      try {
        expect(await r.onEnd({ status: 'passed', startTime: new Date(), duration: 1000 })).toEqual(want);
        const written = JSON.parse(
          readFileSync(join(dir, 'bgprobe-report/report.json'), 'utf8'),
        ) as import('../../src/report/model.js').ReportModel;
        expect(() => validateReport(written, 'report.json')).not.toThrow();
        expect(written.scenarios.map((x) => [x.id, x.link])).toEqual([
          ['tests/a.spec.ts › typo', 'tests/a.spec.ts:3'],
          ['tests/a.spec.ts › broken', 'tests/a.spec.ts:9'],
        ]);
        expect(written.results[1].evidence.notes[0]).toMatch(/^bgprobe's attachment could not be read: /);
      } finally {
        done();
      }
    }
  });

  it('under merge-reports, failOn fails by throwing (merge-reports reads no status); shards are kept', async () => {
    const { r, done } = runReporter({ failOn: 'findings', _mode: 'merge' } as never, (rep) => {
      rep.onReportConfigure({ reportPath: 'a.zip', config: { shard: { current: 1, total: 2 } } as FullConfig });
      rep.onTestEnd(testCase('typo', 3), result(0, 'failed', json([]))); // a retry below passes: flaky
      rep.onTestEnd(testCase('typo', 3), result(1, 'passed', json([failedWithTypo('e')])));
    });
    try {
      await expect(r.onEnd({ status: 'passed', startTime: new Date(), duration: 1000 })).rejects.toThrow(
        /failOn 'findings': \d+ finding\(s\)/,
      );
      const model = r.model({ status: 'passed', startTime: new Date(), duration: 1000 });
      expect(model.run.mergedFrom).toEqual([{ index: 1, total: 2 }]);
      expect(model.results[0]).toMatchObject({ flaky: true, verdict: 'conforms' });
      expect(model.results[0].attempts).toHaveLength(2);
    } finally {
      done();
    }
  });
});
