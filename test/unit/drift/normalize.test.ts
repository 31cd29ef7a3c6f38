import { strict as assert } from 'node:assert';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import { parseQuantity, sameQuantity } from '../../../src/core/k8s/quantity';
import type { KubeObject } from '../../../src/core/model/resource';
import { renderedFromYaml } from './support';

/** Drifted paths of `desired` (YAML) against `live`. */
function drifted(desired: string, live: KubeObject, options = driftOptions()): string[] {
  return diffObject(renderedFromYaml('x.yaml', desired)[0], live, options).fields.map((f) => f.path);
}

function deployment(container: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'dev',
      uid: 'u',
      resourceVersion: '1',
      generation: 3,
      creationTimestamp: '2026-11-22T15:15:23Z',
    },
    spec: {
      replicas: 1,
      template: {
        metadata: { creationTimestamp: null },
        spec: { containers: [container], restartPolicy: 'Always', ...extra },
      },
    },
    status: { replicas: 1 },
  };
}

const head = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: dev}\n';
const blockHead = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n';

describe('normalisation', () => {
  describe('quantities', () => {
    it('parses every suffix exactly', () => {
      assert.ok(sameQuantity('1000m', '1'));
      assert.ok(sameQuantity('1Gi', '1024Mi'));
      assert.ok(sameQuantity('0.5', '500m'));
      assert.ok(sameQuantity(0.1, '100m'));
      assert.ok(sameQuantity('1e3', '1k'));
      assert.ok(sameQuantity('1.5Gi', '1536Mi'));
      assert.ok(sameQuantity('128974848', '123Mi'));
      assert.ok(sameQuantity('129e6', '129M'));
      assert.ok(!sameQuantity('1G', '1Gi'));
      assert.ok(!sameQuantity('100m', '101m'));
      assert.equal(parseQuantity('1.2.3'), undefined);
      assert.equal(parseQuantity('abc'), undefined);
      assert.equal(parseQuantity('5Mb'), undefined);
    });

    it('treats equal amounts in resources as in sync and different ones as drift', () => {
      const live = deployment({
        name: 'web',
        image: 'nginx',
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m', memory: '128974848' } },
      });
      const same = `${head}spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          resources:\n            limits: {cpu: 1000m, memory: 1024Mi}\n            requests: {cpu: 0.1, memory: 123Mi}\n`;
      assert.deepEqual(drifted(same, live), []);
      const other = same.replace('cpu: 0.1', 'cpu: 0.2');
      assert.deepEqual(drifted(other, live), ['/spec/template/spec/containers/0/resources/requests/cpu']);
    });

    it('never compares non-quantity strings as quantities', () => {
      const live: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'dev' },
        data: { size: '1000m' },
      };
      assert.deepEqual(
        drifted('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: dev}\ndata:\n  size: "1"\n', live),
        ['/data/size'],
      );
    });

    it("knows a built-in kind's quantities by type: an HPA target and an env var divisor, which no name rule caught", () => {
      const hpa = (averageValue: string): KubeObject => ({
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'h', namespace: 'dev' },
        spec: {
          maxReplicas: 3,
          metrics: [
            { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue } } },
          ],
        },
      });
      // What the API server stores for `averageValue: 1000m` (checked against the test bed).
      const desired =
        'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: dev}\nspec:\n  maxReplicas: 3\n  metrics:\n    - type: Pods\n      pods:\n        metric: {name: rps}\n        target: {type: AverageValue, averageValue: 1000m}\n';
      assert.deepEqual(drifted(desired, hpa('1')), []);
      assert.deepEqual(drifted(desired, hpa('2')), ['/spec/metrics/0/pods/target/averageValue']);
      const live = deployment({
        name: 'web',
        image: 'nginx',
        env: [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }],
      });
      const env = `${head}spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: M\n              valueFrom:\n                resourceFieldRef: {resource: limits.memory, divisor: 1024Ki}\n`;
      assert.deepEqual(drifted(env, live), []);
    });

    it("compares a built-in kind's field named like a quantity by its text when its type is not one", () => {
      // A ConfigMap key named `storage` once passed the name rule, hiding a real change of its text.
      const live: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'dev' },
        data: { storage: '1000' },
      };
      assert.deepEqual(
        drifted('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: dev}\ndata:\n  storage: 1k\n', live),
        ['/data/storage'],
      );
    });

    it("still knows a custom resource's embedded resources by name", () => {
      const live: KubeObject = {
        apiVersion: 'example.com/v1',
        kind: 'Database',
        metadata: { name: 'd', namespace: 'dev' },
        spec: { resources: { requests: { memory: '1Gi' } } },
      };
      assert.deepEqual(
        drifted(
          'apiVersion: example.com/v1\nkind: Database\nmetadata: {name: d, namespace: dev}\nspec:\n  resources:\n    requests: {memory: 1024Mi}\n',
          live,
        ),
        [],
      );
    });
  });

  it('int, float and numeric strings of the same number are equal; int-or-string keeps its meaning', () => {
    const live = deployment(
      { name: 'web', image: 'nginx', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
      { terminationGracePeriodSeconds: 30 },
    );
    (live.spec as Record<string, unknown>).strategy = {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 },
    };
    const desired = `${head}spec:\n  strategy:\n    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1.0}\n  template:\n    spec:\n      terminationGracePeriodSeconds: 30.0\n      containers:\n        - name: web\n          ports:\n            - containerPort: "8080"\n`;
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('maxSurge: 25%', 'maxSurge: 30%'), live), [
      '/spec/strategy/rollingUpdate/maxSurge',
    ]);
  });

  it('pairs containers and ports by key: reordered and protocol-defaulted lists are in sync', () => {
    const live = deployment({
      name: 'b',
      image: 'b:1',
      ports: [
        { containerPort: 53, protocol: 'UDP' },
        { containerPort: 53, protocol: 'TCP' },
      ],
    });
    (live.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers.unshift({
      name: 'a',
      image: 'a:1',
    });
    const desired = `${head}spec:\n  template:\n    spec:\n      containers:\n        - name: b\n          image: b:1\n          ports:\n            - containerPort: 53\n            - containerPort: 53\n              protocol: UDP\n        - name: a\n          image: a:1\n`;
    assert.deepEqual(drifted(desired, live), []);
    // The key says which live item is compared: a changed image in `a` is reported at git's index, with the live one.
    const fields = diffObject(
      renderedFromYaml('x.yaml', desired.replace('a:1', 'a:2'))[0],
      live,
      driftOptions(),
    ).fields;
    assert.deepEqual(
      fields.map((f) => [f.path, f.livePath, f.label]),
      [
        [
          '/spec/template/spec/containers/1/image',
          '/spec/template/spec/containers/0/image',
          'spec.template.spec.containers[a].image',
        ],
      ],
    );
  });

  it('treats empty and zero values git sets as equal to the field being absent live', () => {
    const live = deployment({ name: 'web', image: 'nginx' });
    const desired = `${blockHead}  labels: {}\n  annotations: {}\n  creationTimestamp: null\nspec:\n  minReadySeconds: 0\n  paused: false\n  template:\n    metadata:\n      creationTimestamp: null\n    spec:\n      hostNetwork: false\n      nodeSelector: {}\n      tolerations: []\n      containers:\n        - name: web\n          image: nginx\n          args: []\n          env: []\n          workingDir: ""\n          resources: {}\nstatus: {replicas: 9}\n`;
    assert.deepEqual(drifted(desired, live), []);
    // …but an empty label or data value is a value: absent live is drift.
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'dev', labels: {} },
      data: {},
    };
    assert.deepEqual(
      drifted(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: dev\n  labels: {flag: ""}\ndata: {EMPTY: ""}\n',
        cm,
      ),
      ['/metadata/labels/flag', '/data/EMPTY'],
    );
    // …and a real value the cluster lacks is drift.
    assert.deepEqual(drifted(desired.replace('minReadySeconds: 0', 'minReadySeconds: 5'), live), [
      '/spec/minReadySeconds',
    ]);
  });

  it('ignores server-populated metadata and status even when git carries them', () => {
    const live = deployment({ name: 'web', image: 'nginx' });
    const desired = `${blockHead}  uid: other\n  resourceVersion: "99"\n  generation: 1\n  creationTimestamp: "2020-01-01T00:00:00Z"\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: "{}"\nstatus: {replicas: 9}\n`;
    assert.deepEqual(drifted(desired, live), []);
  });

  it('compares an atomic list whole, in order', () => {
    const live = deployment({ name: 'web', image: 'nginx', args: ['--a', '--b'] });
    const desired = `${head}spec:\n  template:\n    spec:\n      containers:\n        - name: web\n          args: [--a, --b]\n`;
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('[--a, --b]', '[--b, --a]'), live), [
      '/spec/template/spec/containers/0/args',
    ]);
    assert.deepEqual(drifted(desired.replace('[--a, --b]', '[--a]'), live), ['/spec/template/spec/containers/0/args']);
  });

  it('reports each value git sets under a map the cluster lacks on its own line', () => {
    const live = deployment({ name: 'web', image: 'nginx' });
    const desired = `${blockHead}  annotations:\n    a: "1"\n    b: "2"\n`;
    const fields = diffObject(renderedFromYaml('x.yaml', desired)[0], live, driftOptions()).fields;
    assert.deepEqual(
      fields.map((f) => [f.path, f.desired, f.live, f.origin?.line]),
      [
        ['/metadata/annotations/a', '1', undefined, 7],
        ['/metadata/annotations/b', '2', undefined, 8],
      ],
    );
  });

  it('matches a CRD list by the keys its managedFields name', () => {
    const live: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: {
        name: 'w',
        namespace: 'dev',
        managedFields: [
          {
            manager: 'gitops-drift',
            operation: 'Apply',
            time: '2026-11-22T15:00:00Z',
            fieldsV1: {
              'f:spec': {
                'f:parts': {
                  'k:{"id":"x"}': { '.': {}, 'f:id': {}, 'f:n': {} },
                  'k:{"id":"y"}': { '.': {}, 'f:id': {}, 'f:n': {} },
                },
              },
            },
          },
        ],
      },
      spec: {
        parts: [
          { id: 'y', n: 2, def: true },
          { id: 'x', n: 1, def: true },
        ],
      },
    };
    const desired =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: dev}\nspec:\n  parts:\n    - {id: x, n: 1}\n    - {id: y, n: 2}\n';
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('n: 2', 'n: 3'), live), ['/spec/parts/1/n']);
  });

  it('compares ConfigMap binaryData by bytes, not by base64 spelling', () => {
    const live: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'dev' },
      binaryData: { blob: 'aGVsbG8gd29ybGQ=' },
    };
    const desired =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: dev}\nbinaryData:\n  blob: "aGVsbG8g\\nd29ybGQ="\n';
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('d29ybGQ=', 'd29ybGU='), live), ['/binaryData/blob']);
  });

  it('leaves fields a controller owns to the controller: aggregated ClusterRole rules, an injected caBundle', () => {
    const role: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: 'monitoring',
        managedFields: [
          {
            manager: 'kustomize-controller',
            operation: 'Apply',
            time: '2026-11-22T15:00:00Z',
            fieldsV1: { 'f:aggregationRule': {}, 'f:rules': {} },
          },
          {
            manager: 'clusterrole-aggregation-controller',
            operation: 'Apply',
            time: '2026-11-22T15:00:01Z',
            fieldsV1: { 'f:rules': {} },
          },
        ],
      },
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
      },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    };
    const desired =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: monitoring}\naggregationRule:\n  clusterRoleSelectors:\n    - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}\nrules: []\n';
    assert.deepEqual(drifted(desired, role), []);
    assert.deepEqual(drifted(desired, role, driftOptions({ controllerManagers: [] })), ['/rules']);
  });

  it('reads YAML 1.1 booleans the way Kubernetes does (`yes`/`off`), and only for boolean fields', () => {
    const live = deployment({ name: 'web', image: 'nginx', stdin: true, tty: false }, { hostNetwork: true });
    const desired = `${head}spec:\n  template:\n    spec:\n      hostNetwork: on\n      containers:\n        - name: web\n          stdin: yes\n          tty: no\n`;
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('stdin: yes', 'stdin: off'), live), [
      '/spec/template/spec/containers/0/stdin',
    ]);
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'dev' },
      data: { FLAG: 'true' },
    };
    assert.deepEqual(
      drifted('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: dev}\ndata: {FLAG: "yes"}\n', cm),
      ['/data/FLAG'],
    );
  });

  it('reads file modes the way Kubernetes does (YAML 1.1 octal: `defaultMode: 0644` is 420)', () => {
    const live = deployment(
      { name: 'web', image: 'nginx' },
      {
        volumes: [
          { name: 'cfg', configMap: { name: 'c', defaultMode: 420, items: [{ key: 'k', path: 'p', mode: 256 }] } },
        ],
      },
    );
    const desired = `${head}spec:\n  template:\n    spec:\n      volumes:\n        - name: cfg\n          configMap:\n            name: c\n            defaultMode: 0644\n            items: [{key: k, path: p, mode: 0400}]\n`;
    assert.deepEqual(drifted(desired, live), []);
    assert.deepEqual(drifted(desired.replace('defaultMode: 0644', 'defaultMode: 420'), live), []);
    assert.deepEqual(drifted(desired.replace('defaultMode: 0644', 'defaultMode: 0600'), live), [
      '/spec/template/spec/volumes/0/configMap/defaultMode',
    ]);
  });
});
