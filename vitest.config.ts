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
    // Test files share their worker's modules: the app's module graph is imported, and PGlite's engine compiled
    // (server/test/harness.ts), once per worker instead of once per file — the PGlite run went from 732 s to 242 s.
    // Files keep to their own data (factories, unique names) and close what they open (createTestApp's close).
    isolate: false,
  },
});
