/**
 * Decodes a live object's `metadata.managedFields` (FieldsV1) into who owns which field of *that* object.
 * FieldsV1 is a trie: `f:<name>` a map field, `k:<json>` a list item by its key fields, `v:<json>` a set item by
 * value, `i:<n>` an item by index, and `.` the node itself. An empty child (`{}`) is a leaf: the manager owns the
 * whole value there (scalars and atomic maps/lists such as `f:selector`).
 */
import type { FieldChange } from '../model/drift';
import type { KubeObject } from '../model/resource';
import { canonicalJson, childPointer, isMap, pointerSegments } from '../yaml/pointer';

/** One `managedFields` entry, without its field set. */
export interface ManagedEntry extends FieldChange {
  subresource?: string;
}

/** A field an entry owns, as a pointer into the live object. */
export interface OwnedField {
  pointer: string;
  entry: ManagedEntry;
  /** True for a leaf (the whole value is owned); false for `.` (the map/list item exists because of this manager). */
  leaf: boolean;
}

/**
 * Who owns what in one live object. Field sets are decoded on demand, per entry: a diff without drift usually needs
 * only the appliers' and hand-run managers' sets, and most objects have no drift at all.
 */
export class Ownership {
  /** Per entry, in `managedFields` order. */
  readonly entries: ManagedEntry[] = [];
  /**
   * Each entry's field set, by the entry's index. One is kept per live object for as long as the object (a CLI run
   * holds 30,000), so the maps below are made only when first needed.
   */
  private readonly tries: Record<string, unknown>[] = [];
  private decoded: Map<ManagedEntry, OwnedField[]> | undefined;
  private allListKeys: Map<string, string[]> | undefined;

  constructor(private readonly live: KubeObject) {}

  /** @internal Used by readOwnership. */
  addEntry(entry: ManagedEntry, fieldsV1: Record<string, unknown>): void {
    this.entries.push(entry);
    this.tries.push(fieldsV1);
  }

  /** The field set of `entry`. */
  private trieOf(entry: ManagedEntry): Record<string, unknown> | undefined {
    const at = this.entries.indexOf(entry);
    return at < 0 ? undefined : this.tries[at];
  }

  /** Every owned field, all entries. */
  get owned(): OwnedField[] {
    return this.entries.flatMap((e) => this.ownedBy(e));
  }

  /** Key field names of associative lists, by schema pointer (list item indices replaced by `*`). */
  get listKeys(): Map<string, string[]> {
    if (!this.allListKeys) {
      this.allListKeys = new Map();
      for (const entry of this.entries) {
        this.ownedBy(entry);
        for (const [k, v] of this.listKeysOf?.get(entry) ?? []) this.allListKeys.set(k, v);
      }
    }
    return this.allListKeys;
  }

  /**
   * Entries owning the value at `pointer`: exactly, through an owned (atomic) ancestor, or (unless `withDescendants`
   * is false) through owned descendants. Follows the pointer down each entry's trie instead of decoding it whole.
   */
  ownersOf(pointer: string, withDescendants = true): ManagedEntry[] {
    const segments = pointerSegments(pointer);
    const out: ManagedEntry[] = [];
    for (const entry of this.entries) {
      let node: Record<string, unknown> | undefined = this.trieOf(entry);
      let value: unknown = this.live;
      let owns = false;
      for (let i = 0; i < segments.length && node; i++) {
        const key = Array.isArray(value)
          ? this.itemKeyIn(node, value, Number(segments[i]))
          : isMap(value)
            ? `f:${segments[i]}`
            : undefined;
        value = Array.isArray(value) ? value[Number(segments[i])] : isMap(value) ? value[segments[i]] : undefined;
        const child = key === undefined ? undefined : node[key];
        node = isMap(child) ? child : undefined;
        // An empty child above the target is an atomic value the entry owns whole.
        if (node && i < segments.length - 1 && Object.keys(node).length === 0) {
          owns = true;
          node = undefined;
        }
      }
      if (node) {
        const keys = Object.keys(node);
        owns = keys.length === 0 || keys.includes('.') || (withDescendants && keys.length > 0);
      }
      if (owns) out.push(entry);
    }
    return out;
  }

