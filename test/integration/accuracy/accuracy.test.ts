/**
 * Accuracy suite: the reconcile diff against a real kube-apiserver. Desired state is applied the ways GitOps tools
 * apply it (client-side apply, server-side apply, SSA as Argo CD or Flux); then `check` must report zero drift.
 * Then hand changes are made one by one through the API with kubectl, and after each one the complete set of
 * findings must equal the expected set: every change on exactly its field and origin line, nothing else.
 */
import { strict as assert } from 'node:assert';
import { join, resolve } from 'node:path';
import { applyEnvironment, Checker, copyRepo, findings, generatedName, kubectl, removeRepo } from './harness';

const repoRoot = resolve(__dirname, '..', '..', '..');

interface Change {
  /** What a person did, for the report. */
  title: string;
  env: string;
  act: () => void;
  /** Findings this change adds (`Kind/name /pointer @ file:line`, or `Kind/name Missing`); [] = must stay silent. */
  expect: string[];
}

const score = { expected: 0, detected: 0, falsePositives: 0, changes: 0 };

/** Applies each change in turn and compares the whole finding set of its environment after each one. */
async function runChanges(checker: Checker, changes: Change[], baseline: Record<string, string[]>): Promise<void> {
  const expected: Record<string, string[]> = structuredClone(baseline);
  const failures: string[] = [];
  for (const change of changes) {
    change.act();
    expected[change.env] = [...(expected[change.env] ?? []), ...change.expect];
    const actual = findings(await checker.check(change.env));
    const want = new Set(expected[change.env]);
    const got = new Set(actual);
    const missed = [...want].filter((f) => !got.has(f));
    const extra = [...got].filter((f) => !want.has(f));
    score.changes++;
    score.expected += change.expect.length;
    score.detected += change.expect.filter((f) => got.has(f)).length;
    score.falsePositives += extra.length;
    if (missed.length || extra.length) {
      failures.push(
        `${change.env}: ${change.title}\n    missed: ${JSON.stringify(missed)}\n    unexpected: ${JSON.stringify(extra)}`,
      );
      // Take the actual set as the new baseline, so one miss is not counted again at every later step.
      expected[change.env] = actual;
    }
  }
  assert.deepEqual(failures, [], `findings differ:\n  ${failures.join('\n  ')}`);
}

