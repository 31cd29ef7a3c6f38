/**
 * What moved between two snapshots of one environment: images, replicas, config values, objects added or removed,
 * and any other field changed, each with the line that set it after the change (before it, for what was removed).
 */
import type { SourceLocation } from '../model/location';
import { flattenLeaves, humanPath } from '../promote/flatten';
import type { SnapshotObject } from './snapshot';
import type { ImageVersion, Movement } from './types';

/** Paths an object's other changes list at most. */
const MAX_PATHS = 5;

/**
 * The moves from `before` to `after` (objects sorted by id, as snapshotOf makes them). Empty when the rendered
 * output is the same: such a commit is no deployment. `originOf` finds the line behind another changed field in the
 * new render (the snapshot keeps origins only for images, replicas and config).
 */
export function movesBetween(
  before: readonly SnapshotObject[],
  after: readonly SnapshotObject[],
  originOf?: (id: string, pointer: string) => SourceLocation | undefined,
): Movement[] {
  const moves: Movement[] = [];
  const old = new Map(before.map((o) => [o.id, o]));
  const seen = new Set<string>();
  for (const b of after) {
    seen.add(b.id);
    const a = old.get(b.id);
    if (!a) {
      moves.push({ kind: 'added', object: b.ref, at: b.source });
      continue;
    }
    if (a.json === b.json) continue;
    moves.push(...objectMoves(a, b, originOf));
  }
  for (const a of before) if (!seen.has(a.id)) moves.push({ kind: 'removed', object: a.ref, at: a.source });
  return moves;
}

function objectMoves(
  a: SnapshotObject,
  b: SnapshotObject,
  originOf?: (id: string, pointer: string) => SourceLocation | undefined,
): Movement[] {
  const moves: Movement[] = [];
  const object = b.ref;
  const imagesBefore = new Map(a.images.map((i) => [i.container, i]));
  for (const img of b.images) {
    const prev = imagesBefore.get(img.container);
    imagesBefore.delete(img.container);
    if (prev && prev.image === img.image && sameVersion(prev.version, img.version)) continue;
    moves.push({
      kind: 'image',
      object,
      container: img.container,
      image: img.image,
      ...(prev && prev.image === img.image ? { from: prev.version } : {}),
      to: img.version,
      ...(img.at ? { at: img.at } : {}),
    });
  }
  for (const prev of imagesBefore.values())
    moves.push({
      kind: 'image',
      object,
      container: prev.container,
      image: prev.image,
      from: prev.version,
      ...(prev.at ? { at: prev.at } : {}),
    });
  if (a.replicas?.value !== b.replicas?.value) {
    const at = b.replicas?.at ?? a.replicas?.at;
    moves.push({
      kind: 'replicas',
      object,
      ...(a.replicas ? { from: a.replicas.value } : {}),
      ...(b.replicas ? { to: b.replicas.value } : {}),
      ...(at ? { at } : {}),
    });
  }
  const secret = b.ref.kind === 'Secret';
  const configBefore = new Map(a.config.map((c) => [c.key, c]));
  for (const c of b.config) {
    const prev = configBefore.get(c.key);
    configBefore.delete(c.key);
    if (prev && prev.value === c.value && prev.hash === c.hash) continue;
    moves.push({
      kind: 'config',
      object,
      key: c.key,
      ...(secret ? { secret: true as const } : {}),
      ...(!secret && prev?.value !== undefined ? { from: prev.value } : {}),
      ...(!secret && c.value !== undefined ? { to: c.value } : {}),
      ...(c.at ? { at: c.at } : {}),
    });
  }
  for (const prev of configBefore.values())
    moves.push({
      kind: 'config',
      object,
      key: prev.key,
      ...(secret ? { secret: true as const } : prev.value !== undefined ? { from: prev.value } : {}),
      ...(prev.at ? { at: prev.at } : {}),
    });
  // Anything else: the leaves that differ outside what was said above.
  const other = otherPaths(a.json, b.json);
  if (other.length) {
    const at = originOf?.(b.id, other[0].pointer) ?? b.source;
    moves.push({ kind: 'changed', object, paths: other.slice(0, MAX_PATHS).map((o) => o.path), at });
  }
  return moves;
}

const COVERED = /(^|\/)(image|replicas)$|^\/(data|binaryData|stringData)\//;

function otherPaths(before: string, after: string): { path: string; pointer: string }[] {
  const a = flattenLeaves(JSON.parse(before));
  const b = flattenLeaves(JSON.parse(after));
  const out: { path: string; pointer: string }[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    if (COVERED.test(key) || key.startsWith('/metadata/annotations/kubectl.kubernetes.io')) continue;
    const [x, y] = [a.get(key), b.get(key)];
    if (x?.value === y?.value) continue;
    out.push({ path: humanPath(key), pointer: (y ?? x)!.pointer });
  }
  return out;
}

function sameVersion(a: ImageVersion, b: ImageVersion): boolean {
  return a.tag === b.tag && a.digest === b.digest;
}
