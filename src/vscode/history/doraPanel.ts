import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { DORA_PANEL_CSS, doraPanelBody } from '../../core/editor/doraPanel';
import { doraMetrics } from '../../core/history/dora';
import { Disposable } from '../lifecycle';
import type { HistoryModel } from './historyModel';

/**
 * The DORA panel: one webview (reused) with the four metrics per environment, the weekly deployments and the
 * lead-time distribution as SVG built by the core (core/editor/doraPanel.ts), in the theme's colours. It runs no
 * script and loads nothing: the Content-Security-Policy allows only its own nonce'd stylesheet. It follows the
 * history (a new commit, a revert) while open.
 */
export class DoraPanel extends Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private html: string | undefined;

  constructor(private readonly model: HistoryModel) {
    super();
    this._register(model.onDidChange(() => void (this.panel ? this.update() : undefined)));
  }

  /** Opens (or brings forward) the panel and fills it. */
  async show(): Promise<void> {
    if (this.panel) this.panel.reveal();
    else {
      this.panel = vscode.window.createWebviewPanel('gitopsDrift.dora', 'DORA Metrics', vscode.ViewColumn.Active, {
        enableScripts: false,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.html = undefined;
      });
      this.panel.webview.html = page('<p class="subtitle">Reading the history…</p>');
    }
    await this.update();
  }

  /** The HTML shown now (the editor tests read it); undefined while closed. */
  get currentHtml(): string | undefined {
    return this.panel ? this.html : undefined;
  }

  private async update(): Promise<void> {
    let body: string;
    try {
      const history = await this.model.get();
      body = doraPanelBody(doraMetrics(history), { branch: history.branch, head: history.head });
    } catch (e) {
      body = `<h1>DORA metrics</h1><p class="empty">${escapeHtml(`No history: ${e instanceof Error ? e.message : String(e)}`)}</p>`;
    }
    if (!this.panel) return;
    this.html = page(body);
    this.panel.webview.html = this.html;
  }

  override dispose(): void {
    this.panel?.dispose();
    super.dispose();
  }
}

function page(body: string): string {
  const nonce = randomBytes(16).toString('base64');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>DORA Metrics</title>
<style nonce="${nonce}">${DORA_PANEL_CSS}</style>
</head><body>
${body}
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
