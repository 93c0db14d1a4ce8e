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
    // A worker's test files share its modules instead of importing the whole server again for each one (~5 s a
    // file): the whole PGlite run took 951 s isolated, 421 s shared. So a module's own state must be harmless to share
    // (a cache of pure results), never tied to one app or database, and no test file mocks a module (vi.mock).
    isolate: false,
  },
});
