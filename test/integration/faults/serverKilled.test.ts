/**
 * An API server that dies: a check against it ends in a clear error within seconds, and a live cache watching it
 * says so (the editor's "cannot reach" state) instead of going quiet. Uses a test bed of its own, since killing
 * the run's shared one would take the other suites down with it.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftEngine } from '../../../src/core/engine';
import { LiveCache } from '../../../src/core/live/liveCache';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { startTestCluster, type TestCluster } from '../../testbed/cluster';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; ms: number }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  const started = Date.now();
  const code = await runCli(argv, io);
  return { code, out, err, ms: Date.now() - started };
}

describe('an API server killed while in use (real API server of its own)', function () {
  this.timeout(180_000);
  let cluster: TestCluster | undefined;
  let root: string;

  before(async () => {
    cluster = await startTestCluster();
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-killed-'));
    const files: Record<string, string> = {
      'envs/dev/kustomization.yaml': 'namespace: default\nresources: [cm.yaml]\n',
      'envs/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n',
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
  });
  after(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('a watching cache reports the lost server; a check after the kill exits 2 saying it cannot reach it', async () => {
    const c = cluster!;
    // The test bed removes its folder when stopped: keep a kubeconfig (and the CA it names) that outlives it.
    const kubeconfig = join(root, 'kubeconfig');
    writeFileSync(join(root, 'ca.crt'), readFileSync(c.caFile));
    writeFileSync(kubeconfig, readFileSync(c.kubeconfigPath, 'utf8').split(c.caFile).join(join(root, 'ca.crt')));
    const target = ['--kubeconfig', kubeconfig, '--context', c.adminContext];
    const before = await cli('check', root, ...target);
    assert.equal(before.code, 1, before.out + before.err);
    assert.match(before.out, /ConfigMap default\/app +missing from the cluster/);

    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root });
    const env = await engine.environment('dev');
    const reader = await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext });
    const cache = new LiveCache(reader, { backoff: { initialMs: 100, maxMs: 500 } });
    try {
      await engine.check(env, { reader, context: reader.context, cache });
      const problem = new Promise<{ message: string; cluster: boolean }>((resolve) => {
        const sub = cache.onWatchProblem((p) => {
          sub.dispose();
          resolve(p);
        });
      });
      await c.stop();
      // The deadline only turns a missing event into a failure.
      const deadline = new Promise<never>((_, reject) =>
        AbortSignal.timeout(30_000).addEventListener('abort', () =>
          reject(new Error('no watch problem within 30 s of the kill')),
        ),
      );
      const seen = await Promise.race([problem, deadline]);
      assert.ok(seen.message.length > 0);
    } finally {
      cache.dispose();
    }

    const after = await cli('check', root, ...target);
    assert.equal(after.code, 2, after.out + after.err);
    assert.match(after.out + after.err, /dev .*(cannot reach|connection refused|ECONNREFUSED|unreachable)/i);
    assert.doesNotMatch(after.out + after.err, /\n\s+at /, 'no stack trace');
    assert.ok(after.ms < 60_000, `ended in ${after.ms} ms`);
  });
});
