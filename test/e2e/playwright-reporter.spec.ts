/**
 * examples/playwright-reporter as a user runs it, from the packed tarball: `npx playwright test`
 * with the HTML reporter and bgprobe/reporter over three tests on small apps (clean, a failing
 * download, a misspelled fail listener). Then: Playwright's HTML report, opened in Chromium,
 * shows the bgprobe steps and the HTML timeline attachment, which opens with its chart drawn;
 * the bgprobe report lists the three tests with their fetches and the finding; failOn:
 * 'error-findings' failed a run whose tests all passed; and the two shards of the same run,
 * merged by `merge-reports` from their blob reports, give the same bgprobe report.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from '@playwright/test';
import { packedHtml, timelineHtml } from '../../src/playwright/attach.js';
import { Recording } from '../../src/recorder/recording.js';
import type { ReportModel } from '../../src/report/model.js';
import { REPO, childEnv, describeRun, installInto, packTarball, run, type Run } from '../helpers/user-project.js';

test.describe.configure({ mode: 'serial' });

const TITLES = ['the clean app downloads the episode', 'a missing file fails the download', 'the misspelled app fails the download too'];

let work = '';
let project = '';
let full: Run;
let merged: Run;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolvePort(port));
    });
  });
}

const readReport = async (dir: string) => JSON.parse(await readFile(join(project, dir, 'report.json'), 'utf8')) as ReportModel;

/** What must not differ between a run and its shards merged: tests, outcomes, fetches, findings. */
function essence(r: ReportModel) {
  return {
    tests: r.results.map((x) => ({
      id: x.scenarioId,
      project: x.browser,
      verdict: x.verdict,
      fetches: x.evidence.fetches.map((f) => ({
        id: f.id,
        origin: f.origin,
        outcome: f.outcome,
        reason: f.failureReason,
        requests: f.requests.map((q) => [q.url, q.status]),
        findings: (f.findings ?? []).map((g) => g.code),
      })),
      steps: x.evidence.steps.map((s) => s.what),
    })),
    scenarios: r.scenarios.map((s) => [s.id, s.link, s.location]),
    findings: r.summary.findings,
    byVerdict: r.summary.byVerdict,
  };
}

