import * as vscode from 'vscode';
import { type DriftMarker, driftMarkers, metadataNameLine } from '../../core/editor/driftMarkers';
import { fieldLabel, formatValue } from '../../core/editor/presentation';
import type { DriftStore } from '../driftStore';
import { Disposable } from '../lifecycle';
import { readText, repoUri } from '../repoFiles';

/** A marker placed in a document: its range is computed against the file's text. */
export interface PlacedMarker {
  marker: DriftMarker;
  uri: vscode.Uri;
  range: vscode.Range;
}

/**
 * The drift markers of every environment, placed on file ranges, recomputed when the store changes. The
 * diagnostics, decorations, hovers and quick fixes all read this one index.
 */
export class MarkerIndex extends Disposable {
  private byUri = new Map<string, PlacedMarker[]>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private version = 0;
  private settling: Promise<void> = Promise.resolve();

  constructor(private readonly store: DriftStore) {
    super();
    this._register(store.onDidChange(() => (this.settling = this.rebuild())));
  }

  /** Resolves when the markers reflect the store's latest state. */
  async whenSettled(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.settling;
      await current;
    } while (current !== this.settling);
  }

  /** Markers in a file, by URI. */
  markers(uri: vscode.Uri): readonly PlacedMarker[] {
    return this.byUri.get(uri.toString()) ?? [];
  }

  /** The drifted-field markers on one line (0-based) of a file: what the drift hover shows. */
  fieldMarkersAt(uri: vscode.Uri, line: number): PlacedMarker[] {
    return this.markers(uri).filter((p) => p.range.start.line === line && p.marker.field);
  }

  /** Every file URI that has markers. */
  uris(): string[] {
    return [...this.byUri.keys()];
  }

  private async rebuild(): Promise<void> {
    const root = this.store.repoRoot;
    if (!root) return;
    const version = ++this.version;
    const reports = this.store.entries.flatMap((e) => (e.report ? [e.report] : []));
    const markers = driftMarkers(reports, new Date());
    const texts = new Map<string, string | undefined>();
    const textOf = async (uri: vscode.Uri) => {
      const key = uri.toString();
      if (!texts.has(key)) texts.set(key, await readText(uri));
      return texts.get(key);
    };
    const session = markers.length ? await this.store.getSession().catch(() => undefined) : undefined;
    const next = new Map<string, PlacedMarker[]>();
    for (const marker of markers) {
      const uri = repoUri(root, marker.file);
      const key = uri.toString();
      await textOf(uri);
      // An overlay set the value: point at the line in the object's own file (the base) that it overrides.
      const source = marker.resource.source;
      if (
        session &&
        marker.field &&
        marker.field.desired !== undefined &&
        !marker.field.secret &&
        source &&
        source.file !== marker.file
      ) {
        const baseText = await textOf(repoUri(root, source.file));
        const found = baseText === undefined ? undefined : session.locate(baseText, source.line, marker.field.path);
        if (found) {
          const what =
            'value' in found
              ? `${fieldLabel(marker.field)} is ${formatValue(found.value)} here`
              : `${fieldLabel(marker.field)} is set here`;
          marker.related.unshift({
            location: { file: source.file, line: found.line, column: found.column },
            message: `${what}, overridden by ${marker.file}:${marker.line}`,
          });
        }
      }
      const lines = texts.get(key)?.split(/\r?\n/);
      let line = marker.line;
      if (marker.code === 'missing-object' && texts.get(key)) line = metadataNameLine(texts.get(key)!, marker.line);
      const index = Math.max(0, Math.min(line - 1, (lines?.length ?? 1) - 1));
      const text = lines?.[index] ?? '';
      // From the value (or the key when the origin is a whole entry) to the end of the line's content.
      const start = Math.min(
        Math.max(0, marker.code === 'missing-object' ? text.search(/\S/) : marker.column - 1),
        text.length,
      );
      const end = Math.max(start, text.trimEnd().length);
      const range = new vscode.Range(index, start, index, end === start ? text.length : end);
      const list = next.get(key);
      const placed = { marker: { ...marker, line }, uri, range };
      if (list) list.push(placed);
      else next.set(key, [placed]);
    }
    if (version !== this.version) return; // a newer rebuild started while this one read files
    this.byUri = next;
    this.changed.fire();
  }
}
