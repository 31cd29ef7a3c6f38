import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { GitOpsDriftApi } from '../../../src/extension';
import type { HistoryElement } from '../../../src/vscode/views/historyTree';
import { commitKnownHistory, type KnownCommit, type KnownHistory } from '../historyFixture';
import { ScriptedHost } from '../scriptedHost';
import { activeApi, workspaceRoot, workspaceUri } from '../support';

// The History view, Show Deployment Diff, Open Commit, Revert This Deployment's confirmation, the DORA panel and the
// images: hover, over a known history committed into the workspace with explicit dates (test/editor/historyFixture.ts).

const short = (c: KnownCommit) => c.sha.slice(0, 7);
/** `2026-11-16 09:00Z`, from the ISO date the fixture committed with. */
const at = (c: KnownCommit) => `${c.date.slice(0, 10)} ${c.date.slice(11, 16)}Z`;

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: workspaceRoot(), encoding: 'utf8' }).trim();
}

describe('History view, DORA panel and images hover (a known history)', function () {
  let api: GitOpsDriftApi;
  let known: KnownHistory;
  const tree = () => api.historyTree;

  async function children(element?: HistoryElement): Promise<HistoryElement[]> {
    return ((await tree().getChildren(element)) ?? []) as HistoryElement[];
  }

  async function items(element?: HistoryElement): Promise<vscode.TreeItem[]> {
    return Promise.all((await children(element)).map((e) => tree().getTreeItem(e)));
  }

  async function deployment(env: string, c: KnownCommit): Promise<HistoryElement> {
    const root = (await children()).find((e) => e.type === 'historyEnvironment' && e.env === env)!;
    const found = (await children(root)).find((e) => e.type === 'deployment' && e.sha === c.sha);
    assert.ok(found, `${env} lists ${short(c)} (${c.subject})`);
    return found;
  }

  before(async function () {
    this.timeout(120_000);
    api = await activeApi();
    known = commitKnownHistory(workspaceRoot());
    assert.equal(git('status', '--porcelain'), '', 'the workspace is as the example after the history');
    await api.whenIdle();
    await vscode.commands.executeCommand('gitopsDrift.refreshHistory');
  });

  it('lists each environment’s deployments newest first: time, short sha, author, subject, what moved', async function () {
    this.timeout(60_000);
    assert.deepEqual(
      (await items()).map((i) => [i.label, i.description]),
      [
        ['dev', '4 deployments · 1 failed'],
        ['staging', '2 deployments'],
        ['prod', '1 deployment'],
      ],
    );
    const [dev, staging, prod] = await children();
    const { h0, h1, h2, h4, h5 } = known;
    const image = (from: string, to: string) =>
      `Deployment shop-dev/web [web] image ghcr.io/example/shop-web ${from} → ${to}`;
    assert.deepEqual(
      (await items(dev)).map((i) => [i.label, i.description, i.contextValue]),
      [
        [`${at(h5)}  ${short(h5)}`, `Ada · ${h5.subject} — ${image('1.5.0-rc.3', '1.5.0-rc.2')}`, 'deployment'],
        [
          `${at(h4)}  ${short(h4)}`,
          `reverted by ${short(h5)} after 12h · Ada · ${h4.subject} — ${image('1.5.0-rc.2', '1.5.0-rc.3')}`,
          'deployment.undone',
        ],
        [`${at(h2)}  ${short(h2)}`, `Ada · ${h2.subject} — ${image('1.4.1', '1.5.0-rc.2')}`, 'deployment'],
        [`${at(h0)}  ${short(h0)}`, `Ada · Shop example — + ConfigMap shop-dev/api-config (+10 more)`, 'deployment'],
      ],
    );
    // The comment-only commits (h3, h6) are no deployment of prod; the first commit is one of each environment.
    assert.deepEqual(
      (await children(staging)).map((e) => e.type === 'deployment' && e.sha),
      [h1.sha, h0.sha],
    );
    assert.deepEqual(
      (await children(prod)).map((e) => e.type === 'deployment' && e.sha),
      [h0.sha],
    );
    // What moved, each at its line at that commit.
    const moves = await items(await deployment('dev', h2));
    assert.deepEqual(
      moves.map((m) => [m.label, m.description]),
      [[image('1.4.1', '1.5.0-rc.2'), 'envs/dev/kustomization.yaml:17']],
    );
  });

  it('Show Deployment Diff opens the environment rendered from git before ↔ after the commit, Secrets masked', async function () {
    this.timeout(60_000);
    const host = new ScriptedHost([]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.showDeploymentDiff', await deployment('dev', known.h2));
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, []);
    assert.deepEqual(host.errors, []);
    assert.equal(host.diffs.length, 1);
    const { left, right, title } = host.diffs[0];
    assert.equal(title, `dev @ ${short(known.h2)}: before ↔ after (rendered) — dev: web 1.5.0-rc.2`);
    const before = (await vscode.workspace.openTextDocument(left)).getText();
    const after = (await vscode.workspace.openTextDocument(right)).getText();
    assert.match(before, /image: ghcr\.io\/example\/shop-web:1\.4\.1\n/);
    assert.match(after, /image: ghcr\.io\/example\/shop-web:1\.5\.0-rc\.2\n/);
    assert.doesNotMatch(before + after, /1\.5\.0-rc\.3/, 'read from the commits, not the working tree or HEAD');
    assert.match(after, /kind: Secret/);
    assert.doesNotMatch(after, /example-not-a-real-password|ZXhhbXBsZS1ub3QtYS1yZWFsLXBhc3N3b3Jk/, 'masked');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Open Commit shows the commit (the git extension’s changes, else git show)', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('gitopsDrift.openDeploymentCommit', await deployment('dev', known.h4));
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab, 'a tab opened');
    assert.ok(tab.label.includes(short(known.h4)), `the tab names the commit: ${tab.label}`);
    if (tab.input instanceof vscode.TabInputText) {
      const text = (await vscode.workspace.openTextDocument(tab.input.uri)).getText();
      assert.match(text, new RegExp(`^commit ${known.h4.sha}\\n`));
      assert.match(text, /-    newTag: 1\.5\.0-rc\.2\n\+    newTag: 1\.5\.0-rc\.3\n/);
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Revert This Deployment asks first (the confirmed revert); declining changes nothing', async function () {
    this.timeout(60_000);
    const head = git('rev-parse', 'HEAD');
    const host = new ScriptedHost([
      {
        warning: (m, o, b) => {
          assert.equal(m, `Revert "dev: web 1.5.0-rc.2" (${short(known.h2)})?`);
          assert.equal(o.modal, true);
          assert.match(o.detail ?? '', /envs\/dev\/kustomization\.yaml/);
          assert.deepEqual(b, ['Revert']);
          return undefined;
        },
      },
    ]);
    const installed = host.install(api);
    try {
      await vscode.commands.executeCommand('gitopsDrift.revertDeployment', await deployment('dev', known.h2));
    } finally {
      installed.dispose();
    }
    assert.deepEqual(host.problems, []);
    assert.deepEqual(host.errors, []);
    assert.equal(host.unused, 0, 'the confirmation was shown');
    assert.equal(git('rev-parse', 'HEAD'), head);
    assert.equal(git('status', '--porcelain'), '');
  });

  it('the hover on an images: entry says when its version reached each environment', async function () {
    this.timeout(60_000);
    const hoverAt = async (file: string, needle: string) => {
      const doc = await vscode.workspace.openTextDocument(workspaceUri(file));
      const line = doc
        .getText()
        .split('\n')
        .findIndex((l) => l.includes(needle));
      assert.ok(line >= 0, `${file} has ${needle}`);
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        new vscode.Position(line, doc.lineAt(line).text.indexOf(needle) + 2),
      );
      const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
      const ours = texts.find((t) => t.includes('reached (GitOps Drift history)'));
      assert.ok(ours, `a history hover on ${file}:${line + 1}; hovers:\n${texts.join('\n---\n')}`);
      // Markdown escapes punctuation: compare the text as people read it.
      return ours.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1').replace(/&nbsp;/g, ' ');
    };
    const { h0, h1, h2 } = known;
    const dev = await hoverAt('envs/dev/kustomization.yaml', 'newTag: 1.5.0-rc.2');
    assert.equal(
      dev,
      [
        '**ghcr.io/example/shop-web 1.5.0-rc.2** reached (GitOps Drift history)',
        '',
        `- **dev**: ${at(h2)} in ${short(h2)} (dev: web 1.5.0-rc.2) · runs it now`,
        '- **staging**: not in this history',
        '- **prod**: not in this history',
        '',
      ].join('\n'),
    );
    const staging = await hoverAt('envs/staging/kustomization.yaml', 'newTag: "1.4.1"');
    assert.match(
      staging,
      new RegExp(`- \\*\\*dev\\*\\*: ${at(h0)} in ${short(h0)} \\(Shop example\\) · moved on since\n`),
    );
    assert.match(
      staging,
      new RegExp(`- \\*\\*staging\\*\\*: ${at(h1)} in ${short(h1)} \\(staging: web 1\\.4\\.1\\) · runs it now\n`),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the DORA panel opens with the four metrics per environment and its charts (no script, strict CSP)', async function () {
    this.timeout(60_000);
    assert.ok(api.doraPanelHtml, 'Test mode exposes the panel HTML');
    await vscode.commands.executeCommand('gitopsDrift.showDora');
    const html = api.doraPanelHtml();
    assert.ok(html, 'the panel is open');
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[^']+';">/,
    );
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/, 'no script, nothing remote');
    const card = (metric: string) => {
      const m = new RegExp(`<section class="card" data-metric="${metric}">(.*?)</section>`).exec(html);
      assert.ok(m, `a ${metric} card`);
      return [...m[1].matchAll(/<span class="value">([^<]*)<\/span>/g)].map((v) => v[1]);
    };
    // 4, 2 and 1 deployments in the 90-day window; dev's h4 reverted 12 h later: 1 of 4 failed, restored in 12 h.
    assert.deepEqual(card('deployment-frequency'), ['0.311 / week', '0.156 / week', '0.078 / week']);
    assert.deepEqual(card('change-failure-rate'), ['25%', '0%', '0%']);
    assert.deepEqual(card('time-to-restore'), ['12h', '–', '–']);
    const bars = (env: string) =>
      [...html.matchAll(new RegExp(`data-environment="${env}" data-week="[^"]+" data-deployments="(\\d+)"`, 'g'))]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    assert.deepEqual(
      ['dev', 'staging', 'prod'].map(bars),
      [4, 2, 1],
      'the weekly bars add up to each environment’s deployments',
    );
    assert.match(html, /<figcaption>Lead time per artifact/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.doraPanelHtml(), undefined, 'closed');
  });
});
