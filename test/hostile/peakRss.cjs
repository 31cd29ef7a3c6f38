// Preloaded (node --require) into every CLI process the hostile suite starts: at exit it writes the process's
// peak resident set size (kB, from getrusage) to $GITOPS_DRIFT_HOSTILE_RSS_FILE. The suite also samples
// /proc/PID/status while the process runs, which covers a process killed before it could write this.
const fs = require('node:fs');

const file = process.env.GITOPS_DRIFT_HOSTILE_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // Best effort: the /proc samples still give a peak.
    }
  });
}
