import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { freshNamespace, testCluster } from '../support';
import { writeRepo } from './configRepo';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  return { code: await runCli(argv, io), out, err };
}

describe('gitops-drift put-back (real API server)', () => {
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('previews without writing, refuses conflicts without --force-conflicts, then puts the environment back', async () => {
    const c = testCluster();
    const ns = await freshNamespace('putback-cli');
    const root = writeRepo(ns);
    roots.push(root);
    const target = ['--env', 'test', '--kubeconfig', c.kubeconfigPath, '--context', c.adminContext];

    // Nothing deployed yet: both objects are Missing and get created, no conflicts.
    const first = await cli('put-back', root, ...target, '--apply');
    assert.equal(first.err, '');
    assert.equal(first.code, 0);
    assert.match(first.out, /^applied ConfigMap putback-cli-\w+\/web-config-\w+$/m);
    assert.match(first.out, /^applied Deployment putback-cli-\w+\/web$/m);

    // Someone scales by hand.
    assert.equal(
      (
        await c.adminRequest(
          'PATCH',
          `/apis/apps/v1/namespaces/${ns}/deployments/web?fieldManager=kubectl-scale`,
          { spec: { replicas: 9 } },
          'application/merge-patch+json',
        )
      ).status,
      200,
    );
    const preview = await cli('put-back', root, ...target);
    assert.equal(preview.code, 1);
    assert.match(preview.out, /^update Deployment putback-cli-\w+\/web$/m);
    assert.match(preview.out, /^-  replicas: 9\n\+  replicas: 2$/m);
    assert.match(
      preview.out,
      /Conflicts with other field managers \(taken over only with --force-conflicts\): Deployment putback-cli-\w+\/web: \.spec\.replicas is managed by "kubectl-scale"/,
    );
    assert.match(preview.out, /nothing was changed/);
    const replicas = async () =>
      (
        (await c.adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).body as {
          spec: { replicas: number };
        }
      ).spec.replicas;
    assert.equal(await replicas(), 9);

    const refused = await cli('put-back', root, ...target, '--apply');
    assert.equal(refused.code, 2);
    assert.match(
      refused.err,
      /^error: nothing was applied: Deployment putback-cli-\w+\/web: \.spec\.replicas is managed by "kubectl-scale"\. Confirm again with force to take these fields over\.$/m,
    );
    assert.equal(await replicas(), 9);

    const forced = await cli('put-back', root, ...target, '--apply', '--force-conflicts');
    assert.equal(forced.code, 0);
    assert.equal(await replicas(), 2);
    const check = await cli('check', root, ...target);
    assert.equal(check.code, 0, check.out + check.err);
  });

  it('refuses an environment whose render skipped content, and never deletes Extra objects for it', async () => {
    const c = testCluster();
    const ns = await freshNamespace('putback-incomplete');
    const root = writeRepo(ns, ['https://example.com/manifests/worker.yaml']);
    roots.push(root);
    const target = ['--env', 'test', '--kubeconfig', c.kubeconfigPath, '--context', c.adminContext];
    const refused = await cli('put-back', root, ...target, '--apply');
    assert.equal(refused.code, 2);
    assert.match(
      refused.err,
      /^error: test is not checked: incomplete \(remote resource 'https:\/\/example\.com\/manifests\/worker\.yaml' is not fetched; skipped \(envs\/test\/kustomization\.yaml:4:5\)\); --allow-incomplete puts back what was rendered\. Nothing was changed\.$/m,
    );
    const deleting = await cli('put-back', root, ...target, '--apply', '--allow-incomplete', '--delete-extra');
    assert.equal(deleting.code, 2);
    assert.match(deleting.err, /--delete-extra would delete the objects of what was skipped\. Nothing was changed\.$/m);
    assert.equal(
      (await c.adminRequest('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web`)).status,
      404,
      'nothing was applied',
    );
    const allowed = await cli('put-back', root, ...target, '--apply', '--allow-incomplete');
    assert.equal(allowed.code, 0, allowed.out + allowed.err);
    assert.match(allowed.out, /^applied Deployment putback-incomplete-\w+\/web$/m);
  });

  it("refuses a read-only context with the API server's 403", async () => {
    const c = testCluster();
    const root = writeRepo(c.readonlyNamespace);
    roots.push(root);
    const { code, out, err } = await cli(
      'put-back',
      root,
      '--env',
      'test',
      '--kubeconfig',
      c.kubeconfigPath,
      '--context',
      c.readonlyContext,
      '--apply',
    );
    assert.equal(code, 2, out);
    assert.match(
      err,
      /^error: this context may not change ConfigMap readonly-zone\/web-config-\w+: the API server refused the dry-run apply \(403 Forbidden: .*User "readonly" cannot patch resource "configmaps".*\)\. Nothing was changed; use a context with write access\.$/m,
    );
  });
});
