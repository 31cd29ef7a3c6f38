import type { KubeObject } from '../../../src/core/model/resource';
import { originOf, rendered, renderResult } from './renderedFixture';
import type { RenderResult } from '../../../src/core/render/types';

export const DIGEST = 'sha256:4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b';

/** A small config repo: one base, a dev and a staging overlay, written the way people write them. */
export const shopFiles: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
        - name: sidecar
          image: ghcr.io/acme/sidecar:1.0.0
`,
  'envs/dev/kustomization.yaml': `# Dev: whatever CI built last.
resources:
  - ../../base
namespace: shop-dev
images:
  - name: ghcr.io/acme/web
    newTag: "1.5.0"   # built from main
    digest: ${DIGEST}
configMapGenerator:
  - name: web-config
    literals:
      - LOG_LEVEL=debug
      - 'GREETING="hello, world"'
patches:
  - path: sidecar.yaml
`,
  'envs/dev/sidecar.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: sidecar
          image: ghcr.io/acme/sidecar:2.1.0
`,
  'envs/staging/kustomization.yaml': `# Staging: promoted from dev.
resources:
  - ../../base
namespace: shop-staging

images:
- name: ghcr.io/acme/web
  newTag: 1.4.0 # promoted 2026-11-01
configMapGenerator:
- name: web-config
  literals:
  - LOG_LEVEL=info
  - 'GREETING="hello"'
patches:
- path: sidecar.yaml
`,
  'envs/staging/sidecar.yaml': `# Pinned while we test the new sidecar.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: sidecar
        image: "ghcr.io/acme/sidecar:2.0.0"   # keep in sync with docs
`,
};

interface EnvValues {
  env: 'dev' | 'staging';
  webImage: string;
  sidecarImage: string;
  replicas: number;
  logLevel: string;
  greeting: string;
}

/**
 * What the renderer gives for one overlay of `files`, with origins where a real render would put them
 * (a map entry at its key, a list item at the item).
 */
export function renderShop(files: Record<string, string>, v: EnvValues): RenderResult {
  const kfile = `envs/${v.env}/kustomization.yaml`;
  const k = files[kfile];
  const patchFile = `envs/${v.env}/sidecar.yaml`;
  const patch = files[patchFile];
  const base = files['base/deployment.yaml'];
  const resource = originOf('base/deployment.yaml', base, 'apiVersion', 'resource');
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: `shop-${v.env}` },
    spec: {
      replicas: v.replicas,
      template: {
        spec: {
          containers: [
            { name: 'web', image: v.webImage },
            { name: 'sidecar', image: v.sidecarImage },
          ],
        },
      },
    },
  };
  const imageEntry = originOf(kfile, k, 'name: ghcr.io/acme/web', 'image');
  const dep = rendered(deployment, resource, {
    '/metadata/namespace': originOf(kfile, k, 'namespace:', 'namespace'),
    '/spec/template/spec/containers/0/image': imageEntry,
    '/spec/template/spec/containers/1/image': originOf(patchFile, patch, 'image:', 'strategicMergePatch'),
    ...(v.env === 'staging'
      ? { '/spec/replicas': originOf(patchFile, patch, 'replicas:', 'strategicMergePatch') }
      : {}),
  });
  const generator = originOf(kfile, k, 'name: web-config', 'generator');
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: v.env === 'dev' ? 'web-config-b5m2kt8h9c' : 'web-config-7gd6t5mkfh', namespace: `shop-${v.env}` },
    data: { LOG_LEVEL: v.logLevel, GREETING: v.greeting },
  };
  const cm = rendered(configMap, generator, {
    '/metadata/namespace': originOf(kfile, k, 'namespace:', 'namespace'),
    '/data/LOG_LEVEL': originOf(kfile, k, 'LOG_LEVEL=', 'generatorLiteral'),
    '/data/GREETING': originOf(kfile, k, "'GREETING", 'generatorLiteral'),
  });
  cm.source = generator;
  return renderResult(
    `envs/${v.env}`,
    [cm, dep],
    ['base/kustomization.yaml', 'base/deployment.yaml', kfile, patchFile],
  );
}

export const devValues: EnvValues = {
  env: 'dev',
  webImage: `ghcr.io/acme/web:1.5.0@${DIGEST}`,
  sidecarImage: 'ghcr.io/acme/sidecar:2.1.0',
  replicas: 1,
  logLevel: 'debug',
  greeting: 'hello, world',
};

export const stagingValues: EnvValues = {
  env: 'staging',
  webImage: 'ghcr.io/acme/web:1.4.0',
  sidecarImage: 'ghcr.io/acme/sidecar:2.0.0',
  replicas: 3,
  logLevel: 'info',
  greeting: 'hello',
};
