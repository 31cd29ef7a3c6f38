import * as vscode from 'vscode';
import { keyString } from '../../core/model/resource';
import { planAdopt } from '../../core/promote/adopt';
import { repoUri } from '../repoFiles';
import type { EditorServices } from '../services';
import { asDriftTarget } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Adopt Live Value": writes a drifted field's live value into the line in git that sets it, as one undoable
 * edit that is saved (formatting kept). Secret values are refused with an explanation; when other environments read
 * the same file, a modal says which before anything changes.
 */
export function adoptLiveValueCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const target = asDriftTarget(arg);
    const root = s.store.repoRoot;
    if (!target?.path || !root)
      throw new Error('Adopt Live Value needs a drifted field (use the quick fix on a drift marker)');
    if (!s.host.isTrusted()) throw new Error('adopting a live value writes to the repo: trust this workspace first');
    const resource = s.store
      .entry(target.env)
      ?.report?.resources.find((r) => keyString(r.key) === keyString(target.key));
    const field = resource?.fields.find((f) => f.path === target.path);
    if (!resource || !field)
      throw new Error(
        `no drift at ${target.path} of ${target.key.kind} ${target.key.name} in ${target.env}; refresh and try again`,
      );
    const session = await s.store.getSession();
    const uriOf = (file: string) => repoUri(root, file);
    // A refusal (Secret data, a removal) reaches the command wrapper, which shows it as a modal warning.
    const plan = await planAdopt({
      resource: resource.key,
      field,
      // The open editor's text, unsaved edits included: the edit must apply to what the user sees.
      readFile: async (file) => (await vscode.workspace.openTextDocument(uriOf(file))).getText(),
      environmentsReading: async (file) =>
        (await session.engine.environmentsReading(file)).filter((e) => e !== target.env),
    });
    if (plan.alsoChanges.length) {
      const ok = 'Adopt Anyway';
      const choice = await s.host.showWarningMessage(
        `${plan.change.file} is also read by ${plan.alsoChanges.join(', ')}`,
        { modal: true, detail: `Adopting changes those environments too:\n${plan.label}` },
        ok,
      );
      if (choice !== ok) return;
    }
    const uri = uriOf(plan.change.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    if (doc.getText() !== plan.change.before) throw new Error(`${plan.change.file} changed meanwhile; try again`);
    // Only the changed span: cursors, folding and undo stay where they are elsewhere in the file.
    const { before, after } = plan.change;
    let start = 0;
    while (start < before.length && before[start] === after[start]) start++;
    let [endBefore, endAfter] = [before.length, after.length];
    while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1])
      [endBefore, endAfter] = [endBefore - 1, endAfter - 1];
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(doc.positionAt(start), doc.positionAt(endBefore)), after.slice(start, endAfter));
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not edit ${plan.change.file}`);
    await doc.save();
    await s.host.showTextDocument(uri, { preview: true });
    await s.store.refresh({ environments: [target.env, ...plan.alsoChanges] });
  };
}
