/**
 * The API defaults drift relies on (src/core/drift/apiDefaults.ts: the generated table and the hand tables) against
 * what the pinned API server really fills in: each minimal object is created with a server-side dry run, and every
 * value the server added must be one drift treats as a default. A hand entry the server stops filling in, or
 * fills in with another value, fails here after a version bump.
 */
import assert from 'node:assert/strict';
import { isApiDefault } from '../../../src/core/drift/apiDefaults';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import { type KubeObject, keyOf } from '../../../src/core/model/resource';
import { childPointer, isMap } from '../../../src/core/yaml/pointer';
import { freshNamespace, testCluster } from '../support';

/** Every non-empty leaf of a value, as pointer and value (empty maps, lists and strings are never drift). */
function leaves(value: unknown, pointer = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, childPointer(pointer, i), out));
  else if (isMap(value)) for (const [k, v] of Object.entries(value)) leaves(v, childPointer(pointer, k), out);
  else if (value !== null && value !== '') out.push([pointer, value]);
  return out;
}

const container = (image: string) => ({
  name: 'c',
  image,
  ports: [{ containerPort: 80 }],
  livenessProbe: { httpGet: { port: 80 } },
  readinessProbe: { tcpSocket: { port: 80 } },
  startupProbe: { exec: { command: ['true'] } },
  lifecycle: { preStop: { httpGet: { port: 80 } } },
});
const podSpec = { containers: [container('nginx:1.25')], initContainers: [{ name: 'i', image: 'busybox' }] };
const template = { metadata: { labels: { app: 'x' } }, spec: podSpec };
const selector = { matchLabels: { app: 'x' } };
const jobSpec = { template: { spec: { ...podSpec, restartPolicy: 'Never' } } };

/** [resource path under the namespace (or the API root), minimal object]. */
const objects: Array<[string, Record<string, unknown>]> = [
  ['apps/v1/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', spec: { selector, template } }],
  ['apps/v1/statefulsets', { apiVersion: 'apps/v1', kind: 'StatefulSet', spec: { selector, template } }],
  ['apps/v1/daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', spec: { selector, template } }],
  ['apps/v1/replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', spec: { selector, template } }],
  ['batch/v1/jobs', { apiVersion: 'batch/v1', kind: 'Job', spec: jobSpec }],
  [
    'batch/v1/jobs',
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      spec: {
        ...jobSpec,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
      },
    },
  ],
  [
    'batch/v1/cronjobs',
    { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: jobSpec } } },
  ],
  ['v1/pods', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [container('nginx')] } }],
  [
    'v1/replicationcontrollers',
    { apiVersion: 'v1', kind: 'ReplicationController', spec: { selector: { app: 'x' }, template } },
  ],
  ['v1/podtemplates', { apiVersion: 'v1', kind: 'PodTemplate', template }],
  ['v1/services', { apiVersion: 'v1', kind: 'Service', spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } }],
  [
    'v1/services',
    {
      apiVersion: 'v1',
      kind: 'Service',
      spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  ],
  ['v1/secrets', { apiVersion: 'v1', kind: 'Secret', data: { a: 'Yg==' } }],
  [
    'v1/persistentvolumeclaims',
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  ],
  [
    'v1/limitranges',
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      spec: { limits: [{ type: 'Container', max: { memory: '1Gi' }, default: { cpu: '1' } }] },
    },
  ],
  [
    'autoscaling/v2/horizontalpodautoscalers',
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
        maxReplicas: 3,
        behavior: { scaleUp: {}, scaleDown: {} },
      },
    },
  ],
  [
    'networking.k8s.io/v1/networkpolicies',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      spec: {
        podSelector: {},
        ingress: [{ ports: [{ port: 80 }] }],
        egress: [{ ports: [{ port: 53 }] }],
        policyTypes: ['Ingress', 'Egress'],
      },
    },
  ],
  [
    'networking.k8s.io/v1/ingresses',
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      spec: {
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }],
            },
          },
        ],
      },
    },
  ],
  [
    'policy/v1/poddisruptionbudgets',
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', spec: { minAvailable: 1, selector } },
  ],
  ['v1/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } }],
  ['v1/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount' }],
  [
    'rbac.authorization.k8s.io/v1/rolebindings',
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
      subjects: [{ kind: 'ServiceAccount', name: 's' }],
    },
  ],
  ['v1/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', spec: { hard: { pods: '10' } } }],
];

