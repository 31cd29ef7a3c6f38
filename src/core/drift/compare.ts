/**
 * Walk 1 of an object diff: every value git sets, against the live value at the same place. Live-only values (API
 * defaults, server fields, other managers' fields) are never looked at here, which is what keeps false alarms out.
 * The walk also records, for walk 2 (src/core/drift/extras.ts), which live paths git covers, and builds the live
 * object projected onto those paths for the unified diff.
 */
import { itemKey, itemLabel, listKeysFor } from './listKeys';
import type { Ownership } from './managedFields';
import { childPointer, isMap, pointerSegments } from '../yaml/pointer';
import { isQuantityField, sameQuantity } from '../k8s/quantity';
import { decodeBase64 } from './secrets';
import { getOwn, setOwn } from '../ownKeys';

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
 * Where a walk is. Walk 1 makes one for every value git sets, so the pointers, labels and schema pointers are built
 * from the way down only when something needs them (a drift, a rare lookup): building them for every value was
 * most of the time and garbage of a big reconcile.
 */
export class At {
  /** Walk 1's coverage node for this place, once it is registered as a map or list git sets part of. */
  cover: CoverNode | undefined;
  private desiredPointer: string | undefined;
  private livePointer: string | undefined;
  private schemaPointer: string | undefined;

  constructor(
    readonly parent: At | undefined,
    /** The map key, or the item's label (`web`, `80/TCP`, an index) for a list item. */
    readonly segment: string,
    readonly item: boolean,
    /** The map key (for a list item: its list's key). */
    readonly key: string,
    readonly parentKey: string | undefined,
    /** The map key, or the item's index in the desired list. */
    private readonly desiredSegment: string | number,
    /** The map key, or the paired item's index in the live list; undefined when live has nothing here. */
    readonly liveSegment: string | number | undefined,
    /** Levels below the object (0 for the object itself). */
    readonly depth: number,
  ) {}

  /** Pointer into the desired object. */
  get d(): string {
    if (this.desiredPointer === undefined)
      this.desiredPointer = this.parent ? childPointer(this.parent.d, this.desiredSegment) : '';
    return this.desiredPointer;
  }

  /** The schema pointer: map keys, `*` for list items. */
  get schema(): string {
    if (this.schemaPointer === undefined)
      this.schemaPointer = this.parent ? childPointer(this.parent.schema, this.item ? '*' : this.segment) : '';
    return this.schemaPointer;
  }

  /** Pointer into the live object; undefined when live has nothing here. */
  get l(): string | undefined {
    if (this.liveSegment === undefined) return undefined;
    if (this.livePointer === undefined)
      this.livePointer = this.parent ? childPointer(this.parent.l as string, this.liveSegment) : '';
    return this.livePointer;
  }
}

/** A short human path: `spec.template.spec.containers[web].image`. */
export function labelOf(at: At | undefined): string {
  const parts: string[] = [];
  for (let a = at; a && a.parent; a = a.parent) {
    parts.push(
      a.item
        ? `[${a.segment}]`
        : a.segment.includes('.') || a.segment.includes('/')
          ? `[${a.segment}]`
          : a.parent.parent
            ? `.${a.segment}`
            : a.segment,
    );
  }
  return parts.reverse().join('');
}

/** One live place walk 1 registered, in {@link Coverage}'s tree. */
export interface CoverNode {
  /** Git sets the live value here as a whole (a scalar, an atomic list). */
  leaf: boolean;
  /** Git sets part of the map or list here: where the walk was. */
  at?: At;
  /** With `at`: the projection node, if built. */
  view?: Record<string, unknown> | unknown[];
  /** Registered places below, by live segment (map key, or item index as text); see {@link newChildren}. */
  children?: Record<string, CoverNode>;
}

/**
 * Children tables inherit nothing, so a live key such as `constructor` or `__proto__` is an own entry like any
 * other. Plain objects rather than `Map`s: a check registers about a million places, and objects of one shape share
 * V8's hidden class where every `Map` allocates its own hash table (the largest part of the diff's garbage).
 */
const NO_PROTOTYPE: object = Object.freeze(Object.create(null));

function newChildren(): Record<string, CoverNode> {
  return Object.create(NO_PROTOTYPE) as Record<string, CoverNode>;
}

/** A place with every field, so all places share one hidden class. */
function newPlace(leaf: boolean): CoverNode {
  return { leaf, at: undefined, view: undefined, children: undefined };
}

