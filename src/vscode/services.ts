/**
 * src/vscode/: the editor side, thin over the core: the session (driftSession.ts, loaded on first use), the store of
 * results, settings, the status bar, and the rooms authoring/, commands/, decorations/, diagnostics/, diff/ and
 * views/. It may import the core and the node adapters; only this folder and src/extension.ts import vscode.
 */
import type * as vscode from 'vscode';
import type { ResourceKey } from '../core/model/resource';
import type { DriftDocuments } from './diff/driftDocuments';
import type { DriftStore } from './driftStore';
import type { DeploymentDocuments } from './history/deploymentDocuments';
import type { DoraPanel } from './history/doraPanel';
import type { HistoryModel } from './history/historyModel';
import type { Host } from './host';

/** What commands get: passed explicitly to each command factory (no globals, no service locator). */
export interface EditorServices {
  store: DriftStore;
  host: Host;
  log: vscode.LogOutputChannel;
  documents: DriftDocuments;
  /** The repo's deployments (History view, DORA panel, image hover), its rendered diffs and the DORA panel. */
  history: HistoryModel;
  deployments: DeploymentDocuments;
  dora: DoraPanel;
  /** Selects an object in the Environments view when the view is open (no-op otherwise). */
  reveal(env: string, key: ResourceKey): Promise<void>;
  /** Shows the Environments view (opening it when closed) with the object selected; the editor keeps the focus. */
  showInTree(env: string, key: ResourceKey): Promise<void>;
  /** The environment of the Environments view's selection, if any. */
  selectedEnvironment(): string | undefined;
  /** The Environments view's filter: only what needs attention, or everything. */
  setOnlyProblems(on: boolean): Promise<void>;
}
