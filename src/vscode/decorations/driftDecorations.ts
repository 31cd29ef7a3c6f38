/**
 * src/vscode/decorations/: ghost text and gutter marks for drift in open files, from the store's results and
 * core/editor's wording.
 */
import * as vscode from 'vscode';
import { ghostText, hoverMarkdown } from '../../core/editor/presentation';
import type { FieldDrift } from '../../core/model/drift';
import type { MarkerIndex, PlacedMarker } from '../diagnostics/markerIndex';
import { Disposable } from '../lifecycle';

/**
 * After-line ghost text with the live value (`← live: 5`), a gutter mark and an overview-ruler mark on drifted
 * lines, in themable colours; and a hover with per-environment detail.
 */
export class DriftDecorations extends Disposable implements vscode.HoverProvider {
  private readonly type: vscode.TextEditorDecorationType;

  constructor(
    private readonly index: MarkerIndex,
    extensionUri: vscode.Uri,
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
    const here = this.index.markers(doc.uri).filter((p) => p.range.start.line === position.line && p.marker.field);
    if (!here.length) return undefined;
    const md = new vscode.MarkdownString(
      hoverMarkdown(
        here.map((p) => ({ env: p.marker.env, context: p.marker.context, field: p.marker.field as FieldDrift })),
        new Date(),
      ),
    );
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
