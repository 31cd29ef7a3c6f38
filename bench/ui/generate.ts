/**
 * Generates the 100-environment repo of the editor at scale (issue #18), deterministic, as the repos we measured lay
 * themselves out:
 *
 *   envs/<region>/<stage>/          96 overlays (8 regions × 12 stages) over `base/`, each in its own namespace
 *                                   `<region>-<stage>`, with its image tag, replicas and a config literal
 *   base/                           web Deployment, Service and ConfigMap, an api Deployment and Service
 *   clusters/home/, kubernetes/     a home-ops Flux cluster (bench/flux/generate.ts, small): one environment whose
 *                                   applications are its Flux Kustomizations
 *   argocd/                         two Argo CD Applications on two destinations: `monitoring` (two `alertmanager`
 *                                   Deployments, in `monitoring` and `observability`) and `migrations` (a PreSync
 *                                   hook Job deleted when it succeeds); `.gitops-drift.yaml` makes each Application
 *                                   its own environment (`argocd.environments: application`)
 *
 * 100 environments as discovery finds them: the 96 overlays, the 2 Applications, the Flux cluster `home`, and its
 * `clusters/home/vars` folder (a kustomization root no other kustomization includes: discovery lists it too).
 * Run alone: `npx tsx bench/ui/generate.ts DIR` prints the counts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateFluxRepo } from '../flux/generate';

export const REGIONS = ['eu', 'us', 'ap', 'sa', 'af', 'me', 'ca', 'au'];
export const STAGES = [
  'dev',
  'qa',
  'test',
  'perf',
  'uat',
  'staging',
  'canary',
  'prod-a',
  'prod-b',
  'prod-c',
  'dr',
  'sandbox',
];

export interface GeneratedScaleRepo {
  /** The environments discovery finds (their order is discovery's). */
  environments: string[];
  overlays: number;
  argoApplications: number;
  fluxClusters: number;
}

/** Writes the repo under `dir` (no git: the caller commits it). */
export function generateScaleRepo(dir: string): GeneratedScaleRepo {
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  write(
    'base/kustomization.yaml',
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - web.yaml
  - api.yaml
configMapGenerator:
  - name: web-config
    literals:
      - LOG_LEVEL=info
images:
  - name: ghcr.io/example/web
    newTag: 1.4.0
`,
  );
  write('base/web.yaml', deployment('web', 'ghcr.io/example/web:1.0.0', 2) + '---\n' + service('web', 8080));
  write('base/api.yaml', deployment('api', 'ghcr.io/example/api:2.0.0', 1) + '---\n' + service('api', 9090));
  const environments: string[] = [];
  for (const [r, region] of REGIONS.entries())
    for (const [s, stage] of STAGES.entries()) {
      const prod = stage.startsWith('prod');
      write(
        `envs/${region}/${stage}/kustomization.yaml`,
        `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${region}-${stage}
resources:
  - ../../../base
images:
  - name: ghcr.io/example/web
    newTag: 1.${4 + ((r + s) % 3)}.${s}
configMapGenerator:
  - name: web-config
    behavior: merge
    literals:
      - LOG_LEVEL=${prod ? 'warn' : 'debug'}
      - REGION=${region}
patches:
  - path: replicas.yaml
`,
      );
      write(
        `envs/${region}/${stage}/replicas.yaml`,
        `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${prod ? 4 : 1}
`,
      );
      environments.push(`${region}-${stage}`);
    }

  // Argo CD: two destinations; `monitoring` holds two objects of one name in two namespaces.
  const argo = (name: string, path: string, destination: string, namespace: string) =>
    write(
      `argocd/${name}.yaml`,
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://github.com/example/platform
    targetRevision: main
    path: ${path}
  destination:
    name: ${destination}
    namespace: ${namespace}
`,
    );
  // Each Application its own environment (the opt-out of argocd.environments), as when this repo was measured: the
  // tree, its benches and the UI checks name these environments after the Applications.
  write('.gitops-drift.yaml', 'argocd:\n  environments: application\n');
  argo('monitoring', 'platform/monitoring', 'ops-eu', 'monitoring');
  argo('migrations', 'platform/migrations', 'ops-us', 'shop');
  write(
    'platform/monitoring/alertmanager.yaml',
    deployment('alertmanager', 'quay.io/prometheus/alertmanager:v0.28.1', 1, 'monitoring') +
      '---\n' +
      deployment('alertmanager', 'quay.io/prometheus/alertmanager:v0.28.1', 1, 'observability') +
      '---\n' +
      deployment('grafana', 'grafana/grafana:12.0.0', 1, 'monitoring'),
  );
  write(
    'platform/migrations/migrate.yaml',
    `apiVersion: batch/v1
kind: Job
metadata:
  name: db-migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: HookSucceeded
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: ghcr.io/example/api:2.0.0
          args: [migrate]
---
${service('api', 9090)}`,
  );
  environments.push('monitoring', 'migrations');

  // A small home-ops Flux cluster: one environment of ~20 Kustomizations.
  const flux = generateFluxRepo(dir, { kustomizations: 20, helmReleases: 12, objects: 200 });
  environments.push(flux.cluster, `${flux.cluster}/vars`);
  return { environments, overlays: REGIONS.length * STAGES.length, argoApplications: 2, fluxClusters: 1 };
}

function deployment(name: string, image: string, replicas: number, namespace?: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
}

function service(name: string, port: number): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - port: ${port}
`;
}

if (process.argv[1]?.endsWith('generate.ts') && process.argv[1].includes('bench/ui')) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx bench/ui/generate.ts DIR');
  console.log(JSON.stringify(generateScaleRepo(dir), null, 2));
}
