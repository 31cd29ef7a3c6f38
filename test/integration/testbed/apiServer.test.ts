import { strict as assert } from 'node:assert';
import * as k8s from '@kubernetes/client-node';
import { freshNamespace, testCluster } from '../support';

/** Proves the test bed is a real API server: SSA, defaulting, managedFields and RBAC, through client-node. */
describe('test bed: real kube-apiserver through @kubernetes/client-node', () => {
  let namespace: string;
  let kc: k8s.KubeConfig;

  before(async () => {
    namespace = await freshNamespace('testbed');
    kc = new k8s.KubeConfig();
    kc.loadFromFile(testCluster().kubeconfigPath);
    kc.setCurrentContext(testCluster().adminContext);
  });

  it('serves a real version', async () => {
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    assert.equal(version.gitVersion, 'v1.35.4');
  });

  it('applies a Deployment with server-side apply and reads it back with defaults and managedFields', async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'ghcr.io/acme/web:1.4.0', ports: [{ containerPort: 8080 }] }] },
        },
      },
    };
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    await objects.patch(deployment, undefined, undefined, 'gitops-drift-test', true, k8s.PatchStrategy.ServerSideApply);

    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const live = await apps.readNamespacedDeployment({ name: 'web', namespace });
    assert.equal(live.spec?.replicas, 2);
    // Defaults filled in by the API server, not by us.
    assert.equal(live.spec?.strategy?.type, 'RollingUpdate');
    assert.equal(live.spec?.template.spec?.containers[0].ports?.[0].protocol, 'TCP');
    assert.equal(live.spec?.template.spec?.containers[0].imagePullPolicy, 'IfNotPresent');
    const managers = (live.metadata?.managedFields ?? []).map((m) => `${m.manager}/${m.operation}`);
    assert.deepEqual(managers, ['gitops-drift-test/Apply']);
    const fields = (live.metadata?.managedFields ?? [])[0].fieldsV1 as Record<string, any>;
    assert.ok(fields['f:spec']['f:replicas'], 'the applier owns spec.replicas');
  });

  it('lets the read-only context view its namespace and nothing else', async () => {
    const ro = new k8s.KubeConfig();
    ro.loadFromFile(testCluster().kubeconfigPath);
    ro.setCurrentContext(testCluster().readonlyContext);
    const core = ro.makeApiClient(k8s.CoreV1Api);
    const own = await core.listNamespacedConfigMap({ namespace: testCluster().readonlyNamespace });
    assert.ok(Array.isArray(own.items));
    await assert.rejects(core.listNamespacedConfigMap({ namespace }), (e: any) => e.code === 403);
  });
});
