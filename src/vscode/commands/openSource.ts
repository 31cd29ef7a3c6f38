import * as vscode from 'vscode';
import { keyString } from '../../core/model/resource';
import { repoUri } from '../repoFiles';
import type { EditorServices } from '../services';
import { asDriftTarget } from './driftTarget';
import { pickResource } from './pickResource';
import type { CommandHandler } from './registerCommand';

/** Opens the file and line where an object is declared in git. */
export function openSourceCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    const target = asDriftTarget(arg) ?? (await pickResource(s, 'Open the source of which object?', true));
    const root = s.store.repoRoot;
    if (!target || !root) return;
    const r = s.store.entry(target.env)?.report?.resources.find((x) => keyString(x.key) === keyString(target.key));
    const field = target.path ? r?.fields.find((f) => f.path === target.path) : undefined;
    const at = field?.origin ?? r?.source;
    if (!at)
      throw new Error(`${target.key.kind} ${target.key.name} has no source in git (it exists only in the cluster)`);
    const pos = new vscode.Position(Math.max(0, at.line - 1), Math.max(0, at.column - 1));
    await s.host.showTextDocument(repoUri(root, at.file), { selection: new vscode.Range(pos, pos) });
  };
}
