/**
 * Walk 2 of an object diff: live values git does *not* set that still count as drift —
 * - a pending removal: git's applier set it at its last apply (server-side `Apply` entry in `managedFields`, or
 *   the client-side `last-applied-configuration` annotation) and git no longer does;
 * - an out-of-band edit: a hand-run manager (`kubectl-edit`, `kubectl-patch`, …) owns it.
 * Values git sets were already compared by walk 1 (src/core/drift/compare.ts) and are skipped here.
 */
import type { KubeObject } from '../model/resource';
import { isApiDefault, isApiDefaultMap } from './apiDefaults';
import { type Coverage, labelOf, type RawDrift } from './compare';
import { itemKey, itemLabel, listKeysFor, typeIdOf } from './listKeys';
import type { ManagedEntry, Ownership } from './managedFields';
import type { DriftOptions } from './options';
import { foldStringData, isSecret } from './secrets';
import { childPointer, isMap, pointerSegments, valueAt } from '../yaml/pointer';
import type { GlobSet } from '../glob';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const CLIENT_SIDE_APPLY = 'kubectl-client-side-apply';
const LAST_APPLIED_POINTER = '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration';

/** A live value walk 2 reports, with the managedFields entry behind it. */
export interface ExtraDrift extends RawDrift {
  entry?: ManagedEntry;
}

/** Finds live values git does not set but an applier set before or a hand-run manager set since. */
export function findExtras(
  live: KubeObject,
  ownership: Ownership,
  coverage: Coverage,
  options: DriftOptions,
  injected: GlobSet,
): ExtraDrift[] {
  const ssaManaged = ownership.entries.some((e) => e.operation === 'Apply' && options.appliers.includes(e.manager));
  // A client-side apply, whatever its manager is called (`kubectl` before kubectl 1.19, Argo CD's client-side
  // mode): it wrote the last-applied annotation. At create it was credited with every API default, so only the
  // fields in its annotation say what it meant to set.
  const clientSide = (e: ManagedEntry): boolean =>
    e.manager === CLIENT_SIDE_APPLY || ownership.ownedBy(e).some((f) => f.pointer === LAST_APPLIED_POINTER);
  const handRun = ownership.entries.filter(
    (e) =>
      !(e.operation === 'Apply' && options.appliers.includes(e.manager)) &&
      options.outOfBandManagers.includes(e.manager),
  );
  const csaHandRun = ssaManaged && handRun.some(clientSide);
  const lastApplied = !ssaManaged || csaHandRun ? lastAppliedPointers(live, ownership) : undefined;
  const candidates: { pointer: string; cause: 'removal' | 'outOfBand'; entry?: ManagedEntry }[] = [];
  // Leaves only: a `.` entry (a map or list item exists) always comes with owned leaves below it.
  for (const entry of ownership.entries) {
    if (entry.operation === 'Apply' && options.appliers.includes(entry.manager)) {
      // Nearly all of these are values git still sets: follow the trie down walk 1's coverage and build a pointer
      // only for the others (the ones git covers would be dropped by extraAt's first test anyway).
      for (const pointer of ownership.leavesOutside(entry, coverage.root))
        candidates.push({ pointer, cause: 'removal', entry });
    } else if (handRun.includes(entry)) {
      if (clientSide(entry)) {
        // Without a server-side applier, client-side apply *is* how git gets applied (handled below).
        if (!ssaManaged || !lastApplied) continue;
        for (const f of ownership.ownedBy(entry))
          if (f.leaf && lastApplied.has(f.pointer)) candidates.push({ pointer: f.pointer, cause: 'outOfBand', entry });
      } else {
        for (const f of ownership.ownedBy(entry))
          if (f.leaf) candidates.push({ pointer: f.pointer, cause: 'outOfBand', entry });
      }
    }
  }
  if (!ssaManaged && lastApplied) for (const pointer of lastApplied) candidates.push({ pointer, cause: 'removal' });
  // Most objects: every applied leaf is one git still sets.
  if (!candidates.length) return [];

  const found = new Map<string, ExtraDrift>();
  // List items found so far (reported whole): their other fields need no walk, unless a hand edit would explain
  // an item only an applier's apply explains so far.
  const itemRoots = new Map<string, 'removal' | 'outOfBand'>();
  for (const c of candidates) {
    if (c.pointer.startsWith('/status/')) continue;
    let known = false;
    for (const [root, cause] of itemRoots)
      if (c.pointer.startsWith(`${root}/`) && (cause === 'outOfBand' || c.cause === 'removal')) known = true;
    if (known) continue;
    const drift = extraAt(live, c.pointer, coverage, ownership, injected);
    if (!drift) continue;
    if (drift.livePath !== c.pointer) itemRoots.set(drift.livePath as string, c.cause);
    const seen = found.get(drift.livePath as string);
    // One line per value; a hand edit explains it better than the applier's old apply.
    if (seen && !(seen.cause === 'removal' && c.cause === 'outOfBand')) continue;
    found.set(drift.livePath as string, { ...drift, cause: c.cause, entry: c.entry });
  }
  return [...found.values()];
}

