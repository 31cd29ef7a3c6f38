#!/usr/bin/env node
// Loads the extension bundle and calls activate() in fresh Node processes (bundleLoad.cjs), for the split build
// (dist/extension.js + lazily loaded dist/vscode/lazyEntry.js) and for everything bundled into one file, and prints
// the medians. Our code only: `vscode` is a do-nothing stand-in.   node bench/activation/bundle.mjs [--runs N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { lazySplitPlugin } from '../../test/editor/harness/build.mjs';
import { repoRoot } from '../../test/editor/harness/codeServer.mjs';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 15;
const out = mkdtempSync(join(tmpdir(), 'gitops-drift-bundle-'));
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  minify: true,
  logLevel: 'warning',
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};
try {
  const variants = {
    split: {
      dir: join(out, 'split'),
      options: {
        entryPoints: { extension: 'src/extension.ts', 'vscode/lazyEntry': 'src/vscode/lazyEntry.ts' },
        plugins: [lazySplitPlugin],
      },
    },
    single: { dir: join(out, 'single'), options: { entryPoints: { extension: 'src/extension.ts' } } },
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, v] of Object.entries(variants)) {
    await esbuild.build({ ...common, ...v.options, absWorkingDir: repoRoot, outdir: v.dir });
    const bundle = join(v.dir, 'extension.js');
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const line = execFileSync(process.execPath, [join(import.meta.dirname, 'bundleLoad.cjs')], {
        env: { ...process.env, BUNDLE: bundle },
        encoding: 'utf8',
      });
      samples.push(JSON.parse(line.trim().split('\n').pop()));
    }
    const load = median(samples.map((s) => s.loadMs));
    const act = median(samples.map((s) => s.activateMs));
    console.log(
      `${name.padEnd(6)}  extension.js ${(statSync(bundle).size / 1024).toFixed(0)} KB  load ${load.toFixed(1)} ms  activate() ${act.toFixed(1)} ms  (medians of ${RUNS})`,
    );
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
