// Prepares what the editor tests run against: a throwaway git copy of the example repo and (optionally) a real
// kube-apiserver from the test bed, seeded with the example's live state.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './codeServer.mjs';
import { seedExample } from './seedExample.mjs';

/** A test-bed tool's path, built or reused by scripts/setup-testbed.sh (as test/testbed/bins.ts does). */
function testbedBin(tool) {
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'setup-testbed.sh'), tool], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/setup-testbed.sh ${tool} failed`);
  return join(r.stdout.trim().split('\n').pop(), tool);
}

function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/**
 * Returns `{ workspace, settings, env, dispose }`: `settings` go into the editor's user settings, `env` into the
 * extension host's environment (the tests read GITOPS_DRIFT_TESTBED, a JSON file describing the cluster).
 */
export async function prepareTestEnvironment({ stateDir, withCluster }) {
  const workspace = join(stateDir, 'workspace');
  const example = join(repoRoot, 'examples', 'shop');
  if (existsSync(example)) cpSync(example, workspace, { recursive: true });
  else mkdirSync(workspace, { recursive: true });
  git(workspace, 'init', '-q', '-b', 'main');
  git(
    workspace,
    '-c',
    'user.name=test',
    '-c',
    'user.email=test@example.com',
    'commit',
    '-q',
    '--allow-empty',
    '-m',
    'example',
  );

  const settings = {};
  const env = { GITOPS_DRIFT_TEST_WORKSPACE: workspace };
  let cluster;
  if (withCluster) {
    const { tsImport } = await import('tsx/esm/api');
    const { startTestCluster } = await tsImport('../../testbed/cluster.ts', import.meta.url);
    cluster = await startTestCluster();
    try {
      seedExample({ workspace, cluster, testbedBin });
    } catch (e) {
      await cluster.stop();
      throw new Error(`seeding the test cluster failed: ${e.stderr ?? e.message}`);
    }
    const info = {
      server: cluster.server,
      kubeconfigPath: cluster.kubeconfigPath,
      adminContext: cluster.adminContext,
      readonlyContext: cluster.readonlyContext,
      readonlyNamespace: cluster.readonlyNamespace,
      caFile: cluster.caFile,
      adminToken: cluster.adminToken,
    };
    const infoFile = join(stateDir, 'testbed.json');
    writeFileSync(infoFile, JSON.stringify(info, null, 2));
    env.GITOPS_DRIFT_TESTBED = infoFile;
    settings['gitopsDrift.kubeconfig'] = cluster.kubeconfigPath;
  }
  return {
    workspace,
    settings,
    env,
    dispose: async () => {
      await cluster?.stop();
    },
  };
}
