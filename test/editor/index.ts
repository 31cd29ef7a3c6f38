/**
 * Extension-host test entry: `run()` is the contract both launchers use (code-server's smoke-test payload and
 * `@vscode/test-electron`). The remote extension host's console goes nowhere under code-server, so mocha's
 * report and a JSON summary are also written to GITOPS_DRIFT_EDITOR_REPORT_DIR for the driver to print.
 */
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export async function run(): Promise<void> {
  const reportDir = process.env.GITOPS_DRIFT_EDITOR_REPORT_DIR;
  const reportFile = reportDir ? join(reportDir, 'mocha-report.txt') : undefined;
  if (reportDir) {
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(reportFile!, '');
    const consoleLog = Mocha.reporters.Base.consoleLog;
    // Reporters write through Base.consoleLog: tee it into the report file.
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
      appendFileSync(reportFile!, format(...args) + '\n');
      consoleLog(...args);
    };
  }
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  const grep = process.env.GITOPS_DRIFT_EDITOR_GREP;
  if (grep) mocha.grep(grep);
  const suiteDir = join(__dirname, process.env.GITOPS_DRIFT_EDITOR_SUITE ?? 'suite');
  for (const f of readdirSync(suiteDir)
    .filter((n) => n.endsWith('.test.js'))
    .sort())
    mocha.addFile(join(suiteDir, f));

  const outcomes: TestOutcome[] = [];
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run(resolve);
      runner.on('pass', (t) => outcomes.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
      runner.on('fail', (t, err: Error) =>
        outcomes.push({ title: t.fullTitle(), state: 'failed', error: err?.stack ?? String(err) }),
      );
      runner.on('pending', (t) => outcomes.push({ title: t.fullTitle(), state: 'pending' }));
    } catch (e) {
      reject(e);
    }
  });
  if (reportDir) {
    const summary = {
      passed: outcomes.filter((o) => o.state === 'passed').length,
      failed: failures,
      pending: outcomes.filter((o) => o.state === 'pending').length,
      tests: outcomes,
    };
    writeFileSync(join(reportDir, 'summary.json'), JSON.stringify(summary, null, 2));
  }
  if (failures > 0) throw new Error(`${failures} editor test(s) failed`);
}
