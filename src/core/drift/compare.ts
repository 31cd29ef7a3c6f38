/**
 * Walk 1 of an object diff: every value git sets, against the live value at the same place. Live-only values (API
 * defaults, server fields, other managers' fields) are never looked at here, which is what keeps false alarms out.
 * The walk also records, for walk 2 (src/core/drift/extras.ts), which live paths git covers, and builds the live
 * object projected onto those paths for the unified diff.
 */
import { itemKey, itemLabel, listKeysFor } from './listKeys';
import type { Ownership } from './managedFields';
import { childPointer, isMap } from './pointer';
import { isQuantityPath, sameQuantity } from './quantity';
import { decodeBase64 } from './secrets';

/** A difference found by a walk, before ignore rules, ownership and masking. */
export interface RawDrift {
  /** Pointer into the desired object, or into the live one for a live-only list item. */
  path: string;
  /** Pointer into the live object; undefined when live has nothing there. */
  livePath?: string;
  label: string;
  desired: unknown;
  live: unknown;
  /** Desired pointer to look the origin up from, when `path` is a live pointer. */
  originPath?: string;
  /** Why walk 2 found it: the applier's last apply set it (`removal`) or a hand-run manager did (`outOfBand`). */
  cause?: 'removal' | 'outOfBand';
}

/** Where a walk is: both pointers, the schema pointer (`*` for list items) and a human label. */
interface At {
  d: string;
  l: string | undefined;
  schema: string;
  label: string;
  parentKey?: string;
  key: string;
}

/** What walk 1 leaves for walk 2 and the diff. */
export interface Coverage {
  /** Live pointers of values git sets as a whole (scalars, atomic lists). */
  leaves: Set<string>;
  /** Live pointers of maps/lists git sets part of → the desired pointer, the label and the projection node. */
  nodes: Map<string, { d: string; label: string; view: Record<string, unknown> | unknown[] }>;
}

/** Fields git never sets meaningfully: the key, server-populated metadata and status. */
const SKIPPED = new Set([
  '/apiVersion',
  '/kind',
  '/status',
  '/metadata/name',
  '/metadata/namespace',
  '/metadata/uid',
  '/metadata/resourceVersion',
  '/metadata/generation',
  '/metadata/creationTimestamp',
  '/metadata/deletionTimestamp',
  '/metadata/deletionGracePeriodSeconds',
  '/metadata/managedFields',
  '/metadata/selfLink',
  '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration',
]);

/** Whether a desired pointer is one the engine never compares. */
export function isSkippedPath(pointer: string): boolean {
  return SKIPPED.has(pointer);
}

/** Compares the values git sets in `desired` with `live`. */
export class DesiredWalk {
  readonly drifts: RawDrift[] = [];
  readonly coverage: Coverage = { leaves: new Set(), nodes: new Map() };
  /** The live object projected onto what git sets (for the unified diff). */
  view: Record<string, unknown> = {};

  constructor(
    private readonly kind: string,
    private readonly secret: boolean,
    private readonly ownership: Ownership | undefined,
  ) {}

  run(desired: Record<string, unknown>, live: Record<string, unknown>): void {
    const view = this.value(desired, live, { d: '', l: '', schema: '', label: '', key: '' });
    this.view = isMap(view) ? view : {};
  }

  /** Compares one desired value; returns the live value projected onto it (undefined when live has none). */
  private value(d: unknown, l: unknown, at: At): unknown {
    if (d === undefined || d === null || isSkippedPath(at.d)) return undefined;
    if (isMap(d)) return this.map(d, l, at);
    if (Array.isArray(d)) return this.list(d, l, at);
    if (at.l !== undefined) this.coverage.leaves.add(at.l);
    if (!this.sameScalar(d, l, at)) this.drift(at, d, l);
    return l;
  }

  private map(d: Record<string, unknown>, l: unknown, at: At): unknown {
    if (l !== undefined && l !== null && !isMap(l)) {
      if (at.l !== undefined) this.coverage.leaves.add(at.l);
      this.drift(at, d, l);
      return l;
    }
    // A map the cluster lacks: still descend, so each value git sets is reported on its own line.
    const live = isMap(l) ? l : undefined;
    const view: Record<string, unknown> = {};
    if (live && at.l !== undefined) this.coverage.nodes.set(at.l, { d: at.d, label: at.label, view });
    for (const [k, v] of Object.entries(d)) {
      const child = this.value(v, live?.[k], this.child(at, k, live !== undefined));
      if (child !== undefined) view[k] = child;
    }
    return live ? view : undefined;
  }

