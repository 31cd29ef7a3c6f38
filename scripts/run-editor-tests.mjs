#!/usr/bin/env node
// Runs the extension-host mocha suite (test/editor/suite) in a real VS Code against the example repo and a real
// kube-apiserver from the test bed.
//   node scripts/run-editor-tests.mjs             code-server (VS Code on Node 24) driven by Debian chromium: CI
//   node scripts/run-editor-tests.mjs --electron  @vscode/test-electron (downloads a desktop VS Code: needs network)
// Options: --grep PATTERN, --no-cluster, --keep (leave the temp workspace and logs).
// Prints mocha's report and ends with "N passed, N failed"; exit code 0 only when every test passed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEditorTests, buildExtension } from '../test/editor/harness/build.mjs';
import { launchChromium, repoRoot, setupEditor, startCodeServer } from '../test/editor/harness/codeServer.mjs';
import { prepareTestEnvironment } from '../test/editor/harness/testEnvironment.mjs';

const argv = process.argv.slice(2);
const electron = argv.includes('--electron');
const keep = argv.includes('--keep');
const withCluster = !argv.includes('--no-cluster');
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const RUN_TIMEOUT_MS = 10 * 60_000;

const cleanups = [];
const cleanup = async () => {
  while (cleanups.length) {
    try {
      await cleanups.pop()();
    } catch (e) {
      console.error(`cleanup: ${e instanceof Error ? e.message : e}`);
    }
  }
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void cleanup().finally(() => process.exit(130)));

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-editor-'));
  if (!keep) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const reportDir = join(repoRoot, 'test-results', 'editor');
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });

  await buildExtension();
  const testsEntry = await buildEditorTests();

  const testEnv = await prepareTestEnvironment({ stateDir, withCluster });
  cleanups.push(testEnv.dispose);
  const env = {
    ...testEnv.env,
    GITOPS_DRIFT_EDITOR_REPORT_DIR: reportDir,
    ...(grep ? { GITOPS_DRIFT_EDITOR_GREP: grep } : {}),
  };

  let exitCode;
  if (electron) {
    const { runTests } = await import('@vscode/test-electron');
    exitCode = await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsEntry,
      launchArgs: [testEnv.workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${join(stateDir, 'user-data')}`],
      extensionTestsEnv: env,
    }).catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      return 1;
    });
  } else {
    const installDir = setupEditor();
    const server = await startCodeServer({ installDir, stateDir, settings: testEnv.settings, env, smokeTestDriver: true });
    cleanups.push(server.stop);
    const browser = await launchChromium();
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    exitCode = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the editor tests did not finish within ${RUN_TIMEOUT_MS / 1000} s; see ${server.logFile}`)), RUN_TIMEOUT_MS);
      // The workbench calls window.codeAutomationExit(code) when the extension tests' run() settles.
      page.exposeFunction('codeAutomationExit', (code) => {
        clearTimeout(timer);
        resolve(code);
      }).then(() => page.goto(server.url(testEnv.workspace, [
        ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
        ['extensionTestsPath', server.remoteUri(testsEntry)],
      ]))).catch(reject);
    });
  }

  const reportFile = join(reportDir, 'mocha-report.txt');
  const summaryFile = join(reportDir, 'summary.json');
  if (existsSync(reportFile)) process.stdout.write(readFileSync(reportFile, 'utf8'));
  if (!existsSync(summaryFile)) {
    console.error(`the editor tests wrote no summary (exit code ${exitCode}): the editor did not start, or its extension host could not load the tests (see above)`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  console.log(`\nreport: ${reportFile}\nsummary: ${summaryFile}`);
  console.log(`${summary.passed} passed, ${summary.failed} failed${summary.pending ? `, ${summary.pending} skipped` : ''}`);
  return summary.failed === 0 && exitCode === 0 ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e) => {
    console.error(e instanceof Error ? e.stack : e);
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
