/**
 * Decodes a live object's `metadata.managedFields` (FieldsV1) into who owns which field of *that* object.
 * FieldsV1 is a trie: `f:<name>` a map field, `k:<json>` a list item by its key fields, `v:<json>` a set item by
 * value, `i:<n>` an item by index, and `.` the node itself. An empty child (`{}`) is a leaf: the manager owns the
 * whole value there (scalars and atomic maps/lists such as `f:selector`).
 */
import type { FieldChange } from '../model/drift';
import type { KubeObject } from '../model/resource';
import { canonicalJson, childPointer, isMap } from './pointer';

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

/** Who owns what in one live object. */
export class Ownership {
  /** Per entry, in `managedFields` order. */
  readonly entries: ManagedEntry[] = [];
  readonly owned: OwnedField[] = [];
  /** Key field names of associative lists, by schema pointer (list item indices replaced by `*`). */
  readonly listKeys = new Map<string, string[]>();
  private readonly exact = new Map<string, ManagedEntry[]>();
  private readonly leaves = new Map<string, ManagedEntry[]>();
  private readonly below = new Map<string, ManagedEntry[]>();

  /**
   * Entries owning the value at `pointer`: exactly, through an owned (atomic) ancestor, or (unless `withDescendants`
   * is false) through owned descendants.
   */
  ownersOf(pointer: string, withDescendants = true): ManagedEntry[] {
    const found = new Set<ManagedEntry>(this.exact.get(pointer) ?? []);
    if (withDescendants) for (const e of this.below.get(pointer) ?? []) found.add(e);
    for (let p = pointer; p !== ''; ) {
      p = p.slice(0, p.lastIndexOf('/'));
      for (const e of this.leaves.get(p) ?? []) found.add(e);
    }
    return [...found];
  }

  /** Fields owned by one entry. */
  ownedBy(entry: ManagedEntry): OwnedField[] {
    return this.owned.filter((o) => o.entry === entry);
  }

  add(field: OwnedField): void {
    this.owned.push(field);
    push(this.exact, field.pointer, field.entry);
    if (field.leaf) push(this.leaves, field.pointer, field.entry);
    for (let p = field.pointer; p !== ''; ) {
      p = p.slice(0, p.lastIndexOf('/'));
      push(this.below, p, field.entry);
    }
  }
}

function push(map: Map<string, ManagedEntry[]>, key: string, entry: ManagedEntry): void {
  const list = map.get(key);
  if (!list) map.set(key, [entry]);
  else if (!list.includes(entry)) list.push(entry);
}

/** Reads the ownership of every field of a live object from its `managedFields`. */
export function readOwnership(live: KubeObject): Ownership {
  const ownership = new Ownership();
  const managed = live.metadata.managedFields;
  if (!Array.isArray(managed)) return ownership;
  for (const raw of managed) {
    if (!isMap(raw) || typeof raw.manager !== 'string' || !isMap(raw.fieldsV1)) continue;
    const entry: ManagedEntry = { manager: raw.manager, operation: String(raw.operation ?? '') };
    if (typeof raw.time === 'string') entry.time = raw.time;
    if (typeof raw.subresource === 'string' && raw.subresource) entry.subresource = raw.subresource;
    ownership.entries.push(entry);
    walk(raw.fieldsV1, live, '', '', entry, ownership);
  }
  return ownership;
}

function walk(trie: Record<string, unknown>, value: unknown, pointer: string, schema: string, entry: ManagedEntry, out: Ownership): void {
  for (const [name, child] of Object.entries(trie)) {
    if (name === '.') {
      out.add({ pointer, entry, leaf: false });
      continue;
    }
    const prefix = name.slice(0, 2);
    const rest = name.slice(2);
    let index: number | string | undefined;
    let next: unknown;
    if (prefix === 'f:') {
      if (!isMap(value) || !(rest in value)) continue;
      index = rest;
      next = value[rest];
    } else if (Array.isArray(value)) {
      index = findItem(prefix, rest, value);
      if (prefix === 'k:' && index !== undefined) {
        const keys = parseJson(rest);
        if (isMap(keys)) out.listKeys.set(schema, Object.keys(keys).sort());
      }
      if (index === undefined) continue; // stale entry: the item is gone
      next = value[index];
    } else continue;
    const childPointerText = childPointer(pointer, index);
    const childSchema = prefix === 'f:' ? childPointer(schema, index) : `${schema}/*`;
    if (isMap(child) && Object.keys(child).length > 0) walk(child, next, childPointerText, childSchema, entry, out);
    else out.add({ pointer: childPointerText, entry, leaf: true });
  }
}

/** The index of the live list item a `k:`, `v:` or `i:` key names. */
function findItem(prefix: string, rest: string, list: unknown[]): number | undefined {
  if (prefix === 'i:') {
    const i = Number(rest);
    return Number.isInteger(i) && i >= 0 && i < list.length ? i : undefined;
  }
  const wanted = parseJson(rest);
  if (wanted === undefined) return undefined;
  if (prefix === 'v:') {
    const text = canonicalJson(wanted);
    const i = list.findIndex((item) => canonicalJson(item) === text);
    return i < 0 ? undefined : i;
  }
  if (prefix !== 'k:' || !isMap(wanted)) return undefined;
  const i = list.findIndex((item) => isMap(item) && Object.entries(wanted).every(([k, v]) => canonicalJson(item[k]) === canonicalJson(v)));
  return i < 0 ? undefined : i;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
