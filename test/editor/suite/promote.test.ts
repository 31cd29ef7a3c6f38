import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GitOpsDriftApi } from '../../../src/extension';
import { ScriptedHost, type Step } from '../scriptedHost';
import {
  activeApi,
  type DriftDiagnostic,
  driftDiagnostics,
  engineReports,
  kubeApi,
  lineOf,
  requireTestbed,
  testbed,
  waitForDiagnostics,
  workspaceRoot,
  workspaceUri,
} from '../support';

// The four commands that change something, driven through their real registrations in the editor, with a scripted
// Host answering the quick picks and modal dialogs. The workspace (a copy of examples/shop) is made a real git repo.

const STAGING = 'envs/staging/kustomization.yaml';

function git(...args: string[]): string {
  return execFileSync('git', args, {
    cwd: workspaceRoot(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function read(file: string): string {
  return readFileSync(join(workspaceRoot(), file), 'utf8');
}

/** Commits `file` rewritten by `edit` with `subject`; returns the new sha. */
function commitEdit(file: string, edit: (text: string) => string, subject: string): string {
  const before = read(file);
  const after = edit(before);
  assert.notEqual(after, before, `the edit for "${subject}" changes ${file}`);
  writeFileSync(join(workspaceRoot(), file), after);
  git('commit', '-q', '-m', subject, '--', file);
  return git('rev-parse', 'HEAD');
}

/** Runs a command with `host` answering its dialogs; fails on any problem, error shown or step left over. */
async function runScripted(
  api: GitOpsDriftApi,
  steps: Step[],
  command: string,
  ...args: unknown[]
): Promise<ScriptedHost> {
  const host = new ScriptedHost(steps);
  const installed = host.install(api);
  try {
    await vscode.commands.executeCommand(command, ...args);
  } finally {
    installed.dispose();
  }
  return host;
}

function assertClean(host: ScriptedHost): void {
  assert.deepEqual(host.problems, [], 'the command showed what the script expected');
  assert.deepEqual(host.errors, [], 'no error was shown');
  assert.equal(host.unused, 0, 'every scripted dialog was shown');
}

function indexOf(items: readonly vscode.QuickPickItem[], label: string): number {
  const i = items.findIndex((it) => it.label === label);
  assert.ok(i >= 0, `"${label}" is offered (items: ${items.map((it) => it.label).join(', ')})`);
  return i;
}

/** The quick fix offered on a drift marker that runs `command`. */
async function quickFix(d: DriftDiagnostic, command: string): Promise<vscode.Command> {
  // Code actions are asked of a loaded document (the editor asks for the one it shows).
  await vscode.workspace.openTextDocument(d.uri);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    d.uri,
    d.diagnostic.range,
  );
  // The marker's environment is its message's prefix and the fix's title suffix ("prod: …", "… (prod)").
  const env = d.message.split(':')[0];
  const found = actions.find((a) => a.command?.command === command && a.title.endsWith(`(${env})`));
  assert.ok(
    found?.command,
    `a ${command} quick fix on ${d.file}:${d.line} (offered: ${actions.map((a) => a.title).join(', ')})`,
  );
  return found.command;
}

/** Back on `main` with the example's files, and the markers re-checked. */
async function backToMain(api: GitOpsDriftApi, ...branches: string[]): Promise<void> {
  git('checkout', '-q', 'main');
  for (const b of branches) if (git('branch', '--list', b)) git('branch', '-q', '-D', b);
  assert.equal(git('status', '--porcelain'), '', 'the workspace is as committed');
  await vscode.commands.executeCommand('gitopsDrift.refresh');
  await api.whenIdle();
}

describe('promote, revert, put live back, adopt (scripted dialogs)', function () {
  const tb = testbed();
  let api: GitOpsDriftApi;

  before(async function () {
    requireTestbed();
    api = await activeApi();
    assert.ok(api.useHost, 'the extension runs in Test mode, so the tests can answer its dialogs');
    // The harness's workspace has an empty first commit: commit the example so promote and revert have history.
    git('config', 'user.name', 'Editor Tests');
    git('config', 'user.email', 'editor-tests@example.com');
    if (git('status', '--porcelain')) {
      git('add', '-A');
      git('commit', '-q', '-m', 'Shop example');
    }
    assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  });

  describe('Promote Environment…', () => {
    const pickDev: Step = {
      quickPick: (items, o) => (
        assert.match(o.placeHolder ?? '', /^Promote from which environment\?/),
        indexOf(items, 'dev')
      ),
    };
    /** Target and items, after the source (picked, or the tree item the command was run on). */
    const pickStagingAndImages = (): Step[] => [
      {
        quickPick: (items, o) => {
          assert.match(o.placeHolder ?? '', /next in order: staging/);
          assert.deepEqual(
            items.map((i) => i.label),
            ['staging', 'prod'],
            'the next environment comes first',
          );
          return 0;
        },
      },
      {
        multiPick: (items) => {
          const image = indexOf(items, 'image ghcr.io/example/shop-web 1.4.1 → 1.5.0-rc.2');
          assert.equal(
            items[image]!.description,
            `${STAGING}:${lineOf(STAGING, /newTag:/)}`,
            'each item names the line it edits',
          );
          // Preselected: the image, and LOG_LEVEL, which every earlier stage (dev) agrees on; each says why.
          const literal = indexOf(items, 'ConfigMap web-config LOG_LEVEL: info → debug');
          assert.deepEqual(
            items.map((it) => it.picked ?? false),
            items.map((_, i) => i === image || i === literal),
          );
          assert.equal(items[literal]!.detail, "the same in dev: a release's config, moves");
          // The image only: the tests below expect one item.
          return [image];
        },
      },
    ];
    const pickDevToStaging = (): Step[] => [pickDev, ...pickStagingAndImages()];

    afterEach(async () => {
      await vscode.workspace
        .getConfiguration('gitopsDrift')
        .update('promote.push', undefined, vscode.ConfigurationTarget.Global);
      if (git('remote').split('\n').includes('origin')) git('remote', 'remove', 'origin');
    });

    it('commits the picked image on a new promote/dev-to-staging-… branch, after the previews and a confirmation beside them', async () => {
      const before = read(STAGING);
      const main = git('rev-parse', 'HEAD');
      let branchInDialog = '';
      const host = await runScripted(
        api,
        [
          ...pickDevToStaging(),
          {
            warning: (message, options, buttons) => {
              assert.match(
                message,
                /^Promote 1 item\(s\) from dev to staging: commit envs\/staging\/kustomization\.yaml on new branch \S+\?$/,
              );
              assert.equal(
                options.modal,
                false,
                'not modal: it does not cover the previews, and no button is the default',
              );
              assert.deepEqual(buttons, ['Commit'], 'no push offered while gitopsDrift.promote.push is off');
              branchInDialog = /on new branch (\S+)\?/.exec(message)?.[1] ?? '';
              // The previews are open beside it: the rendered target and the file, as read-only documents.
              const open = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((tab) => tab.label);
              assert.ok(
                open.some((l) => l.startsWith('staging rendered: now ↔ promoted from dev')),
                `the rendered diff is open (tabs: ${open.join(', ')})`,
              );
              return 'Commit';
            },
          },
        ],
        'gitopsDrift.promote',
      );
      try {
        assertClean(host);
        const expected = before.replace('newTag: "1.4.1"', 'newTag: "1.5.0-rc.2"');
        assert.notEqual(expected, before);
        // The previews: the rendered target now and promoted, then the file beside its promoted text, all before
        // the confirmation.
        assert.deepEqual(
          host.diffs.map((d) => d.title),
          ['staging rendered: now ↔ promoted from dev', `${STAGING} (promoted)`],
        );
        assert.equal(host.diffs[1]!.left.fsPath, workspaceUri(STAGING).fsPath);
        assert.deepEqual(host.documents, [], 'no untitled scratch document');
        assert.ok(
          host.shown.findIndex((s) => s.kind === 'diff') < host.shown.findIndex((s) => s.kind === 'warning'),
          'preview before the confirmation',
        );
        // Real git: a new branch at the old HEAD with one commit editing only the image tag, quotes kept.
        const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
        assert.match(branch, /^promote\/dev-to-staging-[0-9a-f]{7}$/);
        assert.equal(branch, branchInDialog, 'the dialog named the branch it then created');
        assert.equal(git('rev-parse', 'HEAD~1'), main);
        assert.equal(git('diff', '--name-only', 'HEAD~1', 'HEAD'), STAGING);
        assert.equal(git('show', `HEAD:${STAGING}`) + '\n', expected);
        assert.equal(
          git('log', '-1', '--format=%B'),
          'Promote dev to staging: 1 image\n\n- image ghcr.io/example/shop-web 1.4.1 → 1.5.0-rc.2',
        );
        assert.equal(git('status', '--porcelain'), '');
        assert.deepEqual(host.infos, [
          `GitOps Drift: promoted dev to staging in ${git('rev-parse', 'HEAD').slice(0, 7)} on ${branch}.`,
        ]);
        assert.equal(git('branch', '-r'), '', 'nothing pushed');
      } finally {
        await backToMain(api, git('rev-parse', '--abbrev-ref', 'HEAD'));
      }
      assert.equal(read(STAGING), before);
    });

    it('from the tree item of dev (no source pick); writes nothing when the confirmation is dismissed', async () => {
      const head = git('rev-parse', 'HEAD');
      const before = read(STAGING);
      const dev = ((await api.environmentsTree.getChildren()) ?? []).find(
        (e) => e.type === 'environment' && e.env === 'dev',
      );
      assert.ok(dev, 'dev is in the Environments view');
      const host = await runScripted(
        api,
        [...pickStagingAndImages(), { warning: () => undefined }],
        'gitopsDrift.promote',
        dev,
      );
      assertClean(host);
      // Cancel leaves no editor behind: the previews are closed, and nothing unsaved remains.
      const shown = new Set(host.diffs.flatMap((d) => [d.left.toString(), d.right.toString()]));
      const left = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter(
          (tab) =>
            tab.input instanceof vscode.TabInputTextDiff &&
            (shown.has(tab.input.modified.toString()) || shown.has(tab.input.original.toString())),
        );
      assert.equal(host.diffs.length, 2, 'the previews were shown');
      assert.deepEqual(
        left.map((tab) => tab.label),
        [],
      );
      assert.deepEqual(
        vscode.workspace.textDocuments.filter((d) => d.isDirty || d.isUntitled).map((d) => d.uri.toString()),
        [],
      );
      assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
      assert.equal(git('rev-parse', 'HEAD'), head);
      assert.equal(read(STAGING), before);
      assert.equal(git('branch', '--list', 'promote/*'), '');
    });

    it('a downgrade is offered unchecked and marked, and needs a second confirmation; without it, it is left out', async () => {
      // Back from staging to dev: dev runs a newer web than staging.
      const head = git('rev-parse', 'HEAD');
      const label = 'image ghcr.io/example/shop-web 1.5.0-rc.2 → 1.4.1';
      const pickStagingToDev: Step[] = [
        { quickPick: (items) => indexOf(items, 'staging') },
        { quickPick: (items) => indexOf(items, 'dev') },
      ];
      const pickTheDowngrade: Step = {
        multiPick: (items) => {
          const image = indexOf(items, label);
          assert.equal(items[image]!.picked ?? false, false, 'a downgrade is not preselected');
          assert.equal(items[image]!.detail, '⚠ downgrade 1.5.0-rc.2 → 1.4.1');
          return [image];
        },
      };
      const second = (answer: (buttons: readonly string[]) => string | undefined): Step => ({
        warning: (message, options, buttons) => {
          assert.equal(message, `⚠ This moves dev backwards: ${label}. Promote the downgrade?`);
          assert.equal(options.modal, false);
          assert.deepEqual(buttons, ['Promote the Downgrade']);
          return answer(buttons);
        },
      });
      // Dismissed: the downgrade is left out, and with nothing else chosen nothing more is asked or shown.
      const dismissed = await runScripted(
        api,
        [...pickStagingToDev, pickTheDowngrade, second(() => undefined)],
        'gitopsDrift.promote',
      );
      assertClean(dismissed);
      assert.deepEqual(dismissed.diffs, []);
      // Confirmed: it goes on to the previews and the commit confirmation (dismissed here: nothing written).
      const confirmed = await runScripted(
        api,
        [...pickStagingToDev, pickTheDowngrade, second((b) => b[0]), { warning: () => undefined }],
        'gitopsDrift.promote',
      );
      assertClean(confirmed);
      assert.equal(confirmed.diffs.length, 2);
      assert.equal(git('rev-parse', 'HEAD'), head);
      assert.equal(git('status', '--porcelain'), '');
    });

    it('refuses before the preview and the confirmation, changing nothing, when the file it edits has uncommitted changes', async () => {
      const head = git('rev-parse', 'HEAD');
      const dirty = `${read(STAGING)}# work in progress\n`;
      writeFileSync(join(workspaceRoot(), STAGING), dirty);
      try {
        // No confirmation step: the refusal comes first, so nobody confirms a promotion that cannot happen. It is
        // shown as a modal warning with its reason (a refusal, not a failure).
        const refusal = `GitOps Drift: uncommitted changes in ${STAGING}: commit or stash them first, then promote again. Nothing was changed.`;
        const refused: Step = {
          warning: (message, options, buttons) => {
            assert.equal(message, refusal);
            assert.equal(options.modal, true);
            assert.deepEqual(buttons, []);
            return undefined;
          },
        };
        const host = await runScripted(api, [...pickDevToStaging(), refused], 'gitopsDrift.promote');
        assertClean(host);
        assert.deepEqual(host.diffs, [], 'no preview was shown');
        assert.deepEqual(
          host.shown.filter((x) => x.kind === 'warning').map((x) => x.message),
          [refusal],
          'no confirmation was asked, only the refusal shown',
        );
        assert.equal(read(STAGING), dirty, 'the uncommitted work is kept');
        assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), 'main');
        assert.equal(git('rev-parse', 'HEAD'), head);
        assert.equal(git('branch', '--list', 'promote/*'), '');
      } finally {
        git('checkout', '--', STAGING);
        await vscode.commands.executeCommand('gitopsDrift.refresh');
        await api.whenIdle();
      }
    });

    it('with gitopsDrift.promote.push on: Commit and Push pushes the new branch to origin; a failed push keeps the commit', async function () {
      // Two promotions, each a render, a commit and git processes: a hang guard above the suite's 30 s, which a loaded
      // machine (load 30 on two cores) exceeded.
      this.timeout(90_000);
      const remote = mkdtempSync(join(tmpdir(), 'gitops-drift-origin-'));
      const branches: string[] = [];
      try {
        execFileSync('git', ['init', '-q', '--bare', remote]);
        await vscode.workspace
          .getConfiguration('gitopsDrift')
          .update('promote.push', true, vscode.ConfigurationTarget.Global);
        const confirm: Step = {
          warning: (message, _options, buttons) => {
            assert.deepEqual(buttons, ['Commit and Push']);
            assert.match(message, / and push it to origin\?$/);
            return 'Commit and Push';
          },
        };
        // No origin yet: the push fails, the commit stays and the message says both.
        const failed = await runScripted(api, [...pickDevToStaging(), confirm], 'gitopsDrift.promote');
        assert.deepEqual(failed.problems, []);
        assert.equal(failed.unused, 0);
        const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
        branches.push(branch);
        assert.match(branch, /^promote\/dev-to-staging-/);
        assert.equal(failed.errors.length, 1);
        assert.match(
          failed.errors[0]!,
          new RegExp(
            `^GitOps Drift: promoted dev to staging in ${git('rev-parse', 'HEAD').slice(0, 7)} on ${branch}, but pushing it to origin failed \\(nothing was forced\\): `,
          ),
        );
        await backToMain(api, ...branches);

        git('remote', 'add', 'origin', remote);
        const pushed = await runScripted(api, [...pickDevToStaging(), confirm], 'gitopsDrift.promote');
        assertClean(pushed);
        const sha = git('rev-parse', 'HEAD');
        const name = git('rev-parse', '--abbrev-ref', 'HEAD');
        assert.equal(
          execFileSync('git', ['--git-dir', remote, 'rev-parse', `refs/heads/${name}`], { encoding: 'utf8' }).trim(),
          sha,
          'origin has the branch at the commit',
        );
        assert.equal(git('rev-parse', '--abbrev-ref', '@{upstream}'), `origin/${name}`, 'the branch tracks it');
        assert.match(pushed.infos[0] ?? '', /, pushed to origin\.$/);
      } finally {
        await backToMain(
          api,
          ...branches,
          ...git('branch', '--list', 'promote/*')
            .split('\n')
            .map((b) => b.replace(/^[* ]+/, ''))
            .filter(Boolean),
        );
        rmSync(remote, { recursive: true, force: true });
      }
    });

    describe('a value staging reads from a file prod reads too', () => {
      // The example shares no overlay file between environments, so this suite adds one on a branch of its own: a
      // component that staging and prod both include, setting FEATURE_CHECKOUT=v1, while dev inherits v2 from the
      // base. Promoting dev to staging then offers the shared edit (it changes prod too) and the patch in staging's
      // own kustomization (it changes nothing else).
      const BRANCH = 'editor-tests-shared-variant';
      const SHARED = 'variants/live/web-release.yaml';
      const onFeature = (env: string) => (d: DriftDiagnostic) =>
        d.message.startsWith(`${env}: `) && d.message.includes('FEATURE_CHECKOUT');

      before(async function () {
        git('checkout', '-q', '-b', BRANCH);
        const files: Record<string, string> = {
          'variants/live/kustomization.yaml':
            'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: web-release.yaml\n',
          [SHARED]:
            'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          env:\n            - name: FEATURE_CHECKOUT\n              value: "v1"\n',
          'base/web-deployment.yaml': read('base/web-deployment.yaml').replace(
            '          env:\n',
            '          env:\n            - name: FEATURE_CHECKOUT\n              value: "v2"\n',
          ),
          [STAGING]: `${read(STAGING)}\ncomponents:\n  - ../../variants/live\n`,
          'envs/prod/kustomization.yaml': `${read('envs/prod/kustomization.yaml')}\ncomponents:\n  - ../../variants/live\n`,
        };
        assert.notEqual(
          files['base/web-deployment.yaml'],
          read('base/web-deployment.yaml'),
          'the base gets the variable',
        );
        mkdirSync(join(workspaceRoot(), 'variants/live'), { recursive: true });
        for (const [file, text] of Object.entries(files)) writeFileSync(join(workspaceRoot(), file), text);
        git('add', '--', ...Object.keys(files));
        git('commit', '-q', '-m', 'A FEATURE_CHECKOUT variant shared by staging and prod');
        // The engine has taken the new files in once every environment marks the variable the cluster lacks.
        await waitForDiagnostics(
          (ds) => ['dev', 'staging', 'prod'].every((env) => ds.some(onFeature(env))),
          10_000,
          'FEATURE_CHECKOUT drift in dev, staging and prod',
        );
        await api.whenIdle();
      });

      after(async () => {
        if (!api) return;
        await backToMain(api, BRANCH);
        assert.ok(!existsSync(join(workspaceRoot(), 'variants')), 'the shared variant is gone with its branch');
        await waitForDiagnostics(
          (ds) => !ds.some((d) => d.message.includes('FEATURE_CHECKOUT')),
          10_000,
          'the FEATURE_CHECKOUT drift to clear',
        );
      });

      it('says "also changes prod" on the shared edit, leaves it unchecked, and preselects the patch in staging\'s own kustomization', async () => {
        const head = git('rev-parse', 'HEAD');
        const label = 'web: containers[web].env[FEATURE_CHECKOUT]: v1 → v2';
        const ownLabel = `${label} (a patch in ${STAGING})`;
        const pickShared: Step = {
          multiPick: (items) => {
            const shared = indexOf(items, label);
            const own = indexOf(items, ownLabel);
            assert.equal(
              items[shared]!.description,
              `${SHARED}:${lineOf(SHARED, /value: "v1"/)}`,
              'the shared item edits the shared file',
            );
            assert.equal(items[shared]!.detail, "also changes prod · the same in dev: a release's config, moves");
            assert.equal(
              items[shared]!.picked ?? false,
              false,
              'an edit that changes another environment is not preselected',
            );
            assert.match(
              items[own]!.description ?? '',
              new RegExp(`^${STAGING.replace(/\./g, '\\.')}:\\d+$`),
              "the alternative edits staging's own kustomization",
            );
            assert.equal(
              items[own]!.detail,
              "the same in dev: a release's config, moves",
              'the alternative changes nothing else',
            );
            assert.equal(items[own]!.picked, true, 'the way that moves nothing else is preselected');
            // The shared edit alone: its confirmation must name prod too.
            return [shared];
          },
        };
        const confirm: Step = {
          warning: (message, options, buttons) => {
            assert.equal(
              message,
              `Promote 1 item(s) from dev to staging: commit ${SHARED} on new branch ${/on new branch (\S+)\?/.exec(message)?.[1]}? Also changes prod.`,
            );
            assert.equal(options.modal, false);
            assert.deepEqual(buttons, ['Commit']);
            return undefined;
          },
        };
        const host = await runScripted(
          api,
          [pickDev, { quickPick: (items) => indexOf(items, 'staging') }, pickShared, confirm],
          'gitopsDrift.promote',
        );
        assertClean(host);
        assert.deepEqual(
          host.diffs.map((d) => d.title),
          ['staging rendered: now ↔ promoted from dev', `${SHARED} (promoted)`],
        );
        // Dismissed: nothing written.
        assert.equal(git('rev-parse', 'HEAD'), head);
        assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), BRANCH);
        assert.equal(git('status', '--porcelain'), '');
      });
    });
  });

  describe('Revert Environment Change…', () => {
    const TEMP = 'editor-tests-revert';
    let touchesProd = '';
    let to142 = '';
    let to143 = '';

    before(() => {
      git('checkout', '-q', '-b', TEMP);
      touchesProd = commitEdit(
        'envs/prod/namespace.yaml',
        (t) => `${t}# owned by the prod team\n`,
        'prod: note the owner',
      );
      to142 = commitEdit(STAGING, (t) => t.replace('newTag: "1.4.1"', 'newTag: "1.4.2"'), 'staging: web 1.4.2');
      to143 = commitEdit(STAGING, (t) => t.replace('newTag: "1.4.2"', 'newTag: "1.4.3"'), 'staging: web 1.4.3');
    });

    after(async () => {
      if (api) await backToMain(api, TEMP);
    });

    /** Picks staging, checks the listed commits, picks `subject`. */
    const pickStagingCommit = (subject: string): Step[] => [
      { quickPick: (items) => indexOf(items, 'staging') },
      {
        quickPick: (items, o) => {
          assert.equal(o.placeHolder, 'Revert which change to staging?');
          const subjects = items.map((i) => i.label);
          assert.deepEqual(subjects.slice(0, 2), ['staging: web 1.4.3', 'staging: web 1.4.2'], 'newest first');
          assert.ok(subjects.includes('Shop example'));
          assert.ok(!subjects.includes('prod: note the owner'), 'a commit touching only prod files is not listed');
          const i = indexOf(items, subject);
          assert.match(items[i]!.description ?? '', /^[0-9a-f]{7} · Editor Tests · /, 'sha, author and date');
          assert.match(items[i]!.detail ?? '', /shop-web/, `the rendered change is summarized: ${items[i]!.detail}`);
          return i;
        },
      },
    ];

    it('a conflicting revert is aborted and leaves the repository exactly as it was', async () => {
      const head = git('rev-parse', 'HEAD');
      const text = read(STAGING);
      assert.ok(touchesProd && to143);
      const host = await runScripted(
        api,
        [
          ...pickStagingCommit('staging: web 1.4.2'),
          {
            warning: (m, o, b) => (
              assert.equal(m, `Revert "staging: web 1.4.2" (${to142.slice(0, 7)})?`),
              assert.equal(o.modal, true),
              b[0]
            ),
          },
        ],
        'gitopsDrift.revert',
      );
      assert.deepEqual(host.problems, []);
      assert.equal(host.unused, 0);
      assert.deepEqual(host.errors, [
        `GitOps Drift: reverting ${to142.slice(0, 7)} conflicts in ${STAGING}; the revert was aborted and the repository is as it was`,
      ]);
      assert.equal(git('rev-parse', 'HEAD'), head);
      assert.equal(git('status', '--porcelain'), '');
      assert.equal(read(STAGING), text);
      assert.ok(!existsSync(join(workspaceRoot(), '.git', 'REVERT_HEAD')), 'no revert in progress');
    });

    it('reverts the chosen commit into a new commit on the current branch', async () => {
      const host = await runScripted(
        api,
        [
          ...pickStagingCommit('staging: web 1.4.3'),
          { warning: (_m, _o, b) => (assert.deepEqual(b, ['Revert']), 'Revert') },
        ],
        'gitopsDrift.revert',
      );
      assertClean(host);
      assert.equal(git('rev-parse', '--abbrev-ref', 'HEAD'), TEMP);
      assert.equal(git('rev-parse', 'HEAD~1'), to143);
      assert.equal(git('log', '-1', '--format=%s'), 'Revert "staging: web 1.4.3"');
      assert.equal(
        git('show', `HEAD:${STAGING}`),
        git('show', `${to142}:${STAGING}`),
        'the file is as before the reverted commit',
      );
      assert.equal(git('status', '--porcelain'), '');
      assert.match(host.infos[0] ?? '', new RegExp(`^GitOps Drift: reverted ${to143.slice(0, 7)} in [0-9a-f]{7}\\.$`));
    });
  });

  describe('Put Live Back to Desired', () => {
    const path = '/apis/apps/v1/namespaces/shop-staging/deployments/web';
    const isDrift = (d: DriftDiagnostic) => d.message.startsWith('staging: replicas is 7 in the cluster');
    type Deployment = { spec: { replicas: number }; metadata: { managedFields?: { manager: string }[] } };
    const live = async () => (await kubeApi(tb!, 'GET', path)).body as Deployment;

    /** Scales staging web to 7 by hand (as `kubectl edit` would) and returns its drift marker. */
    async function drift(): Promise<DriftDiagnostic> {
      const res = await kubeApi(tb!, 'PATCH', `${path}?fieldManager=kubectl-edit`, { spec: { replicas: 7 } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return (await waitForDiagnostics((ds) => ds.some(isDrift), 5000, 'the staging replicas drift')).find(isDrift)!;
    }

    const confirmApply: Step = {
      warning: (message, options, buttons) => {
        assert.match(message, new RegExp(`^Apply git's state to 1 object\\(s\\) in ${tb!.adminContext}\\?$`));
        assert.equal(options.modal, true);
        assert.match(options.detail ?? '', /• update Deployment shop-staging\/web/);
        assert.deepEqual(buttons, ['Apply']);
        return 'Apply';
      },
    };

    after(async () => {
      if (!tb) return;
      // Leave staging web in sync (git says 2 replicas) for the suites after this one.
      if ((await live()).spec.replicas !== 2)
        await kubeApi(tb, 'PATCH', `${path}?fieldManager=kubectl-edit`, { spec: { replicas: 2 } });
      await api.whenIdle();
    });

    it('declined: shows the dry-run diff, asks, and writes nothing', async () => {
      const marker = await drift();
      const fix = await quickFix(marker, 'gitopsDrift.putLiveBack');
      const host = await runScripted(api, [{ warning: () => undefined }], fix.command, ...(fix.arguments ?? []));
      assertClean(host);
      assert.equal(host.documents.length, 1, 'the dry-run diff is shown');
      assert.match(host.documents[0]!, /^-.*replicas: 7$/m);
      assert.match(host.documents[0]!, /^\+.*replicas: 2$/m);
      const now = await live();
      assert.equal(now.spec.replicas, 7);
      assert.ok(!now.metadata.managedFields?.some((m) => m.manager === 'gitops-drift'), 'no write as gitops-drift');
      assert.ok(driftDiagnostics().some(isDrift), 'the drift marker stays');
    });

    it('confirmed: takes the field over from kubectl-edit after a second confirmation, applies, and the drift goes away', async () => {
      const marker = await drift();
      const fix = await quickFix(marker, 'gitopsDrift.putLiveBack');
      const host = await runScripted(
        api,
        [
          confirmApply,
          {
            warning: (message, options, buttons) => {
              assert.equal(message, 'Other field managers own some of these fields');
              assert.equal(options.modal, true);
              assert.match(
                options.detail ?? '',
                /Deployment shop-staging\/web: .*replicas is managed by "kubectl-edit"/,
              );
              assert.deepEqual(buttons, ['Take Over Fields']);
              return 'Take Over Fields';
            },
          },
        ],
        fix.command,
        ...(fix.arguments ?? []),
      );
      assertClean(host);
      assert.deepEqual(
        host.infos,
        ['GitOps Drift: put 1 object(s) back in staging.'],
        'what was applied matches the preview',
      );
      const now = await live();
      assert.equal(now.spec.replicas, 2);
      assert.ok(
        now.metadata.managedFields?.some((m) => m.manager === 'gitops-drift'),
        'applied as field manager gitops-drift',
      );
      await waitForDiagnostics((ds) => !ds.some(isDrift), 5000, 'the staging replicas drift to clear');
    });

    it("refuses for a read-only context with the server's reason, changing nothing", async () => {
      const marker = await drift();
      const fix = await quickFix(marker, 'gitopsDrift.putLiveBack');
      try {
        await vscode.commands.executeCommand('gitopsDrift.switchContext', tb!.readonlyContext);
        await api.whenIdle();
        const host = await runScripted(
          api,
          [
            {
              warning: (message, options) => {
                assert.equal(options.modal, true);
                assert.match(
                  message,
                  /^GitOps Drift: this context may not change Deployment shop-staging\/web: .*403 Forbidden.*Nothing was changed; use a context with write access\.$/s,
                );
                return undefined;
              },
            },
          ],
          fix.command,
          ...(fix.arguments ?? []),
        );
        assertClean(host);
        assert.deepEqual(host.documents, [], 'no diff: nothing would be applied');
        // The whole environment (its tree item): the check could not read it, so it cannot say what drifted.
        const whole = await runScripted(
          api,
          [
            {
              warning: (message, options) => {
                assert.equal(options.modal, true);
                assert.match(
                  message,
                  new RegExp(
                    `^GitOps Drift: context ${tb!.readonlyContext} may not read \\d+ object\\(s\\) of staging \\(403 Forbidden\\), so their drift is unknown and nothing was put back\\.`,
                  ),
                );
                return undefined;
              },
            },
          ],
          'gitopsDrift.putLiveBack',
          { type: 'environment', id: 'env:staging', env: 'staging' },
        );
        assertClean(whole);
        assert.deepEqual(whole.documents, []);
      } finally {
        await vscode.commands.executeCommand('gitopsDrift.switchContext', '');
        await api.whenIdle();
      }
      assert.equal((await live()).spec.replicas, 7);
    });

    it("never shows a Secret's value: the dry-run diff and the log hold masks, not the values git or the cluster has", async () => {
      // staging's api-credentials: rotated by hand in the seed; here it also gets a value only the cluster has and a
      // last-applied annotation holding both, as `kubectl apply` would leave it.
      const secretPath = `/api/v1/namespaces/shop-staging/secrets/${await engineSecretName()}`;
      const markers = [
        `editorLiveOnly-${Date.now().toString(36)}`,
        `editorLastApplied-${Date.now().toString(36)}`,
        'example-not-a-real-password',
        'rotated-by-hand',
      ];
      const lastApplied = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        stringData: { DB_PASSWORD: markers[1], ONLY_LIVE: markers[0] },
      });
      const patch = {
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } },
        stringData: { ONLY_LIVE: markers[0] },
      };
      assert.equal((await kubeApi(tb!, 'PATCH', `${secretPath}?fieldManager=kubectl-patch`, patch)).status, 200);
      const isSecretDrift = (d: DriftDiagnostic) =>
        d.message.startsWith('staging: ') && d.message.includes('ONLY_LIVE');
      try {
        const marker = (await waitForDiagnostics((ds) => ds.some(isSecretDrift), 5000, 'the Secret drift')).find(
          isSecretDrift,
        )!;
        const fix = await quickFix(marker, 'gitopsDrift.putLiveBack');
        const host = await runScripted(api, [{ warning: () => undefined }], fix.command, ...(fix.arguments ?? []));
        assertClean(host);
        assert.equal(host.documents.length, 1, 'the dry-run diff is shown');
        assert.match(host.documents[0]!, /\(secret: #[0-9a-f]{12}\)/, 'Secret values show as masks');
        const logs = await logTexts();
        assert.ok(logs.includes('put live back: dry-run of'), 'the log file was found and holds the put-back run');
        const shown = [...host.documents, ...host.shown.map((m) => `${m.message}\n${m.detail ?? ''}`), logs].join('\n');
        const b64 = (t: string) => Buffer.from(t).toString('base64');
        assert.deepEqual(
          markers.filter((m) => shown.includes(m) || shown.includes(b64(m))),
          [],
        );
      } finally {
        const undo = {
          metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': null } },
          data: { ONLY_LIVE: null },
        };
        assert.equal((await kubeApi(tb!, 'PATCH', secretPath, undo)).status, 200);
        await waitForDiagnostics((ds) => !ds.some(isSecretDrift), 5000, 'the ONLY_LIVE drift to clear');
      }
    });

    /** The generated name of staging's api-credentials Secret, as the engine rendered it. */
    async function engineSecretName(): Promise<string> {
      const d = driftDiagnostics().find((x) => x.message.startsWith('staging: ') && x.message.includes('DB_PASSWORD'));
      assert.ok(d, 'the seeded DB_PASSWORD drift of staging is marked');
      const reports = await engineReports(tb!);
      const name = reports
        .find((r) => r.name === 'staging')
        ?.resources.find((r) => r.key.kind === 'Secret' && r.key.name.startsWith('api-credentials-'))?.key.name;
      assert.ok(name, 'staging renders api-credentials');
      return name;
    }

    /** Everything the extension logged this session (VS Code writes its log channel under the extension's log folder). */
    async function logTexts(): Promise<string> {
      assert.ok(api.logUri, 'Test mode exposes the log folder');
      const texts: string[] = [];
      const walk = async (uri: vscode.Uri): Promise<void> => {
        for (const [name, type] of await vscode.workspace.fs.readDirectory(uri)) {
          const child = vscode.Uri.joinPath(uri, name);
          if (type === vscode.FileType.Directory) await walk(child);
          else if (name.endsWith('.log'))
            texts.push(new TextDecoder().decode(await vscode.workspace.fs.readFile(child)));
        }
      };
      // The channel's file sits in the extension's log folder or beside it, by VS Code version.
      await walk(vscode.Uri.joinPath(api.logUri, '..'));
      return texts.join('\n');
    }
  });

  describe('Adopt Live Value', () => {
    const PROD = 'envs/prod/web-patch.yaml';

    it('writes the live value at its origin line; the rest of the file is byte-identical; the drift clears', async () => {
      const line = lineOf(PROD, /^\s*replicas:/);
      const onLine = (ds: DriftDiagnostic[]) =>
        ds.find(
          (d) => d.file === PROD && d.line === line && d.message.startsWith('prod: replicas is 5 in the cluster'),
        );
      const marker = onLine(await waitForDiagnostics((ds) => !!onLine(ds), 5000, 'the prod replicas drift'))!;
      const before = read(PROD);
      const fix = await quickFix(marker, 'gitopsDrift.adoptLiveValue');
      assert.equal(fix.title, 'Adopt Live Value into Git (prod)');
      const host = await runScripted(api, [], fix.command, ...(fix.arguments ?? []));
      try {
        assertClean(host);
        assert.equal(read(PROD), before.replace('\n  replicas: 3\n', '\n  replicas: 5\n'));
        assert.notEqual(read(PROD), before);
        const doc = await vscode.workspace.openTextDocument(workspaceUri(PROD));
        assert.equal(doc.isDirty, false, 'saved');
        await waitForDiagnostics((ds) => !onLine(ds), 5000, 'the adopted drift to clear');
      } finally {
        const doc = await vscode.workspace.openTextDocument(workspaceUri(PROD));
        const back = new vscode.WorkspaceEdit();
        back.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), before);
        assert.ok(await vscode.workspace.applyEdit(back));
        await doc.save();
        await waitForDiagnostics((ds) => !!onLine(ds), 5000, 'the drift to return once the file is restored');
      }
    });

    it('refuses a Secret value with an explanation and writes nothing', async () => {
      const marker = (
        await waitForDiagnostics(
          (ds) => ds.some((d) => d.code === 'secret-changed'),
          5000,
          'the rotated staging password',
        )
      ).find((d) => d.code === 'secret-changed')!;
      const before = read(marker.file);
      const status = git('status', '--porcelain');
      const fix = await quickFix(marker, 'gitopsDrift.adoptLiveValue');
      const host = await runScripted(
        api,
        [
          {
            warning: (message, options) => {
              assert.equal(options.modal, true);
              assert.match(
                message,
                /is Secret data: it is never written to git in plain text\. Update its encrypted source/,
              );
              assert.ok(!message.includes('rotated-by-hand'), 'the live value is not shown');
              return undefined;
            },
          },
        ],
        fix.command,
        ...(fix.arguments ?? []),
      );
      assertClean(host);
      assert.equal(read(marker.file), before);
      assert.equal(git('status', '--porcelain'), status);
    });
  });
});
