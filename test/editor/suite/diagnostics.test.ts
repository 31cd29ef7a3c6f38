import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { HOVER_LINE_BUDGET, TABLE_LINK, visibleHoverLines } from '../../../src/core/editor/hovers';
import {
  activeApi,
  cliCheck,
  driftDiagnostics,
  engineReports,
  lineOf,
  requireTestbed,
  testbed,
  workspaceUri,
} from '../support';

describe('drift diagnostics', function () {
  const tb = testbed();
  before(async function () {
    requireTestbed();
    await activeApi();
  });

  it('marks exactly the (file, line, environment) set that `gitops-drift check` reports for drifted fields and missing objects', () => {
    const expected: string[] = [];
    for (const env of cliCheck(tb!))
      for (const r of env.resources) {
        if (r.verdict === 'Drifted')
          for (const f of r.fields ?? [])
            expected.push(`${(f.origin ?? r.source)!.file}:${(f.origin ?? r.source)!.line}|${env.name}`);
        if (r.verdict === 'Missing') expected.push(`${r.source!.file}|${env.name}`);
      }
    assert.ok(expected.length >= 5, `the seeded cluster should drift (got ${expected.length})`);
    // Missing objects are marked on their metadata.name line rather than the document start, so compare their file.
    // Drift diagnostics only (their codes link to drift-kinds.md); authoring ones share the collection.
    const drift = driftDiagnostics().filter((d) =>
      (d.diagnostic.code as { target: vscode.Uri }).target.path.endsWith('/drift-kinds.md'),
    );
    const actual = drift.map((d) =>
      d.code === 'missing-object'
        ? `${d.file}|${d.message.split(':')[0]}`
        : `${d.file}:${d.line}|${d.message.split(':')[0]}`,
    );
    assert.deepEqual(actual.sort(), expected.sort());
  });

  it('labels drift and authoring findings with their own sources, so the Problems panel can tell them apart', () => {
    const all = driftDiagnostics();
    const docsOf = (d: (typeof all)[number]) => (d.diagnostic.code as { target: vscode.Uri }).target.path;
    const drift = all.filter((d) => docsOf(d).endsWith('/drift-kinds.md'));
    assert.ok(drift.length >= 5, `drift diagnostics: ${drift.length}`);
    for (const d of drift) assert.equal(d.diagnostic.source, 'GitOps drift', `${d.file}:${d.line} ${d.code}`);
    for (const d of all.filter((x) => docsOf(x).endsWith('/authoring.md')))
      assert.equal(d.diagnostic.source, 'GitOps authoring', `${d.file}:${d.line} ${d.code}`);
    // Every one of ours carries one of the two, and `drift` filters to drift alone.
    assert.deepEqual(
      all.filter((d) => /drift/i.test(d.diagnostic.source ?? '')).map((d) => d.code),
      drift.map((d) => d.code),
    );
  });

  it('puts prod web replicas on the patch line, with both values and who changed it', async () => {
    const field = (await engineReports(tb!))
      .find((r) => r.name === 'prod')!
      .resources.find((r) => r.key.kind === 'Deployment' && r.key.name === 'web')!
      .fields.find((f) => f.path === '/spec/replicas')!;
    assert.ok(field.changedBy, 'the engine knows who scaled it');
    const line = lineOf('envs/prod/web-patch.yaml', /^\s*replicas:/);
    const d = driftDiagnostics().find((x) => x.file === 'envs/prod/web-patch.yaml' && x.line === line);
    assert.ok(d, `no diagnostic on envs/prod/web-patch.yaml:${line}`);
    assert.match(
      d.message,
      new RegExp(
        `^prod: replicas is 5 in the cluster, 3 in git \\(changed by ${field.changedBy.manager}( just now| \\d+ min ago)?\\)$`,
      ),
    );
    assert.equal(d.diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(d.code, 'value-changed');
    const target = (d.diagnostic.code as { target: vscode.Uri }).target;
    assert.match(target.toString(true), /docs\/drift-kinds\.md#value-changed$/);
    // The patch overrides the base Deployment: the related information points at its declaration.
    const base = d.diagnostic.relatedInformation?.find(
      (r) => r.location.uri.fsPath.endsWith('base/web-deployment.yaml') && r.message.includes('overridden'),
    );
    assert.ok(base, 'related information points at the base line the patch overrides');
    assert.equal(base.location.range.start.line + 1, lineOf('base/web-deployment.yaml', /^\s*replicas:/));
    assert.equal(base.message, `replicas is 2 here, overridden by envs/prod/web-patch.yaml:${line}`);
  });

  it('marks the deleted dev CronJob on its metadata.name line', () => {
    const line = lineOf('base/cleanup-cronjob.yaml', /^\s+name: cart-cleanup/);
    const d = driftDiagnostics().find((x) => x.file === 'base/cleanup-cronjob.yaml' && x.code === 'missing-object');
    assert.ok(d, 'no missing-object diagnostic on base/cleanup-cronjob.yaml');
    assert.equal(d.line, line);
    assert.equal(d.message, 'dev: CronJob shop-dev/cart-cleanup is in git but not in the cluster');
  });

  it('never shows a Secret value', () => {
    const secretDiags = driftDiagnostics().filter((d) => d.code === 'secret-changed');
    assert.ok(secretDiags.length > 0, 'the hand-rotated staging password is reported');
    for (const d of driftDiagnostics())
      assert.ok(
        !d.message.includes('rotated-by-hand') &&
          !d.message.includes(Buffer.from('rotated-by-hand').toString('base64')),
        d.message,
      );
  });

  it('offers Show Diff, Adopt Live Value, Put Live Back and Ignore This Field as quick fixes', async () => {
    const line = lineOf('envs/prod/web-patch.yaml', /^\s*replicas:/);
    const uri = workspaceUri('envs/prod/web-patch.yaml');
    await vscode.window.showTextDocument(uri);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      uri,
      new vscode.Range(line - 1, 0, line - 1, 20),
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Show Diff: Deployment shop-prod/web (prod)'), titles.join(' | '));
    assert.ok(titles.includes('Ignore This Field in prod'), titles.join(' | '));
    assert.ok(titles.includes('Adopt Live Value into Git (prod)'), titles.join(' | '));
    assert.ok(titles.includes("Put Live Back to Git's Value (prod)"), titles.join(' | '));
    const ignore = actions.find((a) => a.title === 'Ignore This Field in prod')!;
    assert.deepEqual(ignore.command?.arguments?.[0], {
      env: 'prod',
      key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
      path: '/spec/replicas',
    });
  });

  it('hovers a drifted line briefly: git → live with a link to the diff, the values table behind a link, nothing stacked', async () => {
    const line = lineOf('envs/prod/web-patch.yaml', /^\s*replicas:/);
    const uri = workspaceUri('envs/prod/web-patch.yaml');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(line - 1, 4),
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    // One hover (the drift one): the effective-values hover does not stack its table below it.
    assert.equal(hovers.length, 1, text);
    const lines = visibleHoverLines(text);
    for (const l of lines) assert.ok(l.length <= HOVER_LINE_BUDGET, `${l.length} characters: ${l}`);
    assert.equal(lines.length, 3, text);
    assert.equal(lines[0], 'GitOps Drift · replicas: git → live');
    assert.match(lines[1], /^prod 3 → 5 · kubectl/);
    assert.equal(lines[2], TABLE_LINK);
    // The environment links to its diff; the last line to every environment's values.
    const diff = /^\[prod\]\(command:gitopsDrift\.showDiff\?([^ )]+)/m.exec(text);
    assert.ok(diff, text);
    assert.deepEqual(JSON.parse(decodeURIComponent(diff[1])), [
      { env: 'prod', key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' } },
    ]);
    const table = new RegExp(`\\[${TABLE_LINK}\\]\\(command:gitopsDrift\\.showFieldValues\\?([^ )]+)\\)`).exec(text);
    assert.ok(table, text);
    const opened = await vscode.commands.executeCommand<vscode.Uri>(
      'gitopsDrift.showFieldValues',
      ...(JSON.parse(decodeURIComponent(table[1])) as unknown[]),
    );
    const rows = (await vscode.workspace.openTextDocument(opened))
      .getText()
      .split('\n')
      .filter((l) => /^(dev|staging|prod) /.test(l))
      .map((l) => l.split(/ {2,}/).slice(0, 2));
    assert.deepEqual(rows, [
      ['dev', '1'],
      ['staging', '2'],
      ['prod', '3'],
    ]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
