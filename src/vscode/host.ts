import * as vscode from 'vscode';

/**
 * The window/workspace calls commands make, behind one interface so command logic can be tested with a fake.
 * Only what the commands use.
 */
export interface Host {
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Thenable<readonly T[]>, options: vscode.QuickPickOptions): Thenable<T | undefined>;
  showTextDocument(uri: vscode.Uri, options?: vscode.TextDocumentShowOptions): Thenable<vscode.TextEditor>;
  openTextDocument(options: { content: string; language: string }): Thenable<vscode.TextDocument>;
  executeCommand<T>(command: string, ...args: unknown[]): Thenable<T>;
  writeClipboard(text: string): Thenable<void>;
  /** Whether the user trusts the workspace (restricted mode otherwise). */
  isTrusted(): boolean;
}

/** The Host backed by the real VS Code API. */
export function createHost(): Host {
  return {
    showErrorMessage: (message, ...items) => vscode.window.showErrorMessage(message, ...items),
    showWarningMessage: (message, options, ...items) => vscode.window.showWarningMessage(message, options, ...items),
    showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
    showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
    showTextDocument: (uri, options) => vscode.window.showTextDocument(uri, options),
    openTextDocument: (options) => vscode.workspace.openTextDocument(options),
    executeCommand: (command, ...args) => vscode.commands.executeCommand(command, ...args),
    writeClipboard: (text) => vscode.env.clipboard.writeText(text),
    isTrusted: () => vscode.workspace.isTrusted,
  };
}
