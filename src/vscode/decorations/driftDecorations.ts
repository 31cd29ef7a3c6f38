/**
 * src/vscode/decorations/: ghost text and gutter marks for drift in open files, from the store's results and
 * core/editor's wording.
 */
import * as vscode from 'vscode';
import { driftHoverMarkdown } from '../../core/editor/hovers';
import { ghostText } from '../../core/editor/presentation';
import type { FieldDrift } from '../../core/model/drift';
import { commandLink, fieldValuesCommandLink } from '../authoring/fieldValues';
import { CommandIds } from '../commands/commandIds';
import type { MarkerIndex, PlacedMarker } from '../diagnostics/markerIndex';
import { Disposable } from '../lifecycle';
import { repoRelative } from '../repoFiles';

/**
 * After-line ghost text with the live value (`← live: 5`), a gutter mark and an overview-ruler mark on drifted
 * lines, in themable colours; and a short hover: `git → live` per environment (each a link to its diff) and a link
 * to the field's values in every environment.
 */
export class DriftDecorations extends Disposable implements vscode.HoverProvider {
  private readonly type: vscode.TextEditorDecorationType;

  constructor(
    private readonly index: MarkerIndex,
    extensionUri: vscode.Uri,
    private readonly repoRoot: () => string | undefined,
  ) {
    super();
    this.type = this._register(
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'drift-gutter.svg'),
        gutterIconSize: '70%',
        overviewRulerColor: new vscode.ThemeColor('gitopsDrift.driftedForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
        backgroundColor: new vscode.ThemeColor('gitopsDrift.driftedLineBackground'),
        isWholeLine: true,
        after: {
          color: new vscode.ThemeColor('gitopsDrift.liveValueForeground'),
          margin: '0 0 0 2em',
          fontStyle: 'italic',
        },
      }),
    );
    this._register(index.onDidChange(() => this.decorateAll()));
    this._register(vscode.window.onDidChangeVisibleTextEditors(() => this.decorateAll()));
    this._register(vscode.languages.registerHoverProvider({ scheme: 'file' }, this));
  }

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const here = this.index.fieldMarkersAt(doc.uri, position.line);
    if (!here.length) return undefined;
    const root = this.repoRoot();
    const file = root ? repoRelative(root, doc.uri) : undefined;
    // The table of values is for the field the markers are on (the value's column, as the line's range starts).
    const table = file
      ? fieldValuesCommandLink({ file, line: position.line + 1, column: here[0].range.start.character + 1 })
      : undefined;
    const md = new vscode.MarkdownString(
      driftHoverMarkdown(
        here.map((p) => ({
          env: p.marker.env,
          field: p.marker.field as FieldDrift,
          diff: commandLink(CommandIds.showDiff, { env: p.marker.env, key: p.marker.resource.key }),
        })),
        new Date(),
        { table },
      ),
    );
    md.isTrusted = { enabledCommands: [CommandIds.showDiff, CommandIds.showFieldValues] };
    return new vscode.Hover(
      md,
      new vscode.Range(position.line, 0, position.line, doc.lineAt(position.line).text.length),
    );
  }

  private decorateAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.decorate(editor);
  }

  private decorate(editor: vscode.TextEditor): void {
    const byLine = new Map<number, PlacedMarker[]>();
    for (const p of this.index.markers(editor.document.uri)) {
      const list = byLine.get(p.range.start.line);
      if (list) list.push(p);
      else byLine.set(p.range.start.line, [p]);
    }
    const options: vscode.DecorationOptions[] = [];
    for (const [line, placed] of byLine) {
      const fields = placed
        .filter((p) => p.marker.field)
        .map((p) => ({ env: p.marker.env, field: p.marker.field as FieldDrift }));
      const text = fields.length
        ? ghostText(fields)
        : `← ${placed.map((p) => p.marker.env).join(', ')}: not in the cluster`;
      options.push({
        range: editor.document.lineAt(Math.min(line, editor.document.lineCount - 1)).range,
        renderOptions: { after: { contentText: text } },
      });
    }
    editor.setDecorations(this.type, options);
  }
}
