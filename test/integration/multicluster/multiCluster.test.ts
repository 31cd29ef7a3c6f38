/**
 * Several clusters at once: two more real API servers beside the run's own (each its own etcd key prefix), a
 * kubeconfig with one context per server, and a repo whose environments are pinned to different contexts. Each
 * environment reads its own cluster; one that cannot be reached (a closed port, a server that accepts and never
 * answers) gets its own state within the configured timeout and never stalls the others; and switching the editor
 * session's current context moves only the environments that name no context.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentReport } from '../../../src/core/engine';
import { DriftSession } from '../../../src/vscode/driftSession';
import { type ChildRun, runCliChild } from '../../support/cliChild';
import { multiClusterKubeconfig, type PeerCluster } from '../../testbed/cluster';
import { testCluster } from '../support';
import { sessionSettings } from '../../support/sessionSettings';

const NAMESPACE = 'multicluster-shop';

interface JsonEnvironment {
  name: string;
  context: string;
  error: string | null;
  noCluster?: boolean;
  state: string;
  resources: { kind: string; name: string; verdict: string; fields: { path: string; live: unknown }[] }[];
}

/** A TCP server that accepts connections and never sends a byte (not even a TLS handshake). */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function putConfigMap(cluster: PeerCluster, value: string): Promise<void> {
  const ns = await cluster.adminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NAMESPACE },
  });
  assert.ok(ns.status === 201 || ns.status === 409, `${cluster.name}: namespace ${ns.status}`);
  const cm = await cluster.adminRequest('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web' },
    data: { color: value },
  });
  assert.equal(cm.status, 201, `${cluster.name}: ${JSON.stringify(cm.body)}`);
}

