import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runCliIn, writeRepo } from '../../support/cliRepo';

describe('gitops-drift envs: Kustomizations whose source is another repo', () => {
  let dir: string;
  before(() => {
    dir = writeRepo('gitops-drift-outside-', {
      'clusters/prod/apps.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps/prod\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n',
      'clusters/prod/podinfo.yaml':
        'apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  path: ./\n  sourceRef:\n    kind: OCIRepository\n    name: podinfo\n',
      'apps/prod/kustomization.yaml': 'resources: [cm.yaml]\n',
      'apps/prod/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...argv: string[]) => {
    const { code, out } = await runCliIn(dir, ...argv);
    return { code, out };
  };

  it('lists them as applications of their cluster with the outside source (text and JSON), and renders no environment at the repo root for them', async () => {
    const text = await run('envs', dir);
    assert.equal(text.code, 0);
    assert.match(text.out, /^prod +clusters\/prod /m);
    assert.match(text.out, /^ {2}· apps {2}apps\/prod {2}flux-kustomization {2}clusters\/prod\/apps\.yaml:1:1$/m);
    assert.match(
      text.out,
      /^ {2}· podinfo {2}OCIRepository flux-system\/podinfo \(outside this repo\) {2}flux-kustomization {2}clusters\/prod\/podinfo\.yaml:1:1$/m,
    );
    assert.ok(!/^podinfo /m.test(text.out), 'no environment for the OCI source');
    const json = JSON.parse((await run('envs', dir, '--format', 'json')).out);
    assert.deepEqual(
      json.environments.map((e: { name: string }) => e.name),
      ['prod'],
    );
    assert.deepEqual(
      json.environments[0].applications.map((a: { name: string; source: string }) => `${a.name} ${a.source}`),
      ['apps apps/prod', 'podinfo OCIRepository flux-system/podinfo'],
    );
    assert.deepEqual(json.outside, []);
  });
});
