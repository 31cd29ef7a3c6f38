/**
 * The per-environment table of a field's values, behind the hovers' "Values in every environment" link: a
 * read-only markdown document (opened in the markdown preview) and the command link that opens it.
 */
import * as vscode from 'vscode';
import { effectiveValuesTableMarkdown } from '../../core/editor/hovers';
import type { SourceLocation } from '../../core/model/location';
import { CommandIds } from '../commands/commandIds';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { readText, repoUri } from '../repoFiles';

/** The URI scheme of the per-environment tables. */
export const FIELD_VALUES_SCHEME = 'gitops-drift-values';

/** A field in a repo file: repo-relative path, 1-based line and column. */
export type FieldPlace = SourceLocation;

/** The URI of the table for the field at `at`; the path (the field's name) gives the tab its title. */
export function fieldValuesUri(at: FieldPlace, key: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: FIELD_VALUES_SCHEME,
    path: `/${key} in every environment.md`,
    query: new URLSearchParams({ file: at.file, line: String(at.line), column: String(at.column) }).toString(),
  });
}

function placeOf(uri: vscode.Uri): FieldPlace | undefined {
  const q = new URLSearchParams(uri.query);
  const [file, line, column] = [q.get('file'), Number(q.get('line')), Number(q.get('column'))];
  return file && line > 0 && column > 0 ? { file, line, column } : undefined;
}

/** A link target opening a repo file at a line and column (hovers follow `#L12,5`). */
export function originLink(repoRoot: string, at: SourceLocation): string {
  return repoUri(repoRoot, at.file)
    .with({ fragment: `L${at.line},${at.column}` })
    .toString();
}

/** A `command:` link with JSON arguments (parentheses encoded: they would end a markdown link target). */
export function commandLink(command: string, ...args: unknown[]): string {
  const encoded = encodeURIComponent(JSON.stringify(args)).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `command:${command}?${encoded}`;
}

/** A `command:` link to Show Field Values in Every Environment for the field at `at`. */
export function fieldValuesCommandLink(at: FieldPlace): string {
  return commandLink(CommandIds.showFieldValues, at);
}

/** The tables' content: computed from the file's current text and the engine's renders; updates on repo changes. */
export class FieldValuesDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(private readonly store: DriftStore) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(FIELD_VALUES_SCHEME, this));
    this._register(
      store.onDidChangeSources(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === FIELD_VALUES_SCHEME) this.changed.fire(doc.uri);
      }),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const at = placeOf(uri);
    const root = this.store.repoRoot;
    if (!at || !root) return `# Not a field: ${uri.toString()}\n`;
    const text = await readText(repoUri(root, at.file));
    const session = await this.store.getSession();
    const summary = text === undefined ? undefined : await session.authoring.hover(at.file, text, at.line, at.column);
    if (!summary) return `# No field at ${at.file}:${at.line}\n\nNo environment renders a value set here.\n`;
    return effectiveValuesTableMarkdown(summary, at);
  }
}
