/**
 * `promote` between two Argo CD destination environments (argocd.environments: cluster, the default): each holds
 * two Applications (web and worker), and the promotion moves what changed in both, in the target's own files.
 */
import assert from 'node:assert/strict';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { TempRepo } from './tempRepo';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  return { code: await runCli(argv, io), out, err };
}

/** The Application NAME of folder PATH deploying to the Argo CD cluster called DEST. */
const application = (name: string, path: string, dest: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n` +
  `  source:\n    repoURL: https://example.com/config.git\n    path: ${path}\n` +
  `  destination:\n    name: ${dest}\n    namespace: shop\n`;
const deployment = (name: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n` +
  `      containers:\n      - name: ${name}\n        image: ghcr.io/acme/${name}:1.0.0\n`;
const overlay = (name: string, tag: string) =>
  `resources:\n- ../../base\nimages:\n- name: ghcr.io/acme/${name}\n  newTag: ${tag}\n`;

function files(): Record<string, string> {
  const f: Record<string, string> = {
    '.gitops-drift.yaml': 'argocd:\n  clusters: { staging: staging-admin, prod: prod-admin }\n',
  };
  for (const app of ['web', 'worker']) {
    f[`${app}/base/kustomization.yaml`] = 'resources:\n- deployment.yaml\n';
    f[`${app}/base/deployment.yaml`] = deployment(app);
    f[`${app}/overlays/staging/kustomization.yaml`] = overlay(app, app === 'web' ? '1.5.0' : '2.1.0');
    f[`${app}/overlays/prod/kustomization.yaml`] = overlay(app, app === 'web' ? '1.4.0' : '2.0.0');
    f[`argo/${app}-staging.yaml`] = application(`${app}-staging`, `${app}/overlays/staging`, 'staging');
    f[`argo/${app}-prod.yaml`] = application(`${app}-prod`, `${app}/overlays/prod`, 'prod');
  }
  return f;
}

describe('gitops-drift promote between two Argo CD destination environments', () => {
  let repo: TempRepo;
  beforeEach(() => (repo = new TempRepo(files())));
  afterEach(() => repo.remove());

  it('staging → prod (the order inferred from the destinations’ names) moves both Applications’ images', async () => {
    const envs = JSON.parse((await cli('envs', repo.root, '--format', 'json')).out) as {
      environments: { name: string; applications: { name: string }[] }[];
    };
    assert.deepEqual(
      envs.environments.filter((e) => e.name !== 'argo').map((e) => [e.name, e.applications.map((a) => a.name).sort()]),
      [
        ['staging', ['web-staging', 'worker-staging']],
        ['prod', ['web-prod', 'worker-prod']],
      ],
    );

    const { code, out, err } = await cli('promote', '--from', 'staging', repo.root, '--commit');
    assert.equal(code, 0, err + out);
    assert.match(out, /Promote staging → prod: 2 of 2 item/);
    assert.match(out, /image ghcr\.io\/acme\/web 1\.4\.0 → 1\.5\.0 +\(web\/overlays\/prod\/kustomization\.yaml:5:3\)/);
    assert.match(
      out,
      /image ghcr\.io\/acme\/worker 2\.0\.0 → 2\.1\.0 +\(worker\/overlays\/prod\/kustomization\.yaml:5:3\)/,
    );
    assert.equal(repo.read('web/overlays/prod/kustomization.yaml'), overlay('web', '1.5.0'));
    assert.equal(repo.read('worker/overlays/prod/kustomization.yaml'), overlay('worker', '2.1.0'));
    // Staging, the source, is left as it was.
    assert.equal(repo.read('web/overlays/staging/kustomization.yaml'), overlay('web', '1.5.0'));
    assert.deepEqual(repo.git('diff', '--name-only', 'HEAD~1').trim().split('\n').sort(), [
      'web/overlays/prod/kustomization.yaml',
      'worker/overlays/prod/kustomization.yaml',
    ]);
  });
});
