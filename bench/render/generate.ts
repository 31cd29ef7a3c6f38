import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Objects each generated app renders to: Deployment, Service, ServiceAccount and a generated ConfigMap. */
const OBJECTS_PER_APP = 4;
const IMAGE_GROUPS = 10;

/**
 * Writes a config repo whose `envs/prod` overlay renders `resources` objects: one base per app (resources,
 * includeSelectors labels, a configMapGenerator) and a prod overlay with namespace, namePrefix, labels, annotations,
 * images (tags and digests), replicas, generator merges, and SMP/JSON6902 patches by label selector, name regex
 * and file. Returns the overlay directory, relative to `dir`.
 */
export function generateRepo(dir: string, resources: number): string {
  const apps = Math.ceil(resources / OBJECTS_PER_APP);
  const names = Array.from({ length: apps }, (_, i) => `app-${String(i).padStart(4, '0')}`);
  names.forEach((name, i) => writeApp(dir, name, i));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const patched = names.filter((_, i) => i % 100 === 7);
  const merged = names.filter((_, i) => i % 50 === 3);
  for (const name of patched) {
    write(
      `envs/prod/patches/${name}.yaml`,
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - name: main
          env:
            - name: PATCHED
              value: "true"
          resources:
            limits:
              memory: 1Gi
`,
    );
  }
  write(
    'envs/prod/kustomization.yaml',
    `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: prod
namePrefix: prod-
commonAnnotations:
  owner: platform-team
labels:
  - pairs:
      env: prod
    includeTemplates: true
resources:
${names.map((n) => `  - ../../apps/${n}`).join('\n')}
images:
${Array.from({ length: IMAGE_GROUPS }, (_, g) =>
  g % 3 === 0
    ? `  - name: registry.example.com/group-${g}\n    digest: sha256:${String(g).repeat(64).slice(0, 64)}`
    : `  - name: registry.example.com/group-${g}\n    newName: mirror.example.com/group-${g}\n    newTag: "2.${g}"`,
).join('\n')}
replicas:
${names
  .slice(0, 20)
  .map((n) => `  - name: ${n}\n    count: 3`)
  .join('\n')}
configMapGenerator:
${merged.map((n) => `  - name: ${n}-config\n    behavior: merge\n    literals:\n      - LOG_LEVEL=warn`).join('\n')}
patches:
  - target:
      kind: Deployment
      labelSelector: tier=web
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
      spec:
        template:
          spec:
            containers:
              - name: main
                resources:
                  limits:
                    cpu: "1"
  - target:
      kind: Deployment
      name: app-00[0-4].*
    patch: |-
      - op: add
        path: /spec/template/metadata/annotations
        value:
          canary: "true"
${patched.map((n) => `  - path: patches/${n}.yaml`).join('\n')}
`,
  );
  return 'envs/prod';
}

function writeApp(dir: string, name: string, i: number): void {
  const base = join(dir, 'apps', name);
  mkdirSync(base, { recursive: true });
  const group = i % IMAGE_GROUPS;
  writeFileSync(
    join(base, 'kustomization.yaml'),
    `resources:
  - deployment.yaml
  - service.yaml
labels:
  - pairs:
      app: ${name}
    includeSelectors: true
configMapGenerator:
  - name: ${name}-config
    literals:
      - APP=${name}
      - PORT=8080
      - GROUP=${group}
`,
  );
  writeFileSync(
    join(base, 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    tier: ${i % 2 ? 'worker' : 'web'}
spec:
  replicas: 1
  selector:
    matchLabels:
      component: ${name}
  template:
    metadata:
      labels:
        component: ${name}
    spec:
      serviceAccountName: ${name}
      containers:
        - name: main
          image: registry.example.com/group-${group}:1.0.${i}
          ports:
            - name: http
              containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${name}-config
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: ${name}
`,
  );
  writeFileSync(
    join(base, 'service.yaml'),
    `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    component: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`,
  );
}
