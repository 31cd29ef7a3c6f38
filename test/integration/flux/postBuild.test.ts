/**
 * A Flux cluster's render applied as kustomize-controller applies it (Flux's own code renders it: the test bed's
 * flux-build; server-side apply as kustomize-controller) is in sync, substituted values included, those from a Secret
 * too (compared by presence); a hand change to a substituted value is found at the line holding `${VAR}`, with where
 * the variable is set as related information.
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

const kustomization = (name: string, path: string, namespace: string, target: string, extra: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  interval: 10m\n  prune: true\n  sourceRef: {kind: GitRepository, name: flux-system}\n  path: ./${path}\n  targetNamespace: ${target}\n${extra}`;

function repoFiles(system: string, apps: string): Record<string, string> {
  return {
    'clusters/prod/config.yaml': kustomization('config', 'config', system, system, ''),
    'clusters/prod/apps.yaml': kustomization(
      'apps',
      'apps',
      system,
      apps,
      '  postBuild:\n    substitute:\n      REPLICAS: "2"\n    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n      - kind: Secret\n        name: cluster-secrets\n',
    ),
    'config/settings.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\ndata:\n  DOMAIN: shop.example.com\n  LEVEL: info\n',
    'config/secrets.yaml':
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: cluster-secrets\nstringData:\n  API_TOKEN: not-a-real-token-42\n',
    'apps/web.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web
data:
  url: https://\${DOMAIN}/
  level: \${LEVEL:=warn}
  token: \${API_TOKEN}
  escaped: $\${NOT_SUBSTITUTED}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: \${REPLICAS}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          env:
            - name: DOMAIN
              value: "\${DOMAIN}"
`,
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

/** Renders a Kustomization with Flux's code (in a copy: it writes the kustomization file) and applies it as kustomize-controller. */
function applyAsFlux(files: Record<string, string>, manifest: string, path: string, objects?: string): void {
  const copy = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-apply-'));
  try {
    write(copy, { ...files, ...(objects ? { 'objects.yaml': objects } : {}) });
    const yaml = execFileSync(
      testbedBin('flux-build'),
      [join(copy, manifest), copy, join(copy, path), ...(objects ? [join(copy, 'objects.yaml')] : [])],
      { encoding: 'utf8' },
    );
    kubectl(['apply', '--server-side', '--field-manager=kustomize-controller', '-f', '-'], yaml);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('Flux postBuild against the test bed: zero drift after a sync, hand changes at the ${VAR} line', function () {
  this.timeout(120_000);
  let reader: KubeClusterReader;
  let repo: string;
  let env: RepoEnvironment;
  let system: string;
  let apps: string;
  let files: Record<string, string>;

  before(async () => {
    reader = await createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    });
    system = await freshNamespace('flux-system');
    apps = await freshNamespace('shop');
    files = repoFiles(system, apps);
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-flux-'));
    write(repo, files);
    const app = (name: string, file: string, path: string, namespace: string): Application => ({
      name,
      declaredAt: { file, line: 1, column: 1 },
      source: { type: 'folder', path },
      renderer: 'flux-kustomization',
      namespace,
      controller: { object: parse(files[file]) as KubeObject, at: { file, line: 1, column: 1 } },
    });
    env = {
      name: 'prod',
      path: 'clusters/prod',
      source: 'flux',
      applications: [
        app('config', 'clusters/prod/config.yaml', 'config', system),
        app('apps', 'clusters/prod/apps.yaml', 'apps', apps),
      ],
    };
    // The config Kustomization first (it holds the variables' sources), then apps with them, as Flux's dependsOn would.
    applyAsFlux(files, 'clusters/prod/config.yaml', 'config');
    const sources =
      files['config/settings.yaml'].replace('metadata:\n', `metadata:\n  namespace: ${system}\n`) +
      '---\n' +
      files['config/secrets.yaml'].replace('metadata:\n', `metadata:\n  namespace: ${system}\n`);
    applyAsFlux(files, 'clusters/prod/apps.yaml', 'apps', sources);
  });

  after(() => rmSync(repo, { recursive: true, force: true }));

  it('is in sync right after the sync, every substituted value included', async () => {
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    const report = await engine.check(env, { reader, context: reader.context });
    assert.equal(report.error, null);
    const notInSync = report.resources
      .filter((r) => r.verdict !== 'InSync')
      .map((r) => `${r.key.kind}/${r.key.name} ${r.verdict} ${r.fields.map((f) => f.path).join(',')}`);
    assert.deepEqual(notInSync, []);
    assert.deepEqual(
      report.resources.map((r) => `${r.application} ${r.key.kind}/${r.key.namespace}/${r.key.name}`).sort(),
      [
        `apps ConfigMap/${apps}/web`,
        `apps Deployment/${apps}/web`,
        `config ConfigMap/${system}/cluster-settings`,
        `config Secret/${system}/cluster-secrets`,
      ],
    );
    // The Secret's value is in the cluster, never in the report.
    assert.ok(!JSON.stringify(report).includes('not-a-real-token-42'));
  });

  it('finds a hand change to a substituted value at the line holding ${DOMAIN}, related to where DOMAIN is set', async () => {
    kubectl([
      '-n',
      apps,
      'patch',
      'configmap',
      'web',
      '--type=merge',
      '-p',
      '{"data":{"url":"https://changed.example.com/","token":"hand-edited"}}',
    ]);
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    const report = await engine.check(env, { reader, context: reader.context });
    const web = report.resources.find((r) => r.key.kind === 'ConfigMap' && r.key.name === 'web');
    assert.equal(web?.verdict, 'Drifted');
    // The token came from a Secret: compared by presence only, so its hand edit is not reported (nor shown).
    assert.deepEqual(
      web.fields.map((f) => [f.path, f.desired, f.live, f.origin?.file, f.origin?.line]),
      [['/data/url', 'https://shop.example.com/', 'https://changed.example.com/', 'apps/web.yaml', 6]],
    );
    assert.deepEqual(web.fields[0].origin?.related, [
      {
        location: { file: 'config/settings.yaml', line: 6, column: 3 },
        message: '${DOMAIN} is set by ConfigMap cluster-settings',
      },
    ]);
    assert.ok(!JSON.stringify(report).includes('not-a-real-token-42'));
  });
});
