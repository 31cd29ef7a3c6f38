/**
 * esbuild.js reaches into @kubernetes/client-node's internal dist/ paths (config.js's import of ./gen/index.js, and
 * node-fetch) to keep the bundles small. An upgrade that moves them would not fail the build, only undo the trim:
 * this test bundles the CLI and fails when the plugin no longer takes effect.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { sharedOptions } = require(join(root, 'esbuild.js')) as { sharedOptions: esbuild.BuildOptions };

describe('bundles: the client-node trim in esbuild.js still applies', function () {
  this.timeout(60_000);

  it("replaces config.js's API index with the two helpers, and leaves out node-fetch and the API models", async () => {
    const result = await esbuild.build({
      ...sharedOptions,
      entryPoints: [join(root, 'src', 'cli', 'main.ts')],
      write: false,
      metafile: true,
      outfile: 'cli-test.js',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((p) => p.startsWith('client-node-gen:')),
      'config.js still imports ./gen/index.js, and the plugin replaced it',
    );
    assert.ok(
      inputs.some((p) => /@kubernetes\/client-node\/dist\/gen\/configuration\.js$/.test(p)),
      'gen/configuration.js is where createConfiguration lives',
    );
    assert.ok(
      inputs.some((p) => /@kubernetes\/client-node\/dist\/gen\/servers\.js$/.test(p)),
      'gen/servers.js is where ServerConfiguration lives',
    );
    assert.deepEqual(
      inputs.filter((p) => /node_modules\/(node-fetch|whatwg-url|tr46)\//.test(p)),
      [],
      'node-fetch stays out',
    );
    assert.deepEqual(
      inputs.filter((p) => /client-node\/dist\/gen\/models\//.test(p)).slice(0, 3),
      [],
      'the API models stay out',
    );
  });

  it('applies to the engine bundle the editor tests, UI tests and benches package (test/editor/harness/build.mjs)', async () => {
    const harness = (await import(pathToFileURL(join(root, 'test', 'editor', 'harness', 'build.mjs')).href)) as {
      extensionBuildOptions(o: {
        production?: boolean;
      }): esbuild.BuildOptions & { entryPoints: Record<string, string> };
    };
    const options = harness.extensionBuildOptions({ production: true });
    const result = await esbuild.build({
      ...options,
      entryPoints: { 'vscode/lazyEntry': options.entryPoints['vscode/lazyEntry'] },
      outdir: 'harness-test',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(
      inputs.some((p) => p.startsWith('client-node-gen:')),
      'the kubeconfig-only import applies',
    );
    assert.deepEqual(
      inputs
        .filter((p) => /node_modules\/(node-fetch|whatwg-url|tr46)\/|client-node\/dist\/gen\/models\//.test(p))
        .slice(0, 3),
      [],
      'node-fetch and the API models stay out of what the benches measure, as out of the package',
    );
  });
});
