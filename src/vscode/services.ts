import type * as vscode from 'vscode';
import type { DriftDocuments } from './diff/driftDocuments';
import type { DriftStore } from './driftStore';
import type { Host } from './host';

/** What commands get: passed explicitly to each command factory (no globals, no service locator). */
export interface EditorServices {
  store: DriftStore;
  host: Host;
  log: vscode.LogOutputChannel;
  documents: DriftDocuments;
}
