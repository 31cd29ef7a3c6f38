// Puts the example repo's environments into the test-bed cluster the way GitOps tools do (dev: kubectl
// client-side apply, staging: SSA as Flux, prod: SSA as Argo CD), then makes hand changes with kubectl, so the
// editor has real drift to show. Mirrors scripts/make-example-snapshot.ts.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const environments = [
  { name: 'dev', apply: ['apply', '-f', '-'] },
  { name: 'staging', apply: ['apply', '--server-side', '--field-manager=kustomize-controller', '-f', '-'] },
  { name: 'prod', apply: ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'] },
];

/**
 * Applies every environment of `workspace` as the GitOps tools would (CRDs established before their custom
 * resources); returns a kubectl runner and a lookup of generated (hash-suffixed) names. The snapshot script uses it too.
 */
export function applyExample({ workspace, cluster, testbedBin }) {
  const kubectl = (args, input) =>
    execFileSync(
      testbedBin('kubectl'),
      ['--kubeconfig', cluster.kubeconfigPath, '--context', cluster.adminContext, ...args],
      { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
    );
  const built = new Map();
  for (const env of environments) {
    const yaml = execFileSync(testbedBin('kustomize'), ['build', join(workspace, 'envs', env.name)], {
      encoding: 'utf8',
    });
    built.set(env.name, yaml);
    try {
      kubectl(env.apply, yaml);
    } catch {
      // The CRD's custom resources are served only once the CRD (applied in the same run) is established.
      kubectl(['wait', '--for=condition=Established', 'crd/storefronts.shop.example.com', '--timeout=60s']);
      kubectl(env.apply, yaml);
    }
  }
  const generated = (env, prefix) => {
    const m = new RegExp(`name: (${prefix}-[a-z0-9]+)\\b`).exec(built.get(env) ?? '');
    if (!m) throw new Error(`no generated ${prefix} in ${env}`);
    return m[1];
  };
  return { kubectl, generated };
}

/** Applies every environment of `workspace` and makes the hand changes; returns what was changed. */
export function seedExample({ workspace, cluster, testbedBin }) {
  const { kubectl, generated } = applyExample({ workspace, cluster, testbedBin });
  const changes = [
    ['scale', 'deployment/web', '--replicas=5', '-n', 'shop-prod'],
    ['set', 'image', 'deployment/api', 'api=ghcr.io/example/shop-api:2.1.1-hotfix', '-n', 'shop-prod'],
    [
      'patch',
      'configmap',
      generated('prod', 'web-config'),
      '-n',
      'shop-prod',
      '--type=merge',
      '-p',
      '{"data":{"LOG_LEVEL":"debug"}}',
    ],
    ['patch', 'cronjob/cart-cleanup', '-n', 'shop-prod', '-p', '{"spec":{"suspend":true}}'],
    [
      'patch',
      'secret',
      generated('staging', 'api-credentials'),
      '-n',
      'shop-staging',
      '-p',
      '{"stringData":{"DB_PASSWORD":"rotated-by-hand"}}',
    ],
    ['delete', 'cronjob/cart-cleanup', '-n', 'shop-dev'],
  ];
  for (const args of changes) kubectl(args);
  return { secretValue: 'rotated-by-hand' };
}
