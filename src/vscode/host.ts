import * as vscode from 'vscode';

/**
 * The window/workspace calls commands make, behind one interface so command logic can be tested with a fake.
 * Only what the commands use.
 */
export interface Host {
  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: vscode.QuickPickOptions,
  ): Thenable<T | undefined>;
  /** A quick pick with checkboxes (items with `picked` start ticked); undefined when dismissed. */
  showMultiQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: Omit<vscode.QuickPickOptions, 'canPickMany'>,
  ): Thenable<readonly T[] | undefined>;
  showTextDocument(uri: vscode.Uri, options?: vscode.TextDocumentShowOptions): Thenable<vscode.TextEditor>;
  openTextDocument(options: { content: string; language: string }): Thenable<vscode.TextDocument>;
  executeCommand<T>(command: string, ...args: unknown[]): Thenable<T>;
  writeClipboard(text: string): Thenable<void>;
  /** Whether the user trusts the workspace (restricted mode otherwise). */
  isTrusted(): boolean;
  /** An input box; undefined when dismissed. */
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
}

/** The Host backed by the real VS Code API. */
export function createHost(): Host {
  return {
    showErrorMessage: (message, ...items) => vscode.window.showErrorMessage(message, ...items),
    showWarningMessage: (message, options, ...items) => vscode.window.showWarningMessage(message, options, ...items),
    showInformationMessage: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
    showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
    showMultiQuickPick: (items, options) => vscode.window.showQuickPick(items, { ...options, canPickMany: true }),
    showTextDocument: (uri, options) => vscode.window.showTextDocument(uri, options),
    openTextDocument: (options) => vscode.workspace.openTextDocument(options),
    executeCommand: (command, ...args) => vscode.commands.executeCommand(command, ...args),
    writeClipboard: (text) => vscode.env.clipboard.writeText(text),
    isTrusted: () => vscode.workspace.isTrusted,
    showInputBox: (options) => vscode.window.showInputBox(options),
  };
}

/**
 * A Host that forwards every call to a replaceable one. Only built in Test mode, where the extension's test API lets
 * the editor tests install a scripted Host that answers quick picks and modal dialogs.
 */
export class SwitchableHost implements Host {
  private current: Host;

  constructor(private readonly fallback: Host) {
    this.current = fallback;
  }

  /** Routes calls to `host` until the returned Disposable is disposed. */
  use(host: Host): vscode.Disposable {
    this.current = host;
    return new vscode.Disposable(() => {
      if (this.current === host) this.current = this.fallback;
    });
  }

  showErrorMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return this.current.showErrorMessage(message, ...items);
  }
  showWarningMessage(
    message: string,
    options: vscode.MessageOptions,
    ...items: string[]
  ): Thenable<string | undefined> {
    return this.current.showWarningMessage(message, options, ...items);
  }
  showInformationMessage(message: string, ...items: string[]): Thenable<string | undefined> {
    return this.current.showInformationMessage(message, ...items);
  }
  showQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: vscode.QuickPickOptions,
  ): Thenable<T | undefined> {
    return this.current.showQuickPick(items, options);
  }
  showMultiQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: Omit<vscode.QuickPickOptions, 'canPickMany'>,
  ): Thenable<readonly T[] | undefined> {
    return this.current.showMultiQuickPick(items, options);
  }
  showTextDocument(uri: vscode.Uri, options?: vscode.TextDocumentShowOptions): Thenable<vscode.TextEditor> {
    return this.current.showTextDocument(uri, options);
  }
  openTextDocument(options: { content: string; language: string }): Thenable<vscode.TextDocument> {
    return this.current.openTextDocument(options);
  }
  executeCommand<T>(command: string, ...args: unknown[]): Thenable<T> {
    return this.current.executeCommand<T>(command, ...args);
  }
  writeClipboard(text: string): Thenable<void> {
    return this.current.writeClipboard(text);
  }
  isTrusted(): boolean {
    return this.current.isTrusted();
  }
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined> {
    return this.current.showInputBox(options);
  }
}
