/**
 * The layout the promotion issue (#19) was found on, small: dev → staging-eu, staging-us → prod-asia, prod-eu,
 * prod-us; a base; a `variants/prod` component that the three prod environments share; and in each environment its
 * own name, URL, replica count and resource size, a release's feature flag, and a credential.
 */
export const WORKER_DIGEST_STAGING = 'sha256:5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a';
export const WORKER_DIGEST_DEV = 'sha256:6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b';

interface EnvSetup {
  web: string;
  worker: string;
  workerDigest?: string;
  url: string;
  replicas: number;
  cpu: string;
  feature: string;
  prod: boolean;
}

const ENVS: Record<string, EnvSetup> = {
  dev: {
    web: '3.1.0',
    worker: '1.6.0',
    workerDigest: WORKER_DIGEST_DEV,
    url: 'https://a1.example.net',
    replicas: 1,
    cpu: '100m',
    feature: 'v2',
    prod: false,
  },
  'staging-eu': {
    web: '2.0',
    worker: '1.5.0',
    workerDigest: WORKER_DIGEST_STAGING,
    url: 'https://b2.example.net',
    replicas: 2,
    cpu: '250m',
    feature: 'v2',
    prod: false,
  },
  'staging-us': {
    web: '2.0',
    worker: '1.5.0',
    url: 'https://c3.example.net',
    replicas: 2,
    cpu: '250m',
    feature: 'v2',
    prod: false,
  },
  'prod-asia': {
    web: '3.0',
    worker: '1.4.0',
    url: 'https://d4.example.net',
    replicas: 3,
    cpu: '500m',
    feature: 'v1',
    prod: true,
  },
  'prod-eu': {
    web: '3.0',
    worker: '1.4.0',
    url: 'https://e5.example.net',
    replicas: 5,
    cpu: '1',
    feature: 'v1',
    prod: true,
  },
  'prod-us': {
    web: '3.0',
    worker: '1.4.0',
    url: 'https://f6.example.net',
    replicas: 4,
    cpu: '750m',
    feature: 'v1',
    prod: true,
  },
};

function overlay(name: string, e: EnvSetup): Record<string, string> {
  return {
    [`envs/${name}/kustomization.yaml`]: `resources:
  - ../../base
components:
  - ../../variants/${e.prod ? 'prod' : 'nonprod'}
namespace: shop-${name}
images:
  - name: ghcr.io/acme/web
    newTag: "${e.web}"
  - name: ghcr.io/acme/worker
    newTag: ${e.worker}${e.workerDigest ? `\n    digest: ${e.workerDigest}` : ''}
patches:
  - path: env.yaml
`,
    [`envs/${name}/env.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${e.replicas}
  template:
    spec:
      containers:
        - name: web
          env:
            - name: ENV
              value: ${name}
            - name: API_URL
              value: ${e.url}
            - name: FEATURE_CHECKOUT
              value: ${e.feature}
            - name: DB_PASSWORD
              value: pw-${name}-do-not-print
          resources:
            limits:
              cpu: ${e.cpu}
`,
  };
}

export const releaseFiles: Record<string, string> = {
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
          env:
            - name: ENV
              value: base
            - name: API_URL
              value: https://example.net
            - name: FEATURE_CHECKOUT
              value: v0
            - name: DB_PASSWORD
              value: none
            - name: ENVIRONMENT_CLASS
              value: unset
          resources:
            limits:
              cpu: 100m
        - name: worker
          image: ghcr.io/acme/worker:1.0.0
`,
  'variants/prod/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: prod.yml\n',
  'variants/prod/prod.yml': variant('production'),
  'variants/nonprod/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: nonprod.yml\n',
  'variants/nonprod/nonprod.yml': variant('non-prod'),
  ...Object.fromEntries(Object.entries(ENVS).flatMap(([name, e]) => Object.entries(overlay(name, e)))),
};

function variant(cls: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - name: ENVIRONMENT_CLASS
              value: ${cls}
`;
}
