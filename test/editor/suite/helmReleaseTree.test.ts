import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { EnvironmentReport } from '../../../src/core/engine';
import type { ReleaseStatus } from '../../../src/core/model/drift';
import { folderApplication } from '../../../src/core/model/environment';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { shopKey, storeOf } from '../treeFixtures';
import { EnvironmentsTreeProvider } from '../../../src/vscode/views/environmentsTree';
import type { TreeElement } from '../../../src/vscode/views/treeElements';

const release: ReleaseStatus = {
  releaseName: 'web',
  namespace: 'shop',
  storageNamespace: 'shop',
  found: true,
  revision: 1,
  status: 'deployed',
  chart: 'web',
  chartVersion: '1.2.0',
  lastDeployed: '2026-12-06T14:01:00Z',
  latest: { revision: 2, status: 'failed', description: 'Upgrade "web" failed: bad port' },
  git: {
    chart: 'same',
    values: 'differs',
    valuesAt: { file: 'apps/web/release.yaml', line: 18, column: 3 },
    message: 'values in git differ from the deployed release (revision 1; since 2026-12-06 14:02Z, upgrade failed: …)',
  },
  render: {
    state: 'rendered',
    objects: 2,
    hooks: 0,
    nextUpgrade: [
      {
        key: { group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' },
        change: 'update',
        template: 'web/templates/deployment.yaml',
        paths: ['/spec/replicas'],
      },
    ],
  },
  controller: {
    kind: 'HelmRelease',
    name: 'web',
    namespace: 'shop',
    found: true,
    ready: { status: 'False', reason: 'UpgradeFailed' },
    suspended: false,
    driftDetection: 'disabled',
    history: [],
    observed: true,
  },
};

/** The tooltip as read: MarkdownString.appendText escapes spaces and punctuation. */
const tooltipText = (item: vscode.TreeItem) =>
  (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''))
    .replace(/&nbsp;/g, ' ')
    .replace(/\\(.)/g, '$1');

describe('Environments view: a Helm release as an application', () => {
  // One repo application (the folder holding the HelmRelease) and the release the check found behind it.
  const env: RepoEnvironment = {
    name: 'prod',
    path: 'apps/web',
    source: 'config',
    applications: [folderApplication('prod', 'apps/web')],
  };
  const helmApp = 'HelmRelease shop/web';
  const report: EnvironmentReport = {
    name: 'prod',
    path: env.path,
    context: 'prod',
    error: null,
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    resources: [
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        key: { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', namespace: 'shop', name: 'web' },
        verdict: 'InSync',
        fields: [],
        application: 'prod',
      },
      {
        apiVersion: 'apps/v1',
        key: shopKey('Deployment', 'web'),
        verdict: 'Drifted',
        fields: [{ path: '/spec/replicas', desired: 2, live: 5, label: 'spec.replicas' }],
        application: helmApp,
        template: 'web/templates/deployment.yaml',
      },
      { apiVersion: 'v1', key: shopKey('Service', 'web'), verdict: 'InSync', fields: [], application: helmApp },
    ],
    applications: [
      { name: 'prod', kind: 'kustomize', source: 'apps/web', state: 'rendered' },
      {
        name: helmApp,
        kind: 'helm',
        source: 'chart web 1.2.0',
        declaredAt: { file: 'apps/web/release.yaml', line: 1, column: 1 },
        state: 'rendered',
        release,
      },
    ],
  };
  let tree: EnvironmentsTreeProvider;
  before(() => (tree = new EnvironmentsTreeProvider(storeOf([{ env, checking: false, report }]))));
  after(() => tree.dispose());
  const children = async (e?: TreeElement) => ((await tree.getChildren(e)) ?? []) as TreeElement[];

  it('lists the release beside the repo application, with chart, revision, status, git not applied and next upgrade', async () => {
    const [environment] = await children();
    const apps = (await children(environment)).filter((e) => e.type === 'application');
    assert.deepEqual(
      apps.map((a) => (a.type === 'application' ? a.app : '')),
      ['prod', helmApp],
    );
    const item = await tree.getTreeItem(apps[1]);
    assert.equal(
      item.description,
      '1 of 2 drifted · web 1.2.0 · rev 1 deployed · rev 2 failed · git values not applied · next upgrade: 1 change',
    );
    assert.match(
      tooltipText(item),
      /release web: web 1\.2\.0, revision 1 deployed 2026-12-06 14:01Z; revision 2 failed/,
    );
    assert.match(tooltipText(item), /values in git differ from the deployed release/);
    // What the next upgrade changes: paths only, explained.
    assert.match(
      tooltipText(item),
      /next upgrade: git's chart, rendered with git's values, against the deployed revision/,
    );
    assert.match(
      tooltipText(item),
      /• update Deployment shop\/web \(web\/templates\/deployment\.yaml\): \/spec\/replicas/,
    );
    // It opens the HelmRelease's line.
    assert.equal((item.command?.arguments?.[0] as vscode.Uri).path, '/repo/apps/web/release.yaml');
  });

  it('holds the release objects, each reachable back through getParent', async () => {
    const [environment] = await children();
    const helm = (await children(environment)).find((e) => e.type === 'application' && e.app === helmApp)!;
    const kinds = await children(helm);
    assert.deepEqual(
      kinds.map((k) => (k.type === 'kind' ? k.kind : '')),
      ['Deployment', 'Service'],
    );
    const [deployment] = await children(kinds[0]);
    assert.deepEqual(tree.getParent(deployment), kinds[0]);
    assert.deepEqual(tree.getParent(kinds[0]), helm);
  });
});
