import * as vscode from 'vscode';
import { DOWNLOADED_CHART_SCHEME } from '../core/render/helm/chartFiles';

/** The URI of a repo-relative file. */
export function repoUri(repoRoot: string, file: string): vscode.Uri {
  // A downloaded chart's file (core/render/helm/chartFiles.ts downloadedChartFile): a read-only document.
  if (file.startsWith(`${DOWNLOADED_CHART_SCHEME}:`))
    return vscode.Uri.from({
      scheme: DOWNLOADED_CHART_SCHEME,
      path: `/${file.slice(DOWNLOADED_CHART_SCHEME.length + 1)}`,
    });
  return vscode.Uri.file(`${repoRoot}/${file}`);
}

/** The repo-relative path of a URI inside the repo, else undefined. */
export function repoRelative(repoRoot: string, uri: vscode.Uri): string | undefined {
  if (uri.scheme !== 'file') return undefined;
  const path = uri.fsPath.split('\\').join('/');
  return path.startsWith(`${repoRoot}/`) ? path.slice(repoRoot.length + 1) : undefined;
}

/** A file's text: the open editor's (unsaved edits included) or the disk's; undefined when unreadable. */
export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}
