#!/usr/bin/env node
// UI end-to-end check of what a person sees: packages the extension as a .vsix, installs it into a normal
// code-server (no smoke-test driver, so notifications show), opens the example repo against a real test-bed
// kube-apiserver and drives the page with Debian's chromium. Screenshots go to test-results/screenshots/.
//   node scripts/run-ui-tests.mjs [--keep] [--docs-images] [--grep TEXT]
// --grep runs only the checks whose name holds TEXT (a check that opens its own folder needs no other first).
// --docs-images also copies the screenshots the README uses to docs/images/.
// Ends with "N passed, N failed"; exit code 0 only when every check passed.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension } from '../test/editor/harness/build.mjs';
import {
  installExtension,
  launchChromium,
  recordStats,
  repoRoot,
  setupEditor,
  startCodeServer,
  runRunner,
  cleanupStack,
} from '../test/editor/harness/codeServer.mjs';
import { prepareTestEnvironment } from '../test/editor/harness/testEnvironment.mjs';
import { packageVsix } from '../test/e2e/packageVsix.mjs';
import { uiChecks } from '../test/e2e/uiChecks.mjs';

const keep = process.argv.includes('--keep');
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt >= 0 ? process.argv[grepAt + 1] : undefined;
const { cleanups, cleanup } = cleanupStack();

async function main() {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-ui-'));
  if (!keep) cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  const shots = join(repoRoot, 'test-results', 'screenshots');
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });

  const installDir = setupEditor();
  const vsix = await packageVsix({ stateDir, buildExtension });
  installExtension({ installDir, stateDir, vsix });

  const testEnv = await prepareTestEnvironment({ stateDir, withCluster: true });
  cleanups.push(testEnv.dispose);
  // Weeks of dated promotions for the History view and the DORA panel; the files end as the example has them.
  const { tsImport } = await import('tsx/esm/api');
  const { commitDemoHistory } = await tsImport('../test/editor/historyFixture.ts', import.meta.url);
  commitDemoHistory(testEnv.workspace);
  const server = await startCodeServer({
    installDir,
    stateDir,
    settings: {
      ...testEnv.settings,
      'workbench.colorTheme': 'Default Dark Modern',
      'editor.hover.delay': 100,
      'editor.minimap.enabled': false,
      'diffEditor.renderSideBySide': true,
      'diffEditor.useInlineViewWhenSpaceIsLimited': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    },
    env: testEnv.env,
  });
  cleanups.push(server.stop);
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1600, height: 960 } });

  const results = [];
  for (const { name, run } of uiChecks.filter((c) => grep === undefined || c.name.includes(grep))) {
    const started = Date.now();
    try {
      await run({ page, server, testEnv, shots });
      results.push({ name, ok: true });
      console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      results.push({ name, ok: false });
      console.log(`  ✘ ${name}\n      ${(e instanceof Error ? e.message : String(e)).split('\n').join('\n      ')}`);
      await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  if (process.argv.includes('--docs-images') && failed === 0) {
    const docs = join(repoRoot, 'docs', 'images');
    mkdirSync(docs, { recursive: true });
    for (const f of [
      'environments-view.png',
      'drift-hover.png',
      'diff-editor.png',
      'problems.png',
      'status-bar.png',
      'effective-values-hover.png',
      'overlay-hover.png',
      'rendered-preview.png',
      'compare-environments.png',
      'history-view.png',
      'dora-panel.png',
      'scale-tree.png',
      'no-cluster-view.png',
    ])
      copyFileSync(join(shots, f), join(docs, f));
    console.log(`copied the README screenshots to ${docs}`);
  }
  recordStats({ passes: results.length - failed, failures: failed });
  console.log(`\nscreenshots: ${shots}\n${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

runRunner(main, cleanup);
