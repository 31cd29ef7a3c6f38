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

/**
 * Where a walk is: both pointers, and the way down (labels and schema pointers are built from it only when a
 * drift needs them: building them for every value is most of the garbage a big reconcile makes).
 */
export interface At {
  d: string;
  l: string | undefined;
  parent?: At;
  /** The map key, or the item's label (`web`, `80/TCP`, an index) for a list item. */
  segment: string;
  item: boolean;
  parentKey?: string;
  key: string;
}

/** A short human path: `spec.template.spec.containers[web].image`. */
export function labelOf(at: At | undefined): string {
  const parts: string[] = [];
  for (let a = at; a && a.parent; a = a.parent) {
    parts.push(a.item ? `[${a.segment}]` : a.segment.includes('.') || a.segment.includes('/') ? `[${a.segment}]` : a.parent.parent ? `.${a.segment}` : a.segment);
  }
  return parts.reverse().join('');
}

/** The schema pointer: map keys, `*` for list items. */
function schemaOf(at: At): string {
  const parts: string[] = [];
  for (let a: At | undefined = at; a && a.parent; a = a.parent) parts.push(a.item ? '*' : a.segment.replace(/~/g, '~0').replace(/\//g, '~1'));
  return parts.length ? `/${parts.reverse().join('/')}` : '';
}

/** What walk 1 leaves for walk 2 and the diff. */
export interface Coverage {
  /** Live pointers of values git sets as a whole (scalars, atomic lists). */
  leaves: Set<string>;
  /** Live pointers of maps/lists git sets part of → where the walk was there, and the projection node if built. */
  nodes: Map<string, { at: At; view?: Record<string, unknown> | unknown[] }>;
}

const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);

/** Maps whose keys are data, not schema: a missing one is reported key by key. */
const FREE_FORM_MAPS = new Set(['labels', 'annotations', 'data', 'binaryData', 'stringData', 'matchLabels', 'nodeSelector', 'selector']);

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

  /**
   * `project`: also build the projected live object (for the unified diff), showing git's value at `suppressed`
   * desired pointers (differences that are not drift: controller-owned, ignored).
   */
  constructor(
    private readonly kind: string,
    private readonly secret: boolean,
    private readonly ownership: Ownership | undefined,
    private readonly project = false,
    private readonly suppressed?: ReadonlySet<string>,
  ) {}

  run(desired: Record<string, unknown>, live: Record<string, unknown>): void {
    const view = this.value(desired, live, { d: '', l: '', segment: '', item: false, key: '' });
    this.view = isMap(view) ? view : {};
  }

  /** Compares one desired value; returns the live value projected onto it (undefined when live has none). */
  private value(d: unknown, l: unknown, at: At): unknown {
    if (d === undefined || d === null) return undefined;
    if (this.suppressed?.has(at.d)) return d;
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
    // Skipped paths are all at most three levels down: `/status`, `/metadata/uid`, `/metadata/annotations/…`.
    const maySkip = at.d === '' || at.d === '/metadata' || at.d === '/metadata/annotations';
    // A structure the cluster lacks altogether (a removed probe) is one finding, unless all git puts in it are
    // empty or zero values the API would drop anyway. Free-form maps (labels, data, …) report each key instead.
    if (!isMap(l)) {
      if (!FREE_FORM_MAPS.has(at.key)) {
        const effective = maySkip ? Object.fromEntries(Object.entries(d).filter(([k]) => !isSkippedPath(childPointer(at.d, k)))) : d;
        if (!isEffectivelyEmpty(effective)) this.drift(at, d, undefined);
        return undefined;
      }
    }
    const live: Record<string, unknown> = isMap(l) ? l : {};
    const view: Record<string, unknown> | undefined = this.project ? {} : undefined;
    if (at.l !== undefined && isMap(l)) this.coverage.nodes.set(at.l, { at, view });
    for (const [k, v] of Object.entries(d)) {
      const at2 = this.child(at, k);
      if (maySkip && isSkippedPath(at2.d)) continue;
      const child = this.value(v, live[k], isMap(l) ? at2 : { ...at2, l: undefined });
      if (child !== undefined && view) view[k] = child;
    }
    return isMap(l) ? (view ?? l) : undefined;
  }

  private list(d: unknown[], l: unknown, at: At): unknown {
    if (!Array.isArray(l)) {
      if (at.l !== undefined && l !== undefined && l !== null) this.coverage.leaves.add(at.l);
      if (d.length > 0 || (l !== undefined && l !== null)) this.drift(at, d, l);
      return l ?? undefined;
    }
    const keys = d.some(isMap) ? listKeysFor(this.kind, schemaOf(at), this.ownership, at.l) : undefined;
    if (keys && d.every((item) => itemKey(item, keys) !== undefined)) return this.keyedList(d, l, at, keys);
    if (d.length === l.length && d.some((item) => isMap(item) || Array.isArray(item))) {
      const view: unknown[] | undefined = this.project ? [] : undefined;
      if (at.l !== undefined) this.coverage.nodes.set(at.l, { at, view });
      d.forEach((item, i) => {
        const child = this.value(item, l[i], this.item(at, i, i, String(i)));
        view?.push(child);
      });
      return view ?? l;
    }
    // An atomic list (scalars, or a different length): one value.
    if (at.l !== undefined) this.coverage.leaves.add(at.l);
    const same = d.length === l.length && d.every((item, i) => this.sameScalar(item, l[i], this.item(at, i, i, String(i))));
    if (!same) this.drift(at, d, l);
    return l;
  }

  private keyedList(d: unknown[], l: unknown[], at: At, keys: string[]): unknown {
    const byKey = new Map<string, number>();
    l.forEach((item, j) => {
      const k = itemKey(item, keys);
      if (k !== undefined && !byKey.has(k)) byKey.set(k, j);
    });
    const view: unknown[] | undefined = this.project ? [] : undefined;
    if (at.l !== undefined) this.coverage.nodes.set(at.l, { at, view });
    const pairs = d.map((item) => byKey.get(itemKey(item, keys) as string));
    // An item whose key field itself was changed (a Service port 80 → 8080) has no key match: pair the leftovers by
    // name, else by position, so the change shows as the field that changed rather than an item gone and one added.
    const used = new Set(pairs.filter((j): j is number => j !== undefined));
    pairs.forEach((j, i) => {
      if (j !== undefined) return;
      const item = d[i];
      const name = isMap(item) ? item.name : undefined;
      let k = name !== undefined ? l.findIndex((x, n) => !used.has(n) && isMap(x) && x.name === name) : -1;
      if (k < 0 && i < l.length && !used.has(i) && !(name !== undefined && isMap(l[i]) && (l[i] as Record<string, unknown>).name !== undefined)) k = i;
      if (k >= 0) {
        pairs[i] = k;
        used.add(k);
      }
    });
    d.forEach((item, i) => {
      const j = pairs[i];
      if (j === undefined) {
        this.drift(this.item(at, i, undefined, itemLabel(item, keys, i)), item, undefined);
        return;
      }
      const child = this.value(item, l[j], this.item(at, i, j, itemLabel(item, keys, i)));
      view?.push(child);
    });
    return view ?? l;
  }

  private child(at: At, key: string): At {
    return { d: childPointer(at.d, key), l: at.l !== undefined ? childPointer(at.l, key) : undefined, parent: at, segment: key, item: false, parentKey: at.key, key };
  }

  private item(at: At, i: number, j: number | undefined, label: string): At {
    return { d: childPointer(at.d, i), l: j !== undefined && at.l !== undefined ? childPointer(at.l, j) : undefined, parent: at, segment: label, item: true, parentKey: at.key, key: at.key };
  }

  /** Scalar equality with the API's normalisations. */
  private sameScalar(d: unknown, l: unknown, at: At): boolean {
    if (d === l) return true;
    // Omitted zero values: the API drops `""`, `false` and `0` of omitempty fields — but a label, annotation or data
    // key with an empty value is kept, so there absent is different.
    if (l === undefined || l === null) return (d === '' || d === false || d === 0) && !FREE_FORM_MAPS.has(at.parentKey ?? '');
    // File modes: Kubernetes reads YAML 1.1, where `defaultMode: 0644` is octal (420); a YAML 1.2 reader sees 644.
    if (typeof d === 'number' && typeof l === 'number' && (at.key === 'defaultMode' || at.key === 'mode')) return /^[0-7]+$/.test(String(d)) && parseInt(String(d), 8) === l;
    if (typeof d === 'number' && typeof l === 'string') return numericText(l) === d || (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l));
    if (typeof d === 'string' && typeof l === 'number') return numericText(d) === l || (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l));
    // YAML 1.1 booleans (what Kubernetes reads): git's plain `yes`/`off` is a boolean in the cluster.
    if (typeof d === 'string' && typeof l === 'boolean') return (l ? YAML11_TRUE : YAML11_FALSE).has(d);
    if (typeof d !== 'string' || typeof l !== 'string') return false;
    if (isQuantityPath(at.parentKey, at.key) && sameQuantity(d, l)) return true;
    // Secret data and ConfigMap binaryData: the same bytes can be spelled differently in base64 (line breaks, padding).
    if ((this.secret && at.d.startsWith('/data/')) || at.d.startsWith('/binaryData/')) return decodeBase64(d) === decodeBase64(l);
    return false;
  }

  private drift(at: At, desired: unknown, live: unknown): void {
    this.drifts.push({ path: at.d, livePath: at.l, label: labelOf(at), desired, live: live ?? undefined });
  }
}

/** Whether every value in a desired map is empty or zero (what the API drops): such a map is "nothing". */
function isEffectivelyEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isMap(value) && Object.values(value).every(isEffectivelyEmpty);
}

/** The number a numeric string spells, or undefined. */
function numericText(text: string): number | undefined {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(text) ? Number(text) : undefined;
}
