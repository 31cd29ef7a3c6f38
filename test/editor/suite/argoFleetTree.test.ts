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
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import { applicationElement, environmentElement, type TreeElement } from '../../../src/vscode/views/treeElements';
import { readWhenOpened } from '../../../src/vscode/views/readWhenOpened';
import type { EnvironmentReport } from '../../../src/core/engine';
import { multiClusterKubeconfig, testbedAdminRequest } from '../../testbed/cluster';
import { memoryMemento, noSecrets, requireTestbed, type Testbed } from '../support';
import { sessionSettings } from '../../support/sessionSettings';
import { ScriptedHost } from '../scriptedHost';
import { readAllApplicationsCommand } from '../../../src/vscode/commands/readAllApplications';

const label = (item: vscode.TreeItem) => String(typeof item.label === 'object' ? item.label.label : item.label);

/**
 * A store and tree over eight Applications naming their clusters four ways; `grouping` is `argocd.environments`.
 */
async function fleetRepo(grouping: 'application' | 'cluster') {
  const memento = new Map<string, unknown>();
  const made = await fleetRepoIn(grouping, memento);
  return { ...made, memento };
}

/**
 * A store and tree over `root` (a new repo when absent) with `memento` as the workspace state: a second one over the
 * same root and memento is a reopened window.
 */
async function fleetRepoIn(grouping: 'application' | 'cluster', memento: Map<string, unknown>, existing?: string) {
  {
    const tb = requireTestbed();
    const root = existing ?? mkdtempSync(join(tmpdir(), 'gitops-drift-argo-fleet-'));
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
    if (!existing)
      for (const [p, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, p)), { recursive: true });
        writeFileSync(join(root, p), text);
      }
    const settings = sessionSettings(kubeconfig);
    const log = vscode.window.createOutputChannel(
      `GitOps Drift (Argo CD fleet test, ${grouping}${existing ? ', reopened' : ''})`,
      { log: true },
    );
    const store = new DriftStore({
      repoRoot: root,
      createSession: (options) => Promise.resolve(new DriftSession(options)),
      settings: () => settings,
      trusted: () => true,
      log,
      state: memoryMemento(memento),
      secrets: noSecrets,
    });
    const tree = new EnvironmentsTreeProvider(store, { grouping: () => 'cluster' });
    await store.refresh({ reload: true });
    return { root, store, tree, log, suffix, tb };
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

