/**
 * The example files the README and docs/ pages show (test/unit/readme.test.ts holds each block
 * identical to its file), run as a user would: `node examples/record-a-fetch.mjs` (docs/library.md)
 * and `bgprobe audit ... --script examples/start-download.mjs` (docs/audit.md).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { bgprobe, REPO, serveStatic, type AuditJsonOut } from './audit-support.js';

test('examples/record-a-fetch.mjs runs and prints a successful timeline', () => {
  test.setTimeout(90_000);
  const r = spawnSync(process.execPath, ['examples/record-a-fetch.mjs'], { encoding: 'utf8', timeout: 80_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/^Background fetch "episode-5" \(http:\/\/127\.0\.0\.1:\d+\/, registration \d+\): success/);
  expect(r.stdout).toContain('worker  backgroundfetchsuccess');
  expect(r.stdout).toMatch(/updateUI #1 \{"title":"Downloaded: Episode 5/);
  expect(r.stdout).toMatch(/served 200 2\.0 MiB/);
  expect(r.stdout.trim().split('\n').at(-1)).toBe('success 200 2097152, 200 2048');
});

test('examples/start-download.mjs starts the podcast app download under bgprobe audit --script', async () => {
  test.setTimeout(90_000);
  // docs/audit.md runs the app on `bgprobe serve --port 8080`; any static server will do.
  const server = await serveStatic({ '/podcast/': join(REPO, 'fixtures/podcast') });
  try {
    const run = await bgprobe(['audit', `${server.url}/podcast/`, '--script', 'examples/start-download.mjs', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as AuditJsonOut;
    expect(out.fetches.map((f) => [f.id, f.outcome])).toEqual([['episode-2', 'success']]);
  } finally {
    await server.close();
  }
});
