// Starts the suites that take longest (Terraform against moto, the offline plan, the type-check) first, so that they
// run beside the many short ones instead of after them: the suite's wall time is then about the longest suite's.
// jest's default order is by last run's duration, which a fresh clone (CI) does not have.
const { default: Sequencer } = require(require.resolve('@jest/test-sequencer', { paths: [require.resolve('jest')] }));

const FIRST = [/[\\/]tests[\\/]deploy[\\/]/, /[\\/]tests[\\/]infra[\\/]plan\.test\.ts$/, /[\\/]tests[\\/]infra[\\/]typecheck\.test\.ts$/];
const rank = (test) => {
  const index = FIRST.findIndex((pattern) => pattern.test(test.path));
  return index === -1 ? FIRST.length : index;
};

class SlowestFirst extends Sequencer {
  sort(tests) {
    // Array.prototype.sort is stable: within a rank, jest's own order stands.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowestFirst;
