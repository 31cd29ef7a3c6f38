import * as vscode from 'vscode';
import type { Verdict } from '../../core/model/drift';

/** Icon and themable colour per verdict (colours contributed in package.json as `gitopsDrift.*`). */
const styles: Record<Verdict, { icon: string; color: string }> = {
  InSync: { icon: 'pass', color: 'gitopsDrift.inSyncForeground' },
  Drifted: { icon: 'diff-modified', color: 'gitopsDrift.driftedForeground' },
  Missing: { icon: 'diff-removed', color: 'gitopsDrift.missingForeground' },
  Extra: { icon: 'diff-added', color: 'gitopsDrift.extraForeground' },
  UnknownKind: { icon: 'question', color: 'gitopsDrift.unreadableForeground' },
  Forbidden: { icon: 'lock', color: 'gitopsDrift.unreadableForeground' },
  Error: { icon: 'error', color: 'gitopsDrift.errorForeground' },
};

export function verdictIcon(verdict: Verdict): vscode.ThemeIcon {
  const s = styles[verdict];
  return new vscode.ThemeIcon(s.icon, new vscode.ThemeColor(s.color));
}

/** An environment whose render skipped content: not checked, whatever its objects' verdicts (never a green pass). */
export function incompleteIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('gitopsDrift.unreadableForeground'));
}