  /**
   * The key field names of the associative list at `pointer` (a live pointer), from the first entry whose trie has
   * `k:{…}` items there; undefined when no entry keys it. Follows the pointer, decoding nothing else.
   */
  listKeysAt(pointer: string): string[] | undefined {
    const segments = pointerSegments(pointer);
    for (const entry of this.entries) {
      let node: Record<string, unknown> | undefined = this.trieOf(entry);
      let value: unknown = this.live;
      for (let i = 0; i < segments.length && node; i++) {
        const key = Array.isArray(value)
          ? this.itemKeyIn(node, value, Number(segments[i]))
          : isMap(value)
            ? `f:${segments[i]}`
            : undefined;
        value = Array.isArray(value) ? value[Number(segments[i])] : isMap(value) ? value[segments[i]] : undefined;
        const child = key === undefined ? undefined : node[key];
        node = isMap(child) ? child : undefined;
      }
      const itemKey = node && Object.keys(node).find((k) => k.startsWith('k:'));
      const keys = itemKey ? parseJson(itemKey.slice(2)) : undefined;
      if (isMap(keys)) return Object.keys(keys).sort();
    }
    return undefined;
  }

  /** The trie key (`k:`, `v:` or `i:`) under `node` that names item `index` of `list`. */
  private itemKeyIn(node: Record<string, unknown>, list: unknown[], index: number): string | undefined {
    const item = list[index];
    for (const key of Object.keys(node)) {
      const prefix = key.slice(0, 2);
      if (prefix === 'i:' && Number(key.slice(2)) === index) return key;
      if (prefix !== 'k:' && prefix !== 'v:') continue;
      const parsedKeys = (this.parsedKeys ??= new Map());
      let wanted = parsedKeys.get(key);
      if (wanted === undefined && !parsedKeys.has(key)) {
        wanted = parseJson(key.slice(2));
        parsedKeys.set(key, wanted);
      }
      if (
        prefix === 'v:'
          ? canonicalJson(wanted) === canonicalJson(item)
          : isMap(wanted) &&
            isMap(item) &&
            Object.entries(wanted).every(([k, v]) => canonicalJson(item[k]) === canonicalJson(v))
      )
        return key;
    }
    return undefined;
  }

  private parsedKeys: Map<string, unknown> | undefined;

  /** Fields owned by one entry. */
  ownedBy(entry: ManagedEntry): OwnedField[] {
    let fields = this.decoded?.get(entry);
    if (!fields) {
      const out: OwnedField[] = [];
      const listKeys = new Map<string, string[]>();
      walk(this.trieOf(entry) ?? {}, this.live, '', '', entry, out, listKeys);
      fields = out;
      (this.decoded ??= new Map()).set(entry, fields);
      (this.listKeysOf ??= new Map()).set(entry, listKeys);
    }
    return fields;
  }

  private listKeysOf: Map<ManagedEntry, Map<string, string[]>> | undefined;

  /**
   * Pointers of the leaves `entry` owns (as `ownedBy` lists them, in its order) that `covered` does not reach. A
   * leaf is reached when `covered` has a registered place at it, or a place above it set as a whole (`leaf`).
   * Follows the trie down `covered` and builds a pointer only for a leaf it does not reach.
   */
  leavesOutside(entry: ManagedEntry, covered: CoveredPlace): string[] {
    const out: string[] = [];
    if (!covered.leaf) leavesOutside(this.trieOf(entry) ?? {}, this.live, [], covered, out);
    return out;
  }
}

/** A tree of live places (walk 1's coverage, src/core/drift/compare.ts): children by map key or item index. */
export interface CoveredPlace {
  /** The value here is covered whole, with everything below it. */
  leaf: boolean;
  /** Set when the place itself is registered (a map or list covered in part). */
  at?: unknown;
  /** By live segment; inherits nothing (compare.ts makes it), so any key is an own entry. */
  children?: Readonly<Record<string, CoveredPlace>>;
}

function leavesOutside(
  trie: Record<string, unknown>,
  value: unknown,
  path: Array<string | number>,
  covered: CoveredPlace | undefined,
  out: string[],
): void {
  // The same steps as `walk` (stale entries skipped alike), without an OwnedField or a pointer per field.
  for (const name in trie) {
    if (name === '.') continue;
    const child = trie[name];
    const rest = name.slice(2);
    let index: number | string | undefined;
    let next: unknown;
    if (name.startsWith('f:')) {
      if (!isMap(value) || !(rest in value)) continue;
      index = rest;
      next = value[rest];
    } else if (Array.isArray(value)) {
      const prefix = name.slice(0, 2);
      index = findItem(prefix, rest, prefix === 'i:' ? undefined : parseJson(rest), value);
      if (index === undefined) continue;
      next = value[index];
    } else continue;
    const place = covered?.children?.[index];
    if (place?.leaf) continue;
    path.push(index);
    if (isMap(child) && hasKeys(child)) leavesOutside(child, next, path, place, out);
    else if (place?.at === undefined) out.push(path.reduce<string>((p, s) => childPointer(p, s), ''));
    path.pop();
  }
}

