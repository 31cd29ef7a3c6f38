/**
 * Argo CD destinations and fleet shape in the editor, in the real extension host against the test bed: the editor's
 * own store and session (as extension.ts wires them) over a repo of eight Applications that name their clusters four
 * ways (the server's URL, another URL of the same server, `https://kubernetes.default.svc`, a `destination.name`
 * mapped in `.gitops-drift.yaml`). Destinations resolve as in the CLI, the view groups them by the cluster they
 * resolved to, and each environment is read as its Argo CD status only until it is opened.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { DriftSession } from '../../../src/vscode/driftSession';
import { DriftStore } from '../../../src/vscode/driftStore';
import type { Settings } from '../../../src/vscode/settings';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';
import { multiClusterKubeconfig } from '../../testbed/cluster';
import { requireTestbed } from '../support';

const label = (item: vscode.TreeItem) => String(typeof item.label === 'object' ? item.label.label : item.label);

/**
 * A store and tree over eight Applications naming their clusters four ways; `grouping` is `argocd.environments`.
 */
async function fleetRepo(grouping: 'application' | 'cluster') {
  {
    const tb = requireTestbed();
    const root = mkdtempSync(join(tmpdir(), 'gitops-drift-argo-fleet-'));
    const port = new URL(tb.server).port;
    // One API server under two URLs (its certificate names 127.0.0.1 and localhost): two "clusters" to Argo CD.
    const kubeconfig = multiClusterKubeconfig(join(root, 'kubeconfig'), tb, [
      { context: 'hub', server: `https://127.0.0.1:${port}` },
      { context: 'edge', server: `https://localhost:${port}` },
    ]);
    const destinations: [string, string][] = [
      ['by-url', `server: https://127.0.0.1:${port}/`],
      ['by-url-2', `server: https://127.0.0.1:${port}`],
      ['in-cluster', 'server: https://kubernetes.default.svc'],
      ['in-cluster-name', 'name: in-cluster'],
      ['edge-url', `server: HTTPS://LOCALHOST:${port}`],
      ['edge-url-2', `server: https://localhost:${port}/`],
      ['edge-name', 'name: edge-cluster'],
      ['edge-name-2', 'name: edge-cluster'],
    ];
    const suffix = root.split('-').pop()!.toLowerCase();
    const files: Record<string, string> = {
      // `application` (the opt-out): the first tests are about the view grouping Applications' environments by the
      // cluster their destinations resolve to, and reading each as status until opened; `cluster`: one environment
      // per destination cluster holding its four Applications.
      '.gitops-drift.yaml': `argocd:\n  clusters:\n    edge-cluster: edge\n  inClusterContext: hub\n  environments: ${grouping}\n`,
    };
    for (const [name, dest] of destinations) {
      files[`apps/${name}.yaml`] =
        `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\n` +
        `spec:\n  project: default\n  source:\n    path: manifests/${name}\n  destination:\n    ${dest}\n    namespace: default\n`;
      // A ConfigMap no cluster holds: once read, it is missing; before, not checked.
      files[`manifests/${name}/cm.yaml`] =
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-${suffix}-${name}\ndata:\n  a: "1"\n`;
    }
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    const settings: Settings = {
      environments: [],
      kubeconfig,
      watch: false,
      refreshDebounceMs: 0,
      ignore: [],
      allowExecCredentials: false,
      exactMode: false,
      promotePush: false,
      argocdServer: '',
      argocdFleetThreshold: 6,
      chartDownloads: false,
    };
    const memento = new Map<string, unknown>();
    const log = vscode.window.createOutputChannel('GitOps Drift (Argo CD fleet test)', { log: true });
    const store = new DriftStore({
      repoRoot: root,
      createSession: (options) => Promise.resolve(new DriftSession(options)),
      settings: () => settings,
      trusted: () => true,
      log,
      state: {
        keys: () => [...memento.keys()],
        get: <T>(key: string, fallback?: T) => (memento.has(key) ? (memento.get(key) as T) : fallback),
        update: (key: string, value: unknown) => Promise.resolve(void memento.set(key, value)),
      } as vscode.Memento,
      secrets: { get: () => Promise.resolve(undefined), store: () => Promise.resolve() },
    });
    const tree = new EnvironmentsTreeProvider(store, { grouping: () => 'cluster' });
    await store.refresh({ reload: true });
    return { root, store, tree, log };
  }
}

describe('Argo CD in the Environments view: destinations resolved as in the CLI, status until opened', function () {
  this.timeout(60_000);
  let root: string;
  let store: DriftStore;
  let tree: EnvironmentsTreeProvider;
  let log: vscode.LogOutputChannel;

  before(async () => {
    ({ root, store, tree, log } = await fleetRepo('application'));
  });
  after(() => {
    tree?.dispose();
    store?.dispose();
    log?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('resolves every destination to its kube context, as the CLI does', () => {
    const contexts = Object.fromEntries(
      store.entries.filter((e) => e.env.argoDestination).map((e) => [e.env.name, e.env.context]),
    );
    assert.deepEqual(contexts, {
      'by-url': 'hub',
      'by-url-2': 'hub',
      'in-cluster': 'hub',
      'in-cluster-name': 'hub',
      'edge-url': 'edge',
      'edge-url-2': 'edge',
      'edge-name': 'edge',
      'edge-name-2': 'edge',
    });
    assert.deepEqual(store.repoProblems, []);
  });

  it('groups the environments by the cluster their destination resolved to (gitopsDrift.tree.groupBy: cluster)', async () => {
    const roots = (await tree.getChildren()) as TreeElement[];
    const groups = await Promise.all(
      roots.map(async (g) => [
        label(await tree.getTreeItem(g)),
        ((await tree.getChildren(g)) as TreeElement[]).map((e) => e.env),
      ]),
    );
    // `apps/`, the folder of Applications nothing points at, is the app-of-apps root: no destination, current context.
    assert.deepEqual(groups, [
      ['(current context)', ['apps']],
      ['edge', ['edge-name', 'edge-name-2', 'edge-url', 'edge-url-2']],
      ['hub', ['by-url', 'by-url-2', 'in-cluster', 'in-cluster-name']],
    ]);
  });

  it('reads each environment as its Argo CD status only, its objects when it is opened', async () => {
    for (const e of store.entries.filter((x) => x.env.argoDestination)) {
      assert.equal(e.report?.statusOnly, true, e.env.name);
      assert.deepEqual(
        e.report?.resources.map((r) => r.verdict),
        ['NotChecked'],
        e.env.name,
      );
    }
    // The app-of-apps root is an Application too (created by hand, `argocd app create apps`): its status likewise.
    assert.equal(store.entry('apps')?.report?.statusOnly, true);
    const hub = ((await tree.getChildren()) as TreeElement[])[2];
    const row = ((await tree.getChildren(hub)) as TreeElement[])[0];
    assert.match(String((await tree.getTreeItem(row)).description), /1 objects, read when opened · Argo CD: /);

    await store.open('by-url');
    const opened = store.entry('by-url')?.report;
    assert.equal(opened?.statusOnly, undefined);
    assert.deepEqual(
      opened?.resources.map((r) => r.verdict),
      ['Missing'],
    );
    // The others are still read as their status only.
    assert.equal(store.entry('by-url-2')?.report?.statusOnly, true);
    assert.equal(store.entry('edge-name')?.report?.statusOnly, true);
  });
});

describe('Argo CD fleet shape in the destination model (argocd.environments: cluster)', function () {
  this.timeout(60_000);
  let root: string;
  let store: DriftStore;
  let tree: EnvironmentsTreeProvider;
  let log: vscode.LogOutputChannel;

  before(async () => {
    ({ root, store, tree, log } = await fleetRepo('cluster'));
  });
  after(() => {
    tree?.dispose();
    store?.dispose();
    log?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("shows each Application's Argo CD status under its destination, its objects only once the destination is opened", async () => {
    const destinations = store.entries.filter((e) => e.env.argoDestination);
    assert.deepEqual(
      destinations.map((e) => [e.env.name, e.env.applications.map((a) => a.name).sort()]),
      [
        ['in-cluster', ['by-url', 'by-url-2', 'in-cluster', 'in-cluster-name']],
        ['edge-cluster', ['edge-name', 'edge-name-2', 'edge-url', 'edge-url-2']],
      ],
    );
    // 8 Applications and the root, beyond the threshold of 6: every destination read as its Applications' status.
    for (const e of destinations) {
      assert.equal(e.report?.statusOnly, true, e.env.name);
      assert.deepEqual(
        e.report?.resources.map((r) => r.verdict),
        ['NotChecked', 'NotChecked', 'NotChecked', 'NotChecked'],
      );
      // Each Application's own status (none of them exists in the test bed's cluster: Argo CD's word for that).
      assert.equal(e.report?.applications.length, 4);
      assert.ok(
        e.report?.applications.every((a) => a.controller?.kind === 'Application'),
        e.env.name,
      );
    }
    const hubGroups = (await tree.getChildren()) as TreeElement[];
    const labels = await Promise.all(hubGroups.map(async (g) => label(await tree.getTreeItem(g))));
    const inCluster = ((await tree.getChildren(hubGroups[labels.indexOf('hub')])) as TreeElement[])[0];
    assert.equal(inCluster.env, 'in-cluster');
    assert.match(String((await tree.getTreeItem(inCluster)).description), /^4 objects, read when opened/);
    const appRows = async () =>
      Promise.all(
        ((await tree.getChildren(inCluster)) as TreeElement[]).map(async (a) => {
          const item = await tree.getTreeItem(a);
          return `${label(item)}: ${item.description}`;
        }),
      );
    for (const row of await appRows()) assert.match(row, /^[a-z-0-9]+: 1 objects, read when opened · Argo CD: /);

    await store.open('in-cluster');
    const opened = store.entry('in-cluster')?.report;
    assert.equal(opened?.statusOnly, undefined);
    assert.deepEqual(
      opened?.resources.map((r) => r.verdict),
      ['Missing', 'Missing', 'Missing', 'Missing'],
    );
    for (const row of await appRows()) assert.match(row, /^[a-z-0-9]+: 1 missing · Argo CD: /);
    // The other destination is still read as its status only.
    assert.equal(store.entry('edge-cluster')?.report?.statusOnly, true);
  });
});
