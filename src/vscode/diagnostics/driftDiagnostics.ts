import * as vscode from 'vscode';
import { DRIFT_DOCS_URL } from '../../core/editor/driftMarkers';
import { Disposable } from '../lifecycle';
import { repoUri } from '../repoFiles';
import type { MarkerIndex, PlacedMarker } from './markerIndex';

/** The diagnostics' `source`. */
export const DIAGNOSTIC_SOURCE = 'GitOps Drift';

/** One diagnostic collection: a warning on the origin line of every drifted field and missing object. */
export class DriftDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('gitopsDrift'));
  private readonly markerOf = new WeakMap<vscode.Diagnostic, PlacedMarker>();

  constructor(
    private readonly index: MarkerIndex,
    private readonly repoRoot: () => string | undefined,
  ) {
    super();
    this._register(index.onDidChange(() => this.update()));
  }

  /** The marker behind one of our diagnostics (for quick fixes). */
  markerFor(diagnostic: vscode.Diagnostic): PlacedMarker | undefined {
    return this.markerOf.get(diagnostic);
  }

  private update(): void {
    const root = this.repoRoot();
    const entries: [vscode.Uri, vscode.Diagnostic[] | undefined][] = [];
    const fresh = new Set(this.index.uris());
    this.collection.forEach((uri) => {
      if (!fresh.has(uri.toString())) entries.push([uri, undefined]);
    });
    for (const key of fresh) {
      const placed = this.index.markers(vscode.Uri.parse(key));
      if (!placed.length) continue;
      entries.push([placed[0].uri, placed.map((p) => this.toDiagnostic(p, root))]);
    }
    this.collection.set(entries);
  }

  private toDiagnostic(p: PlacedMarker, root: string | undefined): vscode.Diagnostic {
    const d = new vscode.Diagnostic(p.range, p.marker.message, vscode.DiagnosticSeverity.Warning);
    d.source = DIAGNOSTIC_SOURCE;
    d.code = { value: p.marker.code, target: vscode.Uri.parse(`${DRIFT_DOCS_URL}#${p.marker.code}`) };
    if (root && p.marker.related.length) {
      d.relatedInformation = p.marker.related.map((r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(repoUri(root, r.location.file), new vscode.Position(Math.max(0, r.location.line - 1), Math.max(0, r.location.column - 1))), r.message));
    }
    this.markerOf.set(d, p);
    return d;
  }
}
