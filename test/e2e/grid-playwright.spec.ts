/**
 * bgprobe/playwright unchanged under Playwright's own Grid mode: a child `playwright test`
 * (test/grid-user/, a user's project that never names the Grid) runs with SELENIUM_REMOTE_URL
 * pointing at a local standalone Grid. Its tests pass (fixtures, probes, matchers), the
 * browser was the Grid's (the child asks /status), and no session is left afterwards.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { gridMissing, gridSessions, startGrid } from '../helpers/grid.js';

const REPO = join(import.meta.dirname, '../..');

/** The parent runner's variables would make the child Playwright think it is a worker of ours. */
function childEnv(grid: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PW_|PLAYWRIGHT_|TEST_|BGPROBE_PW_JSON$|NODE_OPTIONS$)/.test(k)) env[k] = v;
  return { ...env, SELENIUM_REMOTE_URL: grid, FORCE_COLOR: '0' };
}

test('the Playwright fixtures and matchers pass on a Grid under SELENIUM_REMOTE_URL', async () => {
  const missing = gridMissing();
  test.skip(missing !== null, missing ?? '');
  test.setTimeout(150_000);
  const grid = await startGrid({ standalone: true, maxSessions: 1 });
  try {
    const r = spawnSync(
      process.execPath,
      [join(REPO, 'node_modules/@playwright/test/cli.js'), 'test', '-c', 'test/grid-user/playwright.config.ts'],
      {
        cwd: REPO,
        env: childEnv(grid.url),
        encoding: 'utf8',
        timeout: 130_000,
      },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/2 passed/);
    // browser.close() deletes the session in the background: it goes a moment later.
    await expect.poll(() => gridSessions(grid.url), { timeout: 10_000 }).toEqual([]);
  } finally {
    await grid.stop();
  }
});
