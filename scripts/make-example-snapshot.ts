/**
 * Re-takes examples/shop/live-snapshot.yaml from a real API server: starts the test bed (etcd + kube-apiserver),
 * applies each environment of examples/shop the way different GitOps tools would, makes a few realistic changes
 * by hand with kubectl, then records the live state with `gitops-drift snapshot`.
 *
 *   npx tsx scripts/make-example-snapshot.ts [OUT]     (default OUT: examples/shop/live-snapshot.yaml)
 */
import { join, resolve } from 'node:path';
import { runCli } from '../src/cli/main';
import { testbedBin } from '../test/testbed/bins';
import { startTestCluster } from '../test/testbed/cluster';
import { applyExample } from '../test/editor/harness/seedExample.mjs';

const repoRoot = resolve(__dirname, '..');
const example = join(repoRoot, 'examples', 'shop');
const out = process.argv[2] ? resolve(process.argv[2]) : join(example, 'live-snapshot.yaml');

async function main(): Promise<void> {
  const cluster = await startTestCluster();
  try {
    const { kubectl, generated } = applyExample({ workspace: example, cluster, testbedBin });
    console.log('applied dev (client-side), staging (SSA as kustomize-controller), prod (SSA as argocd-controller)');

    // The hand changes the demo report shows (each with the field manager kubectl records for it).
    const changes: [string, string[]][] = [
      ['prod: scale web to 5 (kubectl-scale)', ['scale', 'deployment/web', '--replicas=5', '-n', 'shop-prod']],
      [
        'prod: hotfix image on api (kubectl-set)',
        ['set', 'image', 'deployment/api', 'api=ghcr.io/example/shop-api:2.1.1-hotfix', '-n', 'shop-prod'],
      ],
      [
        'prod: scale api to 4, as its HPA would (ignored by .gitops-drift.yaml)',
        ['scale', 'deployment/api', '--replicas=4', '-n', 'shop-prod'],
      ],
      [
        'prod: LOG_LEVEL=debug in the web ConfigMap (kubectl-patch)',
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
      ],
      [
        'prod: suspend the cleanup CronJob (kubectl-patch)',
        ['patch', 'cronjob/cart-cleanup', '-n', 'shop-prod', '-p', '{"spec":{"suspend":true}}'],
      ],
      [
        'prod: label web team=checkout (kubectl-label)',
        ['label', 'deployment/web', 'team=checkout', '-n', 'shop-prod'],
      ],
      [
        'staging: point web at a canary API (kubectl-set env)',
        ['set', 'env', 'deployment/web', 'API_URL=http://api-canary:8080', '-n', 'shop-staging'],
      ],
      [
        'staging: rotate the DB password by hand (kubectl-patch)',
        [
          'patch',
          'secret',
          generated('staging', 'api-credentials'),
          '-n',
          'shop-staging',
          '-p',
          '{"stringData":{"DB_PASSWORD":"rotated-by-hand"}}',
        ],
      ],
      ['dev: delete the cleanup CronJob', ['delete', 'cronjob/cart-cleanup', '-n', 'shop-dev']],
    ];
    for (const [what, args] of changes) {
      kubectl(args);
      console.log(`changed ${what}`);
    }

    const io = {
      stdout: (t: string) => process.stdout.write(t),
      stderr: (t: string) => process.stderr.write(t),
      cwd: repoRoot,
      color: false,
      // The example's own key (examples/shop/demo-secret-key), so its snapshot compares Secret values on any machine.
      env: {
        ...process.env,
        KUBECONFIG: cluster.kubeconfigPath,
        GITOPS_DRIFT_SECRET_KEY_FILE: join(example, 'demo-secret-key'),
      },
    };
    const code = await runCli(['snapshot', example, '--out', out, '--context', cluster.adminContext], io);
    if (code !== 0) throw new Error(`snapshot failed with exit code ${code}`);
    console.log(`\nwrote ${out}; the report it gives:\n`);
    await runCli(['check', example, '--live-from', out], io);
  } finally {
    await cluster.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
