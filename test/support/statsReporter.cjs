// Mocha's spec reporter, plus the run's counts appended as one JSON line to $GITOPS_DRIFT_STATS_FILE,
// so scripts/test.mjs can print one "N passed, N failed" line over all suites.
const fs = require('node:fs');
const Mocha = require('mocha');

class StatsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.GITOPS_DRIFT_STATS_FILE;
      if (!file) return;
      const { passes, failures, pending } = this.stats;
      fs.appendFileSync(
        file,
        JSON.stringify({ suite: process.env.GITOPS_DRIFT_SUITE ?? 'mocha', passes, failures, pending }) + '\n',
      );
    });
  }
}

module.exports = StatsReporter;
