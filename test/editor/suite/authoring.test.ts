import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { HOVER_LINE_BUDGET, TABLE_LINK, visibleHoverLines } from '../../../src/core/editor/hovers';
import { DriftEngine } from '../../../src/core/engine';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { ScriptedHost } from '../scriptedHost';
import {
  activeApi,
  type DriftDiagnostic,
  driftDiagnostics,
  lineOf,
  waitForDiagnostics,
  waitForEvent,
  workspaceRoot,
  workspaceUri,
} from '../support';

/** Replaces a document's whole text through the editor and saves it, as a user would. */
async function rewriteAndSave(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
  assert.ok(await doc.save());
}

/** Resolves with a virtual document's text once `predicate` holds for it (now or after a change event). */
function waitForText(
  doc: vscode.TextDocument,
  predicate: (text: string) => boolean,
  timeoutMs: number,
  what: string,
): Promise<string> {
  return waitForEvent(
    vscode.workspace.onDidChangeTextDocument,
    () => doc.getText(),
    predicate,
    timeoutMs,
    what,
    (text) => text.slice(0, 400),
  );
}

/** The names of the objects an environment of the workspace renders (the engine, no cluster). */
async function engineNames(env: string): Promise<string[]> {
  const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: workspaceRoot() });
  await engine.load();
  return (await engine.render(await engine.environment(env))).objects.map((o) => o.key.name);
}

const hoverText = (hovers: vscode.Hover[]) =>
  hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');