/** The one node every place git sets as a whole with nothing registered below shares (most places are such). */
const SHARED_LEAF: CoverNode = Object.freeze(newPlace(true));

/**
 * What walk 1 leaves for walk 2 and the diff: the live places git sets, as a tree shaped like the live object, so
 * walk 2 follows a managedFields trie down it without building a pointer per field.
 */
export class Coverage {
  readonly root: CoverNode = newPlace(false);

  /** Records that git sets the live value at `at` as a whole. */
  addLeaf(at: At): void {
    if (!at.parent) this.root.leaf = true;
    else this.leafChild(at.parent.cover ?? this.place(at.parent), String(at.liveSegment));
  }

  /** Records that git sets the live value under map key `key` of the map at `at` as a whole. */
  addLeafBelow(at: At, key: string): void {
    this.leafChild(at.cover ?? this.place(at), key);
  }

  /** Records that git sets part of the live map or list at `at` (its children are registered under it). */
  addNode(at: At, view: Record<string, unknown> | unknown[] | undefined): void {
    const place = this.place(at);
    place.at = at;
    place.view = view;
    at.cover = place;
  }

  /** Whether git sets the value at a live pointer as a whole. */
  isLeaf(pointer: string): boolean {
    return this.find(pointer)?.leaf === true;
  }

  /** The map or list git sets part of at a live pointer. */
  nodeAt(pointer: string): { at: At; view?: Record<string, unknown> | unknown[] } | undefined {
    const place = this.find(pointer);
    return place?.at ? (place as { at: At; view?: Record<string, unknown> | unknown[] }) : undefined;
  }

  /** Whether walk 1 registered the live pointer at all (as a leaf or a node). */
  has(pointer: string): boolean {
    const place = this.find(pointer);
    return place !== undefined && (place.leaf || place.at !== undefined);
  }

  private find(pointer: string): CoverNode | undefined {
    let place: CoverNode | undefined = this.root;
    for (const segment of pointerSegments(pointer)) {
      place = place.children?.[segment];
      if (!place) return undefined;
    }
    return place;
  }

  private place(at: At): CoverNode {
    if (!at.parent) return this.root;
    // A live place's parent is always registered first (as the map or list holding it); fall back to a bare one.
    return this.child(at.parent.cover ?? this.place(at.parent), String(at.liveSegment));
  }

  /** A place that may still get a node or children of its own: never the shared leaf. */
  private child(parent: CoverNode, segment: string): CoverNode {
    const children = (parent.children ??= newChildren());
    let place = children[segment];
    if (place === SHARED_LEAF) children[segment] = place = newPlace(true);
    else if (!place) children[segment] = place = newPlace(false);
    return place;
  }

  private leafChild(parent: CoverNode, segment: string): void {
    const children = (parent.children ??= newChildren());
    const place = children[segment];
    if (!place) children[segment] = SHARED_LEAF;
    else if (place !== SHARED_LEAF) place.leaf = true;
  }
}

const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']);

/** Maps whose keys are data, not schema: a missing one is reported key by key. */
const FREE_FORM_MAPS = new Set([
  'labels',
  'annotations',
  'data',
  'binaryData',
  'stringData',
  'matchLabels',
  'nodeSelector',
  'selector',
]);

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

/** SKIPPED by the map holding them (`''`, `/metadata`, `/metadata/annotations`) → their keys, for the walk. */
const SKIPPED_KEYS = new Map<string, Set<string>>();
for (const pointer of SKIPPED) {
  const slash = pointer.lastIndexOf('/');
  const parent = pointer.slice(0, slash);
  const key = pointerSegments(pointer).pop() as string;
  SKIPPED_KEYS.set(parent, (SKIPPED_KEYS.get(parent) ?? new Set()).add(key));
}

/** Compares the values git sets in `desired` with `live`. */
export class DesiredWalk {
  readonly drifts: RawDrift[] = [];
  readonly coverage = new Coverage();
  /** The live object projected onto what git sets (for the unified diff). */
  view: Record<string, unknown> = {};

  /**
   * `project`: also build the projected live object (for the unified diff), showing git's value at `suppressed`
   * desired pointers (differences that are not drift: controller-owned, ignored).
   */
  constructor(
    /** `apiVersion/kind` (`typeIdOf`): which built-in type's list keys apply. */
    private readonly typeId: string,
    private readonly secret: boolean,
    private readonly ownership: Ownership | undefined,
    private readonly project = false,
    private readonly suppressed?: ReadonlySet<string>,
  ) {}

