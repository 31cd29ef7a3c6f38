#!/usr/bin/env node
// Activation benchmark: VS Code's own measurement of the extension's activation, read from
// "Developer: Show Running Extensions" in a real editor (code-server, the packaged .vsix, the example repo),
// over several window loads. Also times loading the bundle and calling activate() outside the editor's
// bookkeeping. Not a timed test: prints figures (and writes test-results/activation.json) for docs/benchmarks.md.
//   node bench/activation/run.mjs [--runs N]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension } from '../../test/editor/harness/build.mjs';
import {
  installExtension,
  launchChromium,
  repoRoot,
  setupEditor,
  startCodeServer,
} from '../../test/editor/harness/codeServer.mjs';
import { prepareTestEnvironment } from '../../test/editor/harness/testEnvironment.mjs';
import { packageVsix } from '../../test/e2e/packageVsix.mjs';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const TIMEOUT = 60_000;

const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-'));
const cleanups = [() => rmSync(stateDir, { recursive: true, force: true })];
try {
  const installDir = setupEditor();
  const vsix = await packageVsix({ stateDir, buildExtension });
  installExtension({ installDir, stateDir, vsix });
  const testEnv = await prepareTestEnvironment({ stateDir, withCluster: true });
  cleanups.push(testEnv.dispose);
  const server = await startCodeServer({ installDir, stateDir, settings: testEnv.settings, env: testEnv.env });
  cleanups.push(server.stop);
  const browser = await launchChromium();
  cleanups.push(() => browser.close());

  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(server.url(testEnv.workspace));
    // Activated and done with its first check once the status bar shows a drift count.
    await page.locator('.part.statusbar .statusbar-item', { hasText: /· \d+ drifted/ }).waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Developer: Show Running Extensions');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'Show Running Extensions' })
      .first()
      .waitFor({ timeout: TIMEOUT });
    await page.keyboard.press('Enter');
    const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'GitOps Drift' }).first();
    await row.waitFor({ timeout: TIMEOUT });
    const time = row.locator('.activation-time');
    await time.waitFor({ timeout: TIMEOUT });
    const text = (await time.textContent()) ?? '';
    const ms = Number(/([\d.]+)\s*ms/.exec(text)?.[1]);
    if (!Number.isFinite(ms)) throw new Error(`cannot read an activation time from "${text}"`);
    samples.push(ms);
    if (i === 0)
      await page
        .screenshot({ path: join(repoRoot, 'test-results', 'activation-running-extensions.png') })
        .catch(() => undefined);
    console.log(`run ${i + 1}: activation ${ms} ms (${text.trim()})`);
    await page.close();
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const result = { runs: samples.length, samplesMs: samples, medianMs: median, maxMs: samples[samples.length - 1] };
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
  writeFileSync(join(repoRoot, 'test-results', 'activation.json'), JSON.stringify(result, null, 2));
  console.log(
    `\nactivation (VS Code's measurement, ${samples.length} window loads): median ${median} ms, max ${result.maxMs} ms`,
  );
} finally {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch((e) => console.error(`cleanup: ${e.message}`));
}
