// `bgprobe audit` on one small app per finding code (test/apps/<code>/), each making exactly
// that mistake, served by a plain static server: the audit names the code, with exit 1 when
// it is an error (a warning only with --fail-on warning).
import { test, expect } from '@playwright/test';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bgprobe, REPO, serveStatic, type AuditJsonOut, type StaticServer } from './audit-support.js';

let server: StaticServer;
test.beforeAll(async () => {
  server = await serveStatic({ '/': join(REPO, 'test/apps') });
});
test.afterAll(async () => {
  await server.close();
});

const APPS: Array<{ code: string; severity: 'error' | 'warning' | 'info' }> = [
  { code: 'no-listener', severity: 'error' },
  { code: 'unknown-event-listener', severity: 'error' },
  { code: 'wait-until-rejected', severity: 'error' },
  { code: 'fetch-rejected', severity: 'error' },
  { code: 'update-ui-rejected', severity: 'error' },
  { code: 'request-failed', severity: 'error' },
  { code: 'download-total-exceeded', severity: 'error' },
  { code: 'download-total-mismatch', severity: 'warning' },
  { code: 'icon-without-sizes', severity: 'warning' },
  { code: 'records-not-read', severity: 'warning' },
  { code: 'no-update-ui', severity: 'info' },
];

for (const app of APPS) {
  test(`${app.code}: the audit reports it (${app.severity})`, async () => {
    const failOn = app.severity === 'warning' ? ['--fail-on', 'warning'] : [];
    const run = await bgprobe(['audit', `${server.url}/${app.code}/`, '--click', '#download', '--timeout', '40', '--json', ...failOn]);
    const out = JSON.parse(run.stdout) as AuditJsonOut;
    const hit = out.findings.find((f) => f.code === app.code);
    expect(hit, `${app.code} not reported:\n${run.stdout}\n${run.stderr}`).toBeDefined();
    expect(hit!.severity).toBe(app.severity);
    // Exactly that mistake: nothing else at error level but what the mistake itself causes.
    const errors = out.findings.filter((f) => f.severity === 'error').map((f) => f.code);
    const allowed: Record<string, string[]> = {
      'unknown-event-listener': ['no-listener', 'request-failed'],
      'download-total-exceeded': ['no-update-ui'],
    };
    expect(
      errors.filter((c) => c !== app.code && !(allowed[app.code] ?? []).includes(c)),
      run.stdout,
    ).toEqual([]);
    expect(run.code, run.stderr).toBe(app.severity === 'info' ? 0 : 1);
    expect(run.stderr).toMatch(/bgprobe audit: 1 background fetch\(es\); /);
  });
}

test('a warning alone exits 0 unless --fail-on warning; on GitHub Actions it is a ::warning and the summary goes to the step summary', async () => {
  const summary = join(mkdtempSync(join(tmpdir(), 'bgprobe-audit-summary-')), 'step-summary.md');
  const run = await bgprobe(['audit', `${server.url}/icon-without-sizes/`, '--click', '#download', '--timeout', '40'], {
    env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
  });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toMatch(/warning +icon-without-sizes: .*has "size" instead/);
  expect(run.stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([
    expect.stringMatching(
      /^::warning title=bgprobe audit%3A icon-without-sizes \(fetch "[^"]+"\)::warning icon-without-sizes in fetch "[^"]+": .*size/,
    ),
  ]);
  expect(readFileSync(summary, 'utf8')).toMatch(/\| Scenario \| chromium \|/);
});

test('the misspelled listener: the failed fetch never reads as handled', async () => {
  const run = await bgprobe(['audit', `${server.url}/unknown-event-listener/`, '--click', '#download', '--timeout', '40']);
  expect(run.code, run.stderr).toBe(1);
  const line = run.stdout.split('\n').find((l) => /worker +backgroundfetchfail \(/.test(l));
  expect(line, run.stdout).toContain('no listener: dispatched, nothing handled it');
  expect(run.stdout).not.toContain('handled in');
  expect(run.stdout).toContain('Did you mean "backgroundfetchfail"?');
});
