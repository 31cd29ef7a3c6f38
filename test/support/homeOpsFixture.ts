/**
 * A small home-ops repo (onedr0p/cluster-template's layout), shared by the unit and conformance tests of child
 * Kustomizations: `cluster-apps` renders every app's `ks.yaml`, and its `patches` give each child Kustomization
 * defaults (a targetNamespace, postBuild.substituteFrom the cluster settings, HelmRelease remediation patches).
 */
export const clusterKs = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-vars
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/flux/vars
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  interval: 1h
  dependsOn:
    - name: cluster-vars
  path: ./kubernetes/apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
  patches:
    - patch: |-
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: not-used
        spec:
          targetNamespace: \${APPS_NAMESPACE}
          postBuild:
            substituteFrom:
              - kind: ConfigMap
                name: cluster-settings
          patches:
            - patch: |-
                apiVersion: helm.toolkit.fluxcd.io/v2
                kind: HelmRelease
                metadata:
                  name: not-used
                spec:
                  install:
                    remediation:
                      retries: 3
              target:
                group: helm.toolkit.fluxcd.io
                kind: HelmRelease
      target:
        group: kustomize.toolkit.fluxcd.io
        kind: Kustomization
`;

export const echoKs = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: echo
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps/echo/app
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`;

export const helmRelease = `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: echo
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: app-template
  values:
    ingress:
      host: echo.\${SECRET_DOMAIN}
`;

/** The repo's files by repo-relative path. */
export function homeOpsFiles(): Record<string, string> {
  return {
    'clusters/main/flux-system/gotk-sync.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1h
  url: ssh://git@github.com/acme/home-ops
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/flux/cluster
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    'clusters/main/flux-system/kustomization.yaml': 'resources: [gotk-sync.yaml]\n',
    'kubernetes/flux/cluster/ks.yaml': clusterKs,
    'kubernetes/flux/vars/kustomization.yaml': 'resources: [cluster-settings.yaml]\n',
    'kubernetes/flux/vars/cluster-settings.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  SECRET_DOMAIN: example.com\n  APPS_NAMESPACE: apps\n',
    'kubernetes/apps/kustomization.yaml': 'resources: [./echo/ks.yaml]\n',
    'kubernetes/apps/echo/ks.yaml': echoKs,
    'kubernetes/apps/echo/app/kustomization.yaml': 'resources: [helmrelease.yaml]\n',
    'kubernetes/apps/echo/app/helmrelease.yaml': helmRelease,
  };
}
