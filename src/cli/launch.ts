#!/usr/bin/env node
/**
 * `gitops-drift` (dist/cli.js): loads the command-line bundle (dist/cliMain.js) with a V8 code cache, so a run
 * does not compile the same 1.7 MB of JavaScript again — what Node ≥ 22 does by itself with
 * `module.enableCompileCache()`, used here when the running Node has it.
 *
 * The cache holds compiled code of our own bundle only (no repo or cluster data), in
 * `$GITOPS_DRIFT_CODE_CACHE_DIR`, else `$XDG_CACHE_HOME/gitops-drift/code-cache`, else
 * `~/.cache/gitops-drift/code-cache`. V8 checks a cache against the source and its own version and flags and
 * ignores one that does not fit; the file name also carries the command, Node's version and the bundle's size and
 * time. The first run of each command writes it at exit; `NODE_DISABLE_COMPILE_CACHE=1` turns it off. Any trouble with the cache only costs
 * speed: the bundle then loads as usual.
 */
import Module from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compileWithCodeCache, writeCodeCache } from '../node/v8CodeCache';

interface NodeModuleInternals {
  enableCompileCache?: (dir?: string) => unknown;
  _nodeModulePaths(dir: string): string[];
}

interface CliMain {
  main(): void;
}

const bundle = join(__dirname, 'cliMain.js');
const env = process.env;
const cacheDir =
  env.GITOPS_DRIFT_CODE_CACHE_DIR ||
  join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gitops-drift', 'code-cache');
const nodeModule = Module as unknown as NodeModuleInternals;
const requireBundle = (): CliMain => Module.createRequire(__filename)(bundle) as CliMain;
/** Set GITOPS_DRIFT_DEBUG_CODE_CACHE=1 to see on stderr what happened to the cache (for tests and bug reports). */
const report = env.GITOPS_DRIFT_DEBUG_CODE_CACHE
  ? (what: string) => process.stderr.write(`code cache: ${what}\n`)
  : () => undefined;

function load(): CliMain {
  if (env.NODE_DISABLE_COMPILE_CACHE) {
    report('off');
    return requireBundle();
  }
  if (nodeModule.enableCompileCache) {
    nodeModule.enableCompileCache(cacheDir);
    report('node');
    return requireBundle();
  }
  return loadWithCachedData();
}

/** Node < 22: compile the bundle as a vm.Script with V8's cached data, as Node's CommonJS loader would run it. */
function loadWithCachedData(): CliMain {
  // One cache per command: it holds the functions that command's first run compiled (`check` and `render` differ).
  const command = /^[a-z][a-z-]*$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other';
  const { script, used, rejected, build, cacheFile } = compileWithCodeCache(bundle, (b) =>
    join(cacheDir, `cliMain-${command}-${b}.bin`),
  );
  report(used ? 'used' : rejected ? 'rejected' : 'none');
  if (!used) {
    // At exit the cache also holds every function the run compiled, not just the top level.
    process.once('exit', () => {
      const error = writeCodeCache(cacheFile, 'cliMain-', build, () => script.createCachedData());
      report(error ? `not written (${error})` : 'written');
    });
  }
  const module = new Module(bundle, require.main);
  module.filename = bundle;
  module.paths = nodeModule._nodeModulePaths(__dirname);
  const moduleRequire = ((id: string) => module.require(id)) as NodeJS.Require;
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  wrapper.call(module.exports, module.exports, moduleRequire, module, bundle, __dirname);
  module.loaded = true;
  return module.exports as CliMain;
}

load().main();
