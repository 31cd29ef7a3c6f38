// Where the lint CLI's time goes, in one process (run by run.ts through tsx): `inProcess.ts DIR` prints JSON with
// the milliseconds of loading the environments, rendering them, and linting with those renders cached (the
// editor's case: the engine has rendered already), each measured once, cold, as the CLI meets them.
import { lintRepository } from '../../src/core/authoring/lint';
import { DriftEngine } from '../../src/core/engine';
import { FileCache } from '../../src/core/fileCache';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';

/** Milliseconds per phase. */
export interface LintPhases {
  loadMs: number;
  renderMs: number;
  lintMs: number;
}

async function main(): Promise<void> {
  const repoRoot = process.argv[2];
  const fs = new FileCache(new NodeFileSystem());
  const engine = new DriftEngine({ fs, repoRoot });
  let t = performance.now();
  const repo = await engine.load();
  const loadMs = performance.now() - t;
  t = performance.now();
  for (const env of repo.environments) await engine.render(env);
  const renderMs = performance.now() - t;
  t = performance.now();
  await lintRepository({ fs, repoRoot, environments: repo.environments, render: (env) => engine.render(env) });
  const lintMs = performance.now() - t;
  process.stdout.write(JSON.stringify({ loadMs, renderMs, lintMs } satisfies LintPhases) + '\n');
}

void main();
