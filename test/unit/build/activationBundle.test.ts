/**
 * The activation bundle (dist/extension.js) must stay light: the engine, renderer and YAML library load with the lazy
 * half (dist/vscode/lazyEntry.js), which the bundle requires from Node's module cache (src/vscode/codeCache.ts puts it
 * there with a code cache). One value import from the engine in an editor module would pull it all back in.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { EDITOR_ENTRY_POINTS, sharedOptions, lazySplitPlugin } = require(join(root, 'esbuild.js')) as {
  EDITOR_ENTRY_POINTS: Record<string, string>;
  sharedOptions: esbuild.BuildOptions;
  lazySplitPlugin: esbuild.Plugin;
};

describe('bundles: what activation loads', function () {
  this.timeout(60_000);

  it('leaves the engine, the session and the YAML library to the lazy half, and requires it', async () => {
    const result = await esbuild.build({
      ...sharedOptions,
      entryPoints: { extension: join(root, 'src', 'extension.ts') },
      plugins: [lazySplitPlugin],
      write: false,
      metafile: true,
      outdir: 'activation-test',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.deepEqual(
      inputs.filter((p) =>
        /src\/(core\/engine|vscode\/driftSession|node\/argoCdClient)\.ts$|node_modules\/yaml\//.test(p),
      ),
      [],
    );
    const code = result.outputFiles.find((f) => f.path.endsWith('extension.js'))!.text;
    assert.match(code, /require\("\.\/vscode\/lazyEntry\.js"\)/);
    assert.doesNotMatch(code, /import\("\.\/vscode\/lazyEntry\.js"\)/, 'an import() would not find the cached module');
  });

  it('has VS Code load a small entry that loads the activation bundle, which holds the views', async () => {
    assert.equal(EDITOR_ENTRY_POINTS.extension, 'src/extensionEntry.ts', 'package.json main is dist/extension.js');
    assert.equal(EDITOR_ENTRY_POINTS.activation, 'src/extension.ts');
    const result = await esbuild.build({
      ...sharedOptions,
      entryPoints: { extension: join(root, EDITOR_ENTRY_POINTS.extension) },
      plugins: [lazySplitPlugin],
      write: false,
      metafile: true,
      outdir: 'entry-test',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).filter((p) => p.startsWith('src/'));
    assert.deepEqual(inputs.sort(), ['src/extensionEntry.ts', 'src/node/v8CodeCache.ts', 'src/vscode/codeCache.ts']);
    const code = result.outputFiles.find((f) => f.path.endsWith('extension.js'))!.text;
    assert.doesNotMatch(code, /require\("vscode"\)/);
    assert.match(code, /"activation\.js"/);
  });
});
