// A report whose event tables are too long to draw up front, opened in Chromium: the rows come
// from the JSON in the page as the table scrolls into view, as text, and all of them arrive.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { countVerdicts, type ReportModel } from '../../src/report/model.js';
import { writeReport } from '../../src/report/write.js';
import { emptyEvidence, type EventRow } from '../../src/scenarios/evidence.js';

const EVIL = '<img src=x onerror="window.__pwned=1"> </script><script>window.__pwned=2</script>';
const N = 1_234;

function bigModel(): ReportModel {
  const t0 = Date.UTC(2026, 0, 1);
  const events: EventRow[] = Array.from({ length: N }, (_, i) => ({
    at: t0 + i,
    service: 'backgroundFetch',
    name: i === N - 1 ? EVIL : 'Request processing completed',
    origin: '{fixture}/',
    storageKey: null,
    registrationId: '1',
    instanceId: `episode-${i}`,
    metadata: [['URL', `{fixture}/res/${i}.mp3`]],
  }));
  const results = [
    { scenarioId: 'big.events', browser: 'chromium', verdict: 'deviates' as const, summary: 'many events', startedAt: t0, durationMs: 1, took: null, observation: null, evidence: { ...emptyEvidence(), events }, error: null, flaky: false, attempts: [] },
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'bgprobe', version: '0.1.0' },
    run: { startedAt: t0, durationMs: 1, interrupted: false, shard: null, mergedFrom: [], selection: [], workers: 1, timeoutMs: 30_000 },
    browsers: [{ label: 'chromium', kind: 'default', target: null, args: [], version: '156', launchError: null }],
    scenarios: [{ id: 'big.events', title: 'Many events', group: 'big', expectation: 'x', link: 'https://example.com/', skipReason: null }],
    results,
    summary: countVerdicts(results),
    comparison: null,
  };
}

let dir: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-report-large-'));
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a long event table is drawn as it scrolls into view: every row, as text', async ({ page }) => {
  const files = writeReport(join(dir, 'out'), bigModel(), ['html']);
  await page.goto(pathToFileURL(files.html).href);
  const rows = page.locator('table[data-lazy-rows] tbody tr');
  // The result is open (deviates); the first chunk is drawn, not the whole table.
  await expect(rows).not.toHaveCount(0);
  expect(await rows.count()).toBeLessThan(N);
  // Scroll to the table's end until every row is there.
  await expect(async () => {
    await page.locator('table[data-lazy-rows] tbody tr').last().scrollIntoViewIfNeeded();
    expect(await rows.count()).toBe(N);
  }).toPass({ timeout: 30_000 });
  await expect(rows.nth(0).locator('td').nth(0)).toHaveText('1');
  await expect(rows.nth(0).locator('td').nth(6)).toHaveText('episode-0');
  await expect(rows.nth(0).locator('td').nth(7)).toHaveText('URL: {fixture}/res/0.mp3');
  // The untrusted name is text: no element and no script came of it.
  await expect(rows.nth(N - 1).locator('td').nth(2)).toHaveText(`${EVIL}backgroundFetch`);
  expect(await page.locator('table[data-lazy-rows] img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
});
