import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/**
 * End-to-end tests: real Chromium, real servers. Debian's `chromium` (a full Chromium: the
 * bundled chrome-headless-shell cannot run a background fetch) unless BGPROBE_BROWSER says
 * otherwise.
 */
const executablePath =
  process.env['BGPROBE_BROWSER'] ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const root = typeof process.getuid === 'function' && process.getuid() === 0;

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  // dist/ is built once here; no test may rebuild it while others run the CLI from it.
  globalSetup: './test/e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env['BGPROBE_PW_JSON'] ? [['list'], ['json', { outputFile: process.env['BGPROBE_PW_JSON'] }]] : [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', ...(root ? ['--no-sandbox'] : [])],
    },
    trace: 'retain-on-failure',
  },
});
