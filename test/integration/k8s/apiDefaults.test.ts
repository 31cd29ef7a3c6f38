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
  ['batch/v1/jobs', { apiVersion: 'batch/v1', kind: 'Job', spec: { ...jobSpec, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] } } }],
  ['batch/v1/cronjobs', { apiVersion: 'batch/v1', kind: 'CronJob', spec: { schedule: '* * * * *', jobTemplate: { spec: jobSpec } } }],
  ['v1/pods', { apiVersion: 'v1', kind: 'Pod', spec: { containers: [container('nginx')] } }],
  ['v1/replicationcontrollers', { apiVersion: 'v1', kind: 'ReplicationController', spec: { selector: { app: 'x' }, template } }],
  ['v1/podtemplates', { apiVersion: 'v1', kind: 'PodTemplate', template }],
  ['v1/services', { apiVersion: 'v1', kind: 'Service', spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } }],
  ['v1/services', { apiVersion: 'v1', kind: 'Service', spec: { type: 'LoadBalancer', selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] } }],
  ['v1/secrets', { apiVersion: 'v1', kind: 'Secret', data: { a: 'Yg==' } }],
  ['v1/persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
];

/**
 * List items admission plugins add to a Pod (the ServiceAccount plugin's token volume and mount,
 * DefaultTolerationSeconds' tolerations). Not defaults: drift pairs list items and reports a whole item git lacks,
 * which this table cannot excuse; left out here, a known gap for bare Pods in git.
 */
const POD_ADMISSION_ITEMS = /^\/spec\/(?:volumes\/\d+|containers\/\d+\/volumeMounts\/\d+|tolerations\/\d+)\//;

describe('API defaults: what the pinned API server fills in is what drift treats as a default', function () {
  this.timeout(60_000);
  let namespace: string;

  before(async () => {
    namespace = await freshNamespace('api-defaults');
    // A pod needs its service account; the test bed runs no controller that creates `default`.
    const sa = await testCluster().adminRequest('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    assert.equal(sa.status, 201, JSON.stringify(sa.body));
  });

  for (const [resource, object] of objects) {
    const what = `${object.kind}${object.kind === 'Service' ? ` ${(object.spec as { type?: string }).type ?? 'ClusterIP'}` : ''}${(object.spec as { podFailurePolicy?: unknown })?.podFailurePolicy ? ' with a pod failure policy' : ''}`;
    it(`${what}: every value the server adds`, async () => {
      const [group, plural] = [resource.slice(0, resource.lastIndexOf('/')), resource.slice(resource.lastIndexOf('/') + 1)];
      const path = `${group === 'v1' ? '/api/v1' : `/apis/${group}`}/namespaces/${namespace}/${plural}?dryRun=All`;
      const sent = { ...object, metadata: { name: 'x', namespace } };
      const res = await testCluster().adminRequest('POST', path, sent);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const live = res.body as Record<string, unknown>;
      const given = new Set(leaves(sent).map(([p]) => p));
      const added = leaves(live).filter(([p]) => !given.has(p) && !p.startsWith('/metadata/') && !p.startsWith('/status/') && !(object.kind === 'Pod' && POD_ADMISSION_ITEMS.test(p)));
      assert.ok(added.length > 0, 'the server added nothing: the check would pass vacuously');
      const unknown = added.filter(([p, v]) => !isApiDefault(object.kind as string, p, v, live)).map(([p, v]) => `${p} = ${JSON.stringify(v)}`);
      assert.deepEqual(unknown, [], 'values the server fills in that drift would report when a hand edit is credited with them');
    });
  }

  it('quantities the server canonicalises (an HPA target, an env var divisor, resources) compare equal to git\'s spelling', async () => {
    const hpa = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'q', namespace },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'q' },
        maxReplicas: 3,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '1000m' } } }],
        behavior: { scaleUp: { tolerance: '0.050' } },
      },
    };
    const env = [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1024Ki' } } }];
    const resources = { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: 0.1 } };
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'q', namespace }, spec: { selector, template: { ...template, spec: { containers: [{ name: 'c', image: 'nginx:1.25', env, resources }] } } } };
    for (const [path, desired] of [
      [`/apis/autoscaling/v2/namespaces/${namespace}/horizontalpodautoscalers?dryRun=All`, hpa],
      [`/apis/apps/v1/namespaces/${namespace}/deployments?dryRun=All`, deployment],
    ] as const) {
      const res = await testCluster().adminRequest('POST', path, desired);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const live = res.body as KubeObject;
      const rendered = { object: desired as unknown as KubeObject, key: keyOf(desired as unknown as KubeObject), origins: new Map(), source: { file: 'x.yaml', line: 1, column: 1 } };
      // The server did respell them; else this would prove nothing.
      assert.ok(!JSON.stringify(live.spec).includes('1000m'), `${desired.kind}: the server kept git's spelling`);
      assert.deepEqual(diffObject(rendered, live, driftOptions()).fields.map((f) => `${f.path}: ${JSON.stringify(f.desired)} → ${JSON.stringify(f.live)}`), [], desired.kind);
    }
  });
});
