/**
 * A Flux postBuild `substituteFrom` source that this repo does not render (a ConfigMap and a Secret put into the
 * cluster by hand or by an operator) is read from the real API server, as kustomize-controller reads it: after Flux's
 * own code applied the render, the check is in sync, the Secret's value never shows, a hand change to a substituted
 * value is found at the `${VAR}` line, and a source in neither place fails only its application.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { DriftEngine } from '../../../src/core/engine';
import type { Application } from '../../../src/core/model/environment';
import type { KubeObject } from '../../../src/core/model/resource';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { createKubeClusterReader, type KubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const SECRET_VALUE = 'live-only-token-9d1c';

const kustomization = (name: string, path: string, namespace: string, target: string, substituteFrom: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  interval: 10m
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  path: ./${path}
  targetNamespace: ${target}
  postBuild:
    substituteFrom:
${substituteFrom}`;

function repoFiles(system: string, apps: string): Record<string, string> {
  return {
    'clusters/prod/apps.yaml': kustomization(
      'apps',
      'apps',
      system,
      apps,
      '      - kind: ConfigMap\n        name: cluster-settings\n      - kind: Secret\n        name: cluster-secrets\n      - kind: ConfigMap\n        name: cluster-extras\n        optional: true\n',
    ),
    'clusters/prod/broken.yaml': kustomization(
      'broken',
      'broken',
      system,
      apps,
      '      - kind: ConfigMap\n        name: nowhere-settings\n',
    ),
    'apps/web.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  url: https://${DOMAIN}/\n  token: ${TOKEN}\n  extra: ${EXTRA:=none}\n',
    'broken/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  v: ${V}\n',
  };
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function kubectl(args: string[], input?: string): string {
  const c = testCluster();
  return execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

describe('Flux substituteFrom read from the live cluster (a source this repo does not render)', function () {
  this.timeout(120_000);
  let reader: KubeClusterReader;
  let repo: string;
  let env: RepoEnvironment;
  let system: string;
  let apps: string;

  before(async () => {
    reader = await createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    });
    system = await freshNamespace('flux-system');
    apps = await freshNamespace('shop');
    const files = repoFiles(system, apps);
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-live-'));
    write(repo, files);
    const app = (name: string, file: string, path: string): Application => ({
      name,
      declaredAt: { file, line: 1, column: 1 },
      source: { type: 'folder', path },
      renderer: 'flux-kustomization',
      namespace: apps,
      controller: { object: parse(files[file]) as KubeObject, at: { file, line: 1, column: 1 } },
    });
    env = {
      name: 'prod',
      path: 'clusters/prod',
      source: 'flux',
      applications: [
        app('apps', 'clusters/prod/apps.yaml', 'apps'),
        app('broken', 'clusters/prod/broken.yaml', 'broken'),
      ],
    };
    // The sources exist only in the cluster.
    const sources = `apiVersion: v1
kind: ConfigMap
metadata: {name: cluster-settings, namespace: ${system}}
data:
  DOMAIN: live.example.net
---
apiVersion: v1
kind: Secret
metadata: {name: cluster-secrets, namespace: ${system}}
stringData:
  TOKEN: ${SECRET_VALUE}
`;
    kubectl(['apply', '--server-side', '--field-manager=ops-team', '-f', '-'], sources);
    // Flux's own code renders apps with them, applied as kustomize-controller applies.
    const copy = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-live-apply-'));
    try {
      write(copy, { ...files, 'objects.yaml': sources });
      const yaml = execFileSync(
        testbedBin('flux-build'),
        [join(copy, 'clusters/prod/apps.yaml'), copy, join(copy, 'apps'), join(copy, 'objects.yaml')],
        { encoding: 'utf8' },
      );
      kubectl(['apply', '--server-side', '--field-manager=kustomize-controller', '-f', '-'], yaml);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  after(() => rmSync(repo, { recursive: true, force: true }));

  it('is in sync after the sync; the source in neither place fails only its application, at its line', async () => {
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    const report = await engine.check(env, { reader, context: reader.context });
    assert.equal(report.error, null);
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.kind}/${r.key.name} ${r.verdict}`),
      ['apps ConfigMap/web InSync'],
    );
    assert.deepEqual(
      report.applications.map((a) => `${a.name} ${a.state}`),
      ['apps rendered', 'broken failed'],
    );
    const problem = report.problems.find((p) => p.severity === 'error' && /nowhere-settings/.test(p.message));
    assert.match(problem?.message ?? '', new RegExp(`neither among .* nor in the cluster \\(${reader.context}\\)`));
    assert.deepEqual([problem?.location?.file, problem?.location?.line], ['clusters/prod/broken.yaml', 15]);
    assert.ok(!JSON.stringify(report).includes(SECRET_VALUE));
    assert.ok(!JSON.stringify(report).includes(Buffer.from(SECRET_VALUE).toString('base64')));
  });

  it('finds a hand change to a value substituted from the live ConfigMap at the ${DOMAIN} line', async () => {
    kubectl([
      '-n',
      apps,
      'patch',
      'configmap',
      'web',
      '--type=merge',
      '-p',
      '{"data":{"url":"https://hand.example/"}}',
    ]);
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    const report = await engine.check(env, { reader, context: reader.context });
    const web = report.resources.find((r) => r.key.name === 'web');
    assert.equal(web?.verdict, 'Drifted');
    assert.deepEqual(
      web.fields.map((f) => [f.path, f.desired, f.live, f.origin?.file, f.origin?.line]),
      [['/data/url', 'https://live.example.net/', 'https://hand.example/', 'apps/web.yaml', 6]],
    );
    assert.deepEqual(web.fields[0].origin?.related, [
      {
        location: { file: 'clusters/prod/apps.yaml', line: 15, column: 9 },
        message: `\${DOMAIN} is set by ConfigMap cluster-settings in the cluster (${reader.context})`,
      },
    ]);
  });

  it('reads the cluster again on the next check: a changed live source changes the desired value', async () => {
    // The previous case set web's url to https://hand.example/ by hand: the source now agrees with it.
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    await engine.check(env, { reader, context: reader.context });
    kubectl([
      '-n',
      system,
      'patch',
      'configmap',
      'cluster-settings',
      '--type=merge',
      '-p',
      '{"data":{"DOMAIN":"hand.example"}}',
    ]);
    const report = await engine.check(env, { reader, context: reader.context });
    assert.equal(report.resources.find((r) => r.key.name === 'web')?.verdict, 'InSync');
  });
});