test.beforeAll(async () => {
  test.setTimeout(600_000);
  // The example runs `channel: 'chromium'` unless BGPROBE_BROWSER names a browser: here, the one the suite runs.
  const env = {
    ...childEnv(),
    APPS_PORT: String(await freePort()),
    BGPROBE_BROWSER: process.env['BGPROBE_BROWSER'] || '/usr/bin/chromium',
  };
  work = await mkdtemp(join(tmpdir(), 'bgprobe-reporter-'));
  const tarball = await packTarball(work, env);
  project = join(work, 'example');
  const example = join(REPO, 'examples/playwright-reporter');
  // What a run of the example in the checkout leaves there stays there.
  await cp(example, project, {
    recursive: true,
    filter: (src) => !/^[\\/]?(node_modules|[a-z-]*-report|test-results)\b/.test(src.slice(example.length)),
  });
  // The example names the checkout (file:../..); a user's project names the published package.
  const pkg = JSON.parse(await readFile(join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  delete pkg.devDependencies['bgprobe'];
  delete pkg.devDependencies['@playwright/test'];
  await writeFile(join(project, 'package.json'), JSON.stringify(pkg, null, 2));
  await installInto(project, tarball, env);

  const cli = join(project, 'node_modules/@playwright/test/cli.js');
  full = await run(process.execPath, [cli, 'test'], project, env, 240_000);
  expect(existsSync(join(project, 'bgprobe-report/report.json')), describeRun('npx playwright test', full)).toBe(true);
  await cp(join(project, 'bgprobe-report'), join(project, 'full-bgprobe-report'), { recursive: true });

  // The same run in two shards (blob reports), then merged with the example's merge config.
  await mkdir(join(project, 'all-blobs'));
  for (const shard of ['1/2', '2/2']) {
    const r = await run(process.execPath, [cli, 'test', `--shard=${shard}`, '--reporter=blob'], project, env, 240_000);
    expect(existsSync(join(project, 'blob-report')), describeRun(`shard ${shard}`, r)).toBe(true);
    for (const f of await readdir(join(project, 'blob-report')))
      await cp(join(project, 'blob-report', f), join(project, 'all-blobs', f.replace('.zip', `-${shard.replace('/', 'of')}.zip`)));
  }
  merged = await run(process.execPath, [cli, 'merge-reports', '--config', 'merge.config.ts', 'all-blobs'], project, env, 120_000);
});

test.afterAll(async () => {
  if (work && !process.env['BGPROBE_KEEP_TMP']) await rm(work, { recursive: true, force: true });
});

test('the bgprobe report lists the three tests, their fetches and the misspelled listener; failOn failed the run', async () => {
  const report = await readReport('full-bgprobe-report');
  expect(report.run.command).toBe('playwright');
  const byTitle = new Map(report.scenarios.map((s) => [s.title, s]));
  expect([...byTitle.keys()].sort()).toEqual([...TITLES].sort());
  const outcome = (title: string) => report.results.find((r) => r.scenarioId === byTitle.get(title)!.id)!;
  // Every test passed in Playwright's terms: the exit code is the findings gate's.
  expect(
    report.results.map((r) => r.verdict),
    describeRun('npx playwright test', full),
  ).toEqual(['conforms', 'conforms', 'conforms']);
  expect(
    outcome(TITLES[0]).evidence.fetches.map((f) => [f.id, f.outcome, (f.findings ?? []).filter((x) => x.severity === 'error').length]),
  ).toEqual([['episode-1', 'success', 0]]);
  expect(outcome(TITLES[1]).evidence.fetches.map((f) => [f.id, f.outcome, f.failureReason])).toEqual([
    ['episode-1', 'failure', 'bad-status'],
  ]);
  expect(outcome(TITLES[2]).evidence.fetches.map((f) => [f.id, f.outcome, f.failureReason])).toEqual([
    ['episode-1', 'failure', 'bad-status'],
  ]);
  expect(report.summary.findings).toContainEqual(
    expect.objectContaining({
      code: 'request-failed',
      severity: 'error',
      origin: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      fetches: 2,
      results: 2,
    }),
  );
  expect(byTitle.get(TITLES[2])!.location).toMatchObject({ file: 'tests/downloads.spec.ts', line: expect.any(Number) });
  expect(outcome(TITLES[0]).evidence.steps.map((s) => s.what)).toEqual([
    'waitForFetch("episode-1", { until: \'settled\' })',
    'expect("episode-1").toSucceed()',
    'expect("episode-1").toUpdateUI()',
  ]);

  expect(full.code).toBe(1);
  expect(full.stdout).toContain("bgprobe: failOn 'error-findings'");
  expect(full.stdout).toMatch(/error finding\(s\) in recorded background fetches \(.*request-failed ×2/);
  expect(await readFile(join(project, 'full-bgprobe-report/report.md'), 'utf8')).toContain('request\\-failed');
});

test("Playwright's HTML report shows the bgprobe steps and the HTML timeline, whose chart is drawn", async ({ page }) => {
  await page.goto(pathToFileURL(join(project, 'playwright-report/index.html')).href);
  await page.getByRole('link', { name: TITLES[2] }).click();
  const steps = page.locator('.tree-item-title');
  await expect(steps.filter({ hasText: 'backgroundFetch.waitForFetch("episode-1", { until: \'settled\' })' })).toBeVisible();
  await expect(
    steps.filter({ hasText: /background fetch "episode-1": failure \(bad-status\), .* in [\d.]+ s, [1-9]\d* findings/ }),
  ).toBeVisible();
  await expect(steps.filter({ hasText: 'Expect "toFail"' })).toBeVisible();

  const link = page.getByRole('link', { name: 'bgprobe-timeline.html' });
  await expect(link).toBeVisible();
  const href = await link.getAttribute('href');
  expect(href).toBeTruthy();
  await page.goto(new URL(href!, page.url()).href);
  await expect(page.locator('h1')).toContainText('bgprobe playwright');
  await expect(page.locator('svg.chart')).toHaveCount(1);
  const lanes = await page.locator('svg.chart rect.lane').count();
  expect(lanes).toBeGreaterThan(0);
  await expect(page.locator('div.fetch table.findings')).toContainText('request-failed');
  await expect(page.locator('table.events').first()).toContainText('Background Fetch completed');
});

test('two shards merged with merge-reports give the same bgprobe report', async () => {
  expect(merged.code, describeRun('merge-reports', merged)).toBe(1);
  expect(merged.stdout + merged.stderr).toContain("failOn 'error-findings'");
  const sharded = await readReport('bgprobe-report');
  const whole = await readReport('full-bgprobe-report');
  expect(sharded.run.mergedFrom).toEqual([
    { index: 1, total: 2 },
    { index: 2, total: 2 },
  ]);
  expect(essence(sharded)).toEqual(essence(whole));
});

test('a 1,000-event timeline attachment is packed, and unpacks into the same page in Chromium', async ({ page }) => {
  const r = new Recording();
  let at = Date.now() - 60_000;
  const ev = (eventName: string, metadata: Record<string, string | number> = {}) => ({
    timestamp: (at += 3) / 1000,
    origin: 'http://127.0.0.1:8080/',
    serviceWorkerRegistrationId: '1',
    service: 'backgroundFetch' as const,
    eventName,
    instanceId: 'big',
    eventMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value: String(value) })),
    storageKey: 'http://127.0.0.1:8080/',
  });
  r.ingest(ev('Background Fetch registered', { 'Total Requests': 499 }));
  for (let i = 0; i < 499; i++) {
    r.ingest(ev('Request processing started', { URL: `http://127.0.0.1:8080/c${i}`, 'Request Index': i }));
    r.ingest(
      ev('Request processing completed', {
        URL: `http://127.0.0.1:8080/c${i}`,
        'Request Index': i,
        'Response Status': 200,
        'Response Size (bytes)': 65536,
      }),
    );
  }
  r.ingest(ev('Background Fetch completed', { 'Event Type': 'BackgroundFetchSuccessEvent' }));
  const info = {
    titlePath: ['big.spec.ts', 'big'],
    title: 'big',
    file: 'big.spec.ts',
    line: 1,
    column: 1,
    project: { name: 'chromium' },
    status: 'passed',
    expectedStatus: 'passed',
    retry: 0,
    duration: 1,
    errors: [],
  } as const;
  const html = packedHtml(timelineHtml(info as never, { version: 1, timelines: r.fetches(), otherEvents: [] }, at - 10_000));
  expect(html).toContain('id="packed"');
  const file = join(work, 'packed.html');
  await writeFile(file, html);
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) blocked.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  await expect(page.locator('h1')).toContainText('bgprobe playwright');
  await expect(page.locator('svg.chart rect.lane')).toHaveCount(499);
  // The page's only result opens with it, its events table far below the chart and requests.
  await expect(page.locator('details.result')).toHaveAttribute('open', '');
  // That table is an island of 1,000 events that the report's own script draws as it nears
  // the screen: scrolled to, its first rows are drawn, and at its end its last ones.
  const events = page.locator('table.events[data-island]');
  await events.locator('thead').scrollIntoViewIfNeeded();
  await expect(page.locator('tr.island-note')).toHaveCount(0);
  await expect(events.locator('tbody tr').first()).toContainText('Background Fetch registered');
  await events.locator('tbody').last().scrollIntoViewIfNeeded();
  await expect(events.locator('tbody tr').last()).toContainText('Background Fetch completed');
  expect(await events.locator('tbody tr').count()).toBeGreaterThan(100);
  expect(blocked).toEqual([]);
});

