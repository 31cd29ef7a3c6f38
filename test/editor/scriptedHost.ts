/**
 * A Host for the editor tests that answers the commands' quick picks and modal dialogs from a script, in order, and
 * records everything else they show. Installed through the extension's Test-mode `useHost`; documents, editors and
 * commands other than `vscode.diff` go to the real editor.
 */
import * as vscode from 'vscode';
import { createHost, type Host } from '../../src/vscode/host';
import type { GitOpsDriftApi } from '../../src/extension';

/**
 * One expected dialog. Answers name items by index (or give the button's text), so the answer is always one of
 * what the command offered; an assertion failing inside a step is recorded as a problem and fails the command.
 */
export type Step =
  | { quickPick: (items: readonly vscode.QuickPickItem[], options: vscode.QuickPickOptions) => number | undefined }
  | {
      multiPick: (
        items: readonly vscode.QuickPickItem[],
        options: vscode.QuickPickOptions,
      ) => readonly number[] | undefined;
    }
  | { warning: (message: string, options: vscode.MessageOptions, buttons: readonly string[]) => string | undefined }
  /** An input box's answer (checked by its own validateInput, as the real box would). */
  | { input: (options: vscode.InputBoxOptions) => string | undefined };

/** What the command showed, in order. */
export interface Shown {
  kind: 'quickPick' | 'multiPick' | 'warning' | 'info' | 'error' | 'diff' | 'document' | 'input';
  message: string;
  detail?: string;
  modal?: boolean;
}

export class ScriptedHost implements Host {
  readonly shown: Shown[] = [];
  /** Calls no step expected, steps of the wrong kind, assertions that failed inside a step. */
  readonly problems: string[] = [];
  /** `vscode.diff` previews: [left uri, right uri, title]. */
  readonly diffs: { left: vscode.Uri; right: vscode.Uri; title: string }[] = [];
  /** Contents of the scratch documents the command opened (diffs, promoted texts). */
  readonly documents: string[] = [];
  private readonly real = createHost();
  private readonly steps: Step[];

  constructor(steps: Step[]) {
    this.steps = [...steps];
  }

  /** Installs this host until the returned Disposable is disposed. */
  install(api: GitOpsDriftApi): vscode.Disposable {
    if (!api.useHost) throw new Error('the extension was not started in Test mode: its API has no useHost');
    return api.useHost(this);
  }

  /** Steps the command never reached. */
  get unused(): number {
    return this.steps.length;
  }

  get errors(): string[] {
    return this.shown.filter((s) => s.kind === 'error').map((s) => s.message);
  }

  get infos(): string[] {
    return this.shown.filter((s) => s.kind === 'info').map((s) => s.message);
  }

  /** The next step, or a recorded problem when the script is done. */
  private take(kind: string, what: string): Step {
    const step = this.steps.shift();
    if (!step) throw this.unexpected(kind, what, 'the script is done');
    return step;
  }

  private unexpected(kind: string, what: string, why: string): Error {
    const problem = `unexpected ${kind}: ${what} (${why})`;
    this.problems.push(problem);
    return new Error(problem);
  }

  private answer<T>(answer: () => T): T {
    try {
      return answer();
    } catch (e) {
      this.problems.push(e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  showErrorMessage(message: string): Thenable<string | undefined> {
    this.shown.push({ kind: 'error', message });
    return Promise.resolve(undefined);
  }

  async showWarningMessage(
    message: string,
    options: vscode.MessageOptions,
    ...items: string[]
  ): Promise<string | undefined> {
    this.shown.push({
      kind: 'warning',
      message,
      ...(options.detail ? { detail: options.detail } : {}),
      ...(options.modal ? { modal: true } : {}),
    });
    const step = this.take('warning', message);
    if (!('warning' in step))
      throw this.unexpected('warning', message, `the script expected ${Object.keys(step).join()}`);
    const choice = this.answer(() => step.warning(message, options, items));
    if (choice !== undefined && !items.includes(choice))
      throw this.unexpected('answer', `"${choice}"`, `the buttons are ${items.join(', ')}`);
    return choice;
  }

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const message = options.title ?? options.prompt ?? '';
    this.shown.push({ kind: 'input', message });
    const step = this.take('input', message);
    if (!('input' in step)) throw this.unexpected('input', message, `the script expected ${Object.keys(step).join()}`);
    const value = this.answer(() => step.input(options));
    const invalid = value === undefined ? undefined : await options.validateInput?.(value);
    if (invalid) throw this.unexpected('answer', `"${value}"`, `the box refuses it: ${String(invalid)}`);
    return value;
  }

  showInformationMessage(message: string): Thenable<string | undefined> {
    this.shown.push({ kind: 'info', message });
    return Promise.resolve(undefined);
  }

  async showQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: vscode.QuickPickOptions,
  ): Promise<T | undefined> {
    const all = await items;
    this.shown.push({ kind: 'quickPick', message: options.placeHolder ?? '' });
    const step = this.take('quickPick', options.placeHolder ?? '');
    if (!('quickPick' in step))
      throw this.unexpected('quickPick', options.placeHolder ?? '', `the script expected ${Object.keys(step).join()}`);
    const i = this.answer(() => step.quickPick(all, options));
    return i === undefined ? undefined : all[i];
  }

  async showMultiQuickPick<T extends vscode.QuickPickItem>(
    items: readonly T[] | Thenable<readonly T[]>,
    options: Omit<vscode.QuickPickOptions, 'canPickMany'>,
  ): Promise<readonly T[] | undefined> {
    const all = await items;
    this.shown.push({ kind: 'multiPick', message: options.placeHolder ?? '' });
    const step = this.take('multiPick', options.placeHolder ?? '');
    if (!('multiPick' in step))
      throw this.unexpected('multiPick', options.placeHolder ?? '', `the script expected ${Object.keys(step).join()}`);
    const picked = this.answer(() => step.multiPick(all, { ...options, canPickMany: true }));
    return picked?.flatMap((i) => all.slice(i, i + 1));
  }

  showTextDocument(uri: vscode.Uri, options?: vscode.TextDocumentShowOptions): Thenable<vscode.TextEditor> {
    return this.real.showTextDocument(uri, options);
  }

  async openTextDocument(options: { content: string; language: string }): Promise<vscode.TextDocument> {
    this.documents.push(options.content);
    this.shown.push({ kind: 'document', message: options.language });
    return this.real.openTextDocument(options);
  }

  executeCommand<T>(command: string, ...args: unknown[]): Thenable<T> {
    // Recorded; opened only over read-only documents: a diff editor over an untitled scratch document would ask to
    // save it when the tests close it.
    if (command === 'vscode.diff') {
      const [left, right, title] = args;
      if (left instanceof vscode.Uri && right instanceof vscode.Uri && typeof title === 'string') {
        this.diffs.push({ left, right, title });
        this.shown.push({ kind: 'diff', message: title });
        if (left.scheme === 'untitled' || right.scheme === 'untitled') return Promise.resolve(undefined as T);
      }
    }
    return this.real.executeCommand<T>(command, ...args);
  }

  writeClipboard(text: string): Thenable<void> {
    return this.real.writeClipboard(text);
  }

  isTrusted(): boolean {
    return this.real.isTrusted();
  }
}
