// Composition root: builds the editor side over the core and registers it. Nothing else lives here.
import * as vscode from 'vscode';
import { CommandIds } from './vscode/commands/commandIds';
import { registerCommand } from './vscode/commands/registerCommand';
import { createHost } from './vscode/host';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('GitOps Drift', { log: true });
  context.subscriptions.push(log);
  const host = createHost();
  context.subscriptions.push(
    registerCommand(CommandIds.refresh, async () => undefined, host, log),
    registerCommand(CommandIds.showLog, () => log.show(), host, log),
  );
}

export function deactivate(): void {}
