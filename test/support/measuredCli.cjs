// Runs the gitops-drift CLI from source (through tsx) in this process and, at exit, writes the process's peak
// resident memory (KiB, from process.resourceUsage().maxRSS) to the file named by GITOPS_DRIFT_TEST_RSS_FILE.
// Used by tests that bound a command's time and memory as a child process (test/support/cliChild.ts).
require('tsx/cjs');
const { writeFileSync } = require('node:fs');
const rssFile = process.env.GITOPS_DRIFT_TEST_RSS_FILE;
if (rssFile) process.on('exit', () => writeFileSync(rssFile, String(process.resourceUsage().maxRSS)));
require('../../src/cli/main.ts').main();
