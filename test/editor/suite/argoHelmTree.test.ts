import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { EnvironmentReport } from '../../../src/core/engine';
import type { Application } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { shopKey, storeOf } from '../treeFixtures';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';

/** The tooltip as read: MarkdownString.appendText escapes spaces and punctuation. */
const tooltipText = (item: vscode.TreeItem) =>
  (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''))
    .replace(/&nbsp;/g, ' ')
    .replace(/\\(.)/g, '$1');

describe('Environments view: an Argo CD multi-source Application with a Helm chart', () => {
  // As discovery makes it: one environment, one application per source (the chart, a directory beside it).
  const at = { file: 'apps/multi.yaml', line: 1, column: 1 };
  const chartApp: Application = {
    name: 'multi/web',
    declaredAt: at,
    source: { type: 'chart', path: 'charts/web' },
    renderer: 'helm',
    namespace: 'shop',
    argo: { at: { file: 'apps/multi.yaml', line: 8, column: 7 }, applicationName: 'multi' },
  };
  const plainApp: Application = {
    name: 'multi/plain',
    declaredAt: at,
    source: { type: 'folder', path: 'plain' },
    renderer: 'argo-directory',
    namespace: 'shop',
    argo: { at: { file: 'apps/multi.yaml', line: 14, column: 7 }, applicationName: 'multi' },
  };
  const env: RepoEnvironment = {
    name: 'multi',
    path: 'charts/web',
    source: 'argocd',
    definedAt: at,
    applications: [chartApp, plainApp],
  };
  const report: EnvironmentReport = {
    name: 'multi',
    path: env.path,
    context: 'prod',
    error: null,
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    resources: [
      {
        apiVersion: 'apps/v1',
        key: shopKey('Deployment', 'multi'),
        verdict: 'Drifted',
        fields: [{ path: '/spec/replicas', desired: 4, live: 9, label: 'spec.replicas' }],
        application: 'multi/web',
        template: 'web/templates/deployment.yaml',
      },
      {
        apiVersion: 'v1',
        key: shopKey('ConfigMap', 'multi-config'),
        verdict: 'InSync',
        fields: [],
        application: 'multi/web',
      },
      {
        apiVersion: 'v1',
        key: shopKey('ConfigMap', 'plain'),
        verdict: 'InSync',
        fields: [],
        application: 'multi/plain',
      },
    ],
    applications: [
      { name: 'multi/web', kind: 'helm', source: 'chart charts/web', declaredAt: at, state: 'rendered' },
      { name: 'multi/plain', kind: 'argo-directory', source: 'plain', declaredAt: at, state: 'rendered' },
    ],
  };
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf([{ env, checking: false, report }]))));
  after(() => tree.dispose());
  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];

  it('shows each source as an application, the chart as a helm application with its own objects', async () => {
    const [environment] = await children();
    const apps = (await children(environment)).filter((e) => e.type === 'application');
    assert.deepEqual(
      apps.map((a) => (a.type === 'application' ? a.app : '')),
      ['multi/web', 'multi/plain'],
    );
    const chart = await tree.getTreeItem(apps[0]);
    assert.equal(chart.description, '1 of 2 drifted');
    assert.match(tooltipText(chart), /helm · chart charts\/web · declared in apps\/multi\.yaml:1/);
    assert.equal((chart.command?.arguments?.[0] as vscode.Uri).path, '/repo/apps/multi.yaml');
    const kinds = await children(apps[0]);
    assert.deepEqual(
      kinds.map((k) => (k.type === 'kind' ? k.kind : '')),
      ['ConfigMap', 'Deployment'],
    );
    const plainKinds = await children(apps[1]);
    const [plain] = await children(plainKinds[0]);
    assert.equal(plain.type === 'resource' ? plain.key.name : '', 'plain');
  });
});
