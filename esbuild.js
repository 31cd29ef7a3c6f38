// Bundles the extension and the CLI. Type checking runs separately (`npm run check-types`).
// dist/extension.js is what VS Code loads (src/extensionEntry.ts, a few KB): it loads dist/activation.js (the views,
// providers and commands) with a V8 code cache; the engine, renderer, YAML, git and cluster client go into
// dist/vscode/lazyEntry.js, loaded on first use, so activation stays cheap.
const esbuild = require('esbuild');
const { spawnSync } = require('node:child_process');

/** Modules the editor code imports with `import()` that belong in the lazily loaded bundle. */
const LAZY = /(^|\/)(driftSession|promote|revert|putLiveBack|adoptLiveValue|lazyEntry)\.js$/;

/**
 * Points the editor's dynamic imports of the lazy modules at dist/vscode/lazyEntry.js instead of inlining them, as a
 * `require` (not an `import()`): src/vscode/codeCache.ts puts that file in Node's module cache, loaded with a V8
 * code cache, and a require finds it there.
 */
const lazySplitPlugin = {
  name: 'gitops-drift-lazy-split',
  setup(build) {
    const fromEditor = (importer) => /[\\/]src[\\/](extension\.ts$|vscode[\\/])/.test(importer);
    build.onResolve({ filter: LAZY }, (args) =>
      args.kind === 'dynamic-import' && fromEditor(args.importer)
        ? { path: 'lazyEntry', namespace: 'gitops-drift-lazy-half' }
        : undefined,
    );
    build.onResolve({ filter: /.*/, namespace: 'gitops-drift-lazy-half' }, (args) => ({
      path: args.path,
      external: true,
    }));
    build.onLoad({ filter: /.*/, namespace: 'gitops-drift-lazy-half' }, () => ({
      contents: "module.exports = require('./vscode/lazyEntry.js');\n",
      loader: 'js',
    }));
  },
};

/**
 * client-node's kubeconfig module (the only part we use) takes two helpers from its generated API index, which
 * re-exports every API model (~850 KB): point that one import at the two files defining them, so the bundles
 * parse a third less code at startup. Also leaves out node-fetch (see below).
 */
const kubeConfigOnlyPlugin = {
  name: 'gitops-drift-kubeconfig-only',
  setup(build) {
    build.onResolve({ filter: /^\.\/gen\/index\.js$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]config\.js$/.test(args.importer)
        ? { path: `${args.resolveDir}/gen`, namespace: 'client-node-gen' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'client-node-gen' }, (args) => ({
      contents:
        "export { createConfiguration } from './configuration.js';\nexport { ServerConfiguration } from './servers.js';\n",
      resolveDir: args.path,
      loader: 'js',
    }));
    // That module also imports node-fetch, for Headers in applyToFetchOptions and a default fetch in the generated
    // configuration: neither runs here (our transport does HTTP itself). Node's own Headers and fetch stand in, so
    // node-fetch, whatwg-url and tr46 (a 300 KB table built at load) stay out of every start. Both are looked up
    // when called, not at load: reading globalThis.Headers makes Node load its fetch (undici, ~20 ms) at start.
    build.onResolve({ filter: /^node-fetch$/ }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/.test(args.importer)
        ? { path: 'node-fetch', namespace: 'client-node-fetch' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'client-node-fetch' }, () => ({
      contents:
        'export class Headers { constructor(init) { return new globalThis.Headers(init); } }\n' +
        'export default (...args) => globalThis.fetch(...args);\n' +
        'export class AbortError extends Error {}\nexport class FetchError extends Error {}\n',
      loader: 'js',
    }));
  },
};

/** The editor's three bundles (dist/…: src/…): see the header. */
const EDITOR_ENTRY_POINTS = {
  extension: 'src/extensionEntry.ts',
  activation: 'src/extension.ts',
  'vscode/lazyEntry': 'src/vscode/lazyEntry.ts',
};

/** Options every bundle of ours shares. */
const sharedOptions = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  sourcesContent: false,
  // client-node is ESM-only; bundling it into CJS needs import.meta.url shimmed.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  plugins: [kubeConfigOnlyPlugin],
};

/**
 * The plugins of the editor's bundles, for every build that makes them: this file's, and the one the editor tests,
 * UI tests and benches package (test/editor/harness/build.mjs), so that they run what `vsce package` ships.
 */
const EDITOR_PLUGINS = [kubeConfigOnlyPlugin, lazySplitPlugin];

/** Logs build results in the format VS Code's esbuild problem matcher reads. */
const problemMatcherPlugin = {
  name: 'esbuild-problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

/**
 * Helm's engine in WebAssembly (helm-wasm/, scripts/build-helm-wasm.sh, cached by content in $GITOPS_DRIFT_CACHE)
 * into dist/helm/, when Go is on PATH. `--no-helm-engine` skips it (the demo, which has no Helm content); without it
 * the build still succeeds and Helm applications report that the engine is missing.
 */
function buildHelmEngine() {
  if (process.argv.includes('--no-helm-engine')) return;
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    console.warn('build: Go is not on PATH, so the Helm engine (dist/helm/) is not built');
    return;
  }
  const result = spawnSync('bash', ['scripts/build-helm-wasm.sh', '--out', 'dist/helm'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) console.warn('build: the Helm engine (dist/helm/) could not be built (see above)');
}

async function main() {
  const production = process.argv.includes('--production');
  const watch = process.argv.includes('--watch');
  const ctx = await esbuild.context({
    ...sharedOptions,
    entryPoints: {
      ...EDITOR_ENTRY_POINTS,
      cli: 'src/cli/launch.ts',
      cliMain: 'src/cli/main.ts',
    },
    outdir: 'dist',
    minify: production,
    sourcemap: true,
    logLevel: 'silent',
    plugins: [...EDITOR_PLUGINS, ...(watch ? [problemMatcherPlugin] : [])],
  });
  buildHelmEngine();
  if (watch) {
    await ctx.watch();
  } else {
    const result = await ctx.rebuild();
    await ctx.dispose();
    if (result.errors.length) process.exit(1);
  }
}

module.exports = { EDITOR_ENTRY_POINTS, EDITOR_PLUGINS, lazySplitPlugin, sharedOptions };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