/** The drift for one owned live pointer, reported at the value or at its list item; undefined when git covers it. */
function extraAt(
  live: KubeObject,
  pointer: string,
  coverage: Coverage,
  ownership: Ownership,
  injected: GlobSet,
): RawDrift | undefined {
  if (coverage.has(pointer)) return undefined;
  const segments = pointerSegments(pointer);
  if (
    segments[0] === 'status' ||
    (segments[0] === 'metadata' && !(segments[1] === 'labels' || segments[1] === 'annotations'))
  )
    return undefined;
  if (segments[0] === 'metadata' && segments.length >= 3 && injected.matches(segments[2])) return undefined;
  if (segments[0] === 'apiVersion' || segments[0] === 'kind') return undefined;
  // The deepest ancestor git sets part of; stop if git sets this value (or an ancestor) as a whole.
  let anchor = '';
  let depth = 0;
  let p = '';
  for (let i = 0; i < segments.length; i++) {
    if (coverage.isLeaf(p)) return undefined;
    if (coverage.nodeAt(p)) {
      anchor = p;
      depth = i;
    }
    p = childPointer(p, segments[i]);
  }
  const node = coverage.nodeAt(anchor);
  if (!node) return undefined;
  // Report a whole list item when git lacks the item; else the value itself.
  let root = anchor;
  let label = labelOf(node.at);
  let desiredPath: string | undefined = node.at.d;
  let parent: unknown = valueAt(live, anchor);
  for (let i = depth; i < segments.length; i++) {
    const segment = segments[i];
    const listPointer = root;
    root = childPointer(root, segment);
    if (Array.isArray(parent)) {
      const keys = listKeysFor(typeIdOf(live), schemaOf(listPointer), ownership, listPointer);
      label = `${label}[${itemLabel(parent[Number(segment)], keys, Number(segment))}]`;
      desiredPath = undefined;
      break;
    }
    label = label
      ? segment.includes('.') || segment.includes('/')
        ? `${label}[${segment}]`
        : `${label}.${segment}`
      : segment;
    if (desiredPath !== undefined) desiredPath = childPointer(desiredPath, segment);
    parent = isMap(parent) ? parent[segment] : undefined;
  }
  const value = valueAt(live, root);
  if (isEmpty(value)) return undefined;
  // Git not setting a field means its default: a default the server filled in during a hand edit is not drift, nor
  // is a map an applier sent empty and the server filled with defaults.
  if (
    desiredPath !== undefined &&
    (isApiDefault(live.kind, root, value, live as Record<string, unknown>) ||
      isApiDefaultMap(live.kind, root, value, live as Record<string, unknown>))
  )
    return undefined;
  return {
    path: desiredPath ?? root,
    livePath: root,
    originPath: desiredPath ?? node.at.d,
    label,
    desired: undefined,
    live: value,
  };
}

/** The schema pointer of a live pointer: list item indices replaced by `*`. */
function schemaOf(pointer: string): string {
  return pointer.replace(/\/\d+(?=\/|$)/g, '/*');
}

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (isMap(value) && Object.keys(value).length === 0)
  );
}

/** Live pointers of the leaves in the client-side last-applied configuration (undefined without one). */
function lastAppliedPointers(live: KubeObject, ownership: Ownership): Set<string> | undefined {
  const text = live.metadata.annotations?.[LAST_APPLIED];
  if (typeof text !== 'string') return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined; // a hand-mangled annotation: nothing to learn from it
  }
  // `kubectl apply` of a Secret written with stringData keeps stringData in the annotation; the server stores data.
  if (isMap(config) && isSecret(live)) config = foldStringData(config as KubeObject);
  const out = new Set<string>();
  collect(config, live, '', '', typeIdOf(live), ownership, out);
  return out;
}

function collect(
  config: unknown,
  live: unknown,
  pointer: string,
  schema: string,
  typeId: string,
  ownership: Ownership,
  out: Set<string>,
): void {
  if (live === undefined || live === null) return;
  if (isMap(config) && isMap(live)) {
    for (const [k, v] of Object.entries(config))
      collect(v, live[k], childPointer(pointer, k), childPointer(schema, k), typeId, ownership, out);
    return;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const keys = config.some(isMap) ? listKeysFor(typeId, schema, ownership, pointer) : undefined;
    if (keys && config.every((item) => itemKey(item, keys) !== undefined)) {
      for (const item of config) {
        const j = live.findIndex((l) => itemKey(l, keys) === itemKey(item, keys));
        if (j >= 0) {
          out.add(childPointer(pointer, j));
          collect(item, live[j], childPointer(pointer, j), `${schema}/*`, typeId, ownership, out);
        }
      }
      return;
    }
  }
  out.add(pointer);
}
