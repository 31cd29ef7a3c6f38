import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { LintFinding } from '../../../src/core/authoring/finding';
import { AuthoringTools } from '../../../src/core/authoringTools';
import { DriftEngine } from '../../../src/core/engine';
import { disabledChartSource } from '../../../src/core/ports';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { ChartDownloadsQuickFix } from '../../../src/vscode/authoring/chartDownloadsQuickFix';
import { toRange } from '../../../src/vscode/authoring/authoringDiagnostics';
import { AUTHORING_SOURCE } from '../../../src/vscode/diagnostics/driftDiagnostics';
import { repoUri } from '../../../src/vscode/repoFiles';
import { ScriptedHost } from '../scriptedHost';
import { activeApi } from '../support';

/**
 * A chart of a Helm repository that is not downloaded because chart downloads are off: the lint finding at the Argo CD
 * source's chart line says how to turn them on, and the editor offers a quick action that runs **GitOps: Enable
 * Chart Downloads**, which sets the workspace's setting (trusted workspace; the untrusted suite checks the refusal).
 */
const files: Record<string, string> = {
  'apps/podinfo.yaml': [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    '  name: podinfo',
    '  namespace: argocd',
    'spec:',
    '  project: default',
    '  source:',
    '    repoURL: https://charts.example.com/podinfo',
    '    chart: podinfo',
    '    targetRevision: 6.5.0',
    '  destination:',
    '    server: https://kubernetes.default.svc',
    '    namespace: podinfo',
    '',
  ].join('\n'),
};

describe('Chart downloads off: the how-to and the Enable Chart Downloads quick action', function () {
  this.timeout(120_000);
  let root: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'gitops-drift-chart-downloads-'));
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, p)), { recursive: true });
      writeFileSync(join(root, p), text);
    }
  });
  after(async () => {
    await vscode.workspace
      .getConfiguration('gitopsDrift')
      .update('helm.chartDownloads', undefined, vscode.ConfigurationTarget.Workspace);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('lints the chart line with the how-to, and offers the quick action on that finding only', async () => {
    const fs = new NodeFileSystem();
    // The editor's own message for a trusted workspace (src/vscode/driftSession.ts).
    const engine = new DriftEngine({
      fs,
      repoRoot: root,
      chartSource: disabledChartSource('enable the setting gitopsDrift.helm.chartDownloads to download it'),
    });
    const report = await new AuthoringTools(engine, fs, root).lint();
    const finding = report.findings.find((f) => f.fix === 'enable-chart-downloads');
    assert.ok(finding, `a finding to fix: ${JSON.stringify(report.findings)}`);
    assert.equal(finding.range.file, 'apps/podinfo.yaml');
    assert.equal(finding.range.line, 10, 'the chart: line');
    assert.match(
      finding.message,
      /chart charts\.example\.com\/podinfo\/podinfo 6\.5\.0 not downloaded: chart downloads are off: enable the setting gitopsDrift\.helm\.chartDownloads/,
    );

    const findings = new Map<vscode.Diagnostic, LintFinding>();
    const diagnostic = (f: LintFinding) => {
      const d = new vscode.Diagnostic(toRange(f.range), f.message, vscode.DiagnosticSeverity.Warning);
      d.source = AUTHORING_SOURCE;
      findings.set(d, f);
      return d;
    };
    const fixable = diagnostic(finding);
    const other = diagnostic({ ...finding, fix: undefined, message: 'cannot reach https://charts.example.com' });
    const provider = new ChartDownloadsQuickFix((d) => findings.get(d));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(join(root, 'apps/podinfo.yaml')));
    const actions = provider.provideCodeActions(doc, fixable.range, {
      diagnostics: [fixable, other],
      only: undefined,
      triggerKind: vscode.CodeActionTriggerKind.Invoke,
    });
    assert.deepEqual(
      actions.map((a) => [a.title, a.command?.command, a.diagnostics?.length]),
      [['Enable Chart Downloads (gitopsDrift.helm.chartDownloads)', 'gitopsDrift.enableChartDownloads', 1]],
    );
    // A chart that could not be fetched for another reason gets no such action.
    assert.deepEqual(
      provider.provideCodeActions(doc, other.range, {
        diagnostics: [other],
        only: undefined,
        triggerKind: vscode.CodeActionTriggerKind.Invoke,
      }),
      [],
    );
  });

  it("the command sets the workspace's gitopsDrift.helm.chartDownloads in a trusted workspace", async () => {
    assert.equal(vscode.workspace.isTrusted, true);
    const config = () => vscode.workspace.getConfiguration('gitopsDrift').inspect<boolean>('helm.chartDownloads');
    assert.equal(config()?.workspaceValue, undefined, 'off before');
    const api = await activeApi();
    const host = new ScriptedHost([]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.enableChartDownloads');
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, []);
    assert.equal(config()?.workspaceValue, true);
    assert.match(host.infos.join('\n'), /Chart downloads are on for this workspace/);
  });

  it("opens a downloaded chart's values file, where its values' origins point, as a read-only document", async () => {
    await activeApi();
    // As an origin names it (core/render/helm/chartFiles.ts downloadedChartFile): no file of the repo.
    const uri = repoUri('/repo', 'gitops-drift-chart:podinfo/6.5.0/values.yaml');
    assert.equal(uri.scheme, 'gitops-drift-chart');
    assert.equal(uri.path, '/podinfo/6.5.0/values.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    // The extension's provider answers from its session's engine; nothing of this chart was downloaded there.
    assert.match(
      doc.getText(),
      /^# gitops-drift-chart:podinfo\/6\.5\.0\/values\.yaml: this chart was not downloaded in this session/,
    );
  });
});
