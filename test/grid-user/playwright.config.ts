import { defineConfig } from '@playwright/test';

/**
 * A user's Playwright project, run by test/e2e/grid-playwright.spec.ts with SELENIUM_REMOTE_URL
 * set: Playwright then starts its Chromium on that Selenium Grid instead of on this machine.
 * Nothing here names the Grid: the fixtures must work unchanged.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.grid.ts',
  timeout: 60_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: { browserName: 'chromium', headless: true },
});
