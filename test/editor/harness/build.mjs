// Bundles the extension-host test entry and each suite file to out/test/editor (CommonJS; `vscode` and mocha
// stay external: the host provides the first, the repo's node_modules the second).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import buildConfig from '../../../esbuild.js';
import { repoRoot } from './codeServer.mjs';

const { EDITOR_ENTRY_POINTS, EDITOR_PLUGINS, lazySplitPlugin, sharedOptions } = buildConfig;
export { lazySplitPlugin };

/**
 * Bundles the extension alone, with the options esbuild.js uses (so a half-finished CLI in the tree does not stop
 * the editor tests), in three files: dist/extension.js (what VS Code loads), dist/activation.js (what it loads with a
 * code cache: the views, providers and commands) and dist/vscode/lazyEntry.js (the engine, renderer, YAML, git and
 * cluster client, loaded on first use).
 */
export async function buildExtension({ production = false, sourcemap = !production } = {}) {
  await esbuild.build(extensionBuildOptions({ production, sourcemap }));
}

/**
 * The esbuild options of buildExtension: esbuild.js's own for the editor's bundles, plugins included (client-node's
 * kubeconfig-only import and the node-fetch stand-in: without them the engine bundle took in all of client-node's
 * API models, node-fetch and tr46's table, 56 % more code than the package `vsce` makes).
 */
export function extensionBuildOptions({ production = false, sourcemap = !production } = {}) {
  return {
    ...sharedOptions,
    entryPoints: Object.fromEntries(
      Object.entries(EDITOR_ENTRY_POINTS).map(([out, source]) => [out, join(repoRoot, source)]),
    ),
    outdir: join(repoRoot, 'dist'),
    plugins: EDITOR_PLUGINS,
    minify: production,
    // Maps beside a production build (not packaged: .vscodeignore) name the minified frames of a bench's profile.
    sourcemap,
    logLevel: 'warning',
  };
}

/** Builds the tests; returns the absolute path of the entry module (without extension, as the launchers expect). */
export async function buildEditorTests() {
  const suites = ['suite', 'untrusted'].flatMap((dir) => {
    const suiteDir = join(repoRoot, 'test', 'editor', dir);
    return readdirSync(suiteDir)
      .filter((n) => n.endsWith('.test.ts'))
      .map((n) => join(suiteDir, n));
  });
  const outdir = join(repoRoot, 'out', 'test', 'editor');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'test', 'editor', 'index.ts'), ...suites],
    outbase: join(repoRoot, 'test', 'editor'),
    outdir,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  return join(outdir, 'index');
}

/**
 * Bundles the `gitops-drift` CLI to out/test/cli.js, for the editor tests that compare what the editor shows with
 * what `gitops-drift check` reports. Returns its path.
 */
export async function buildCli() {
  const outfile = join(repoRoot, 'out', 'test', 'cli.js');
  await esbuild.build({
    entryPoints: [join(repoRoot, 'src', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  return outfile;
}
