/**
 * src/vscode/diagnostics/: the one diagnostic collection (drift markers and authoring findings), the index from
 * files to markers, and the quick fixes keyed on diagnostic codes.
 */
import * as vscode from 'vscode';
import { DRIFT_DOCS_URL } from '../../core/editor/driftMarkers';
import { Disposable } from '../lifecycle';
import { repoUri } from '../repoFiles';
import type { MarkerIndex, PlacedMarker } from './markerIndex';

/**
 * The drift markers' `source`. Drift and authoring findings are told apart by their own sources, so the Problems
 * panel can filter either (`drift` finds only these), and drift is never lost among deprecation warnings.
 */
export const DRIFT_SOURCE = 'GitOps drift';
/** The authoring diagnostics' `source` (broken references, deprecated fields, …: what `gitops-drift lint` reports). */
export const AUTHORING_SOURCE = 'GitOps authoring';

/**
 * One diagnostic collection: a warning on the origin line of every drifted field and missing object, plus the
 * authoring diagnostics (broken references, deprecated fields, ...), which are set from outside.
 */
export class DriftDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('gitopsDrift'));
  private readonly markerOf = new WeakMap<vscode.Diagnostic, PlacedMarker>();
  /** Authoring diagnostics by URI string; replaced as a whole by `setAuthoring`. */
  private authoring = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();

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

  /** Replaces the authoring diagnostics (every file at once). */
  setAuthoring(byUri: Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>): void {
    this.authoring = byUri;
    this.update();
  }

  private update(): void {
    const root = this.repoRoot();
    const entries: [vscode.Uri, vscode.Diagnostic[] | undefined][] = [];
    const fresh = new Set([...this.index.uris(), ...this.authoring.keys()]);
    this.collection.forEach((uri) => {
      if (!fresh.has(uri.toString())) entries.push([uri, undefined]);
    });
    for (const key of fresh) {
      const uri = vscode.Uri.parse(key);
      const placed = this.index.markers(uri);
      const authored = this.authoring.get(key);
      // Drift first: where the panel keeps the collection's order (equal severity, same line), drift leads.
      const diagnostics = [...placed.map((p) => this.toDiagnostic(p, root)), ...(authored?.diagnostics ?? [])];
      entries.push([authored?.uri ?? placed[0]?.uri ?? uri, diagnostics.length ? diagnostics : undefined]);
    }
    this.collection.set(entries);
  }

  private toDiagnostic(p: PlacedMarker, root: string | undefined): vscode.Diagnostic {
    const d = new vscode.Diagnostic(p.range, p.marker.message, vscode.DiagnosticSeverity.Warning);
    d.source = DRIFT_SOURCE;
    d.code = { value: p.marker.code, target: vscode.Uri.parse(`${DRIFT_DOCS_URL}#${p.marker.code}`) };
    if (root && p.marker.related.length) {
      d.relatedInformation = p.marker.related.map(
        (r) =>
          new vscode.DiagnosticRelatedInformation(
            new vscode.Location(
              repoUri(root, r.location.file),
              new vscode.Position(Math.max(0, r.location.line - 1), Math.max(0, r.location.column - 1)),
            ),
            r.message,
          ),
      );
    }
    this.markerOf.set(d, p);
    return d;
  }
}
