// `bgprobe audit` as a user runs it: the podcast app audits clean, the report goes through the
// renderers, a --script drives the page, and bad input is one line with exit 2.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReport } from '../../src/report/load.js';
import { bgprobe, REPO, serveStatic, type AuditJsonOut, type StaticServer } from './audit-support.js';

let server: StaticServer;
let dir: string;
test.beforeAll(async () => {
  server = await serveStatic({ '/podcast/': join(REPO, 'fixtures/podcast'), '/': join(REPO, 'test/apps') });
  dir = mkdtempSync(join(tmpdir(), 'bgprobe-audit-'));
});
test.afterAll(async () => {
  await server.close();
});

test('the podcast app audits clean: exit 0, only info findings', async () => {
  const run = await bgprobe(['audit', `${server.url}/podcast/`, '--click', 'text=Download episode 1', '--json']);
  const out = JSON.parse(run.stdout) as AuditJsonOut;
  expect(run.code, run.stderr).toBe(0);
  expect(out.fetches.map((f) => [f.id, f.outcome])).toEqual([['episode-1', 'success']]);
  expect(
    out.findings.filter((f) => f.severity !== 'info'),
    run.stdout,
  ).toEqual([]);
});

test('--script drives the page, --out writes the report with the findings', async () => {
  const script = join(dir, 'start.mjs');
  writeFileSync(script, "export default async (page) => { await page.click('#download'); };\n");
  const out = join(dir, 'report');
  const run = await bgprobe(['audit', `${server.url}/wait-until-rejected/`, '--script', script, '--out', out]);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toMatch(/error +wait-until-rejected: .*ReferenceError: err is not defined/);
  // Read back as `bgprobe report|diff` read it: checked against reports/report.schema.json.
  const report = loadReport(join(out, 'report.json'));
  expect(report.results[0].verdict).toBe('deviates');
  expect((report.results[0].evidence.fetches[0].findings ?? []).map((f) => f.code)).toContain('wait-until-rejected');
  expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('wait-until-rejected');
});

test('a dialog the app opens is dismissed and recorded', async () => {
  const run = await bgprobe(['audit', `${server.url}/fetch-rejected/`, '--click', '#download', '--json']);
  const out = JSON.parse(run.stdout) as AuditJsonOut;
  const dialog = out.findings.find((f) => f.code === 'dialog-dismissed');
  expect(dialog, run.stdout).toBeDefined();
  expect(dialog!.evidence['message']).toMatch(/Download could not start: .*registration/);
  expect(run.code).toBe(1);
});

test('bad input: an unreachable URL, a selector that matches nothing: one line, exit 2', async () => {
  const closed = await serveStatic({});
  const url = closed.url;
  await closed.close();
  const unreachable = await bgprobe(['audit', `${url}/app/`, '--click', '#download']);
  expect(unreachable.code, unreachable.stderr).toBe(2);
  expect(unreachable.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(/^bgprobe: Could not open .*ERR_CONNECTION_REFUSED.*server running/),
  ]);

  const nothing = await bgprobe(['audit', `${server.url}/no-update-ui/`, '--click', '#no-such-button', '--timeout', '3']);
  expect(nothing.code, nothing.stderr).toBe(2);
  expect(nothing.stderr).toMatch(/^bgprobe: --click "#no-such-button": nothing clickable matched within 3 s/m);
});
