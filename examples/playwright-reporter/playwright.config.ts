import { defineConfig } from '@playwright/test';

// bgprobe needs a full Chromium (not the headless shell): `channel: 'chromium'`, or a path.
const executablePath = process.env.BGPROBE_BROWSER;
const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
const port = Number(process.env.APPS_PORT ?? 4173);

export default defineConfig({
  testDir: 'tests',
  fullyParallel: true,
  retries: process.env.CI ? 1 : 0,
  reporter: [
    ['list'],
    ['html', { open: 'never' }],
    // One bgprobe report for the run; any error finding in a recorded fetch fails the run.
    ['bgprobe/reporter', { outputFolder: 'bgprobe-report', failOn: 'error-findings' }],
  ],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    ...(executablePath ? { launchOptions: { executablePath, args } } : { channel: 'chromium' }),
    // Attach each test's timelines (HTML, text, JSON) even when it passes.
    bgprobe: { attach: 'on' },
  },
  webServer: { command: `node apps/serve.mjs ${port}`, url: `http://127.0.0.1:${port}/clean/`, reuseExistingServer: !process.env.CI },
});