  run(desired: Record<string, unknown>, live: Record<string, unknown>): void {
    const view = this.value(desired, live, new At(undefined, '', false, '', undefined, '', '', 0));
    this.view = isMap(view) ? view : {};
  }

  /** Compares one desired value; returns the live value projected onto it (undefined when live has none). */
  private value(d: unknown, l: unknown, at: At): unknown {
    if (d === undefined || d === null) return undefined;
    if (this.suppressed?.has(at.d)) return d;
    if (isMap(d)) return this.map(d, l, at);
    if (Array.isArray(d)) return this.list(d, l, at);
    if (at.liveSegment !== undefined) this.coverage.addLeaf(at);
    if (!this.sameScalar(d, l, at.key, at.parentKey, at)) this.drift(at, d, l);
    return l;
  }

  private map(d: Record<string, unknown>, l: unknown, at: At): unknown {
    if (l !== undefined && l !== null && !isMap(l)) {
      if (at.liveSegment !== undefined) this.coverage.addLeaf(at);
      this.drift(at, d, l);
      return l;
    }
    // Skipped paths are all at most three levels down: `/status`, `/metadata/uid`, `/metadata/annotations/…`.
    const skipped = at.depth <= 2 ? SKIPPED_KEYS.get(at.d) : undefined;
    // A structure the cluster lacks altogether (a removed probe) is one finding, unless all git puts in it are
    // empty or zero values the API would drop anyway. Free-form maps (labels, data, …) report each key instead.
    if (!isMap(l)) {
      if (!FREE_FORM_MAPS.has(at.key)) {
        const effective = skipped ? Object.fromEntries(Object.entries(d).filter(([k]) => !skipped.has(k))) : d;
        if (!isEffectivelyEmpty(effective)) this.drift(at, d, undefined);
        return undefined;
      }
    }
    const live: Record<string, unknown> = isMap(l) ? l : {};
    const view: Record<string, unknown> | undefined = this.project ? {} : undefined;
    const liveHere = at.liveSegment !== undefined && isMap(l);
    if (liveHere) this.coverage.addNode(at, view);
    // for-in: no key array per map (plain objects: own keys only, in the same order).
    for (const k in d) {
      const v = d[k];
      if (v === undefined || v === null || skipped?.has(k)) continue;
      const lv = getOwn(live, k);
      if (typeof v === 'object') {
        const child = this.value(v, lv, new At(at, k, false, k, at.key, k, liveHere ? k : undefined, at.depth + 1));
        if (child !== undefined && view) setOwn(view, k, child);
        continue;
      }
      // A scalar, as `value` compares it, without a place of its own unless it differs: most of what git sets.
      if (this.suppressed?.has(childPointer(at.d, k))) {
        if (view) setOwn(view, k, v);
        continue;
      }
      if (liveHere) this.coverage.addLeafBelow(at, k);
      if (!this.sameScalar(v, lv, k, at.key, at, k))
        this.drift(new At(at, k, false, k, at.key, k, liveHere ? k : undefined, at.depth + 1), v, lv);
      if (lv !== undefined && view) setOwn(view, k, lv);
    }
    return isMap(l) ? (view ?? l) : undefined;
  }

  private list(d: unknown[], l: unknown, at: At): unknown {
    if (!Array.isArray(l)) {
      if (at.liveSegment !== undefined && l !== undefined && l !== null) this.coverage.addLeaf(at);
      if (d.length > 0 || (l !== undefined && l !== null)) this.drift(at, d, l);
      return l ?? undefined;
    }
    const keys = d.some(isMap) ? listKeysFor(this.typeId, at.schema, this.ownership, at.l) : undefined;
    const desiredKeys = keys ? d.map((item) => itemKey(item, keys)) : undefined;
    if (keys && desiredKeys?.every((k) => k !== undefined)) return this.keyedList(d, l, at, keys, desiredKeys);
    if (d.length === l.length && d.some((item) => isMap(item) || Array.isArray(item))) {
      const view: unknown[] | undefined = this.project ? [] : undefined;
      if (at.liveSegment !== undefined) this.coverage.addNode(at, view);
      d.forEach((item, i) => {
        const child = this.value(item, l[i], this.item(at, i, i, String(i)));
        view?.push(child);
      });
      return view ?? l;
    }
    // An atomic list (scalars, or a different length): one value.
    if (at.liveSegment !== undefined) this.coverage.addLeaf(at);
    const same = d.length === l.length && d.every((item, i) => this.sameScalar(item, l[i], at.key, at.key, at, i));
    if (!same) this.drift(at, d, l);
    return l;
  }

