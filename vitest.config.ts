import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temp folder per run, removed at the end; one left by a killed run is removed by the next (test/setup/temp-root.ts).
    globalSetup: ['test/setup/temp-root.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: run files two at a time so tfjs-heavy files do not starve each other.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    env: { TRANSFERKIT_CACHE: '.test-cache' },
    // In CI, also keep a machine-readable summary (.ci/run prints its totals as the closing line).
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-results/vitest.json' }]] : ['default'],
  },
});
