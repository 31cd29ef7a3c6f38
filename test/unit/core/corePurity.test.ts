import { strict as assert } from 'node:assert';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';

/** The lint rule that keeps src/core pure: it must fail on vscode and I/O imports there, and only there. */
describe('lint: src/core never imports vscode or I/O libraries', function () {
  this.timeout(60_000);
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const eslint = new ESLint({ cwd: repoRoot });
  const restricted = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: resolve(repoRoot, file) }))[0].messages
      .filter((m) => m.ruleId === 'no-restricted-imports')
      .map((m) => m.message);

  it('fails for vscode, fs, child_process and client-node under src/core', async () => {
    assert.match(
      (
        await restricted('src/core/drift/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n")
      ).join(),
      /must not import vscode/,
    );
    assert.match(
      (
        await restricted(
          'src/core/render/probe.ts',
          "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
        )
      ).join(),
      /FileSystem port/,
    );
    assert.match(
      (
        await restricted('src/core/probe.ts', "import { spawn } from 'child_process';\nexport const x = spawn;\n")
      ).join(),
      /never runs processes/,
    );
    assert.match(
      (
        await restricted(
          'src/core/live/probe.ts',
          "import { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;\n",
        )
      ).join(),
      /ClusterReader port/,
    );
    assert.match(
      (
        await restricted(
          'src/core/probe.ts',
          "import { NodeFileSystem } from '../node/nodeFileSystem';\nexport const x = NodeFileSystem;\n",
        )
      ).join(),
      /adapters/,
    );
  });

  it('allows the same imports in the adapters', async () => {
    assert.deepEqual(
      await restricted('src/vscode/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n"),
      [],
    );
    assert.deepEqual(
      await restricted(
        'src/node/probe.ts',
        "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      ),
      [],
    );
  });
});
