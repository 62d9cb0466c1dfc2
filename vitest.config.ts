import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'cli/src/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    globalSetup: [
      'packages/testkit/src/global-setup.ts',
      'services/web/src/testing/global-setup.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
