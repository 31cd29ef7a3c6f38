import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from '../../../src/cli/main';

describe('gitops-drift render (CLI)', () => {
  let repo: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), text);
  };
  const run = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(['render', ...args], {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      cwd: join(repo, 'envs'),
      color: false,
      env: {},
    });
    return { code, stdout, stderr };
  };

  before(() => {
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-render-'));
    write('.gitops-drift.yaml', 'environments: []\n');
    write('base/kustomization.yaml', 'resources:\n- cm.yaml\n');
    write('base/cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  beta: "yes"\n');
    write(
      'envs/prod/kustomization.yaml',
      'resources:\n- ../../base\nnamespace: shop\nsecretGenerator:\n- name: creds\n  envs:\n  - creds.env\n',
    );
    write('envs/prod/creds.env', 'TOKEN=hunter2\n');
    write(
      'envs/broken/kustomization.yaml',
      'resources:\n- ../../base\nsecretGenerator:\n- name: creds\n  envs:\n  - creds.env\n',
    );
    write('envs/broken/creds.env', 'TOKEN=hunter2\nOTHER TOKEN=hunter3\n');
  });
  after(() => rmSync(repo, { recursive: true, force: true }));

  it('prints kustomize-style YAML that keeps strings strings for YAML 1.1 readers', async () => {
    const { code, stdout, stderr } = await run('prod');
    assert.equal(code, 0, stderr);
    const docs = parseAllDocuments(stdout, { version: '1.1' }).map((d) => d.toJS());
    assert.deepEqual(
      docs.map((d) => `${d.kind} ${d.metadata.namespace}/${d.metadata.name}`),
      ['ConfigMap shop/flags', `Secret shop/${docs[1].metadata.name}`],
    );
    assert.match(docs[1].metadata.name, /^creds-[a-z0-9]{10}$/);
    assert.equal(docs[0].data.beta, 'yes');
  });

  it('--origins prints keys and repo-relative origins as JSON', async () => {
    const { code, stdout } = await run('prod', '--origins');
    assert.equal(code, 0);
    const out = JSON.parse(stdout) as {
      objects: Array<{
        key: { kind: string };
        origins: Record<string, { file: string; line: number; column: number; kind: string }>;
      }>;
    };
    const cm = out.objects.find((o) => o.key.kind === 'ConfigMap')!;
    assert.deepEqual(cm.origins['/data/beta'], { file: 'base/cm.yaml', line: 6, column: 3, kind: 'resource' });
    assert.deepEqual(cm.origins['/metadata/namespace'], {
      file: 'envs/prod/kustomization.yaml',
      line: 3,
      column: 1,
      kind: 'namespace',
    });
  });

  it('bad input exits 2 with file:line, and never prints a Secret value', async () => {
    const { code, stdout, stderr } = await run('broken');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^error: envs\/broken\/creds\.env:2:1: invalid env key on line 2/);
    assert.ok(!stderr.includes('hunter'), stderr);
  });
});