/**
 * Decoded ownership per live object. Live objects are never modified (a watch replaces them), so a re-diff against
 * the watch cache decodes only the objects that changed since.
 */
const ownerships = new WeakMap<KubeObject, Ownership>();

/** Reads who manages a live object from its `managedFields` (field sets are decoded when first asked for). */
export function readOwnership(live: KubeObject): Ownership {
  let ownership = ownerships.get(live);
  if (!ownership) ownerships.set(live, (ownership = decodeOwnership(live)));
  return ownership;
}

function decodeOwnership(live: KubeObject): Ownership {
  const ownership = new Ownership(live);
  const managed = live.metadata.managedFields;
  if (!Array.isArray(managed)) return ownership;
  for (const raw of managed) {
    if (!isMap(raw) || typeof raw.manager !== 'string' || !isMap(raw.fieldsV1)) continue;
    const entry: ManagedEntry = { manager: raw.manager, operation: String(raw.operation ?? '') };
    if (typeof raw.time === 'string') entry.time = raw.time;
    if (typeof raw.subresource === 'string' && raw.subresource) entry.subresource = raw.subresource;
    ownership.addEntry(entry, raw.fieldsV1);
  }
  return ownership;
}

function walk(
  trie: Record<string, unknown>,
  value: unknown,
  pointer: string,
  schema: string,
  entry: ManagedEntry,
  out: OwnedField[],
  listKeys: Map<string, string[]>,
): void {
  // Every applied field of every live object passes here: no per-entry arrays, each `k:` key parsed once.
  for (const name in trie) {
    if (name === '.') {
      out.push({ pointer, entry, leaf: false });
      continue;
    }
    const child = trie[name];
    const prefix = name.slice(0, 2);
    const rest = name.slice(2);
    let index: number | string | undefined;
    let next: unknown;
    if (prefix === 'f:') {
      if (!isMap(value) || !(rest in value)) continue;
      index = rest;
      next = value[rest];
    } else if (Array.isArray(value)) {
      const wanted = prefix === 'i:' ? undefined : parseJson(rest);
      index = findItem(prefix, rest, wanted, value);
      if (prefix === 'k:' && isMap(wanted)) listKeys.set(schema, Object.keys(wanted).sort());
      if (index === undefined) continue; // stale entry: the item is gone
      next = value[index];
    } else continue;
    const childPointerText = childPointer(pointer, index);
    if (isMap(child) && hasKeys(child))
      walk(
        child,
        next,
        childPointerText,
        prefix === 'f:' ? childPointer(schema, index) : `${schema}/*`,
        entry,
        out,
        listKeys,
      );
    else out.push({ pointer: childPointerText, entry, leaf: true });
  }
}

function hasKeys(map: Record<string, unknown>): boolean {
  for (const _ in map) return true;
  return false;
}

/** The index of the live list item a `k:`, `v:` or `i:` key names. */
function findItem(prefix: string, rest: string, wanted: unknown, list: unknown[]): number | undefined {
  if (prefix === 'i:') {
    const i = Number(rest);
    return Number.isInteger(i) && i >= 0 && i < list.length ? i : undefined;
  }
  if (wanted === undefined) return undefined;
  if (prefix === 'v:') {
    const text = canonicalJson(wanted);
    const i = list.findIndex((item) => canonicalJson(item) === text);
    return i < 0 ? undefined : i;
  }
  if (prefix !== 'k:' || !isMap(wanted)) return undefined;
  const entries = Object.entries(wanted);
  // Key values are nearly always scalars: compare those directly.
  const same = (a: unknown, b: unknown): boolean =>
    a === b || (typeof b === 'object' && b !== null && canonicalJson(a) === canonicalJson(b));
  const i = list.findIndex((item) => isMap(item) && entries.every(([k, v]) => same(item[k], v)));
  return i < 0 ? undefined : i;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
