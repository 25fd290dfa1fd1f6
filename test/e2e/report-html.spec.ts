// report.html of a large run, written by `bgprobe report` and opened in Chromium as a reader
// opens it: events tables of EVENTS_ISLAND_MIN rows or more arrive as JSON and results of
// FETCHES_LATER_MIN fetches or more carry them in templates, both drawn as they scroll into
// view; a hostile string in an event or a fetch stays text; the filter still filters.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EVENTS_ISLAND_MIN, FETCHES_LATER_MIN } from '../../src/report/html.js';
import { countVerdicts, SCHEMA_VERSION, type EventRow, type ReportModel, type ReportResult } from '../../src/report/model.js';
import { emptyEvidence, type FetchEvidence } from '../../src/evidence/evidence.js';
import type { Verdict } from '../../src/scenarios/types.js';
import { toolVersion } from '../../src/util/version.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(REPO, 'dist/cli/main.js');
/** Markup, a script end, a comment opener and U+2028: each would break out of a badly escaped island. */
const HOSTILE = '<img src=x onerror=window.pwned=1></script><script>window.pwned=2</script><!--<script>\u2028end';
const T0 = 1_700_000_000_000;
const BIG = EVENTS_ISLAND_MIN * 3;
/** Three blocks of templated fetches, the last one partial. */
const FETCHES = FETCHES_LATER_MIN * 2 + 5;

function events(prefix: string, n: number, hostileAt: number[] = []): EventRow[] {
  return Array.from({ length: n }, (_, i) => ({
    at: T0 + i * 10,
    service: 'backgroundFetch',
    name: hostileAt.includes(i) ? HOSTILE : 'Background Fetch started',
    origin: 'http://127.0.0.1:8080/',
    storageKey: 'http://127.0.0.1:8080/',
    registrationId: '3',
    instanceId: `${prefix}-${i}`,
    metadata: [
      ['Title', hostileAt.includes(i) ? HOSTILE : `Episode ${i}`],
      ['Total Downloads', '2'],
    ],
  }));
}

/** `n` one-request fetches, the last one's id hostile. */
function fetches(n: number): FetchEvidence[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i === n - 1 ? HOSTILE : `fetch-${i}`,
    outcome: 'success',
    failureReason: null,
    failureReasonRaw: null,
    eventType: 'BackgroundFetchSuccessEvent',
    paused: false,
    totalRequests: 1,
    resumedAfterRestart: false,
    registeredAt: T0,
    startedAt: T0,
    completedAt: T0 + 400,
    requests: [
      {
        index: 0,
        url: `http://127.0.0.1:8080/res/${i}`,
        status: 200,
        bytes: 10,
        uploadBytes: 0,
        startedAt: T0 + 100,
        completedAt: T0 + 300,
        attempts: 1,
        served: [],
      },
    ],
    progress: [[T0 + 200, 10, 10, 0, 0]],
    probes: [],
  }));
}

function result(scenarioId: string, verdict: Verdict, rows: EventRow[], fetchCount = 0): ReportResult {
  const evidence = emptyEvidence();
  evidence.events = rows;
  evidence.fetches = fetches(fetchCount);
  return {
    scenarioId,
    browser: 'chromium',
    verdict,
    summary: verdict,
    startedAt: T0,
    durationMs: 1000,
    took: null,
    observation: null,
    evidence,
    error: null,
    flaky: false,
    attempts: [],
  };
}

/** Matrix order is worst first: big.first (error), big.second (deviates), small.one, big.last (conforms, closed). */
function largeModel(): ReportModel {
  const results = [
    result('big.first', 'error', events('first', BIG)),
    result('big.second', 'deviates', events('second', EVENTS_ISLAND_MIN)),
    result('small.one', 'conforms', events('small', 3)),
    result('big.last', 'conforms', events('last', BIG, [0, BIG - 1]), FETCHES),
  ];
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'bgprobe', version: toolVersion() },
    run: { startedAt: T0, durationMs: 4000, interrupted: false, shard: null, mergedFrom: [], selection: [], workers: 1, timeoutMs: 30_000 },
    browsers: [{ label: 'chromium', kind: 'default', target: null, args: [], version: '156.0', launchError: null }],
    scenarios: results.map((r) => ({
      id: r.scenarioId,
      title: `Title of ${r.scenarioId}`,
      group: 'big',
      expectation: 'Expected',
      link: 'https://wicg.github.io/background-fetch/',
      skipReason: null,
    })),
    results,
    summary: countVerdicts(results),
    comparison: null,
  };
}

