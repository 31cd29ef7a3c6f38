import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../../src/cli/command';
import { runCli } from '../../../../src/cli/main';
import { testHelmEngineDir } from '../../../testbed/helmEngine';

/** `gitops-drift render --file FILE`: the HelmReleases a file declares, rendered by the real engine. */
const release = (replicas: number) =>
  [
    'apiVersion: helm.toolkit.fluxcd.io/v2',
    'kind: HelmRelease',
    'metadata:',
    '  name: web',
    'spec:',
    '  interval: 10m',
    '  chart:',
    '    spec:',
    '      chart: ./charts/web',
    '      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}',
    '  values:',
    `    replicas: ${replicas}`,
    '',
  ].join('\n');

const files: Record<string, string> = {
  '.gitops-drift.yaml':
    'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n  - name: prod\n    path: envs/prod\n    namespace: apps\n  - name: staging\n    path: envs/staging\n    namespace: apps\n',
  'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
  'envs/dev/release.yaml': release(2),
  'envs/prod/kustomization.yaml': 'resources:\n  - ../../shared\n',
  'shared/kustomization.yaml': 'resources:\n  - release.yaml\n',
  'shared/release.yaml': release(4),
  'envs/staging/kustomization.yaml': 'resources:\n  - ../../shared\n',
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
  'charts/web/values.yaml': 'replicas: 1\n',
  'charts/web/templates/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n',
};

describe('render --file: the HelmReleases of a file (the real engine)', function () {
  this.timeout(120_000);
  let repo: string;
  const previous = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
  before(() => {
    process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = testHelmEngineDir();
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-render-file-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(repo, p)), { recursive: true });
      writeFileSync(join(repo, p), text);
    }
  });
  after(() => {
    if (previous === undefined) delete process.env.GITOPS_DRIFT_HELM_ENGINE_DIR;
    else process.env.GITOPS_DRIFT_HELM_ENGINE_DIR = previous;
    rmSync(repo, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: repo, color: false, env: {} };
    const code = await runCli(['render', ...args], io);
    return { code, out, err };
  };

  it("renders the file's HelmRelease as the one environment that renders it does, REPO found from the file", async () => {
    const r = await run('--file', join(repo, 'envs/dev/release.yaml'));
    assert.equal(r.code, 0, r.err);
    // As helm-controller applies it: with its origin labels.
    assert.match(
      r.out,
      /kind: Deployment\nmetadata:\n {2}labels:\n {4}helm\.toolkit\.fluxcd\.io\/name: web\n {4}helm\.toolkit\.fluxcd\.io\/namespace: \S+\n {2}name: web\nspec:\n {2}replicas: 2\n/,
    );
  });

  it('asks for --env when several environments render the file, and names the values line with --origins', async () => {
    const several = await run('--file', 'shared/release.yaml');
    assert.equal(several.code, 2);
    assert.match(several.err, /shared\/release\.yaml is rendered by prod, staging: give --env NAME/);
    const r = await run('--file', 'shared/release.yaml', '--env', 'prod', '--origins');
    assert.equal(r.code, 0, r.err);
    const { objects } = JSON.parse(r.out) as { objects: { origins: Record<string, { file: string; line: number }> }[] };
    assert.deepEqual(
      { file: objects[0].origins['/spec/replicas'].file, line: objects[0].origins['/spec/replicas'].line },
      { file: 'shared/release.yaml', line: 12 },
    );
  });

  it('says when the file declares no HelmRelease an environment renders', async () => {
    const r = await run('--file', 'charts/web/values.yaml');
    assert.equal(r.code, 2);
    assert.match(r.err, /charts\/web\/values\.yaml declares no HelmRelease that an environment renders/);
  });
});
