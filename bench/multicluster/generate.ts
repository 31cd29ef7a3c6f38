/**
 * Generates the multi-cluster benchmark's config repo: one shared base of N objects (a Deployment, Service, ConfigMap
 * and ServiceAccount per app) and `envs/env-NN` overlays, each in its own namespace, spread over the clusters'
 * contexts in `.gitops-drift.yaml` (environment i on cluster i mod clusters).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeBenchBase } from '../reconcile/generate';

export interface BenchEnvironment {
  name: string;
  namespace: string;
  /** The kube context (one per API server) it is pinned to. */
  context: string;
}

/** Writes the repo under `dir`; returns its environments. */
export function generateMultiClusterRepo(
  dir: string,
  options: { environments: number; objectsPerEnv: number; contexts: string[] },
): BenchEnvironment[] {
  writeBenchBase(dir, options.objectsPerEnv, { logLevelEnv: false });
  const environments: BenchEnvironment[] = [];
  for (let i = 0; i < options.environments; i++) {
    const name = `env-${String(i).padStart(2, '0')}`;
    const env = { name, namespace: `bench-${name}`, context: options.contexts[i % options.contexts.length] };
    environments.push(env);
    mkdirSync(join(dir, 'envs', name), { recursive: true });
    writeFileSync(
      join(dir, 'envs', name, 'kustomization.yaml'),
      `namespace: ${env.namespace}\nresources:\n- ../../base\nlabels:\n- pairs:\n    env: ${name}\ncommonAnnotations:\n  owner: platform\n`,
    );
  }
  writeFileSync(
    join(dir, '.gitops-drift.yaml'),
    `environments:\n${environments
      .map((e) => `- name: ${e.name}\n  path: envs/${e.name}\n  namespace: ${e.namespace}\n  context: ${e.context}`)
      .join('\n')}\n`,
  );
  return environments;
}
