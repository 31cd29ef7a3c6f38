/**
 * The CLI against the real test-bed API server: a snapshot replays exactly what the cluster answered, exact mode
 * (server-side apply dry runs) agrees with the local diff on real objects, and the read-only context gets
 * Forbidden outside its namespace while the rest still checks.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const example = resolve(__dirname, '..', '..', '..', 'examples', 'shop');

/** The example copied to a scratch folder with `shop-prod` renamed, so suites sharing the server do not collide. */
function scratchCopy(namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-cli-'));
  cpSync(example, dir, { recursive: true, filter: (src) => !src.endsWith('live-snapshot.yaml') });
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of walk(dir)) writeFileSync(file, readFileSync(file, 'utf8').replace(/\bshop-prod\b/g, namespace));
  return dir;
}

function kubectl(args: string[], input?: string, context = testCluster().adminContext): string {
  return execFileSync(
    testbedBin('kubectl'),
    ['--kubeconfig', testCluster().kubeconfigPath, '--context', context, ...args],
    { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: process.cwd(),
    color: false,
    env: { KUBECONFIG: testCluster().kubeconfigPath },
  };
  return { code: await runCli(argv, io), out, err };
}

interface JsonReport {
  environments: {
    name: string;
    error: string | null;
    resources: {
      kind: string;
      name: string;
      verdict: string;
      message?: string;
      fields: { path: string; desired: unknown; live: unknown; origin: { file: string; line: number } | null }[];
    }[];
  }[];
}

describe('CLI against the real API server', function () {
  this.timeout(120_000);
  let ns: string;
  let repo: string;

  before(async () => {
    ns = await freshNamespace('cli-prod');
    repo = scratchCopy(ns);
    const yaml = execFileSync(testbedBin('kustomize'), ['build', join(repo, 'envs', 'prod')], { encoding: 'utf8' });
    const apply = ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'];
    try {
      kubectl(apply, yaml);
    } catch {
      kubectl(['wait', '--for=condition=Established', 'crd/storefronts.shop.example.com', '--timeout=60s']);
      kubectl(apply, yaml);
    }
    kubectl(['-n', ns, 'scale', 'deployment/web', '--replicas=5']);
    kubectl(['-n', ns, 'patch', 'cronjob/cart-cleanup', '-p', '{"spec":{"suspend":true}}']);
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  const admin = () => ['--context', testCluster().adminContext];

  it('check finds the hand changes; a snapshot replays to the same report; Secret values stay out of the file', async () => {
    const live = await cli(['check', repo, '--env', 'prod', '--format', 'json', ...admin()]);
    assert.equal(live.code, 1, live.err);
    const fields = (r: JsonReport) =>
      r.environments[0].resources
        .flatMap((o) => o.fields.map((f) => `${o.kind}/${o.name} ${f.path} @ ${f.origin?.file}:${f.origin?.line}`))
        .sort();
    const direct = JSON.parse(live.out) as JsonReport;
    assert.deepEqual(fields(direct), [
      'CronJob/cart-cleanup /spec/suspend @ base/cleanup-cronjob.yaml:5',
      'Deployment/web /spec/replicas @ envs/prod/web-patch.yaml:6',
    ]);

    const file = join(repo, 'snap.yaml');
    const snap = await cli(['snapshot', repo, '--env', 'prod', '--out', file, ...admin()]);
    assert.equal(snap.code, 0, snap.err);
    const text = readFileSync(file, 'utf8');
    for (const value of [
      'example-prod-not-real',
      Buffer.from('example-prod-not-real').toString('base64'),
      Buffer.from('shop_prod').toString('base64'),
    ])
      assert.ok(!text.includes(value), `snapshot holds ${value}`);
    const replay = await cli(['check', repo, '--env', 'prod', '--format', 'json', '--live-from', file]);
    assert.equal(replay.code, 1, replay.err);
    const replayed = JSON.parse(replay.out) as JsonReport;
    const verdicts = (r: JsonReport) => r.environments[0].resources.map((o) => `${o.kind}/${o.name} ${o.verdict}`);
    assert.deepEqual(verdicts(replayed), verdicts(direct));
    assert.deepEqual(fields(replayed), fields(direct));
    assert.ok(
      verdicts(direct).some((v) => /^Secret\/api-credentials-\w+ InSync$/.test(v)),
      'the Secret compares equal through the hashes',
    );
  });

  it('exact mode agrees with the local diff on real objects', async () => {
    const exact = await cli(['check', repo, '--env', 'prod', '--format', 'json', '--exact', ...admin()]);
    assert.equal(exact.code, 1, exact.err);
    const report = JSON.parse(exact.out) as JsonReport;
    const drifted = report.environments[0].resources
      .filter((r) => r.verdict !== 'InSync')
      .map((r) => `${r.kind}/${r.name} ${r.fields.map((f) => f.path).join(',')}`);
    assert.deepEqual(drifted.sort(), ['CronJob/cart-cleanup /spec/suspend', 'Deployment/web /spec/replicas']);
    assert.ok(
      report.environments[0].resources.every((r) => r.message === undefined),
      JSON.stringify(report.environments[0].resources.filter((r) => r.message)),
    );
  });

  it('with the read-only context: Forbidden outside its namespace and for Secrets, the rest still checked (exit 2)', async () => {
    const cluster = testCluster();
    const ro = scratchCopy(cluster.readonlyNamespace);
    try {
      const yaml = execFileSync(testbedBin('kustomize'), ['build', join(ro, 'envs', 'prod')], { encoding: 'utf8' });
      kubectl(['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'], yaml);
      const { code, out } = await cli([
        'check',
        ro,
        '--env',
        'prod',
        '--format',
        'json',
        '--context',
        cluster.readonlyContext,
      ]);
      assert.equal(code, 2);
      const env = (JSON.parse(out) as JsonReport).environments[0];
      assert.equal(env.error, null);
      const byVerdict = (v: string) =>
        env.resources
          .filter((r) => r.verdict === v)
          .map((r) => r.kind)
          .sort();
      assert.deepEqual(byVerdict('Forbidden'), ['CustomResourceDefinition', 'Namespace', 'Secret', 'Storefront']);
      assert.deepEqual(byVerdict('InSync'), [
        'ConfigMap',
        'ConfigMap',
        'CronJob',
        'Deployment',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Service',
        'Service',
      ]);
      const secret = env.resources.find((r) => r.kind === 'Secret')!;
      assert.match(secret.message ?? '', /list secrets in namespace "readonly-zone" is forbidden/);
    } finally {
      rmSync(ro, { recursive: true, force: true });
    }
  });
});
