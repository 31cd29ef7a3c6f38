import * as vscode from 'vscode';
import { RefusedError } from '../../core/promote/refusal';
import type { Host } from '../host';

/** A command handler; arguments are whatever VS Code passes (tree element, URI, diagnostic...). */
export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * Registers a command that never fails silently: an error is logged with its stack and shown once, with a
 * "Show Log" action. Cancellation is not an error. A refusal (the core declined, having changed nothing: a read-only
 * context, a Secret value, a dirty tree) is not a failure either: it is shown as a modal warning with its reason.
 */
export function registerCommand(
  id: string,
  handler: CommandHandler,
  host: Host,
  log: vscode.LogOutputChannel,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      if (e instanceof vscode.CancellationError) return undefined;
      if (RefusedError.is(e)) {
        log.info(`${id} refused: ${e.message}`);
        await host.showWarningMessage(`GitOps Drift: ${e.message}`, { modal: true });
        return undefined;
      }
      log.error(`${id} failed:`, e instanceof Error ? (e.stack ?? e.message) : String(e));
      const message = e instanceof Error ? e.message : String(e);
      void host.showErrorMessage(`GitOps Drift: ${message}`, 'Show Log').then((choice) => {
        if (choice === 'Show Log') log.show(true);
      });
      return undefined;
    }
  });
}