// The worker's first start is probed under Playwright's own connection (#21): the misspelled
// listener and the fail event that met no listener are both seen in a test that passed, and
// the findings gate names them among the reasons the run failed.
test('the misspelled fail listener is a finding of its test, in the report and its summary', async () => {
  const report = await readReport('full-bgprobe-report');
  const typo = report.results.find((r) => r.scenarioId.endsWith(TITLES[2]))!.evidence.fetches[0];
  expect(typo.findings?.find((f) => f.code === 'unknown-event-listener')?.evidence).toMatchObject({
    name: 'backgroundfetchfailure',
    didYouMean: 'backgroundfetchfail',
  });
  expect(typo.findings?.find((f) => f.code === 'no-listener')).toMatchObject({
    severity: 'error',
    evidence: { event: 'backgroundfetchfail', listeners: 0 },
  });
  // The failing app's worker listens for the right name: neither finding is its.
  const failing = report.results.find((r) => r.scenarioId.endsWith(TITLES[1]))!.evidence.fetches[0];
  expect((failing.findings ?? []).map((f) => f.code)).toEqual(['request-failed']);
  for (const code of ['no-listener', 'unknown-event-listener']) {
    expect(report.summary.findings).toContainEqual(expect.objectContaining({ code, severity: 'error', fetches: 1, results: 1 }));
  }
  expect(full.stdout).toMatch(/error finding\(s\) in recorded background fetches \(.*no-listener ×1/);
  expect(full.stdout).toContain('unknown-event-listener ×1');
  const md = await readFile(join(project, 'full-bgprobe-report/report.md'), 'utf8');
  expect(md).toContain('unknown\\-event\\-listener');
  expect(md).toContain('no\\-listener');
});