  private keyedList(d: unknown[], l: unknown[], at: At, keys: string[], desiredKeys: string[]): unknown {
    const byKey = new Map<string, number>();
    l.forEach((item, j) => {
      const k = itemKey(item, keys);
      if (k !== undefined && !byKey.has(k)) byKey.set(k, j);
    });
    const view: unknown[] | undefined = this.project ? [] : undefined;
    if (at.liveSegment !== undefined) this.coverage.addNode(at, view);
    const pairs = desiredKeys.map((k) => byKey.get(k));
    // An item whose key field itself was changed (a Service port 80 → 8080) has no key match: pair the leftovers by
    // name, else by position, so the change shows as the field that changed rather than an item gone and one added.
    const used = new Set(pairs.filter((j): j is number => j !== undefined));
    pairs.forEach((j, i) => {
      if (j !== undefined) return;
      const item = d[i];
      const name = isMap(item) ? item.name : undefined;
      let k = name !== undefined ? l.findIndex((x, n) => !used.has(n) && isMap(x) && x.name === name) : -1;
      if (
        k < 0 &&
        i < l.length &&
        !used.has(i) &&
        !(name !== undefined && isMap(l[i]) && (l[i] as Record<string, unknown>).name !== undefined)
      )
        k = i;
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

  private item(at: At, i: number, j: number | undefined, label: string): At {
    return new At(
      at,
      label,
      true,
      at.key,
      at.key,
      i,
      j !== undefined && at.liveSegment !== undefined ? j : undefined,
      at.depth + 1,
    );
  }

  /** Whether the scalar at `at` (or at its child) is a resource quantity: by type for a built-in kind, else by name. */
  private isQuantity(key: string, parentKey: string | undefined, at: At, child?: string | number): boolean {
    const slash = this.typeId.lastIndexOf('/');
    const schema = child === undefined ? at.schema : childPointer(at.schema, typeof child === 'number' ? '*' : child);
    return isQuantityField(this.typeId.slice(0, slash), this.typeId.slice(slash + 1), schema, parentKey, key);
  }

  /**
   * Scalar equality with the API's normalisations, for the value under map key `key` (a list item: its list's key)
   * in a map under `parentKey`; it is at `at`, or at its child `child` when given.
   */
  private sameScalar(
    d: unknown,
    l: unknown,
    key: string,
    parentKey: string | undefined,
    at: At,
    child?: string | number,
  ): boolean {
    if (d === l) return true;
    // Omitted zero values: the API drops `""`, `false` and `0` of omitempty fields — but a label, annotation or data
    // key with an empty value is kept, so there absent is different.
    if (l === undefined || l === null)
      return (d === '' || d === false || d === 0) && !FREE_FORM_MAPS.has(parentKey ?? '');
    // File modes: Kubernetes reads YAML 1.1, where `defaultMode: 0644` is octal (420); a YAML 1.2 reader sees 644.
    if (typeof d === 'number' && typeof l === 'number' && (key === 'defaultMode' || key === 'mode'))
      return /^[0-7]+$/.test(String(d)) && parseInt(String(d), 8) === l;
    if (typeof d === 'number' && typeof l === 'string')
      return numericText(l) === d || (this.isQuantity(key, parentKey, at, child) && sameQuantity(d, l));
    if (typeof d === 'string' && typeof l === 'number')
      return numericText(d) === l || (this.isQuantity(key, parentKey, at, child) && sameQuantity(d, l));
    // YAML 1.1 booleans (what Kubernetes reads): git's plain `yes`/`off` is a boolean in the cluster.
    if (typeof d === 'string' && typeof l === 'boolean') return (l ? YAML11_TRUE : YAML11_FALSE).has(d);
    if (typeof d !== 'string' || typeof l !== 'string') return false;
    if (this.isQuantity(key, parentKey, at, child) && sameQuantity(d, l)) return true;
    // Secret data and ConfigMap binaryData: the same bytes can be spelled differently in base64 (line breaks, padding).
    const pointer = child === undefined ? at.d : childPointer(at.d, child);
    if ((this.secret && pointer.startsWith('/data/')) || pointer.startsWith('/binaryData/'))
      return decodeBase64(d) === decodeBase64(l);
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
