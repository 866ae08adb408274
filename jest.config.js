/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/tests/support/jest-setup.ts'],
  globalSetup: '<rootDir>/tools/jest-cli-bundle.js',
  transform: {
    // Transpile only, as plain `node` does (tools/transpile-ts.js): `npm test` type-checks once with tsc.
    '^.+\\.ts$': '<rootDir>/tools/jest-transform.js',
  },
  reporters: ['default', '<rootDir>/tools/jest-summary-reporter.js'],
  // Tests and hooks that start many processes (the CLI's argument cases, races, heap probes) take up to about 30 s
  // on a quiet two-core machine; a crowded one stretches them several times (npm run test:stress). A hung test
  // still fails, later.
  testTimeout: 180000,
  // The plan and artifact tests spawn terraform and node; two workers fit the 2-core machines we run on.
  maxWorkers: 2,
  testSequencer: '<rootDir>/tools/jest-slowest-first.js',
};
