// `npx playwright merge-reports --config merge.config.ts blob-report`: the reports of a sharded
// run, made from the shards' blob reports (their attachments carry bgprobe's data).
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests',
  reporter: [
    ['html', { open: 'never' }],
    ['bgprobe/reporter', { outputFolder: 'bgprobe-report', failOn: 'error-findings' }],
  ],
});
