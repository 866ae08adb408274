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
  // One worker more than cores: the deploy and Terraform tests spend much of their time waiting on terraform, moto and
  // child processes, and a third worker fills that. Jest's wall time on the 2-core machine, runs within 20 minutes
  // of each other (2026-12-01): 2 workers 155, 155 and 164 s; 3 workers 128 s; 4 workers 130 s.
  maxWorkers: '150%',
  testSequencer: '<rootDir>/tools/jest-slowest-first.js',
};
