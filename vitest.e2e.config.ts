import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests: a real server (`gongdan serve --demo` on a fresh embedded database,
 * started by e2e/global-setup.ts) and Debian's Chromium driven by playwright-core.
 * Run with `npm run test:e2e`, which builds the web app first.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each file drives its own browser; the files share the one server.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