describe('Argo CD fleet shape in the destination model (argocd.environments: cluster): one Application opened at a time', function () {
  this.timeout(60_000);
  let root: string;
  let store: DriftStore;
  let tree: EnvironmentsTreeProvider;
  let log: vscode.LogOutputChannel;
  let suffix: string;
  let tb: Testbed;
  let memento: Map<string, unknown>;

  before(async () => {
    ({ root, store, tree, log, suffix, tb, memento } = await fleetRepo('cluster'));
  });
  after(async () => {
    tree?.dispose();
    store?.dispose();
    log?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
    if (tb) await testbedAdminRequest(tb, 'DELETE', `/api/v1/namespaces/default/configmaps/fleet-${suffix}-by-url`);
  });

  /** The in-cluster destination's row under the hub group. */
  const inClusterRow = async () => {
    const groups = (await tree.getChildren()) as TreeElement[];
    const labels = await Promise.all(groups.map(async (g) => label(await tree.getTreeItem(g))));
    const element = ((await tree.getChildren(groups[labels.indexOf('hub')])) as TreeElement[])[0];
    assert.equal(element.env, 'in-cluster');
    return { element, item: await tree.getTreeItem(element) };
  };
  /** Its Application rows: `NAME: description`, and the item. */
  const appRows = async () =>
    Promise.all(
      ((await tree.getChildren((await inClusterRow()).element)) as TreeElement[]).map(async (a) => {
        const item = await tree.getTreeItem(a);
        return { text: `${label(item)}: ${String(item.description)}`, item };
      }),
    );
  /** Each application's verdicts (joined when several). */
  const verdicts = (report: EnvironmentReport) =>
    Object.fromEntries(
      report.applications.map((a) => [
        a.name,
        [...new Set(report.resources.filter((r) => r.application === a.name).map((r) => r.verdict))].join(),
      ]),
    );

  it("shows each Application's Argo CD status under its destination; opening the destination reads nothing", async () => {
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
    assert.match(String((await inClusterRow()).item.description), /^4 objects, read when opened/);
    for (const row of await appRows()) {
      assert.match(row.text, /^[a-z-0-9]+: 1 objects, read when opened · Argo CD: /);
      // Folded: opening the row is what reads its objects (extension.ts: onDidExpandElement).
      assert.equal(row.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed, row.text);
    }

    await store.open('in-cluster');
    assert.equal(store.entry('in-cluster')?.report?.statusOnly, true, 'opening the destination reads no object');
    for (const row of await appRows()) assert.match(row.text, /^[a-z-0-9]+: 1 objects, read when opened · Argo CD: /);
  });

  it("opening one Application row reads only its objects, with their drift; the others stay 'read when opened'", async () => {
    // by-url's ConfigMap is live with another value: drifted once read.
    const created = await testbedAdminRequest(tb, 'POST', '/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `fleet-${suffix}-by-url` },
      data: { a: '2' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));

    await store.openApplication('in-cluster', 'by-url');
    const report = store.entry('in-cluster')!.report!;
    assert.equal(report.statusOnly, undefined);
    assert.deepEqual(verdicts(report), {
      'by-url': 'Drifted',
      'by-url-2': 'NotChecked',
      'in-cluster': 'NotChecked',
      'in-cluster-name': 'NotChecked',
    });
    const drifted = report.resources.find((r) => r.application === 'by-url')!;
    assert.deepEqual(
      drifted.fields.map((f) => `${f.path}: ${String(f.desired)} → ${String(f.live)}`),
      ['/data/a: 1 → 2'],
    );
    assert.deepEqual(
      report.applications.filter((a) => a.statusOnly).map((a) => a.name),
      ['by-url-2', 'in-cluster', 'in-cluster-name'],
    );
    const rows = await appRows();
    const byUrl = rows.find((r) => r.text.startsWith('by-url:'))!;
    assert.match(byUrl.text, /^by-url: 1 drifted · Argo CD: /);
    assert.equal(byUrl.item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    for (const row of rows.filter((r) => r !== byUrl))
      assert.match(row.text, /^[a-z-0-9]+: 1 objects, read when opened · Argo CD: /);
    // Its object row, with the drifted value.
    const app = ((await tree.getChildren((await inClusterRow()).element)) as TreeElement[]).find(
      (e) => e.type === 'application' && e.app === 'by-url',
    )!;
    const [kind] = (await tree.getChildren(app)) as TreeElement[];
    const [object] = (await tree.getChildren(kind)) as TreeElement[];
    assert.match(String((await tree.getTreeItem(object)).description), /^data\.a "1" → "2"/);
    // The destination's row: the opened Application's verdicts, then what is not read yet.
    assert.match(String((await inClusterRow()).item.description), /^1 drifted · 3 objects, read when opened/);
    // The other destination is still read as its status only.
    assert.equal(store.entry('edge-cluster')?.report?.statusOnly, true);
  });

  it('Refresh Environment reads the status and the opened Application again; a save, only an opened one that read it', async () => {
    await store.refresh({ environments: ['in-cluster'], open: true });
    assert.deepEqual(verdicts(store.entry('in-cluster')!.report!), {
      'by-url': 'Drifted',
      'by-url-2': 'NotChecked',
      'in-cluster': 'NotChecked',
      'in-cluster-name': 'NotChecked',
    });
    // A save of an unopened Application's file: re-rendered, still not read.
    writeFileSync(
      join(root, 'manifests/by-url-2/cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-${suffix}-by-url-2\ndata:\n  a: "3"\n`,
    );
    await store.fileChanged('manifests/by-url-2/cm.yaml');
    await store.whenIdle();
    assert.equal(verdicts(store.entry('in-cluster')!.report!)['by-url-2'], 'NotChecked');
    assert.equal(verdicts(store.entry('in-cluster')!.report!)['by-url'], 'Drifted');
    // A save that gives the opened one the live value: read again, now in sync.
    writeFileSync(
      join(root, 'manifests/by-url/cm.yaml'),
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fleet-${suffix}-by-url\ndata:\n  a: "2"\n`,
    );
    await store.fileChanged('manifests/by-url/cm.yaml');
    await store.whenIdle();
    assert.deepEqual(verdicts(store.entry('in-cluster')!.report!), {
      'by-url': 'InSync',
      'by-url-2': 'NotChecked',
      'in-cluster': 'NotChecked',
      'in-cluster-name': 'NotChecked',
    });
  });

  it("a cancelled first read leaves the row 'not read: read cancelled', never 'read when opened'; opening it again reads it", async () => {
    const opening = store.openApplication('in-cluster', 'in-cluster');
    store.cancel();
    await opening;
    await store.whenIdle();
    const row = (await appRows()).find((r) => r.text.startsWith('in-cluster:'))!;
    assert.match(row.text, /^in-cluster: 1 objects not read: read cancelled · Argo CD: /);
    const app = ((await tree.getChildren((await inClusterRow()).element)) as TreeElement[]).find(
      (e) => e.type === 'application' && e.app === 'in-cluster',
    )!;
    const [message] = (await tree.getChildren(app)) as TreeElement[];
    assert.match(label(await tree.getTreeItem(message)), /^read cancelled: fold this row and open it again to read it/);
    // The first opened Application keeps its check.
    assert.equal(verdicts(store.entry('in-cluster')!.report!)['by-url'], 'InSync');

    await store.openApplication('in-cluster', 'in-cluster');
    assert.equal(verdicts(store.entry('in-cluster')!.report!)['in-cluster'], 'Missing');
    assert.match((await appRows()).find((r) => r.text.startsWith('in-cluster:'))!.text, /^in-cluster: 1 missing/);
  });

  it('a reopened window reads the Applications opened in the last one at once (workspace state); none else', async () => {
    const second = await fleetRepoIn('cluster', memento, root);
    try {
      const report = second.store.entry('in-cluster')!.report!;
      assert.deepEqual(verdicts(report), {
        'by-url': 'InSync',
        'by-url-2': 'NotChecked',
        'in-cluster': 'Missing',
        'in-cluster-name': 'NotChecked',
      });
      const groups = (await second.tree.getChildren()) as TreeElement[];
      const hub = groups.find((g) => g.type === 'group' && g.key === 'hub')!;
      const destination = ((await second.tree.getChildren(hub)) as TreeElement[]).find((e) => e.env === 'in-cluster')!;
      const appItems = await Promise.all(
        ((await second.tree.getChildren(destination)) as TreeElement[]).map((a) => second.tree.getTreeItem(a)),
      );
      const text = (name: string) => {
        const item = appItems.find((i) => label(i) === name)!;
        return `${name}: ${String(item.description)}`;
      };
      assert.match(text('by-url'), /^by-url: 1 · Argo CD: /);
      assert.match(text('in-cluster'), /^in-cluster: 1 missing · Argo CD: /);
      assert.match(text('by-url-2'), /^by-url-2: 1 objects, read when opened · Argo CD: /);
      // Opened: shown expanded, as the workbench restores their rows.
      assert.equal(
        appItems.find((i) => label(i) === 'by-url')?.collapsibleState,
        vscode.TreeItemCollapsibleState.Expanded,
      );
      assert.equal(second.store.entry('edge-cluster')?.report?.statusOnly, true);
      // Rows are folded or open as first shown (the workbench keeps that, and expanding by itself tells no one):
      // from the render before the status is read on, those not opened are folded, the opened ones open.
      const entry = second.store.entry('in-cluster')!;
      const checked = entry.report;
      entry.report = await (await second.store.getSession()).preview(entry.env);
      try {
        const state = async (name: string) => {
          const element = ((await second.tree.getChildren(destination)) as TreeElement[]).find(
            (e) => e.type === 'application' && e.app === name,
          )!;
          return (await second.tree.getTreeItem(element)).collapsibleState;
        };
        assert.equal(await state('by-url-2'), vscode.TreeItemCollapsibleState.Collapsed);
        assert.equal(await state('by-url'), vscode.TreeItemCollapsibleState.Expanded);
      } finally {
        entry.report = checked;
      }
      // The app-of-apps root, an environment read as its status until opened, starts folded too (3 environments:
      // the others start open).
      const current = groups.find((g) => g.type === 'group' && g.key === '(current context)');
      const root = current
        ? ((await second.tree.getChildren(current)) as TreeElement[]).find((e) => e.env === 'apps')!
        : groups.find((e) => e.env === 'apps')!;
      assert.equal(second.store.entry('apps')?.report?.statusOnly, true);
      assert.equal((await second.tree.getTreeItem(root)).collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      assert.equal(
        (await second.tree.getTreeItem(destination)).collapsibleState,
        vscode.TreeItemCollapsibleState.Expanded,
      );
    } finally {
      second.tree.dispose();
      second.store.dispose();
      second.log.dispose();
    }
  });

  it('Read All Applications first says what it will read beyond its threshold, and reads nothing when dismissed', async () => {
    const reads: string[] = [];
    // The real store, with its openAllApplications counted.
    const counted = new Proxy(store, {
      get(target, prop) {
        if (prop === 'openAllApplications')
          return (name: string) => {
            reads.push(name);
            return target.openAllApplications(name);
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const row = (await inClusterRow()).element;
    const unopened = store.unopenedApplications('in-cluster');
    assert.ok(unopened.length > 0, 'some Applications of the destination are not opened yet');
    // The destination's 4 Applications are more than a threshold of 2; the dialog is dismissed.
    const declined = new ScriptedHost([{ warning: () => undefined }]);
    await readAllApplicationsCommand({ store: counted, host: declined }, 2)(row);
    assert.deepEqual(declined.problems, []);
    assert.equal(declined.shown.length, 1);
    assert.equal(declined.shown[0].message, 'Read the objects of all 4 Applications of in-cluster?');
    assert.equal(declined.shown[0].modal, true);
    assert.match(declined.shown[0].detail ?? '', /^This makes up to [1-9]\d* LISTs of /);
    assert.deepEqual(reads, []);
    assert.deepEqual(store.unopenedApplications('in-cluster'), unopened);
  });

  it('Read All Applications reads every Application of the destination, and nothing of the other', async () => {
    assert.deepEqual(store.unopenedApplications('in-cluster'), ['by-url-2', 'in-cluster-name']);
    // The command, at its threshold (the destination's 4 Applications): it reads at once, without asking.
    const silent = new ScriptedHost([]);
    await readAllApplicationsCommand({ store, host: silent }, 4)((await inClusterRow()).element);
    assert.deepEqual(silent.shown, []);
    assert.deepEqual(silent.problems, []);
    const report = store.entry('in-cluster')!.report!;
    assert.deepEqual(verdicts(report), {
      'by-url': 'InSync',
      'by-url-2': 'Missing',
      'in-cluster': 'Missing',
      'in-cluster-name': 'Missing',
    });
    assert.deepEqual(
      report.applications.filter((a) => a.statusOnly),
      [],
    );
    assert.deepEqual(store.unopenedApplications('in-cluster'), []);
    for (const row of await appRows()) assert.doesNotMatch(row.text, /read when opened|not read/);
    assert.equal(store.entry('edge-cluster')?.report?.statusOnly, true);
    // Its menu shows on this destination's row only (contextValue `environment.fleet`).
    assert.equal((await inClusterRow()).item.contextValue, 'environment.fleet');
  });

  it('a row the workbench shows open is read when it asks for its rows, its expansion event lost or not; a cancelled one stays', async () => {
    // As extension.ts wires it. The workbench asks for an open row's rows after every refresh; its expansion event is
    // dropped when it comes while a refresh replaces the rows, so asking is what the tree reads by.
    const wired = new EnvironmentsTreeProvider(store, {
      grouping: () => 'cluster',
      rowOpened: (element) => readWhenOpened(store, element),
    });
    try {
      const edge = () => verdicts(store.entry('edge-cluster')!.report!);
      // A read cancelled: its open row, asked for its rows again, stays "not read" until folded and opened again.
      const opening = store.openApplication('edge-cluster', 'edge-name');
      store.cancel();
      await opening;
      await store.whenIdle();
      await wired.getChildren(applicationElement('edge-cluster', 'edge-name'));
      await store.whenIdle();
      assert.equal(store.entry('edge-cluster')?.notRead?.get('edge-name'), 'read cancelled');
      assert.deepEqual(store.unopenedApplications('edge-cluster').sort(), [
        'edge-name',
        'edge-name-2',
        'edge-url',
        'edge-url-2',
      ]);

      await wired.getChildren(applicationElement('edge-cluster', 'edge-url'));
      await store.whenIdle();
      assert.deepEqual(edge(), {
        'edge-name': 'NotChecked',
        'edge-name-2': 'NotChecked',
        'edge-url': 'Missing',
        'edge-url-2': 'NotChecked',
      });
      assert.deepEqual(store.unopenedApplications('edge-cluster').sort(), ['edge-name', 'edge-name-2', 'edge-url-2']);
      // The same for an environment read as its status until opened: the app-of-apps root.
      assert.equal(store.entry('apps')?.report?.statusOnly, true);
      await wired.getChildren(environmentElement('apps'));
      await store.whenIdle();
      assert.equal(store.entry('apps')?.report?.statusOnly, undefined);
    } finally {
      wired.dispose();
    }
  });

  it("Read All's Cancel stops only its destination's read: a refresh queued behind it still runs", async () => {
    const before = store.entry('in-cluster')!.lastChecked!;
    // Read All of edge-cluster runs; a refresh of in-cluster waits behind it; then the read is cancelled.
    const reading = store.openAllApplications('edge-cluster');
    const queued = store.refresh({ environments: ['in-cluster'] });
    store.cancelEnvironment('edge-cluster');
    await Promise.all([reading, queued]);
    await store.whenIdle();
    const edge = store.entry('edge-cluster')!;
    assert.equal(edge.checking, false);
    // edge-url, read before, keeps its check; the three never read say why, and opening them again reads them.
    assert.deepEqual(verdicts(edge.report!), {
      'edge-name': 'NotChecked',
      'edge-name-2': 'NotChecked',
      'edge-url': 'Missing',
      'edge-url-2': 'NotChecked',
    });
    assert.deepEqual([...(edge.notRead?.keys() ?? [])].sort(), ['edge-name', 'edge-name-2', 'edge-url-2']);
    assert.deepEqual(store.unopenedApplications('edge-cluster').sort(), ['edge-name', 'edge-name-2', 'edge-url-2']);
    // The other destination's refresh was not dropped with it (Cancel Refresh drops every check).
    assert.ok(store.entry('in-cluster')!.lastChecked! > before, 'the queued refresh of in-cluster ran');

    // Cancel Refresh, by contrast, drops every check; one cancelled before its job began leaves nothing "checking".
    const dropped = store.refresh({ environments: ['in-cluster'] });
    store.cancel();
    await dropped;
    await store.whenIdle();
    assert.equal(store.entry('in-cluster')!.checking, false);
  });
});
