import * as vscode from 'vscode';
import { joinPath } from '../../core/repo/config';
import { commitPromotion, promotionChanges, refuseUncommittedChanges } from '../../core/promote/commitPromotion';
import { promotionBranch } from '../../core/promote/commitMessage';
import { planPromotion, type RenderedEnvironment } from '../../core/promote/planPromotion';
import { renderedYaml } from '../../core/authoring/renderedText';
import { nextEnvironment } from '../../core/promote/promotionOrder';
import type { FileChange } from '../../core/promote/types';
import {
  EditedFileSystem,
  renderEnvironmentWith,
  verifyEnvironments,
  verifyPromotion,
} from '../../core/promote/verifyPromotion';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { repoUri } from '../repoFiles';
import { readSettings } from '../settings';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Promote Environment…": source (the tree item's environment, or picked), target (default: the next stage
 * in the promotion order), a multi-select of what differs (preselected: what moves by its classification, no
 * downgrade, nothing that changes another environment; each item says why and what else it changes), a second
 * confirmation for a downgrade, then previews (the rendered target before and after, and every file change) beside
 * a non-modal confirmation whose only button commits. Nothing is written before that; the previews close whatever
 * the answer, and they are read-only documents, so nothing asks to be saved.
 */
export function promoteCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const root = s.store.repoRoot;
    if (!root) throw new Error('open a folder with a GitOps config repo first');
    if (!s.host.isTrusted()) throw new Error('promoting writes to git: trust this workspace first');
    const session = await s.store.getSession();
    const repo = await session.engine.repo();
    const names = repo.environments.map((e) => e.name);
    const from = asEnvironmentName(arg) ?? (await pick(s, names, 'Promote from which environment?'));
    if (!from) return;
    const next = nextEnvironment(repo.promotion, from);
    const targets = names.filter((n) => n !== from).sort((a, b) => (a === next ? -1 : b === next ? 1 : 0));
    const to = await pick(
      s,
      targets,
      `Promote ${from} to which environment?${next ? ` (next in order: ${next})` : ''}`,
    );
    if (!to) return;
    const [source, target] = [await session.engine.environment(from), await session.engine.environment(to)];
    const fs = new NodeFileSystem({ root });
    const readFile = (file: string) => fs.readFile(joinPath(root, file));
    const git = session.git();
    const all: RenderedEnvironment[] = [];
    for (const env of repo.environments) {
      const render = await session.engine.render(env).catch(() => undefined);
      if (render) all.push({ name: env.name, render });
    }
    const plan = await planPromotion({
      source: { name: from, render: await session.engine.render(source) },
      target: { name: to, render: await session.engine.render(target) },
      readFile,
      others: all,
      promotion: repo.promotion,
      policy: repo.config.promote,
      // A digest the earlier stages run no more may have run there before: their files' history says.
      // Without history (not a git work tree) only what runs now counts.
      ranBefore: async (ref, stages) =>
        (await git
          .historyMentions?.(ref.slice(ref.indexOf('@') + 1), [
            ...new Set(all.filter((e) => stages.includes(e.name)).flatMap((e) => e.render.files)),
          ])
          .catch(() => false)) ?? false,
    });
    if (!plan.items.length) {
      const why = plan.skipped.length
        ? ` (${plan.skipped.length} difference(s) cannot be promoted in place; see the log)`
        : '';
      for (const k of plan.skipped) s.log.info(`promote ${from} → ${to}: ${k.where}: ${k.reason}`);
      await s.host.showInformationMessage(`GitOps Drift: nothing to promote from ${from} to ${to}${why}.`);
      return;
    }
    const picked = await s.host.showMultiQuickPick(
      plan.items.map((item) => ({
        label: item.label,
        description: `${item.targetOrigin.file}:${item.targetOrigin.line}`,
        detail:
          [...item.warnings, ...(item.kind === 'image' ? [] : [item.classification.reason])].join(' · ') || undefined,
        picked: item.defaultSelected,
        item,
      })),
      { placeHolder: `What to promote from ${from} to ${to}`, matchOnDescription: true, matchOnDetail: true },
    );
    let chosen = (picked ?? []).map((p) => p.item);
    const downgrades = chosen.filter((i) => i.direction === 'downgrade');
    if (downgrades.length) {
      // A second, explicit yes: leaving the dialog (or any other answer) leaves the downgrade out.
      const keep = 'Promote the Downgrade';
      const answer = await s.host.showWarningMessage(
        `⚠ This moves ${to} backwards: ${downgrades.map((d) => d.label).join('; ')}. Promote the downgrade?`,
        { modal: false },
        keep,
      );
      if (answer !== keep) chosen = chosen.filter((i) => !downgrades.includes(i));
    }
    if (!chosen.length) return;
    const files = [...new Set(chosen.flatMap((i) => i.edits.map((e) => e.file)))];
    const unsaved = vscode.workspace.textDocuments.filter(
      (d) => d.isDirty && files.some((f) => d.uri.fsPath === repoUri(root, f).fsPath),
    );
    if (unsaved.length)
      throw new Error(
        `save or revert your unsaved changes to ${unsaved.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')} first`,
      );
    await refuseUncommittedChanges(git, files);

    const changes = await promotionChanges(chosen, readFile);
    const accepted = [to, ...chosen.flatMap((i) => i.alsoChanges)];
    const renderEdited = (edited: FileChange[]) => {
      const editedFs = new EditedFileSystem(fs, root, edited);
      return (name: string) =>
        renderEnvironmentWith(
          repo.environments.find((e) => e.name === name)!,
          editedFs,
          root,
          session.engine.renderPorts(),
        );
    };
    const verify = async (edited: FileChange[]) => {
      const render = renderEdited(edited);
      const wrong = await verifyPromotion(chosen, () => render(to));
      const others = await verifyEnvironments(
        all.map((e) => ({ name: e.name, objects: e.render.objects })),
        accepted,
        render,
      );
      return [...wrong, ...others.unaccepted];
    };
    const previews: vscode.Uri[] = [];
    try {
      // The rendered target before and after, then each file beside its promoted text: read-only documents.
      const before = renderedYaml(await session.engine.render(target), {
        header: `${to}: rendered now (Secret values masked)`,
      });
      const after = renderedYaml(await renderEdited(changes)(to), {
        header: `${to}: rendered after the promotion (Secret values masked)`,
      });
      const [left, right] = [
        s.documents.scratchUri(`${to} (rendered now).yaml`, before),
        s.documents.scratchUri(`${to} (rendered promoted).yaml`, after),
      ];
      previews.push(left, right);
      await s.host.executeCommand('vscode.diff', left, right, `${to} rendered: now ↔ promoted from ${from}`, {
        preview: false,
      });
      for (const change of changes) {
        const promoted = s.documents.scratchUri(`${change.file} (promoted)`, change.after);
        previews.push(promoted);
        await s.host.executeCommand('vscode.diff', repoUri(root, change.file), promoted, `${change.file} (promoted)`, {
          preview: false,
        });
      }
      const branch = promotionBranch(from, to, changes);
      const also = [...new Set(chosen.flatMap((i) => i.alsoChanges))];
      // Pushing is the user's standing choice (gitopsDrift.promote.push), named on the one button that confirms it.
      const push = readSettings(s.host.isTrusted()).promotePush;
      const confirm = push ? 'Commit and Push' : 'Commit';
      // Not modal: the previews stay in view, and no button is the default (Escape or closing it cancels).
      const choice = await s.host.showWarningMessage(
        `Promote ${chosen.length} item(s) from ${from} to ${to}: commit ${changes.map((c) => c.file).join(', ')} on new branch ${branch}${push ? ' and push it to origin' : ''}?${also.length ? ` Also changes ${also.join(', ')}.` : ''}`,
        { modal: false },
        confirm,
      );
      if (choice !== confirm) return;
      const result = await commitPromotion(plan, chosen, { git, readFile, logger: s.log, verify });
      await s.store.refresh({ environments: [to, ...also] });
      const committed = `${result.sha.slice(0, 7)} on ${result.branch}`;
      if (push) {
        // Pushed here rather than by commitPromotion so a failed push still says the commit exists (it is kept).
        try {
          await git.push(result.branch, 'origin');
        } catch (e) {
          throw new Error(
            `promoted ${from} to ${to} in ${committed}, but pushing it to origin failed (nothing was forced): ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        s.log.info(`promote: pushed ${result.branch} to origin`);
      }
      void s.host.showInformationMessage(
        `GitOps Drift: promoted ${from} to ${to} in ${committed}${push ? ', pushed to origin' : ''}.`,
      );
    } finally {
      await closePreviews(previews);
      for (const uri of previews) s.documents.releaseScratch(uri);
    }
  };
}

async function pick(s: EditorServices, names: string[], placeHolder: string): Promise<string | undefined> {
  return (
    await s.host.showQuickPick(
      names.map((label) => ({ label })),
      { placeHolder },
    )
  )?.label;
}

/** Closes the diff tabs that show one of `previews`, in every editor group. */
async function closePreviews(previews: vscode.Uri[]): Promise<void> {
  const shown = new Set(previews.map((u) => u.toString()));
  const tabs = vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputTextDiff)
        return shown.has(input.modified.toString()) || shown.has(input.original.toString());
      return input instanceof vscode.TabInputText && shown.has(input.uri.toString());
    });
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}
