// Starts the suites that take longest first, so that they run beside the many short ones instead of after them:
// the suite's wall time is then about its CPU time over the cores, not a long suite started last. jest's own order
// is by each file's duration in its last run, which a fresh clone (CI) does not have: it then goes by file size,
// and started the benchmark's smoke run (15 s) 121 s into a 136 s run. Longest first, as measured on 2026-12-01:
// Terraform against moto, the offline plan and the type-check (processes of their own), then the heaviest and the
// longest-waiting of the others.
const fs = require('node:fs');
const path = require('node:path');
const { default: Sequencer } = require(require.resolve('@jest/test-sequencer', { paths: [require.resolve('jest')] }));

const FIRST = [
  'deploy/deploy.test.ts',
  'infra/plan.test.ts',
  'infra/typecheck.test.ts',
  'hardening/check-load.test.ts',
  'bench/bench-smoke.test.ts',
  'hardening/concurrent-operators.test.ts',
  'hardening/cli-hardening.test.ts',
  'hardening/check-faults.test.ts',
  'sandbox/walkthrough.test.ts',
  'runtime/artifact.test.ts',
].map((file) => {
  // A renamed or removed suite would otherwise fall back to jest's order without a word.
  if (!fs.existsSync(path.join(__dirname, '..', 'tests', file))) throw new Error(`tools/jest-slowest-first.js names tests/${file}, which does not exist`);
  return `${path.sep}tests${path.sep}${file.split('/').join(path.sep)}`;
});

const rank = (test) => {
  const index = FIRST.findIndex((suffix) => test.path.endsWith(suffix));
  return index === -1 ? FIRST.length : index;
};

class SlowestFirst extends Sequencer {
  sort(tests) {
    // Array.prototype.sort is stable: within a rank, jest's own order stands.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
