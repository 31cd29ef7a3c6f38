#!/usr/bin/env node
// Runs the extension-host mocha suite (test/editor/suite) in a real VS Code against the example repo and a real
// kube-apiserver from the test bed.
//   node scripts/run-editor-tests.mjs             code-server (VS Code on Node 24) driven by Debian chromium: CI
//   node scripts/run-editor-tests.mjs --electron  @vscode/test-electron (downloads a desktop VS Code: needs network)
// Options: --grep PATTERN, --no-cluster, --keep (leave the temp workspace and logs).
// Prints mocha's report and ends with "N passed, N failed"; exit code 0 only when every test passed.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, buildEditorTests, buildExtension } from '../test/editor/harness/build.mjs';
import {
  launchChromium,
  recordStats,
  repoRoot,
  setupEditor,
  startCodeServer,
  runRunner,
  cleanupStack,
} from '../test/editor/harness/codeServer.mjs';
import { prepareTestEnvironment } from '../test/editor/harness/testEnvironment.mjs';

const argv = process.argv.slice(2);
const electron = argv.includes('--electron');
const keep = argv.includes('--keep');
const withCluster = !argv.includes('--no-cluster');
const grepAt = argv.indexOf('--grep');
const grep = grepAt >= 0 ? argv[grepAt + 1] : undefined;
const RUN_TIMEOUT_MS = 10 * 60_000;

const { cleanups, cleanup } = cleanupStack();

/** Runs one suite folder of test/editor in an editor; returns its summary (or undefined) and the exit code. */
async function runSuite({ suite, trusted, testEnv, testsEntry, stateDir, reportDir }) {
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  const env = {
    ...testEnv.env,
    GITOPS_DRIFT_EDITOR_REPORT_DIR: reportDir,
    GITOPS_DRIFT_EDITOR_SUITE: suite,
    ...(grep ? { GITOPS_DRIFT_EDITOR_GREP: grep } : {}),
  };
  let exitCode;
  if (electron) {
    const { runTests } = await import('@vscode/test-electron');
    exitCode = await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsEntry,
      launchArgs: [
        testEnv.workspace,
        '--disable-extensions',
        '--disable-workspace-trust',
        `--user-data-dir=${join(stateDir, 'user-data')}`,
      ],
      extensionTestsEnv: env,
    }).catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      return 1;
    });
  } else {
    const installDir = setupEditor();
    const server = await startCodeServer({
      installDir,
      stateDir,
      settings: testEnv.settings,
      env,
      smokeTestDriver: true,
      workspaceTrust: !trusted,
    });
    try {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        exitCode = await new Promise((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(`the editor tests did not finish within ${RUN_TIMEOUT_MS / 1000} s; see ${server.logFile}`),
              ),
            RUN_TIMEOUT_MS,
          );
          // The workbench calls window.codeAutomationExit(code) when the extension tests' run() settles.
          page
            .exposeFunction('codeAutomationExit', (code) => {
              clearTimeout(timer);
              resolve(code);
            })
            .then(() =>
              page.goto(
                server.url(testEnv.workspace, [
                  ['extensionDevelopmentPath', server.remoteUri(repoRoot)],
                  ['extensionTestsPath', server.remoteUri(testsEntry)],
                ]),
              ),
            )
            .catch(reject);
        });
      } finally {
        await browser.close();
      }
    } finally {
      await server.stop();
    }
  }
  const reportFile = join(reportDir, 'mocha-report.txt');
  const summaryFile = join(reportDir, 'summary.json');
  if (existsSync(reportFile)) process.stdout.write(readFileSync(reportFile, 'utf8'));
  if (!existsSync(summaryFile)) {
    console.error(
      `${suite}: the editor tests wrote no summary (exit code ${exitCode}): the editor did not start, or its extension host could not load the tests (see above)`,
    );
    return { exitCode };
  }
  console.log(`report: ${reportFile}\nsummary: ${summaryFile}`);
  return { exitCode, summary: JSON.parse(readFileSync(summaryFile, 'utf8')) };
}

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-editor-'));
  if (!keep) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  await buildExtension();
  const testsEntry = await buildEditorTests();
  const cli = await buildCli();
  const testEnv = await prepareTestEnvironment({ stateDir, withCluster });
  cleanups.push(testEnv.dispose);
  testEnv.env.GITOPS_DRIFT_TEST_CLI = cli;

  // The main suite in a trusted workspace; then, in code-server, the same repo untrusted, with a workspace
  // setting that points at a kubeconfig the extension must ignore.
  const runs = [{ suite: 'suite', trusted: true }];
  if (!electron && withCluster) runs.push({ suite: 'untrusted', trusted: false });
  let passed = 0;
  let failed = 0;
  let pending = 0;
  for (const run of runs) {
    console.log(`\n=== ${run.suite} (${run.trusted ? 'trusted' : 'untrusted'} workspace) ===`);
    const vscodeDir = join(testEnv.workspace, '.vscode');
    if (!run.trusted) {
      mkdirSync(vscodeDir, { recursive: true });
      writeFileSync(
        join(vscodeDir, 'settings.json'),
        JSON.stringify({ 'gitopsDrift.kubeconfig': join(stateDir, 'planted-by-the-repo.kubeconfig') }),
      );
    }
    try {
      const { exitCode, summary } = await runSuite({
        ...run,
        testEnv,
        testsEntry,
        stateDir: join(stateDir, run.suite),
        reportDir: join(repoRoot, 'test-results', 'editor', run.suite),
      });
      if (!summary) failed++;
      else {
        passed += summary.passed;
        failed += summary.failed + (summary.failed === 0 && exitCode !== 0 ? 1 : 0);
        pending += summary.pending;
      }
    } finally {
      rmSync(vscodeDir, { recursive: true, force: true });
    }
  }
  recordStats({ passes: passed, failures: failed, pending });
  console.log(`\n${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
  return failed === 0 ? 0 : 1;
}

runRunner(main, cleanup);
