import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    globalSetup: ['./test/unit/global-setup.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
