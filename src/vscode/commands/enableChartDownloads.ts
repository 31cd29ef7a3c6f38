import * as vscode from 'vscode';
import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

/** The button of the untrusted-workspace answer: VS Code's own trust editor. */
export const MANAGE_TRUST = 'Manage Workspace Trust';

/**
 * The quick action on a chart that was not downloaded because downloads are off: sets the workspace's
 * `gitopsDrift.helm.chartDownloads`, after which the session is rebuilt (a settings change) and renders the chart.
 * The setting is restricted: in an untrusted workspace nothing is written (VS Code would ignore it) and the user is
 * pointed at trusting the workspace first.
 */
export function enableChartDownloadsCommand(s: EditorServices): CommandHandler {
  return async () => {
    if (!s.host.isTrusted()) {
      const answer = await s.host.showWarningMessage(
        'Chart downloads need a trusted workspace: trust this folder first, then enable gitopsDrift.helm.chartDownloads.',
        {},
        MANAGE_TRUST,
      );
      if (answer === MANAGE_TRUST) await s.host.executeCommand('workbench.trust.manage');
      return;
    }
    await vscode.workspace
      .getConfiguration('gitopsDrift')
      .update('helm.chartDownloads', true, vscode.ConfigurationTarget.Workspace);
    void s.host.showInformationMessage(
      "Chart downloads are on for this workspace (gitopsDrift.helm.chartDownloads): charts of Helm and OCI repositories are downloaded into the extension's storage.",
    );
  };
}
