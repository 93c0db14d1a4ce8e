import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'common/**/*.test.ts', 'web/**/*.test.ts'],
    globalSetup: ['server/test/global-setup.ts'],
    // Integration tests over HTTP on a 2-core machine (property tests send hundreds of requests).
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two cores: each test file opens its own database copy (PGlite) or pool (PostgreSQL).
    maxWorkers: 2,
  },
});