let dir: string;
let html: string;

test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-report-html-'));
  const input = join(dir, 'input.json');
  writeFileSync(input, JSON.stringify(largeModel()));
  const run = spawnSync(process.execPath, [CLI, 'report', input, '--out', join(dir, 'out'), '--format', 'html'], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  html = join(dir, 'out', 'report.html');
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a large report draws the last scenario rows when scrolled to, keeps hostile strings as text, and filters', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // A string that escaped its island would be blocked by the CSP: the violation is the evidence.
  await page.addInitScript(() => {
    const w = window as unknown as { violations: string[] };
    w.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.sample}`));
  });
  await page.goto(pathToFileURL(html).href);
  const source = readFileSync(html, 'utf8');
  expect(source).not.toContain('<code>last-0</code>');
  expect(await page.locator('table.events[data-island]').count()).toBe(3);
  await expect(page.locator('[id="small.one@chromium"] table.events:not([data-island]) tbody tr')).toHaveCount(3);

  const last = page.locator('[id="big.last@chromium"]');
  const drawn = last.locator('table.events tbody tr', { hasText: 'last-' });
  expect(await drawn.count()).toBe(0);
  expect(await last.locator('div.fetch').count()).toBe(0);
  expect(await last.locator('template.later').count()).toBe(3);
  await page.locator('table.matrix a.badge[href="#big.last@chromium"]').click();
  await expect(last).toHaveJSProperty('open', true);
  // The table's start, then its end: blocks are drawn as they come into view (re-scrolled, as
  // drawn rows and fetches differ from their stand-ins' height).
  const first = last.locator('table.events tbody tr', { hasText: 'last-0' });
  await expect(async () => {
    await last.locator('table.events').evaluate((t) => t.scrollIntoView({ block: 'start' }));
    await expect(first).toBeVisible({ timeout: 1000 });
  }).toPass();
  // Drawn on demand: a block of rows, not the whole table.
  expect(await drawn.count()).toBeLessThan(BIG);

  const end = last.locator('table.events tbody tr', { hasText: `last-${BIG - 1}` });
  await expect(async () => {
    await last.locator('table.events').evaluate((t) => t.scrollIntoView({ block: 'end' }));
    await expect(end).toBeVisible({ timeout: 1000 });
  }).toPass();
  for (const row of [first, end]) {
    await expect(row.locator('td').nth(2)).toHaveText(`${HOSTILE}backgroundFetch`);
    await expect(row.locator('td').nth(7)).toHaveText(`Title: ${HOSTILE}Total Downloads: 2`);
  }

  // The fetches, drawn a block at a time: none before, the last (hostile) one when scrolled to.
  const hostileFetch = last.locator('div.fetch h4 code', { hasText: 'window.pwned=1' });
  await expect(async () => {
    await last.locator('div.later, div.fetch').last().scrollIntoViewIfNeeded();
    await expect(hostileFetch).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(hostileFetch).toHaveText(HOSTILE);

  expect(await page.locator('table.events img, table.events script, div.fetch img, div.fetch script').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  expect(await page.evaluate(() => (window as unknown as { violations: string[] }).violations)).toEqual([]);
  expect(errors).toEqual([]);

  // The filter: by text, then by verdict.
  await page.locator('#q').fill('big.last');
  await expect(page.locator('#shown')).toHaveText('1 scenario(s) shown');
  await expect(page.locator('section.scenario[id="big.first"]')).toBeHidden();
  await expect(last).toBeVisible();
  await page.locator('#q').fill('');
  await page.locator('input.vf[value="conforms"]').uncheck();
  await expect(page.locator('#shown')).toHaveText('2 scenario(s) shown');
  await expect(page.locator('section.scenario[id="big.last"]')).toBeHidden();
  await expect(page.locator('section.scenario[id="big.first"]')).toBeVisible();
});
