/**
 * How list items pair between git and the cluster. Associative lists pair by their key fields (the strategic-merge
 * / server-side-apply keys), so a reordered or defaulted list is not drift; other lists pair by index.
 */
import type { Ownership } from './managedFields';
import { canonicalJson, isMap } from './pointer';

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** Keys of the built-in types' associative lists, by the list's field name (and its parent's, for `ports`). */
const BY_FIELD: Record<string, string[]> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  volumeMounts: ['mountPath'],
  volumeDevices: ['devicePath'],
  imagePullSecrets: ['name'],
  hostAliases: ['ip'],
  topologySpreadConstraints: ['topologyKey', 'whenUnsatisfiable'],
  resourceClaims: ['name'],
  conditions: ['type'],
};

/** API defaults of key fields: git may omit them, the cluster always has them. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/**
 * The key fields of the list at `schema` (a pointer with `*` for list items), or undefined for a list that pairs
 * by index. The built-in types' keys are known; for other lists the live object's `managedFields` name the
 * server's keys (a CRD's `x-kubernetes-list-map-keys` shows up there as `k:{…}` entries), looked up at
 * `livePointer` (the list in the live object) when given.
 */
export function listKeysFor(kind: string, schema: string, ownership: Ownership | undefined, livePointer?: string): string[] | undefined {
  const known = builtInKeys(kind, schema);
  if (known || !ownership) return known;
  return livePointer !== undefined ? ownership.listKeysAt(livePointer) : ownership.listKeys.get(schema);
}

function builtInKeys(kind: string, schema: string): string[] | undefined {
  const field = schema.slice(schema.lastIndexOf('/') + 1);
  if (field === 'ports') {
    if (kind === 'Service' && schema === '/spec/ports') return ['port', 'protocol'];
    // Container ports: `…/containers/*/ports`.
    const parts = schema.split('/');
    if (parts[parts.length - 2] === '*' && CONTAINER_LISTS.has(parts[parts.length - 3])) return ['containerPort', 'protocol'];
    return undefined;
  }
  return Object.hasOwn(BY_FIELD, field) ? BY_FIELD[field] : undefined;
}

/** The pairing key of one item (defaults filled), or undefined when the item lacks a key field with no default. */
export function itemKey(item: unknown, keys: string[]): string | undefined {
  if (!isMap(item)) return undefined;
  // canonicalJson of the list of values, written out: every keyed item of every object passes here.
  let text = '[';
  for (let i = 0; i < keys.length; i++) {
    let v = item[keys[i]] ?? KEY_DEFAULTS[keys[i]];
    if (v === undefined) return undefined;
    // `containerPort: "80"` in git and 80 live are the same key.
    if (typeof v === 'string' && /^\d+$/.test(v)) v = Number(v);
    text += (i ? ',' : '') + canonicalJson(v);
  }
  return text + ']';
}

/** A short human label for an item: `web` for `name: web`, `80/TCP` for a port. */
export function itemLabel(item: unknown, keys: string[] | undefined, index: number): string {
  if (!keys || !isMap(item)) return String(index);
  return keys.map((k) => String(item[k] ?? KEY_DEFAULTS[k] ?? '')).join('/');
}
