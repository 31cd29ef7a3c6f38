import * as vscode from 'vscode';
import { objectsAtLine } from '../../core/editor/objectsAtLine';
import type { ResourceKey } from '../../core/model/resource';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { repoRelative } from '../repoFiles';
import { readFollowCursor } from '../settings';
import { resourceElement, selectedEnvironment, type TreeElement } from './treeElements';

/** How long the cursor rests before the view follows it: moving through a file does not scroll the tree on every line. */
const SETTLE_MS = 200;

/**
 * With `gitopsDrift.tree.followCursor` on, selects in the Environments view the object the cursor is on (as the
 * Explorer's auto reveal follows the active file), while the view is open; the editor keeps the focus.
 */
export class FollowCursor extends Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The environment of the user's last selection: a redraw of the tree can empty the view's selection meanwhile. */
  private lastEnvironment: string | undefined;

  constructor(
    private readonly store: DriftStore,
    private readonly view: vscode.TreeView<TreeElement>,
    private readonly reveal: (env: string, key: ResourceKey) => Promise<void>,
  ) {
    super();
    this._register(vscode.window.onDidChangeTextEditorSelection((e) => this.schedule(e.textEditor)));
    this._register(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.schedule(editor);
      }),
    );
    this._register(
      view.onDidChangeSelection((e) => {
        this.lastEnvironment = selectedEnvironment(e.selection) ?? this.lastEnvironment;
      }),
    );
    this._register({ dispose: () => clearTimeout(this.timer) });
  }

  private schedule(editor: vscode.TextEditor): void {
    if (!readFollowCursor() || !this.view.visible) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.follow(editor), SETTLE_MS);
  }

  private async follow(editor: vscode.TextEditor): Promise<void> {
    const root = this.store.repoRoot;
    const file = root ? repoRelative(root, editor.document.uri) : undefined;
    if (!file || !this.view.visible) return;
    const reports = this.store.entries.flatMap((e) => (e.report ? [e.report] : []));
    const [first] = objectsAtLine(
      reports,
      file,
      editor.selection.active.line + 1,
      selectedEnvironment(this.view.selection) ?? this.lastEnvironment,
    );
    if (!first) return;
    // Already selected: leave the tree where the user scrolled it.
    if (this.view.selection[0]?.id === resourceElement(first.env, first.key).id) return;
    await this.reveal(first.env, first.key).then(undefined, () => undefined);
  }
}
