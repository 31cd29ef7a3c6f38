import { strict as assert } from 'node:assert';
import { handDefaultPointers, isApiDefault } from '../../../src/core/drift/apiDefaults';
import { apiFieldAt } from '../../../src/core/k8s/apiFields';
import { recorded } from './support';

describe('API defaults (fields git does not set)', () => {
  const web = recorded('recorded/object-deployment-dev-web.json') as unknown as Record<string, unknown>;
  const svc = recorded('recorded/object-service-dev-web.json') as unknown as Record<string, unknown>;

  it('knows the workload, pod and container defaults the recorded Deployment carries', () => {
    for (const [pointer, value] of [
      ['/spec/revisionHistoryLimit', 10],
      ['/spec/progressDeadlineSeconds', 600],
      ['/spec/strategy/rollingUpdate/maxSurge', '25%'],
      ['/spec/template/spec/dnsPolicy', 'ClusterFirst'],
      ['/spec/template/spec/schedulerName', 'default-scheduler'],
      ['/spec/template/spec/containers/0/terminationMessagePath', '/dev/termination-log'],
      ['/spec/template/spec/containers/0/imagePullPolicy', 'IfNotPresent'],
      ['/spec/template/spec/containers/0/ports/0/protocol', 'TCP'],
    ] as const)
      assert.ok(isApiDefault('Deployment', pointer, value, web), pointer);
  });

  it('says no for other values, other kinds and unknown fields', () => {
    assert.ok(!isApiDefault('Deployment', '/spec/revisionHistoryLimit', 3, web));
    assert.ok(
      !isApiDefault('Deployment', '/spec/template/spec/containers/0/imagePullPolicy', 'Always', web),
      'nginx:1.25 pulls IfNotPresent',
    );
    assert.ok(!isApiDefault('Deployment', '/spec/template/spec/containers/0/image', 'nginx:1.25', web));
    assert.ok(!isApiDefault('Widget', '/spec/replicas', 1, web));
    assert.ok(!isApiDefault('CronJob', '/spec/suspend', true, web));
  });

  it('treats server-assigned Service fields and the port-derived targetPort as git asked', () => {
    assert.ok(isApiDefault('Service', '/spec/clusterIP', '10.105.46.115', svc));
    assert.ok(isApiDefault('Service', '/spec/ports/0/nodePort', 31080, svc));
    assert.ok(isApiDefault('Service', '/spec/ports/0/targetPort', 80, svc));
    assert.ok(!isApiDefault('Service', '/spec/ports/0/targetPort', 8080, svc));
    assert.ok(isApiDefault('Service', '/spec/externalTrafficPolicy', 'Cluster', svc));
    assert.ok(!isApiDefault('Service', '/spec/type', 'NodePort', svc));
  });

  it('takes the defaults the OpenAPI document states, for every built-in kind that has the field', () => {
    const rc = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }] }] } } },
    };
    assert.ok(isApiDefault('ReplicationController', '/spec/template/spec/containers/0/ports/0/protocol', 'TCP', rc));
    assert.ok(!isApiDefault('ReplicationController', '/spec/template/spec/containers/0/ports/0/protocol', 'UDP', rc));
    assert.ok(isApiDefault('ReplicationController', '/spec/replicas', 1, rc));
    assert.ok(!isApiDefault('ReplicationController', '/spec/replicas', 2, rc));
    assert.ok(isApiDefault('Service', '/spec/ports/0/protocol', 'TCP', svc));
    assert.ok(!isApiDefault('Service', '/spec/ports/0/protocol', 'SCTP', svc));
  });

  it("gives a custom resource that borrows a built-in kind name none of the document's defaults", () => {
    const widget = { apiVersion: 'example.com/v1', kind: 'ReplicationController', spec: {} };
    assert.ok(!isApiDefault('ReplicationController', '/spec/replicas', 1, widget));
  });

  it('keeps by hand only defaults the document does not state', () => {
    const apiVersions: Record<string, string> = {
      HorizontalPodAutoscaler: 'autoscaling/v2',
      NetworkPolicy: 'networking.k8s.io/v1',
      StorageClass: 'storage.k8s.io/v1',
      PriorityClass: 'scheduling.k8s.io/v1',
      ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
      MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
      CustomResourceDefinition: 'apiextensions.k8s.io/v1',
      LimitRange: 'v1',
      ReplicationController: 'v1',
      PodTemplate: 'v1',
      Deployment: 'apps/v1',
      StatefulSet: 'apps/v1',
      DaemonSet: 'apps/v1',
      ReplicaSet: 'apps/v1',
      Job: 'batch/v1',
      CronJob: 'batch/v1',
      Service: 'v1',
      Secret: 'v1',
      PersistentVolumeClaim: 'v1',
      Pod: 'v1',
    };
    const hand = handDefaultPointers();
    assert.ok(hand.length > 100, `${hand.length} hand pointers`);
    for (const { kind, pointer } of hand) {
      assert.ok(apiVersions[kind], kind);
      assert.equal(
        apiFieldAt(apiVersions[kind], kind, pointer)?.default,
        undefined,
        `${kind} ${pointer}: the document states this default; drop the hand entry`,
      );
    }
  });

  it('knows what the pinned server fills in beyond the first tables (found by test/integration/k8s/apiDefaults.test.ts)', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', spec: {} };
    const failing = { apiVersion: 'batch/v1', kind: 'Job', spec: { podFailurePolicy: { rules: [] } } };
    assert.ok(isApiDefault('Job', '/spec/podReplacementPolicy', 'TerminatingOrFailed', job));
    assert.ok(!isApiDefault('Job', '/spec/podReplacementPolicy', 'Failed', job));
    assert.ok(isApiDefault('Job', '/spec/podReplacementPolicy', 'Failed', failing));
    assert.ok(!isApiDefault('Job', '/spec/podReplacementPolicy', 'TerminatingOrFailed', failing));
    assert.ok(isApiDefault('Job', '/spec/manualSelector', false, job));
    assert.ok(!isApiDefault('Job', '/spec/manualSelector', true, job));
    assert.ok(isApiDefault('Job', '/spec/template/metadata/labels/batch.kubernetes.io~1controller-uid', 'a-uid', job));
    assert.ok(!isApiDefault('Job', '/spec/template/metadata/labels/team', 'shop', job));
    assert.ok(isApiDefault('Deployment', '/spec/template/spec/containers/0/livenessProbe/httpGet/scheme', 'HTTP', web));
    assert.ok(
      !isApiDefault('Deployment', '/spec/template/spec/containers/0/livenessProbe/httpGet/scheme', 'HTTPS', web),
    );
    assert.ok(isApiDefault('Deployment', '/spec/template/spec/containers/0/lifecycle/preStop/httpGet/path', '/', web));
    assert.ok(
      !isApiDefault('Deployment', '/spec/template/spec/containers/0/lifecycle/preStop/httpGet/path', '/healthz', web),
    );
    const rc = { apiVersion: 'v1', kind: 'ReplicationController', spec: {} };
    assert.ok(isApiDefault('ReplicationController', '/spec/template/spec/dnsPolicy', 'ClusterFirst', rc));
    assert.ok(
      isApiDefault('PodTemplate', '/template/spec/restartPolicy', 'Always', { apiVersion: 'v1', kind: 'PodTemplate' }),
    );
    assert.ok(isApiDefault('Pod', '/spec/serviceAccountName', 'default', { apiVersion: 'v1', kind: 'Pod' }));
    assert.ok(!isApiDefault('Pod', '/spec/serviceAccountName', 'builder', { apiVersion: 'v1', kind: 'Pod' }));
  });

  it("knows defaults inside lists (an index is any index) and a CRD's derived names", () => {
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: {} };
    assert.ok(isApiDefault('NetworkPolicy', '/spec/ingress/2/ports/1/protocol', 'TCP', np));
    assert.ok(!isApiDefault('NetworkPolicy', '/spec/ingress/2/ports/1/protocol', 'UDP', np));
    const vwc = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration' };
    assert.ok(isApiDefault('ValidatingWebhookConfiguration', '/webhooks/3/failurePolicy', 'Fail', vwc));
    assert.ok(!isApiDefault('ValidatingWebhookConfiguration', '/webhooks/3/failurePolicy', 'Ignore', vwc));
    assert.ok(!isApiDefault('ValidatingWebhookConfiguration', '/webhooks/3/reinvocationPolicy', 'Never', vwc));
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      spec: { names: { kind: 'Widget', plural: 'widgets' } },
    };
    assert.ok(isApiDefault('CustomResourceDefinition', '/spec/names/singular', 'widget', crd));
    assert.ok(isApiDefault('CustomResourceDefinition', '/spec/names/listKind', 'WidgetList', crd));
    assert.ok(!isApiDefault('CustomResourceDefinition', '/spec/names/singular', 'gadget', crd));
    const lr = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      spec: { limits: [{ type: 'Container', max: { cpu: '2', memory: '1Gi' }, default: { cpu: '1' } }] },
    };
    assert.ok(isApiDefault('LimitRange', '/spec/limits/0/defaultRequest/cpu', '1', lr));
    assert.ok(!isApiDefault('LimitRange', '/spec/limits/0/defaultRequest/cpu', '2', lr));
    assert.ok(isApiDefault('LimitRange', '/spec/limits/0/defaultRequest/memory', '1Gi', lr));
    assert.ok(isApiDefault('LimitRange', '/spec/limits/0/default/memory', '1Gi', lr));
    assert.ok(!isApiDefault('LimitRange', '/spec/limits/0/default/memory', '2Gi', lr));
  });
});