/** Cluster-scoped: [resource path, minimal object]. */
const clusterObjects: Array<[string, Record<string, unknown>]> = [
  [
    'storage.k8s.io/v1/storageclasses',
    { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', provisioner: 'example.com/x' },
  ],
  ['scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', value: 100 }],
  ['v1/namespaces', { apiVersion: 'v1', kind: 'Namespace' }],
  [
    'admissionregistration.k8s.io/v1/validatingwebhookconfigurations',
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      webhooks: [
        {
          name: 'a.example.com',
          clientConfig: { service: { name: 's', namespace: 'default' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    },
  ],
  [
    'admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      webhooks: [
        {
          name: 'a.example.com',
          clientConfig: { service: { name: 's', namespace: 'default' } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    },
  ],
  [
    'apiextensions.k8s.io/v1/customresourcedefinitions',
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { plural: 'widgets', kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
      },
    },
  ],
];

/**
 * Whether `pointer` is inside a list item `sent` lacks: drift pairs list items and reports an item git lacks whole
 * (a Pod's admission-added token volume and tolerations, an HPA's default metric), before asking the defaults
 * table, so this test leaves them out; a known gap for such lists when a hand edit is credited with them.
 */
function inItemGitLacks(sent: unknown, live: unknown, pointer: string): boolean {
  let s = sent;
  let l = live;
  for (const segment of pointer.split('/').slice(1)) {
    if (Array.isArray(l) && (!Array.isArray(s) || Number(segment) >= s.length)) return true;
    s = Array.isArray(s) ? s[Number(segment)] : isMap(s) ? s[segment] : undefined;
    l = Array.isArray(l) ? l[Number(segment)] : isMap(l) ? l[segment] : undefined;
  }
  return false;
}

describe('API defaults: what the pinned API server fills in is what drift treats as a default', function () {
  this.timeout(60_000);
  let namespace: string;
  // Values checked over all kinds (some kinds get none): a broken walk must not pass the suite vacuously.
  let checked = 0;
  after(() => assert.ok(checked > 100, `only ${checked} server-added values were checked`));

  before(async () => {
    namespace = await freshNamespace('api-defaults');
    // A pod needs its service account; the test bed runs no controller that creates `default`.
    const sa = await testCluster().adminRequest('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default' },
    });
    assert.equal(sa.status, 201, JSON.stringify(sa.body));
  });

  for (const [resource, object, clusterScoped] of [
    ...objects,
    ...clusterObjects.map(([r, o]) => [r, o, true] as const),
  ]) {
    const what = `${object.kind}${object.kind === 'Service' ? ` ${(object.spec as { type?: string }).type ?? 'ClusterIP'}` : ''}${(object.spec as { podFailurePolicy?: unknown })?.podFailurePolicy ? ' with a pod failure policy' : ''}`;
    it(`${what}: every value the server adds`, async () => {
      const [group, plural] = [
        resource.slice(0, resource.lastIndexOf('/')),
        resource.slice(resource.lastIndexOf('/') + 1),
      ];
      const path = `${group === 'v1' ? '/api/v1' : `/apis/${group}`}${clusterScoped ? '' : `/namespaces/${namespace}`}/${plural}?dryRun=All`;
      const sent = {
        ...object,
        metadata: (object.metadata as object | undefined) ?? {
          name: clusterScoped ? `${namespace}-x` : 'x',
          ...(clusterScoped ? {} : { namespace }),
        },
      };
      const res = await testCluster().adminRequest('POST', path, sent);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const live = res.body as Record<string, unknown>;
      const given = new Set(leaves(sent).map(([p]) => p));
      const added = leaves(live).filter(
        ([p]) =>
          !given.has(p) && !p.startsWith('/metadata/') && !p.startsWith('/status/') && !inItemGitLacks(sent, live, p),
      );
      checked += added.length;
      const unknown = added
        .filter(([p, v]) => !isApiDefault(object.kind as string, p, v, live))
        .map(([p, v]) => `${p} = ${JSON.stringify(v)}`);
      assert.deepEqual(
        unknown,
        [],
        'values the server fills in that drift would report when a hand edit is credited with them',
      );
    });
  }

  it("quantities the server canonicalises (an HPA target, an env var divisor, resources) compare equal to git's spelling", async () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'q', namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'q' },
        maxReplicas: 3,
        metrics: [
          { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1000m' } } },
        ],
        behavior: { scaleUp: { tolerance: '0.050' } },
      },
    };
    const env = [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } } }];
    const resources = { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: 0.1 } };
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'q', namespace },
      spec: {
        selector,
        template: { ...template, spec: { containers: [{ name: 'c', image: 'nginx:1.25', env, resources }] } },
      },
    };
    for (const [path, desired] of [
      [`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers?dryRun=All`, hpa],
      [`/apis/apps/v1/namespaces/${namespace}/deployments?dryRun=All`, deployment],
    ] as const) {
      const res = await testCluster().adminRequest('POST', path, desired);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const live = res.body as KubeObject;
      const rendered = {
        object: desired as unknown as KubeObject,
        key: keyOf(desired as unknown as KubeObject),
        origins: new Map(),
        source: { file: 'x.yaml', line: 1, column: 1 },
      };
      // The server did respell them; else this would prove nothing.
      assert.ok(!JSON.stringify(live.spec).includes('1000m'), `${desired.kind}: the server kept git's spelling`);
      assert.deepEqual(
        diffObject(rendered, live, driftOptions()).fields.map(
          (f) => `${f.path}: ${JSON.stringify(f.desired)} → ${JSON.stringify(f.live)}`,
        ),
        [],
        desired.kind,
      );
    }
  });
});