describe('accuracy: reconcile diff against the real API server', function () {
  this.timeout(300_000);

  after(() => {
    console.log(
      `      accuracy: ${score.detected}/${score.expected} expected findings detected over ${score.changes} hand changes, ${score.falsePositives} false positives`,
    );
  });

  describe('examples/shop (dev: client-side apply, staging: server-side apply, prod: SSA as argocd-controller)', () => {
    let repo: string;
    let checker: Checker;

    before(() => {
      repo = copyRepo(join(repoRoot, 'examples', 'shop'));
      checker = new Checker(repo);
      applyEnvironment(repo, 'envs/dev', { kind: 'client-side' });
      applyEnvironment(repo, 'envs/staging', { kind: 'server-side', manager: 'kubectl' });
      applyEnvironment(repo, 'envs/prod', { kind: 'server-side', manager: 'argocd-controller' });
    });
    after(() => removeRepo(repo));

    for (const env of ['dev', 'staging', 'prod']) {
      it(`reports zero drift for ${env} right after it is applied`, async () => {
        const resources = await checker.check(env);
        assert.ok(resources.length >= 9, `expected the whole environment, got ${resources.length} objects`);
        assert.deepEqual(findings(resources), []);
      });
    }

    it('reports each hand change on exactly its field and origin line, and nothing else', async () => {
      const prod = (...args: string[]) => kubectl('-n', 'shop-prod', ...args);
      const dev = (...args: string[]) => kubectl('-n', 'shop-dev', ...args);
      const staging = (...args: string[]) => kubectl('-n', 'shop-staging', ...args);
      const changes: Change[] = [
        {
          title: 'kubectl scale web',
          env: 'prod',
          act: () => prod('scale', 'deployment/web', '--replicas=5'),
          expect: ['Deployment/web /spec/replicas @ envs/prod/web-patch.yaml:6'],
        },
        {
          title: 'kubectl set image web',
          env: 'prod',
          act: () => prod('set', 'image', 'deployment/web', 'web=ghcr.io/example/shop-web:1.4.0-hotfix'),
          expect: ['Deployment/web /spec/template/spec/containers/0/image @ base/kustomization.yaml:37'],
        },
        {
          title: 'kubectl set env: change API_URL',
          env: 'prod',
          act: () => prod('set', 'env', 'deployment/web', 'API_URL=http://api-v2:8080'),
          expect: ['Deployment/web /spec/template/spec/containers/0/env/1/value @ base/web-deployment.yaml:28'],
        },
        {
          title: 'kubectl set env: remove CDN_URL',
          env: 'prod',
          act: () => prod('set', 'env', 'deployment/web', 'CDN_URL-'),
          expect: ['Deployment/web /spec/template/spec/containers/0/env/0 @ envs/prod/web-patch.yaml:12'],
        },
        {
          title: 'kubectl set env: add NEW_FLAG to api',
          env: 'prod',
          act: () => prod('set', 'env', 'deployment/api', 'NEW_FLAG=1'),
          expect: ['Deployment/api /spec/template/spec/containers/0/env/2 @ base/api-deployment.yaml:23'],
        },
        {
          title: 'kubectl label: add a label',
          env: 'prod',
          act: () => prod('label', 'deployment/web', 'team=checkout'),
          expect: ['Deployment/web /metadata/labels/team @ base/web-deployment.yaml:5'],
        },
        {
          title: 'kubectl label: remove a label git sets',
          env: 'prod',
          act: () => prod('label', 'service/web', 'app.kubernetes.io/name-'),
          expect: ['Service/web /metadata/labels/app.kubernetes.io~1name @ base/web-service.yaml:6'],
        },
        {
          title: 'kubectl label --overwrite: change a label from the labels transformer',
          env: 'prod',
          act: () => prod('label', '--overwrite', 'service/api', 'app.kubernetes.io/part-of=other'),
          expect: ['Service/api /metadata/labels/app.kubernetes.io~1part-of @ base/kustomization.yaml:6'],
        },
        {
          title: 'kubectl annotate: add an annotation',
          env: 'prod',
          act: () => prod('annotate', 'deployment/api', 'note=hand-edited'),
          expect: ['Deployment/api /metadata/annotations/note @ base/api-deployment.yaml:3'],
        },
        {
          title: 'kubectl patch: edit a generated ConfigMap value',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'configmap',
              generatedName('shop-prod', 'configmap', 'web-config'),
              '-p',
              '{"data":{"LOG_LEVEL":"debug"}}',
            ),
          expect: ['ConfigMap/web-config-<hash> /data/LOG_LEVEL @ envs/prod/kustomization.yaml:28'],
        },
        {
          title: 'kubectl patch: change a Secret value',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'secret',
              generatedName('shop-prod', 'secret', 'api-credentials'),
              '-p',
              '{"stringData":{"DB_USER":"root"}}',
            ),
          expect: ['Secret/api-credentials-<hash> /data/DB_USER @ envs/prod/kustomization.yaml:34'],
        },
        {
          title: 'kubectl patch --type json: remove a container port',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'deployment/api',
              '--type',
              'json',
              '-p',
              '[{"op":"remove","path":"/spec/template/spec/containers/0/ports/0"}]',
            ),
          expect: ['Deployment/api /spec/template/spec/containers/0/ports @ base/api-deployment.yaml:20'],
        },
        {
          title: 'kubectl patch: add a sidecar container',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'deployment/api',
              '--type',
              'json',
              '-p',
              '[{"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"proxy","image":"envoyproxy/envoy:v1.30.0"}}]',
            ),
          expect: ['Deployment/api /spec/template/spec/containers/1 @ base/api-deployment.yaml:17'],
        },
        {
          title: 'kubectl patch: change Service type',
          env: 'prod',
          act: () => prod('patch', 'service/api', '-p', '{"spec":{"type":"NodePort"}}'),
          expect: ['Service/api /spec/type @ base/api-service.yaml:7'],
        },
        {
          title: 'kubectl delete: a ConfigMap',
          env: 'prod',
          act: () => prod('delete', 'configmap', generatedName('shop-prod', 'configmap', 'api-config')),
          expect: ['ConfigMap/api-config-<hash> Missing'],
        },
        {
          title: 'kubectl patch: suspend the CronJob',
          env: 'prod',
          act: () => prod('patch', 'cronjob/cart-cleanup', '-p', '{"spec":{"suspend":true}}'),
          expect: ['CronJob/cart-cleanup /spec/suspend @ base/cleanup-cronjob.yaml:5'],
        },
        {
          title: 'HPA-owned replicas (ignore rule in .gitops-drift.yaml)',
          env: 'prod',
          act: () => prod('scale', 'deployment/api', '--replicas=4'),
          expect: [],
        },
        {
          title: 'a controller adds an annotation and status',
          env: 'prod',
          act: () =>
            prod(
              'annotate',
              '--field-manager=kube-controller-manager',
              'deployment/web',
              'deployment.kubernetes.io/revision=7',
            ),
          expect: [],
        },
        {
          title: 'the same CPU request written another way',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'deployment/web',
              '-p',
              '{"spec":{"template":{"spec":{"containers":[{"name":"web","resources":{"requests":{"cpu":"0.1"}}}]}}}}',
            ),
          expect: [],
        },
        {
          title: 'kubectl patch: a custom resource field',
          env: 'prod',
          act: () => prod('patch', 'storefront/main', '--type', 'merge', '-p', '{"spec":{"maintenance":true}}'),
          expect: ['Storefront/main /spec/maintenance @ base/storefront.yaml:8'],
        },
        {
          title: 'kubectl patch: imagePullPolicy set by hand',
          env: 'prod',
          act: () =>
            prod(
              'patch',
              'deployment/web',
              '-p',
              '{"spec":{"template":{"spec":{"containers":[{"name":"web","imagePullPolicy":"Always"}]}}}}',
            ),
          expect: ['Deployment/web /spec/template/spec/containers/0/imagePullPolicy @ base/web-deployment.yaml:18'],
        },
        {
          title: 'kubectl patch: HPA maxReplicas',
          env: 'prod',
          act: () => prod('patch', 'hpa/api', '-p', '{"spec":{"maxReplicas":10}}'),
          expect: ['HorizontalPodAutoscaler/api /spec/maxReplicas @ envs/prod/api-hpa.yaml:11'],
        },
        {
          title: 'kubectl set resources: memory limit',
          env: 'prod',
          act: () => prod('set', 'resources', 'deployment/web', '-c', 'web', '--limits=memory=1Gi'),
          expect: [
            'Deployment/web /spec/template/spec/containers/0/resources/limits/memory @ envs/prod/web-patch.yaml:17',
          ],
        },
        {
          title: 'kubectl patch on a client-side-applied ConfigMap',
          env: 'dev',
          act: () =>
            dev(
              'patch',
              'configmap',
              generatedName('shop-dev', 'configmap', 'web-config'),
              '-p',
              '{"data":{"LOG_LEVEL":"trace"}}',
            ),
          expect: ['ConfigMap/web-config-<hash> /data/LOG_LEVEL @ envs/dev/kustomization.yaml:23'],
        },
        {
          title: 'kubectl patch: remove a probe git sets (client-side apply)',
          env: 'dev',
          act: () =>
            dev(
              'patch',
              'deployment/web',
              '--type',
              'json',
              '-p',
              '[{"op":"remove","path":"/spec/template/spec/containers/0/readinessProbe"}]',
            ),
          expect: ['Deployment/web /spec/template/spec/containers/0/readinessProbe @ base/web-deployment.yaml:35'],
        },
        {
          title: 'kubectl scale against a replicas: entry',
          env: 'dev',
          act: () => dev('scale', 'deployment/web', '--replicas=4'),
          expect: ['Deployment/web /spec/replicas @ envs/dev/kustomization.yaml:12'],
        },
        {
          title: 'kubectl set image against an overlay images: entry (server-side apply)',
          env: 'staging',
          act: () => staging('set', 'image', 'deployment/web', 'web=ghcr.io/example/shop-web:1.3.9'),
          expect: ['Deployment/web /spec/template/spec/containers/0/image @ envs/staging/kustomization.yaml:13'],
        },
        {
          title: 'kubectl edit-style change of the CronJob schedule',
          env: 'staging',
          act: () => staging('patch', 'cronjob/cart-cleanup', '-p', '{"spec":{"schedule":"0 4 * * *"}}'),
          expect: ['CronJob/cart-cleanup /spec/schedule @ base/cleanup-cronjob.yaml:6'],
        },
      ];
      await runChanges(checker, changes, {});
    });
  });

  describe('Argo CD layout (apps/*/overlays + Application manifests), SSA as argocd-controller', () => {
    let repo: string;
    let checker: Checker;
    before(() => {
      repo = copyRepo(join(__dirname, 'layouts', 'argocd-guestbook'));
      checker = new Checker(repo);
      kubectl('create', 'namespace', 'guestbook-prod');
      applyEnvironment(
        repo,
        'apps/guestbook/overlays/prod',
        { kind: 'server-side', manager: 'argocd-controller' },
        { 'app.kubernetes.io/instance': 'guestbook-prod' },
      );
    });
    after(() => removeRepo(repo));

    it('discovers the Application and reports zero drift after sync', async () => {
      assert.deepEqual(findings(await checker.check('in-cluster')), []);
      assert.equal(checker.lastEnvironment?.source, 'argocd');
    });

    it('reports hand changes and an Extra object carrying the app tracking label', async () => {
      const gb = (...args: string[]) => kubectl('-n', 'guestbook-prod', ...args);
      await runChanges(
        checker,
        [
          {
            title: 'kubectl scale',
            env: 'in-cluster',
            act: () => gb('scale', 'deployment/guestbook-ui', '--replicas=1'),
            expect: ['Deployment/guestbook-ui /spec/replicas @ apps/guestbook/overlays/prod/kustomization.yaml:6'],
          },
          {
            title: 'a Service left behind (renamed in git) with the tracking label',
            env: 'in-cluster',
            act: () =>
              createLabelledService('guestbook-prod', 'guestbook-ui-old', {
                'app.kubernetes.io/instance': 'guestbook-prod',
              }),
            expect: ['Service/guestbook-ui-old Extra'],
          },
          {
            title: 'an unrelated Service without the label',
            env: 'in-cluster',
            act: () => createLabelledService('guestbook-prod', 'someone-elses', {}),
            expect: [],
          },
        ],
        {},
      );
    });
  });

  describe('Flux layout (clusters/* Kustomization + apps/), SSA as kustomize-controller', () => {
    let repo: string;
    let checker: Checker;
    before(() => {
      repo = copyRepo(join(__dirname, 'layouts', 'flux-podinfo'));
      checker = new Checker(repo);
      applyEnvironment(
        repo,
        'apps/production',
        { kind: 'server-side', manager: 'kustomize-controller' },
        { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
      );
    });
    after(() => {
      removeRepo(repo);
      // The Namespace is cluster-scoped and outlives this suite (no namespace controller runs here): without the
      // Flux marks it cannot be taken for an Extra object of another suite's copy of the same Kustomization.
      kubectl(
        'label',
        'namespace',
        'podinfo-prod',
        'kustomize.toolkit.fluxcd.io/name-',
        'kustomize.toolkit.fluxcd.io/namespace-',
      );
    });

    it('discovers the Flux cluster and reports zero drift after reconcile', async () => {
      // The cluster folder (clusters/production) is the environment; its Kustomization `apps`, the application.
      assert.deepEqual(findings(await checker.check('production')), []);
      assert.equal(checker.lastEnvironment?.source, 'flux');
    });

    it('reports hand changes on the base and patch lines', async () => {
      const pi = (...args: string[]) => kubectl('-n', 'podinfo-prod', ...args);
      await runChanges(
        checker,
        [
          {
            title: 'kubectl set resources: memory limit from the patch',
            env: 'production',
            act: () => pi('set', 'resources', 'deployment/podinfo', '--limits=memory=2Gi'),
            expect: [
              'Deployment/podinfo /spec/template/spec/containers/0/resources/limits/memory @ apps/production/podinfo-patch.yaml:13',
            ],
          },
          {
            title: 'kubectl patch: Service port',
            env: 'production',
            act: () =>
              pi(
                'patch',
                'service/podinfo',
                '--type',
                'json',
                '-p',
                '[{"op":"replace","path":"/spec/ports/0/port","value":9999}]',
              ),
            expect: ['Service/podinfo /spec/ports/0/port @ apps/base/podinfo/service.yaml:11'],
          },
        ],
        {},
      );
    });
  });
});

/** Creates a Service with labels, as a sync tool would have left it behind. */
function createLabelledService(namespace: string, name: string, labels: Record<string, string>): void {
  kubectl('-n', namespace, 'create', 'service', 'clusterip', name, '--tcp=80:80');
  if (Object.keys(labels).length)
    kubectl('-n', namespace, 'label', 'service', name, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`));
}
