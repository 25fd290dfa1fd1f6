/** The README's library example, run as a user would: `node examples/record-a-fetch.mjs`. */
import { spawnSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

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
