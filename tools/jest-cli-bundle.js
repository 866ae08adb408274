'use strict';
// jest globalSetup: builds the CLI's bundle (tools/cli-bundle.js) once before the suite. The tests start the CLI
// hundreds of times, several at once; with a stale bundle the first of them would all build it side by side.
const { bundleStatus, buildBundle } = require('./cli-bundle');

module.exports = function buildCliBundle() {
  if (bundleStatus().fresh) return;
  try {
    buildBundle();
  } catch (error) {
    // bin/suspense.js then runs the CLI from its sources: slower, still correct; tsc reports what broke the build.
    console.warn(`\nThe CLI bundle did not build (${error.message.split('\n')[0]}); the CLI runs from its TypeScript sources.`);
  }
};
