import * as vscode from 'vscode';
import { joinPath } from '../../core/repo/config';
import { commitPromotion, promotionChanges, refuseUncommittedChanges } from '../../core/promote/commitPromotion';
import { promotionBranch } from '../../core/promote/commitMessage';
import { planPromotion } from '../../core/promote/planPromotion';
import { nextEnvironment } from '../../core/promote/promotionOrder';
import type { FileChange } from '../../core/promote/types';
import { EditedFileSystem, verifyPromotion } from '../../core/promote/verifyPromotion';
import { renderKustomization } from '../../core/render/kustomize/kustomize';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { repoUri } from '../repoFiles';
import { readSettings } from '../settings';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Promote Environment…": source (the tree item's environment, or picked), target (default: the next in the
 * promotion order), a multi-select of what differs (images preselected), a diff of every file change, then a modal
 * confirmation to commit on a new branch (and optionally push). Nothing is written before that confirmation.
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
    const to = await pick(s, targets, `Promote ${from} to which environment?${next ? ` (next in order: ${next})` : ''}`);
    if (!to) return;
    const [source, target] = [await session.engine.environment(from), await session.engine.environment(to)];
    const fs = new NodeFileSystem({ root });
    const readFile = (file: string) => fs.readFile(joinPath(root, file));
    const plan = await planPromotion({
      source: { name: from, render: await session.engine.render(source) },
      target: { name: to, render: await session.engine.render(target) },
      readFile,
    });
    if (!plan.items.length) {
      const why = plan.skipped.length ? ` (${plan.skipped.length} difference(s) cannot be promoted in place; see the log)` : '';
      for (const k of plan.skipped) s.log.info(`promote ${from} → ${to}: ${k.resource.kind} ${k.resource.name} ${k.path}: ${k.reason}`);
      await s.host.showInformationMessage(`GitOps Drift: nothing to promote from ${from} to ${to}${why}.`);
      return;
    }
    const picked = await s.host.showMultiQuickPick(
      plan.items.map((item) => ({ label: item.label, description: `${item.targetOrigin.file}:${item.targetOrigin.line}`, picked: item.kind === 'image', item })),
      { placeHolder: `What to promote from ${from} to ${to}`, matchOnDescription: true },
    );
    const chosen = (picked ?? []).map((p) => p.item);
    if (!chosen.length) return;
    const files = [...new Set(chosen.flatMap((i) => i.edits.map((e) => e.file)))];
    const unsaved = vscode.workspace.textDocuments.filter((d) => d.isDirty && files.some((f) => d.uri.fsPath === repoUri(root, f).fsPath));
    if (unsaved.length) throw new Error(`save or revert your unsaved changes to ${unsaved.map((d) => vscode.workspace.asRelativePath(d.uri)).join(', ')} first`);
    const git = session.git();
    await refuseUncommittedChanges(git, files);

    const changes = await promotionChanges(chosen, readFile);
    const verify = (edited: FileChange[]) => verifyPromotion(chosen, () => renderKustomization(joinPath(root, target.path), { fs: new EditedFileSystem(fs, root, edited), repoRoot: root }));
    for (const change of changes) await showChange(s, root, change);
    const branch = promotionBranch(from, to, changes);
    // Other environments that read an edited file (an overlay built on the target) change too: say so.
    await Promise.all(repo.environments.map((e) => session.engine.render(e).catch(() => undefined)));
    const readers = new Set<string>();
    for (const c of changes) for (const n of await session.engine.environmentsReading(c.file)) if (n !== from && n !== to) readers.add(n);
    const alsoChanges = readers.size ? `\n\nAlso changes ${[...readers].join(', ')}, which read these files.` : '';
    // Pushing is the user's standing choice (gitopsDrift.promote.push), named on the one button that confirms it.
    const push = readSettings(s.host.isTrusted()).promotePush;
    const confirm = push ? 'Commit and Push' : 'Commit';
    const pushNote = push ? ' Then pushes it to origin (never forced).' : '';
    const choice = await s.host.showWarningMessage(
      `Promote ${chosen.length} item(s) from ${from} to ${to}?`,
      { modal: true, detail: `${chosen.map((i) => `• ${i.label}`).join('\n')}\n\nCommits ${changes.map((c) => c.file).join(', ')} on new branch ${branch} and checks it out.${pushNote}${alsoChanges}` },
      confirm,
    );
    if (choice !== confirm) return;
    const result = await commitPromotion(plan, chosen, { git, readFile, logger: s.log, verify });
    await s.store.refresh({ environments: [to] });
    const committed = `${result.sha.slice(0, 7)} on ${result.branch}`;
    if (push) {
      // Pushed here rather than by commitPromotion so a failed push still says the commit exists (it is kept).
      try {
        await git.push(result.branch, 'origin');
      } catch (e) {
        throw new Error(`promoted ${from} to ${to} in ${committed}, but pushing it to origin failed (nothing was forced): ${e instanceof Error ? e.message : String(e)}`);
      }
      s.log.info(`promote: pushed ${result.branch} to origin`);
    }
    void s.host.showInformationMessage(`GitOps Drift: promoted ${from} to ${to} in ${committed}${push ? ', pushed to origin' : ''}.`);
  };
}

async function pick(s: EditorServices, names: string[], placeHolder: string): Promise<string | undefined> {
  return (await s.host.showQuickPick(names.map((label) => ({ label })), { placeHolder }))?.label;
}

/** The file beside its promoted text, in VS Code's diff editor (the promoted side is an unsaved scratch document). */
async function showChange(s: EditorServices, root: string, change: FileChange): Promise<void> {
  const after = await s.host.openTextDocument({ content: change.after, language: 'yaml' });
  await s.host.executeCommand('vscode.diff', repoUri(root, change.file), after.uri, `${change.file} (promoted)`, { preview: false });
}

