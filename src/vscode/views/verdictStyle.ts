import * as vscode from 'vscode';
import type { ObjectState } from '../../core/model/verdictState';

/** Icon and themable colour per state (colours contributed in package.json as `gitopsDrift.*`). */
const styles: Record<ObjectState, { icon: string; color: string }> = {
  inSync: { icon: 'pass', color: 'gitopsDrift.inSyncForeground' },
  drifted: { icon: 'diff-modified', color: 'gitopsDrift.driftedForeground' },
  missing: { icon: 'diff-removed', color: 'gitopsDrift.missingForeground' },
  extra: { icon: 'diff-added', color: 'gitopsDrift.extraForeground' },
  // What the controller has yet to do: coloured as drift, but not the hand-made-change icons.
  pendingPrune: { icon: 'trash', color: 'gitopsDrift.driftedForeground' },
  notYetApplied: { icon: 'clock', color: 'gitopsDrift.driftedForeground' },
  notDeployed: { icon: 'question', color: 'gitopsDrift.unreadableForeground' },
  forbidden: { icon: 'lock', color: 'gitopsDrift.unreadableForeground' },
  error: { icon: 'error', color: 'gitopsDrift.errorForeground' },
  notChecked: { icon: 'circle-outline', color: 'gitopsDrift.unreadableForeground' },
  // Run around a sync, never compared: neither a problem nor in sync.
  hook: { icon: 'debug-step-over', color: 'gitopsDrift.unreadableForeground' },
};

export function stateIcon(state: ObjectState): vscode.ThemeIcon {
  const s = styles[state];
  return new vscode.ThemeIcon(s.icon, new vscode.ThemeColor(s.color));
}

/** An environment whose render skipped content: not checked, whatever its objects' verdicts (never a green pass). */
export function incompleteIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('gitopsDrift.unreadableForeground'));
}
