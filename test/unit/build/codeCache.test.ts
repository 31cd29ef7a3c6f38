/** src/vscode/codeCache.ts: the lazy half loaded into Node's module cache with a V8 code cache, written on request. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLazyHalf, loadWithCodeCache } from '../../../src/vscode/codeCache';

describe('the lazy half with a code cache', () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-code-cache-'));
    bundle = join(dir, 'dist', 'vscode', 'lazyEntry.js');
    mkdirSync(join(dir, 'dist', 'vscode'), { recursive: true });
    // Module-level state shows whether a require ran the file again or took the cached module.
    writeFileSync(
      bundle,
      'exports.loads = (globalThis.__lazyHalfLoads = (globalThis.__lazyHalfLoads ?? 0) + 1);\n' +
        'exports.file = __filename;\nexports.sum = (a, b) => a + b;\n',
    );
  });
  afterEach(() => {
    delete require.cache[bundle];
    delete (globalThis as { __lazyHalfLoads?: number }).__lazyHalfLoads;
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the bundle once into the module cache, writes the cache when asked, and uses it next time', () => {
    const cacheDir = join(dir, 'cache');
    const first = loadLazyHalf(join(dir, 'dist'), cacheDir);
    assert.equal(first.state, 'written later');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(bundle) as { loads: number; file: string; sum(a: number, b: number): number };
    assert.deepEqual([loaded.loads, loaded.file, loaded.sum(2, 3)], [1, bundle, 5]);
    assert.equal(loadLazyHalf(join(dir, 'dist'), cacheDir).state, 'off', 'already loaded: left alone');
    assert.equal(first.save(), undefined);
    assert.equal(readdirSync(cacheDir).filter((n) => /^lazyEntry-.*\.bin$/.test(n)).length, 1);

    delete require.cache[bundle];
    const again = loadLazyHalf(join(dir, 'dist'), cacheDir);
    assert.equal(again.state, 'used');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal((require(bundle) as { loads: number }).loads, 2);
  });

  it('does nothing without a split build, and a cache for another build of the bundle is dropped on write', () => {
    assert.equal(loadLazyHalf(join(dir, 'elsewhere'), join(dir, 'cache')).state, 'off');
    const cacheDir = join(dir, 'cache');
    mkdirSync(cacheDir);
    writeFileSync(join(cacheDir, 'lazyEntry-v0-x64-1-1.bin'), 'stale');
    const load = loadLazyHalf(join(dir, 'dist'), cacheDir);
    assert.equal(load.save(), undefined);
    assert.deepEqual(
      readdirSync(cacheDir).filter((n) => n.includes('v0-')),
      [],
    );
  });

  it("keeps each bundle's cache under its own prefix, the activation bundle beside the lazy half", () => {
    const cacheDir = join(dir, 'cache');
    const activation = join(dir, 'dist', 'activation.js');
    writeFileSync(activation, 'exports.activate = () => 42;\n');
    try {
      const load = loadWithCodeCache(activation, cacheDir, 'activation-');
      assert.equal(load.state, 'written later');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      assert.equal((require(activation) as { activate(): number }).activate(), 42);
      assert.equal(load.save(), undefined);
      assert.equal(loadLazyHalf(join(dir, 'dist'), cacheDir).save(), undefined);
      assert.deepEqual(
        readdirSync(cacheDir)
          .map((n) => n.replace(/-v\d.*$/, ''))
          .sort(),
        ['activation', 'lazyEntry'],
      );
      delete require.cache[activation];
      assert.equal(loadWithCodeCache(activation, cacheDir, 'activation-').state, 'used');
    } finally {
      delete require.cache[activation];
    }
  });
});
