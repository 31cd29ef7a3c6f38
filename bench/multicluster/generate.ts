/**
 * Generates the multi-cluster benchmark's config repo: one shared base of N objects (a Deployment, Service, ConfigMap
 * and ServiceAccount per app) and `envs/env-NN` overlays, each in its own namespace, spread over the clusters'
 * contexts in `.gitops-drift.yaml` (environment i on cluster i mod clusters).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  const base = join(dir, 'base');
  mkdirSync(base, { recursive: true });
  const apps = Math.floor(options.objectsPerEnv / 4);
  const files: string[] = [];
  for (let i = 0; i < apps; i++) {
    const name = `app-${String(i).padStart(4, '0')}`;
    files.push(`${name}.yaml`);
    writeFileSync(
      join(base, `${name}.yaml`),
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
      - name: main
        image: ghcr.io/acme/${name}:1.0.0
        ports:
        - containerPort: 8080
        resources:
          requests:
            cpu: 100m
            memory: 64Mi
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
data:
  greeting: hello
  retries: "3"
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
`,
    );
  }
  writeFileSync(join(base, 'kustomization.yaml'), `resources:\n${files.map((f) => `- ${f}`).join('\n')}\n`);
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
