import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import type { KubeObject } from '../../../src/core/model/resource';
import { renderedFromYaml } from './support';

/** A ConfigMap kustomize-controller applied with the given annotations (its Apply entry owns them and data). */
function applied(annotations: Record<string, string>): KubeObject {
  const owned = Object.fromEntries(Object.keys(annotations).map((k) => [`f:${k}`, {}]));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'gen',
      namespace: 'shop',
      annotations,
      managedFields: [
        {
          manager: 'kustomize-controller',
          operation: 'Apply',
          apiVersion: 'v1',
          time: '2026-12-06T12:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': owned }, 'f:data': { 'f:a': {} } },
        },
      ],
    },
    data: { a: 'b' },
  } as KubeObject;
}

describe('what Flux adds at build and apply time', () => {
  const [desired] = renderedFromYaml(
    'app/cm.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gen\n  namespace: shop\ndata:\n  a: b\n',
  );

  it("is no drift: kustomize's origin annotation (buildMetadata Flux sets for a kustomization with no resources)", () => {
    const origin =
      'configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n';
    assert.deepEqual(
      diffObject(desired, applied({ 'config.kubernetes.io/origin': origin }), driftOptions()).fields,
      [],
    );
  });

  it('while another annotation the controller applied and git no longer has is a pending removal', () => {
    assert.deepEqual(
      diffObject(desired, applied({ 'team/owner': 'shop' }), driftOptions()).fields.map((f) => [f.path, f.cause]),
      [['/metadata/annotations/team~1owner', 'removal']],
    );
  });
});

describe("kustomize-controller's apply of a built-in kind (Go's zero values sent, the server's defaults filled in)", () => {
  const [desired] = renderedFromYaml(
    'app/web.yaml',
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
`,
  );

  /** The live Deployment as the real controller left it (its managedFields recorded from the test bed). */
  function applied(strategy: Record<string, unknown>): KubeObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        managedFields: [
          {
            manager: 'kustomize-controller',
            operation: 'Apply',
            apiVersion: 'apps/v1',
            time: '2026-12-06T19:47:08Z',
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:spec': {
                'f:replicas': {},
                'f:selector': {},
                'f:strategy': {},
                'f:template': {
                  'f:metadata': { 'f:labels': { 'f:app': {} } },
                  'f:spec': {
                    'f:containers': {
                      'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:resources': {} },
                    },
                  },
                },
              },
            },
          },
        ],
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                resources: {},
                terminationMessagePath: '/dev/termination-log',
                terminationMessagePolicy: 'File',
                imagePullPolicy: 'IfNotPresent',
              },
            ],
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            securityContext: {},
            schedulerName: 'default-scheduler',
          },
        },
        strategy,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    } as KubeObject;
  }

  it('is no drift: the `strategy: {}` it owns, which the server filled with the default rolling update', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } };
    assert.deepEqual(diffObject(desired, applied(strategy), driftOptions()).fields, []);
  });

  it('while a strategy that is not the default, under the same ownership, is a pending removal', () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '50%' } };
    assert.deepEqual(
      diffObject(desired, applied(strategy), driftOptions()).fields.map((f) => [f.path, f.cause]),
      [['/spec/strategy', 'removal']],
    );
  });
});
