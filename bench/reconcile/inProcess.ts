/** The in-process part of the reconcile benchmark: cold, warm, and re-diff after one file edit with watches. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import { LiveCache } from '../../src/core/live/liveCache';
import { reconcile } from '../../src/core/drift/reconcile';
import { driftOptionsFor } from '../../src/core/repo/driftSettings';
import { createKubeClusterReader } from '../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';

/** Edits timed for the re-diff figure (its median is reported). */
const EDITS = 7;

export interface Measurement {
  ms: number;
  requests: number;
  drifted: number;
}

export async function measureInProcess(
  repoDir: string,
  kubeconfigPath: string,
  context: string,
): Promise<{ cold: Measurement; warm: Measurement; afterEdit: Measurement }> {
  const reader = await createKubeClusterReader({ kubeconfigPath, context });
  const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repoDir });

  const checkAll = async (): Promise<Measurement> => {
    const before = reader.stats.requests;
    const started = performance.now();
    const repo = await engine.load();
    let drifted = 0;
    for (const env of repo.environments) {
      const report = await engine.check(env, { reader, context });
      if (report.error) throw new Error(`${env.name}: ${report.error}`);
      drifted += report.resources.filter((r) => r.verdict !== 'InSync').length;
    }
    return { ms: performance.now() - started, requests: reader.stats.requests - before, drifted };
  };
  const cold = await checkAll();
  const warm = await checkAll();

  // The editor's path: live state from watches, a save re-renders only the environments that read the file.
  const cache = new LiveCache(reader);
  try {
    const repo = await engine.repo();
    for (const env of repo.environments) {
      const rendered = await engine.render(env);
      await cache.read(
        rendered.objects.map((o) => o.object),
        { defaultNamespace: env.namespace ?? 'default' },
      );
    }
    // One edit is one sample: the median of several, each edit undone by the next.
    const file = 'envs/prod/kustomization.yaml';
    const path = join(repoDir, file);
    const original = readFileSync(path, 'utf8');
    const samples: Measurement[] = [];
    for (let i = 0; i < EDITS; i++) {
      writeFileSync(path, i % 2 ? original : original.replace('owner: platform', 'owner: platform-team'));
      const before = reader.stats.requests;
      const started = performance.now();
      const change = await engine.fileChanged(file);
      let drifted = 0;
      for (const name of change.environments) {
        const env = await engine.environment(name);
        const rendered = await engine.render(env);
        const live = await cache.read(
          rendered.objects.map((o) => o.object),
          { defaultNamespace: env.namespace ?? 'default' },
        );
        drifted += reconcile(rendered.objects, live, driftOptionsFor(env, repo.config)).filter(
          (r) => r.verdict !== 'InSync',
        ).length;
      }
      samples.push({ ms: performance.now() - started, requests: reader.stats.requests - before, drifted });
      if (change.environments.join() !== 'prod')
        throw new Error(`expected only prod to be re-checked, got ${change.environments.join(', ')}`);
    }
    writeFileSync(path, original);
    const afterEdit = [...samples].sort((a, b) => a.ms - b.ms)[Math.floor(samples.length / 2)];
    return { cold, warm, afterEdit };
  } finally {
    cache.dispose();
  }
}
