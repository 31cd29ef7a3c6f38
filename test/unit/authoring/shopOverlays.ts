import { strict as assert } from 'node:assert';
import type { EnvironmentRender } from '../../../src/core/authoring/effectiveValues';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';

/**
 * A config repo written the way people write them: a base (Deployment, Service, generated ConfigMap and Secret)
 * and dev/staging/prod overlays (namespace, namePrefix in dev, nameSuffix in prod, `replicas:` in dev, `images:` tags, a
 * strategic-merge patch file in staging and prod, a JSON6902 patch and an HPA in prod, generator merges). `a`, `b` and `c` are overlays for
 * the comparison tests: `a` and `b` differ only in namespace, prefix/suffix (and so hashes); `c` is `b` plus a
 * replicas patch.
 */
export const shopFiles: Record<string, string> = {
  'base/kustomization.yaml': `resources:
  - deploy.yaml
  - service.yaml
configMapGenerator:
  - name: web-config
    literals:
      - LOG_LEVEL=info
      - THEME=light
secretGenerator:
  - name: web-secret
    literals:
      - API_TOKEN=base-token
`,
  'base/deploy.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: shop/web:1.0.0
          env:
            - name: LOG_FORMAT
              value: json
          envFrom:
            - configMapRef:
                name: web-config
            - secretRef:
                name: web-secret
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
`,
  'base/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`,
  'envs/dev/kustomization.yaml': `resources:
  - ../../base
namespace: shop-dev
namePrefix: dev-
replicas:
  - name: web
    count: 1
images:
  - name: shop/web
    newTag: 1.1.0-rc.1
configMapGenerator:
  - name: web-config
    behavior: merge
    literals:
      - LOG_LEVEL=debug
`,
  'envs/staging/kustomization.yaml': `resources:
  - ../../base
namespace: shop-staging
images:
  - name: shop/web
    newTag: 1.0.1
patches:
  - path: replicas.yaml
`,
  'envs/staging/replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
`,
  'envs/prod/kustomization.yaml': `resources:
  - ../../base
  - hpa.yaml
namespace: shop-prod
nameSuffix: -eu
images:
  - name: shop/web
    newTag: 1.0.1
patches:
  - path: web-patch.yaml
  - path: cpu.yaml
    target:
      kind: Deployment
      name: web
configMapGenerator:
  - name: web-config
    behavior: merge
    literals:
      - LOG_LEVEL=warn
secretGenerator:
  - name: web-secret
    behavior: replace
    literals:
      - API_TOKEN=prod-token
`,
  'envs/prod/web-patch.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 5
  template:
    spec:
      containers:
        - name: proxy
          image: shop/proxy:2.0
        - name: web
          env:
            - name: REGION
              value: eu
`,
  'envs/prod/hpa.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 5
  maxReplicas: 10
`,
  'envs/prod/cpu.yaml': `- op: replace
  path: /spec/template/spec/containers/1/resources/requests/cpu
  value: 500m
`,
  'envs/a/kustomization.yaml': `resources:
  - ../../base
namespace: team-a
namePrefix: a-
`,
  'envs/b/kustomization.yaml': `resources:
  - ../../base
namespace: team-b
nameSuffix: -b
`,
  'envs/c/kustomization.yaml': `resources:
  - ../../base
namespace: team-c
nameSuffix: -c
patches:
  - path: replicas.yaml
`,
  'envs/c/replicas.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
`,
};

/** Renders the named overlays of {@link shopFiles} (in the given order) with the in-process renderer. */
export async function renderShop(...names: string[]): Promise<EnvironmentRender[]> {
  const fs = new MemoryFileSystem(shopFiles, '/repo');
  return Promise.all(
    names.map(async (name) => ({ name, result: await renderKustomization(`envs/${name}`, { fs, repoRoot: '/repo' }) })),
  );
}

/** The 1-based line and column of the first occurrence of `needle` in a fixture file (after `after`, when given). */
export function positionOf(file: string, needle: string, after?: string): { line: number; column: number } {
  const text = shopFiles[file];
  const offset = text.indexOf(needle, after === undefined ? 0 : text.indexOf(after));
  assert.ok(offset >= 0 && (after === undefined || text.includes(after)), `${needle} not in ${file}`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}