describe('several clusters: environments pinned to contexts of different API servers', function () {
  this.timeout(180_000);
  let east: PeerCluster;
  let west: PeerCluster;
  let silent: Awaited<ReturnType<typeof silentServer>>;
  let repo: string;
  let kubeconfig: string;

  before(async function () {
    this.timeout(180_000);
    const started = Date.now();
    [east, west] = await Promise.all([testCluster().addCluster('east'), testCluster().addCluster('west')]);
    console.log(`      (two more API servers ready in ${Date.now() - started} ms)`);
    // The same namespace and name in both: any mix-up of clusters shows as the other's value.
    await putConfigMap(east, 'blue');
    await putConfigMap(west, 'green');
    silent = await silentServer();
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-multicluster-'));
    kubeconfig = multiClusterKubeconfig(join(repo, '..', `${repo.split('/').pop()}.kubeconfig`), testCluster(), [
      { context: 'east', server: east.server },
      { context: 'west', server: west.server },
      { context: 'gone', server: `https://127.0.0.1:${await closedPort()}` },
      { context: 'stalled', server: `https://127.0.0.1:${silent.port}` },
    ]);
    const envs: [string, string | undefined][] = [
      ['east', 'east'],
      ['west', 'west'],
      ['gone', 'gone'],
      ['stalled', 'stalled'],
      // No context: the current one (east in the kubeconfig, or whatever the editor selects).
      ['floating', undefined],
    ];
    for (const [name] of envs) {
      mkdirSync(join(repo, 'envs', name), { recursive: true });
      writeFileSync(join(repo, 'envs', name, 'kustomization.yaml'), `namespace: ${NAMESPACE}\nresources:\n- cm.yaml\n`);
      writeFileSync(
        join(repo, 'envs', name, 'cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  color: blue\n',
      );
    }
    writeFileSync(
      join(repo, '.gitops-drift.yaml'),
      'environments:\n' +
        envs
          .map(
            ([name, context]) =>
              `  - name: ${name}\n    path: envs/${name}\n${context ? `    context: ${context}\n` : ''}`,
          )
          .join(''),
    );
  });
  after(async () => {
    for (const s of silent?.sockets ?? []) s.destroy();
    await new Promise((resolve) => silent?.server.close(resolve));
    if (repo) rmSync(repo, { recursive: true, force: true });
    if (kubeconfig) rmSync(kubeconfig, { force: true });
  });

  const check = (envs: string, timeoutS = 3): Promise<ChildRun> =>
    runCliChild(['check', repo, '--kubeconfig', kubeconfig, '--format', 'json', '--env', envs], {
      env: { GITOPS_DRIFT_REQUEST_TIMEOUT: String(timeoutS) },
      killAfterMs: 120_000,
    });
  const byName = (run: ChildRun): Map<string, JsonEnvironment> =>
    new Map((JSON.parse(run.stdout).environments as JsonEnvironment[]).map((e) => [e.name, e]));
  const colorLive = (env: JsonEnvironment | undefined): unknown =>
    env?.resources[0]?.fields.find((f) => f.path === '/data/color')?.live;

  it('each environment is compared with its own cluster: east in sync, west drifted with west’s own value', async () => {
    const run = await check('east,west,floating');
    assert.equal(run.code, 1, run.stderr);
    const envs = byName(run);
    assert.equal(envs.get('east')?.state, 'inSync', run.stdout);
    assert.equal(envs.get('east')?.context, 'east');
    assert.equal(envs.get('west')?.state, 'drifted', run.stdout);
    assert.equal(envs.get('west')?.context, 'west');
    assert.equal(colorLive(envs.get('west')), 'green');
    // The current context of the kubeconfig is east.
    assert.equal(envs.get('floating')?.state, 'inSync', run.stdout);
    assert.equal(envs.get('floating')?.context, 'east');
  });

  it('a closed port and a server that never answers get their own states within the timeout; the others are still checked', async () => {
    const timeoutS = 3;
    const run = await check('east,west,gone,stalled', timeoutS);
    assert.equal(run.code, 2, run.stderr);
    const envs = byName(run);
    assert.equal(envs.get('east')?.state, 'inSync', run.stdout);
    assert.equal(envs.get('west')?.state, 'drifted', run.stdout);
    assert.equal(colorLive(envs.get('west')), 'green');
    const gone = envs.get('gone');
    assert.equal(gone?.noCluster, true, run.stdout);
    assert.match(gone?.error ?? '', /refused|ECONNREFUSED/i);
    const stalled = envs.get('stalled');
    assert.equal(stalled?.noCluster, true, run.stdout);
    assert.match(stalled?.error ?? '', new RegExp(`within ${timeoutS} s`));
    assert.equal(stalled?.resources[0]?.verdict, 'NotChecked');
    // Checked side by side: the stalled cluster costs about one timeout, with the process start-up and render on top.
    // Generous for a loaded machine.
    assert.ok(run.ms < 6 * timeoutS * 1000 + 15_000, `took ${run.ms} ms`);
  });

  it('switching the editor session’s current context moves only the environment that names none', async () => {
    const settings = sessionSettings(kubeconfig);
    const logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const states = async (context: string | undefined): Promise<Map<string, EnvironmentReport>> => {
      // As DriftStore.selectContext does: a new session for the newly selected context.
      const session = new DriftSession({ repoRoot: repo, settings, logger, context, env: {}, trusted: true });
      try {
        const model = await session.load();
        const wanted = model.environments.filter((e) => ['east', 'west', 'floating'].includes(e.name));
        return new Map(await Promise.all(wanted.map(async (e) => [e.name, await session.check(e)] as const)));
      } finally {
        session.dispose();
      }
    };
    const drifted = (r: EnvironmentReport | undefined): boolean =>
      Boolean(r?.resources.some((x) => x.verdict === 'Drifted'));

    const onEast = await states('east');
    const onWest = await states('west');
    for (const reports of [onEast, onWest]) {
      assert.equal(reports.get('east')?.context, 'east');
      assert.equal(drifted(reports.get('east')), false);
      assert.equal(reports.get('west')?.context, 'west');
      assert.equal(drifted(reports.get('west')), true);
    }
    assert.equal(onEast.get('floating')?.context, 'east');
    assert.equal(drifted(onEast.get('floating')), false);
    assert.equal(onWest.get('floating')?.context, 'west');
    assert.equal(drifted(onWest.get('floating')), true);
  });
});
