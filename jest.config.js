/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/tests/support/jest-setup.ts'],
  globalSetup: '<rootDir>/tools/jest-cli-bundle.js',
  transform: {
    // Transpile only, as plain `node` does (tools/transpile-ts.js); tests/infra/typecheck.test.ts runs tsc.
    '^.+\\.ts$': '<rootDir>/tools/jest-transform.js',
  },
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
  // Tests and hooks that start many processes (the CLI's argument cases, races, heap probes) take up to about 30 s
  // on a quiet two-core machine; a crowded one stretches them several times (npm run test:stress). A hung test
  // still fails, later.
  testTimeout: 180000,
  // Two workers on the 2-core machines we run on. A third made the quiet suite faster (155 s -> 128 s of jest, runs
  // within 20 minutes of each other, 2026-12-01), but with every core already busy (npm run test:stress) the suite's
  // own processes then crowded out its real-time tests: 3 and 9 failures in two runs; with two, 3 of 3 passed.
  maxWorkers: 2,
  testSequencer: '<rootDir>/tools/jest-slowest-first.js',
};