  private list(d: unknown[], l: unknown, at: At): unknown {
    if (!Array.isArray(l)) {
      if (at.l !== undefined && l !== undefined && l !== null) this.coverage.leaves.add(at.l);
      if (d.length > 0 || (l !== undefined && l !== null)) this.drift(at, d, l);
      return l ?? undefined;
    }
    const keys = listKeysFor(this.kind, at.schema, this.ownership);
    if (keys && d.every((item) => itemKey(item, keys) !== undefined)) return this.keyedList(d, l, at, keys);
    if (d.length === l.length && d.some((item) => isMap(item) || Array.isArray(item))) {
      const view: unknown[] = [];
      if (at.l !== undefined) this.coverage.nodes.set(at.l, { d: at.d, label: at.label, view });
      d.forEach((item, i) => view.push(this.value(item, l[i], this.item(at, i, i, String(i)))));
      return view;
    }
    // An atomic list (scalars, or a different length): one value.
    if (at.l !== undefined) this.coverage.leaves.add(at.l);
    const same = d.length === l.length && d.every((item, i) => this.sameScalar(item, l[i], this.item(at, i, i, String(i))));
    if (!same) this.drift(at, d, l);
    return l;
  }

  private keyedList(d: unknown[], l: unknown[], at: At, keys: string[]): unknown[] {
    const byKey = new Map<string, number>();
    l.forEach((item, j) => {
      const k = itemKey(item, keys);
      if (k !== undefined && !byKey.has(k)) byKey.set(k, j);
    });
    const view: unknown[] = [];
    if (at.l !== undefined) this.coverage.nodes.set(at.l, { d: at.d, label: at.label, view });
    d.forEach((item, i) => {
      const j = byKey.get(itemKey(item, keys) as string);
      const label = itemLabel(item, keys, i);
      if (j === undefined) {
        this.drift(this.item(at, i, undefined, label), item, undefined);
        return;
      }
      view.push(this.value(item, l[j], this.item(at, i, j, label)));
    });
    return view;
  }

  private child(at: At, key: string, liveExists: boolean): At {
    return {
      d: childPointer(at.d, key),
      l: liveExists && at.l !== undefined ? childPointer(at.l, key) : undefined,
      schema: childPointer(at.schema, key),
      label: at.label ? (key.includes('.') || key.includes('/') ? `${at.label}[${key}]` : `${at.label}.${key}`) : key,
      parentKey: at.key,
      key,
    };
  }

  private item(at: At, i: number, j: number | undefined, label: string): At {
    return {
      d: childPointer(at.d, i),
      l: j !== undefined && at.l !== undefined ? childPointer(at.l, j) : undefined,
      schema: `${at.schema}/*`,
      label: `${at.label}[${label}]`,
      parentKey: at.key,
      key: at.key,
    };
  }

  /** Scalar equality with the API's normalisations. */
  private sameScalar(d: unknown, l: unknown, at: At): boolean {
    if (d === l) return true;
    // Omitted zero values: the API drops `""`, `false` and `0` of omitempty fields.
    if (l === undefined || l === null) return d === '' || d === false || d === 0 || d === null;
    if (typeof d === 'number' && typeof l === 'string') return numericText(l) === d || (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l));
    if (typeof d === 'string' && typeof l === 'number') return numericText(d) === l || (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l));
    if (typeof d !== 'string' || typeof l !== 'string') return false;
    if (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l)) return true;
    // Secret data: the same bytes can be spelled differently in base64 (line breaks, padding).
    if (this.secret && at.parentKey === 'data' && at.d.startsWith('/data/')) return decodeBase64(d) === decodeBase64(l);
    return false;
  }

  private drift(at: At, desired: unknown, live: unknown): void {
    this.drifts.push({ path: at.d, livePath: at.l, label: at.label, desired, live: live ?? undefined });
  }
}

/** The number a numeric string spells, or undefined. */
function numericText(text: string): number | undefined {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}
