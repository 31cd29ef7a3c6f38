/**
 * Generates a config repo with a shared base of N objects and `envs/<name>` overlays, each rendering to N objects
 * in its own namespace: the input of the reconcile benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/**
 * Writes `dir/base`: one app per four objects (a Deployment, a Service, a ConfigMap and a ServiceAccount: a realistic
 * mix) and its kustomization. `logLevelEnv` gives each container an env entry (the reconcile bench's shape).
 */
export function writeBenchBase(dir: string, objectsPerEnv: number, options: { logLevelEnv: boolean }): void {
  const base = join(dir, 'base');
  mkdirSync(base, { recursive: true });
  const apps = Math.floor(objectsPerEnv / 4);
  const files: string[] = [];
  for (let i = 0; i < apps; i++) {
    const name = `app-${String(i).padStart(4, '0')}`;
    const file = `${name}.yaml`;
    files.push(file);
    writeFileSync(
      join(base, file),
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
${options.logLevelEnv ? LOG_LEVEL_ENV : ''}        resources:
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
}

const LOG_LEVEL_ENV = `        env:
        - name: LOG_LEVEL
          value: info
`;

/** Writes the repo under `dir`; returns the namespace of each environment. */
export function generateReconcileRepo(dir: string, objectsPerEnv: number): Record<string, string> {
  writeBenchBase(dir, objectsPerEnv, { logLevelEnv: true });
  const namespaces: Record<string, string> = {};
  for (const env of BENCH_ENVIRONMENTS) {
    const overlay = join(dir, 'envs', env);
    mkdirSync(overlay, { recursive: true });
    namespaces[env] = `bench-${env}`;
    writeFileSync(
      join(overlay, 'kustomization.yaml'),
      `namespace: bench-${env}
resources:
- ../../base
labels:
- pairs:
    env: ${env}
commonAnnotations:
  owner: platform
`,
    );
  }
  writeFileSync(
    join(dir, '.gitops-drift.yaml'),
    `environments:\n${BENCH_ENVIRONMENTS.map((e) => `- name: ${e}\n  path: envs/${e}\n  namespace: bench-${e}`).join('\n')}\npromotion: [${BENCH_ENVIRONMENTS.join(', ')}]\n`,
  );
  return namespaces;
}