describe('authoring aids', function () {
  before(async () => {
    await activeApi();
  });

  it('marks a broken resource reference on saving, and clears it when fixed', async () => {
    const file = 'envs/dev/kustomization.yaml';
    const doc = await vscode.workspace.openTextDocument(workspaceUri(file));
    const original = doc.getText();
    const line = lineOf(file, /^\s*- \.\.\/\.\.\/base$/) + 1;
    const broken = (ds: { file: string; line: number; code: string }[]) =>
      ds.some((d) => d.file === file && d.line === line && d.code === 'missing-path');
    assert.ok(!broken(driftDiagnostics()), 'no missing-path diagnostic before the edit');
    try {
      await rewriteAndSave(doc, original.replace('  - ../../base\n', '  - ../../base\n  - config-overrides.yaml\n'));
      // A hang guard, not a speed check: at load 30 on two cores the marker took over a second, and speed is for
      // benchmarks (bench/lint) to measure, never a timed test.
      const seen = await waitForDiagnostics(broken, 15_000, 'the missing-path diagnostic on the new resources entry');
      const d = seen.find((x) => x.file === file && x.code === 'missing-path')!;
      assert.equal(d.diagnostic.severity, vscode.DiagnosticSeverity.Error);
      // Its own source, apart from drift's ('GitOps drift'): the Problems panel filters either.
      assert.equal(d.diagnostic.source, 'GitOps authoring');
      assert.deepEqual(
        [d.diagnostic.range.start.character, d.diagnostic.range.end.character],
        [4, 4 + 'config-overrides.yaml'.length],
      );
      assert.match(d.message, /config-overrides\.yaml/);
      assert.match(
        (d.diagnostic.code as { target: vscode.Uri }).target.toString(true),
        /docs\/authoring\.md#missing-path$/,
      );
    } finally {
      await rewriteAndSave(doc, original);
    }
    await waitForDiagnostics(
      (ds) => !broken(ds),
      5000,
      'the missing-path diagnostic to clear after restoring the file',
    );
  });

  describe('a kustomization with deprecated fields', () => {
    const file = 'legacy/kustomization.yaml';
    const legacy = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      '# Kept for a team that has not migrated yet.',
      'bases:',
      '  - ../base',
      'patchesStrategicMerge:',
      '  - web-replicas.yaml',
      '',
    ].join('\n');
    const patch = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  replicas: 4',
      '',
    ].join('\n');

    before(async () => {
      await vscode.workspace.fs.writeFile(workspaceUri('legacy/web-replicas.yaml'), new TextEncoder().encode(patch));
      await vscode.workspace.fs.writeFile(workspaceUri(file), new TextEncoder().encode(legacy));
      await vscode.workspace.fs.writeFile(
        workspaceUri('legacy/logging/kustomization.yaml'),
        new TextEncoder().encode('apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n'),
      );
    });

    after(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.delete(workspaceUri('legacy'), { recursive: true });
      await waitForDiagnostics(
        (ds) => !ds.some((d) => d.file.startsWith('legacy/')),
        5000,
        'the legacy folder diagnostics to go',
      );
      await (await activeApi()).whenIdle();
    });

    it('warns on each deprecated field, and the quick fix rewrites it to the modern form', async () => {
      const deprecated = (ds: DriftDiagnostic[]) => ds.filter((d) => d.file === file && d.code === 'deprecated-field');
      const seen = await waitForDiagnostics(
        (ds) => deprecated(ds).length === 2,
        5000,
        'two deprecated-field warnings in legacy/kustomization.yaml',
      );
      const bases = deprecated(seen).find((d) => d.line === 4)!;
      assert.ok(
        bases,
        deprecated(seen)
          .map((d) => `${d.line}: ${d.message}`)
          .join('\n'),
      );
      assert.equal(bases.diagnostic.severity, vscode.DiagnosticSeverity.Warning);
      assert.deepEqual(bases.diagnostic.tags, [vscode.DiagnosticTag.Deprecated]);

      const doc = await vscode.workspace.openTextDocument(workspaceUri(file));
      await vscode.window.showTextDocument(doc);
      for (const field of ['bases', 'patchesStrategicMerge']) {
        const d = deprecated(driftDiagnostics()).find((x) => doc.getText(x.diagnostic.range) === field);
        assert.ok(d, `a deprecated-field diagnostic on '${field}'`);
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
          'vscode.executeCodeActionProvider',
          doc.uri,
          d.diagnostic.range,
          vscode.CodeActionKind.QuickFix.value,
        );
        const fix = actions.find((a) => a.title === `Rewrite '${field}' to its current form`);
        assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
        assert.ok(await vscode.workspace.applyEdit(fix.edit));
      }
      assert.equal(
        doc.getText(),
        [
          'apiVersion: kustomize.config.k8s.io/v1beta1',
          'kind: Kustomization',
          '# Kept for a team that has not migrated yet.',
          'resources:',
          '  - ../base',
          'patches:',
          '  - path: web-replicas.yaml',
          '',
        ].join('\n'),
      );
      assert.ok(await doc.save());
      await waitForDiagnostics(
        (ds) => deprecated(ds).length === 0,
        5000,
        'the deprecated-field warnings to clear after the rewrite',
      );
    });

    it('shows the folder rendered (CodeLens) and opens it as a read-only preview that follows saves', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        workspaceUri(file),
      );
      const rendered = lenses.find((l) => l.command?.title.startsWith('Rendered:'));
      assert.ok(rendered?.command, lenses.map((l) => l.command?.title).join(' | '));
      assert.match(rendered.command.title, /^Rendered: \d+ objects · Preview$/);
      // A Component renders only where it is included: its lens says so and lists those environments.
      const component = await vscode.workspace.openTextDocument(workspaceUri('legacy/logging/kustomization.yaml'));
      const componentLenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        component.uri,
      );
      assert.deepEqual(
        componentLenses.map((l) => [l.command?.title, l.command?.command]),
        [['Component: rendered where it is included', 'gitopsDrift.findEnvironmentsUsing']],
      );
      const uri = await vscode.commands.executeCommand<vscode.Uri>(
        rendered.command.command,
        ...(rendered.command.arguments ?? []),
      );
      const doc = vscode.window.activeTextEditor!.document;
      assert.equal(doc.uri.toString(), uri.toString());
      assert.equal(doc.languageId, 'yaml');
      assert.match(doc.getText(), /^kind: Deployment\nmetadata:\n(.*\n)*?  name: web\nspec:\n  replicas: 4$/m);
      // Edit the patch on disk: the open preview follows.
      await vscode.workspace.fs.writeFile(
        workspaceUri('legacy/web-replicas.yaml'),
        new TextEncoder().encode(patch.replace('replicas: 4', 'replicas: 6')),
      );
      await waitForText(doc, (t) => /^ {2}replicas: 6$/m.test(t), 5000, 'the preview to show replicas: 6');
      // A patch that stops parsing: the preview says why, at which line, instead of failing to open.
      await vscode.workspace.fs.writeFile(
        workspaceUri('legacy/web-replicas.yaml'),
        new TextEncoder().encode('spec: [unclosed\n'),
      );
      const broken = await waitForText(
        doc,
        (t) => t.startsWith('# legacy: cannot render\n'),
        5000,
        'the preview to show the render error',
      );
      assert.match(broken, /^# legacy\/web-replicas\.yaml:\d+:\d+: malformed YAML/m);
    });

    it('offers the near existing file for a mistyped path, and the fix clears the error', async () => {
      const doc = await vscode.workspace.openTextDocument(workspaceUri(file));
      await vscode.window.showTextDocument(doc);
      const typo = (ds: DriftDiagnostic[]) => ds.find((d) => d.file === file && d.code === 'missing-path');
      await rewriteAndSave(doc, doc.getText().replace('path: web-replicas.yaml', 'path: web-replica.yaml'));
      const seen = typo(
        await waitForDiagnostics(
          (ds) => typo(ds) !== undefined,
          5000,
          'the missing-path diagnostic on the mistyped patch path',
        ),
      );
      assert.equal(seen!.message, "patch file 'web-replica.yaml' not found (did you mean 'web-replicas.yaml'?)");
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        seen!.diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((a) => a.title === "Change to 'web-replicas.yaml'");
      assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      assert.match(doc.getText(), /^ {2}- path: web-replicas\.yaml$/m);
      assert.ok(await doc.save());
      await waitForDiagnostics(
        (ds) => typo(ds) === undefined,
        5000,
        'the missing-path diagnostic to clear after the fix',
      );
    });
  });

  describe('hovers that fit', () => {
    /** The hover markdown our providers return at a 1-based line, at the first match of `at` on it. */
    async function hoverAt(file: string, line: number, at: RegExp): Promise<{ hovers: vscode.Hover[]; md: string }> {
      const text = readFileSync(`${workspaceRoot()}/${file}`, 'utf8').split('\n')[line - 1];
      const column = text.search(at);
      assert.ok(column >= 0, `${file}:${line} has no ${at}`);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        workspaceUri(file),
        new vscode.Position(line - 1, column),
      );
      return { hovers, md: hoverText(hovers) };
    }

    /** Each line as a reader sees it, and none longer than the budget (a value never wraps inside). */
    function fits(md: string): string[] {
      const lines = visibleHoverLines(md);
      for (const line of lines) assert.ok(line.length <= HOVER_LINE_BUDGET, `${line.length} characters: ${line}`);
      assert.doesNotMatch(md, /^\|/m, 'no table in a hover');
      return lines;
    }

    /** A link target with its markdown escapes, for a regex. */
    const linkTo = (file: string, line: number) =>
      new RegExp(
        `\\[${file.split('/').pop()!.replace(/[.-]/g, '\\\\\\$&')}:${line}\\]\\(file://[^)]*/${file.replace(/\./g, '\\.')}#L${line}(,|%2C)\\d+ "${file.replace(/\./g, '\\.')}:${line}"\\)`,
      );

    it("on an overlay's own line: that environment alone, and one line counting the others that differ", async () => {
      const file = 'envs/prod/kustomization.yaml';
      const line = lineOf(file, /^namespace: shop-prod$/);
      const { hovers, md } = await hoverAt(file, line, /shop-prod/);
      assert.equal(hovers.length, 1, md);
      assert.deepEqual(fits(md), [
        'namespace in prod · GitOps Drift',
        `shop-prod · kustomization.yaml:${line}`,
        `2 of 2 other environments differ · ${TABLE_LINK}`,
      ]);
      assert.match(md, linkTo(file, line));
    });

    it('on a shared base line: one row per distinct value, with the environments that have it', async () => {
      const file = 'base/kustomization.yaml';
      const line = lineOf(file, /FEATURE_RECOMMENDATIONS=false/);
      const { md } = await hoverAt(file, line, /FEATURE/);
      assert.deepEqual(fits(md), [
        'FEATURE_RECOMMENDATIONS in 3 environments · GitOps Drift',
        // Quoted: strings that read as booleans (formatValue keeps types visible).
        '"true" · dev, staging · 2 places',
        `"false" · prod · kustomization.yaml:${line}`,
        TABLE_LINK,
      ]);
      // The value is a code span at the start of its line: nothing before it to push it into a wrap.
      assert.match(md, /^`"true"` · dev, staging · 2 places {2}$/m);
      const replicas = lineOf('base/web-deployment.yaml', /^\s*replicas:/);
      const rows = fits((await hoverAt('base/web-deployment.yaml', replicas, /replicas/)).md);
      assert.deepEqual(rows, [
        'replicas in 3 environments · GitOps Drift',
        `1 · dev · kustomization.yaml:${lineOf('envs/dev/kustomization.yaml', /^\s*count: 1/)}`,
        `2 · staging · web-deployment.yaml:${replicas}`,
        `3 · prod · web-patch.yaml:${lineOf('envs/prod/web-patch.yaml', /^\s*replicas:/)}`,
        TABLE_LINK,
      ]);
    });

    it("opens every environment's values from the link, in a markdown preview beside the file", async () => {
      const file = 'base/kustomization.yaml';
      const line = lineOf(file, /FEATURE_RECOMMENDATIONS=false/);
      const { md } = await hoverAt(file, line, /FEATURE/);
      const link = new RegExp(`\\[${TABLE_LINK}\\]\\(command:([\\w.]+)\\?([^)\\s]+)\\)`).exec(md);
      assert.ok(link, md);
      const [command, args] = [link[1], JSON.parse(decodeURIComponent(link[2])) as unknown[]];
      assert.equal(command, 'gitopsDrift.showFieldValues');
      const uri = await vscode.commands.executeCommand<vscode.Uri>(command, ...args);
      assert.ok(uri, 'the command opened a table');
      const table = (await vscode.workspace.openTextDocument(uri)).getText();
      // The rows: aligned columns in a preformatted block (environment, value, where it was set).
      const rows = table
        .split('\n')
        .filter((l) => /^(dev|staging|prod) /.test(l))
        .map((l) => l.split(/ {2,}/));
      assert.deepEqual(rows, [
        [
          'dev',
          '"true"',
          `envs/dev/kustomization.yaml:${lineOf('envs/dev/kustomization.yaml', /FEATURE_RECOMMENDATIONS/)}`,
        ],
        [
          'staging',
          '"true"',
          `envs/staging/kustomization.yaml:${lineOf('envs/staging/kustomization.yaml', /FEATURE_RECOMMENDATIONS/)}`,
        ],
        ['prod', '"false"', `base/kustomization.yaml:${line}`],
      ]);
      const previews = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType));
      assert.deepEqual(
        previews.map((t) => t.label),
        ['Preview FEATURE_RECOMMENDATIONS in every environment.md'],
      );
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });

  it('goes from a resources entry to the folder it includes', async () => {
    const file = 'envs/prod/kustomization.yaml';
    // Links are asked for open documents only (as the editor does).
    await vscode.window.showTextDocument(workspaceUri(file));
    const line = lineOf(file, /^\s*- \.\.\/\.\.\/base$/);
    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider',
      workspaceUri(file),
      new vscode.Position(line - 1, 6),
    );
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>(
      'vscode.executeLinkProvider',
      workspaceUri(file),
    );
    const targets = locations.map((l) => ('targetUri' in l ? l.targetUri : l.uri).fsPath);
    assert.ok(
      targets.includes(`${workspaceRoot()}/base/kustomization.yaml`),
      `definitions: ${targets.join(', ')}; links: ${links.map((l) => `${l.range.start.line}:${l.target?.toString()}`).join(', ')}`,
    );
    const linked = links.map((l) => `${l.range.start.line + 1}:${l.target?.fsPath.slice(workspaceRoot().length + 1)}`);
    assert.ok(linked.includes(`${line}:base/kustomization.yaml`), `${links.length} links: ${linked.join(', ')}`);
    assert.ok(
      linked.includes(`${lineOf(file, /^\s*- path: web-patch\.yaml$/)}:envs/prod/web-patch.yaml`),
      linked.join(', '),
    );
  });

  it('finds the environments that use a base file, and opens the one picked rendered', async () => {
    const host = new ScriptedHost([{ quickPick: (items) => items.findIndex((i) => i.label === 'staging') }]);
    const sub = host.install(await activeApi());
    try {
      const names = await vscode.commands.executeCommand<string[]>(
        'gitopsDrift.findEnvironmentsUsing',
        workspaceUri('base/web-service.yaml'),
      );
      assert.deepEqual(names, ['dev', 'staging', 'prod']);
    } finally {
      sub.dispose();
    }
    assert.deepEqual(host.problems, []);
    assert.deepEqual(
      host.shown.map((s) => s.message),
      ['base/web-service.yaml is used by 3 environments: pick one to see its rendered output'],
    );
    assert.equal(
      vscode.window.activeTextEditor?.document.uri.toString(),
      'gitops-drift-rendered:/staging%20%28rendered%29.yaml?env%3Dstaging',
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('compares two environments under their real names, namespaces as <namespace>', async () => {
    const pair = await vscode.commands.executeCommand<[string, string]>(
      'gitopsDrift.compareEnvironments',
      'staging',
      'prod',
    );
    assert.deepEqual(pair, ['staging', 'prod']);
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'staging ↔ prod (rendered)');
    const [left, right] = vscode.window.visibleTextEditors
      .map((e) => e.document)
      .filter((d) => d.uri.scheme === 'gitops-drift-rendered');
    assert.ok(left && right, 'both sides of the diff are open');
    for (const doc of [left, right])
      assert.doesNotMatch(doc.getText(), /shop-staging|shop-prod/, 'namespaces are normalised');
    assert.match(right.getText(), /^ {2}replicas: 3$/m);
    // Each side's generated objects under the names they really have: the names the engine rendered.
    const session = { left: 'staging', right: 'prod' } as const;
    for (const [side, doc] of [
      ['left', left],
      ['right', right],
    ] as const) {
      const names = [...doc.getText().matchAll(/^ {2}name: (web-config-.*)$/gm)].map((m) => m[1]);
      assert.equal(names.length, 1, doc.getText().slice(0, 400));
      assert.match(names[0], /^web-config-[a-z0-9]{10}$/, `${session[side]}: ${names[0]}`);
      const reports = await engineNames(session[side]);
      assert.ok(
        reports.includes(names[0]),
        `${names[0]} is not among ${session[side]}'s objects: ${reports.join(', ')}`,
      );
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('completes kustomization fields and paths', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceUri('envs/staging/kustomization.yaml'));
    await vscode.window.showTextDocument(doc);
    const original = doc.getText();
    try {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(
        doc.uri,
        doc.positionAt(original.indexOf('  - ../../base\n') + '  - ../../base\n'.length),
        '  - ../../base/\n',
      );
      assert.ok(await vscode.workspace.applyEdit(edit));
      const line = original.split('\n').findIndex((l) => l === '  - ../../base') + 1;
      const list = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(line, '  - ../../base/'.length),
      );
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      assert.ok(labels.includes('web-deployment.yaml'), labels.join(', '));
      const top = await vscode.commands.executeCommand<vscode.CompletionList>(
        'vscode.executeCompletionItemProvider',
        doc.uri,
        new vscode.Position(doc.lineCount - 1, 0),
      );
      const fields = top.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      assert.ok(fields.includes('namePrefix'), fields.join(', '));
      // Deprecated fields are marked and sorted after every other: the proposal the editor selects first is current.
      const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
      const bases = top.items.find((i) => label(i) === 'bases');
      assert.deepEqual(bases?.tags, [vscode.CompletionItemTag.Deprecated]);
      assert.notEqual(bases?.preselect, true);
      const ordered = [...top.items].sort((a, b) => ((a.sortText ?? label(a)) < (b.sortText ?? label(b)) ? -1 : 1));
      const firstDeprecated = ordered.findIndex((i) => i.tags?.includes(vscode.CompletionItemTag.Deprecated));
      assert.ok(firstDeprecated > 0, 'some current field comes first');
      assert.ok(
        ordered.slice(firstDeprecated).every((i) => i.tags?.includes(vscode.CompletionItemTag.Deprecated)),
        ordered.map((i) => `${label(i)}${i.tags?.length ? ' (deprecated)' : ''}`).join(', '),
      );
    } finally {
      await rewriteAndSave(doc, original);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
