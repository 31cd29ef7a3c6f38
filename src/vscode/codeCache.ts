/**
 * The editor's two bundles loaded with a V8 code cache, as the CLI loads its bundle (src/cli/launch.ts), so a window
 * does not compile the same code again: the lazy half (dist/vscode/lazyEntry.js: the engine, renderer, YAML and
 * cluster client, 1.7 MB) before its first render, and the activation bundle (dist/activation.js, loaded by the small
 * entry src/extensionEntry.ts) before `activate()`. A loaded module goes into Node's module cache, where a `require`
 * of its file finds it (the activation bundle's own `require('./vscode/lazyEntry.js')`, esbuild.js's lazy split).
 *
 * The cache holds compiled code of our bundle only, in the extension's global storage; the file name carries Node's
 * version and the bundle's size and time, and V8 refuses a cache made by another V8 or with other flags. It is
 * written once the first render is done (so it holds the functions that render compiled), and any trouble with it
 * only costs speed: the bundle then loads as usual. Without a split build (tests running the sources) it does nothing.
 */
import { existsSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { compileWithCodeCache, writeCodeCache } from '../node/v8CodeCache';

interface ModuleInternals {
  _cache: Record<string, Module>;
  _nodeModulePaths(dir: string): string[];
}

/** What happened to the cache, for the log; `save` writes it when it was missing or refused. */
export interface CodeCacheLoad {
  state: 'used' | 'written later' | 'off';
  ms: number;
  save(): string | undefined;
}

/**
 * Loads `<bundleDir>/vscode/lazyEntry.js` into Node's module cache with the code cache in `cacheDir`, unless it is
 * absent (no split build) or already loaded. Never throws: a failure leaves the ordinary load to the bundle.
 */
export function loadLazyHalf(bundleDir: string, cacheDir: string): CodeCacheLoad {
  return loadWithCodeCache(join(bundleDir, 'vscode', 'lazyEntry.js'), cacheDir, 'lazyEntry-');
}

/**
 * Loads the CommonJS file `bundle` into Node's module cache, compiled with the code cache `<cacheDir>/<prefix>BUILD.bin`,
 * unless it is absent or already loaded; a later `require(bundle)` takes the loaded module. Never throws: a failure
 * leaves the ordinary load to that `require`.
 */
export function loadWithCodeCache(bundle: string, cacheDir: string, prefix: string): CodeCacheLoad {
  const started = Date.now();
  const off = (): CodeCacheLoad => ({ state: 'off', ms: Date.now() - started, save: () => undefined });
  const internals = Module as unknown as ModuleInternals;
  if (!existsSync(bundle) || internals._cache[bundle]) return off();
  try {
    const { script, used, build, cacheFile } = compileWithCodeCache(bundle, (b) => join(cacheDir, `${prefix}${b}.bin`));
    const module = new Module(bundle);
    module.filename = bundle;
    module.paths = internals._nodeModulePaths(dirname(bundle));
    internals._cache[bundle] = module;
    try {
      const wrapper = script.runInThisContext() as (
        exports: unknown,
        require: NodeJS.Require,
        module: Module,
        filename: string,
        dirname: string,
      ) => void;
      // A require whose parent is the bundle: VS Code gives `vscode` by the requiring file's extension.
      wrapper.call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, dirname(bundle));
      module.loaded = true;
    } catch (e) {
      delete internals._cache[bundle];
      throw e;
    }
    return {
      state: used ? 'used' : 'written later',
      ms: Date.now() - started,
      save: () => (used ? undefined : writeCodeCache(cacheFile, prefix, build, () => script.createCachedData())),
    };
  } catch {
    return off();
  }
}
