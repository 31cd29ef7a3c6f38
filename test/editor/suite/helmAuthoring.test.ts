import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { AuthoringTools } from '../../../src/core/authoringTools';
import { visibleHoverLines } from '../../../src/core/editor/hovers';
import { DriftEngine } from '../../../src/core/engine';
import { WasmHelmEngine } from '../../../src/node/helmEngine';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { EffectiveValuesHover } from '../../../src/vscode/authoring/effectiveValuesHover';
import { HelmCodeLens } from '../../../src/vscode/authoring/helmCodeLens';
import type { DriftStore } from '../../../src/vscode/driftStore';

/**
 * The Helm aids in a real VS Code: the `Preview Rendered Chart` CodeLens on a HelmRelease and the hover on a values
 * key, through the extension's own providers over a repo of their own (the workspace fixture holds no chart), with
 * Helm's engine as the build made it (dist/helm, or $GITOPS_DRIFT_HELM_ENGINE_DIR).
 */
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
    `    replicaCount: ${replicas}`,
    '',
  ].join('\n');

const files: Record<string, string> = {
  '.gitops-drift.yaml':
    'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n  - name: prod\n    path: envs/prod\n    namespace: apps\n',
  'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
  'envs/dev/release.yaml': release(2),
  'envs/prod/kustomization.yaml': 'resources:\n  - release.yaml\n',
  'envs/prod/release.yaml': release(5),
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
  'charts/web/values.yaml': 'replicaCount: 1\nimage: nginx:1.27\n',
  'charts/web/templates/deployment.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {{ .Values.image }}\n',
};

const engineDir = process.env.GITOPS_DRIFT_HELM_ENGINE_DIR ?? join(__dirname, '..', '..', '..', '..', 'dist', 'helm');

describe('Helm: Preview Rendered Chart and the values hover', function () {
  this.timeout(120_000);
  let root: string;
  let helm: WasmHelmEngine;
  let store: DriftStore;
  const disposables: vscode.Disposable[] = [];

  before(function () {
    // The build makes dist/helm when Go is there (npm test's build step does); without it there is nothing to show.
    if (!existsSync(join(engineDir, 'helm.wasm.gz'))) this.skip();
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-editor-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    helm = new WasmHelmEngine({ dir: engineDir });
    const fs = new NodeFileSystem();
    const engine = new DriftEngine({ fs, repoRoot: root, helmEngine: () => helm });
    const authoring = new AuthoringTools(engine, fs, root);
    store = {
      repoRoot: root,
      getSession: async () => ({ authoring }),
      onDidChangeSources: () => ({ dispose() {} }),
    } as unknown as DriftStore;
  });
  after(() => {
    for (const d of disposables) d.dispose();
    helm?.dispose();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('puts one Preview Rendered Chart lens on the HelmRelease, opening the chart rendered with its values', async () => {
    const lens = new HelmCodeLens(store);
    disposables.push(lens);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'envs/prod/release.yaml')));
    const lenses = await lens.provideCodeLenses(doc);
    assert.deepEqual(
      lenses.map((l) => [
        l.range.start.line,
        l.command?.title,
        l.command?.command,
        JSON.stringify(l.command?.arguments),
      ]),
      [[0, 'Preview Rendered Chart', 'gitopsDrift.showRendered', '[{"env":"prod","app":"HelmRelease apps/web"}]']],
    );
    // A values file declares no application: no lens.
    const values = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'charts/web/values.yaml')));
    assert.deepEqual(await lens.provideCodeLenses(values), []);
    const session = await store.getSession();
    const text = await session.authoring.preview({ env: 'prod', app: 'HelmRelease apps/web' });
    // helm-controller's labels on top of the chart's render, as the release holds them.
    assert.match(
      text,
      /^kind: Deployment\nmetadata:\n {2}labels:\n {4}helm\.toolkit\.fluxcd\.io\/name: web\n {4}helm\.toolkit\.fluxcd\.io\/namespace: apps\n {2}name: web\nspec:\n {2}replicas: 5$/m,
    );
  });

  it("hovers a chart's values key with the fields it sets, one line per distinct value", async () => {
    const hover = new EffectiveValuesHover(store, () => false);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'charts/web/values.yaml')));
    const image = await hover.provideHover(doc, new vscode.Position(1, 2));
    const md = (h: vscode.Hover | undefined) =>
      (h?.contents ?? []).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    assert.deepEqual(visibleHoverLines(md(image)), [
      'image sets Deployment web containers[0].image · GitOps Drift',
      'nginx:1.27 · dev, prod',
    ]);
    const release = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'envs/prod/release.yaml')));
    const replicas = await hover.provideHover(release, new vscode.Position(11, 6));
    assert.deepEqual(visibleHoverLines(md(replicas)), [
      'replicaCount sets Deployment web replicas · GitOps Drift',
      '5 · prod',
    ]);
  });
});
