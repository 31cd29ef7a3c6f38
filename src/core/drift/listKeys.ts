/**
 * How list items pair between git and the cluster. Associative lists pair by their key fields (the strategic-merge
 * / server-side-apply keys), so a reordered or defaulted list is not drift; other lists pair by index.
 */
import { clusterKindType, type FieldInfo, fieldInfo, pairingKeys, pairingKeysByFieldName } from '../k8s/listTypes';
import type { Ownership } from './managedFields';
import { canonicalJson, isMap } from '../yaml/pointer';

/** API defaults of key fields: git may omit them, the cluster always has them. */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/**
 * The key fields of the list at `schema` (a pointer with `*` for list items) in an object of `typeId`
 * (`apiVersion/kind`, as `typeIdOf` gives), or undefined for a list that pairs by index. The built-in types' keys come
 * from the generated table (src/core/k8s); for other kinds the live object's `managedFields` name the server's keys
 * (a CRD's `x-kubernetes-list-map-keys` shows up there as `k:{…}` entries), looked up at `livePointer` (the list in
 * the live object) when given; failing that, the keys the built-in types use for a list of that name (a custom
 * resource embedding a pod template).
 */
export function listKeysFor(
  typeId: string,
  schema: string,
  ownership: Ownership | undefined,
  livePointer?: string,
): string[] | undefined {
  const slash = typeId.lastIndexOf('/');
  const rootType = clusterKindType(typeId.slice(0, slash), typeId.slice(slash + 1));
  if (rootType !== undefined) return builtInKeys(rootType, schema);
  const fromServer = ownership
    ? livePointer !== undefined
      ? ownership.listKeysAt(livePointer)
      : ownership.listKeys.get(schema)
    : undefined;
  return fromServer ?? pairingKeysByFieldName(schema.slice(schema.lastIndexOf('/') + 1));
}

/** `apiVersion/kind` of an object, the type id `listKeysFor` takes. */
export function typeIdOf(obj: { apiVersion?: string; kind?: string }): string {
  return `${obj.apiVersion ?? ''}/${obj.kind ?? ''}`;
}

const builtInCache = new Map<string, string[] | undefined>();

function builtInKeys(rootType: string, schema: string): string[] | undefined {
  const id = `${rootType} ${schema}`;
  if (builtInCache.has(id)) return builtInCache.get(id);
  let type: string | undefined = rootType;
  let info: FieldInfo | undefined;
  let inMap = false;
  for (const segment of schema.split('/').slice(1)) {
    if (segment === '*' || inMap) {
      // A list's items or a map's value: still of the field's type.
      info = undefined;
      inMap = false;
      continue;
    }
    info = fieldInfo(type, segment);
    type = info?.type;
    inMap = info?.map === true;
    if (!info) break;
  }
  const keys = pairingKeys(info?.list);
  builtInCache.set(id, keys);
  return keys;
}

const DIGITS = /^\d+$/;

/** The pairing key of one item (defaults filled), or undefined when the item lacks a key field with no default. */
export function itemKey(item: unknown, keys: string[]): string | undefined {
  if (!isMap(item)) return undefined;
  // canonicalJson of the list of values, written out: every keyed item of every object passes here.
  let text = '[';
  for (let i = 0; i < keys.length; i++) {
    const v = item[keys[i]] ?? KEY_DEFAULTS[keys[i]];
    if (v === undefined) return undefined;
    if (i) text += ',';
    // `containerPort: "80"` in git and 80 live are the same key. Scalars (nearly every key) skip canonicalJson.
    if (typeof v === 'string') text += DIGITS.test(v) ? JSON.stringify(Number(v)) : JSON.stringify(v);
    else if (typeof v === 'number' || typeof v === 'boolean') text += JSON.stringify(v);
    else text += canonicalJson(v);
  }
  return text + ']';
}

/** A short human label for an item: `web` for `name: web`, `80/TCP` for a port. */
export function itemLabel(item: unknown, keys: string[] | undefined, index: number): string {
  if (!keys || !isMap(item)) return String(index);
  return keys.map((k) => String(item[k] ?? KEY_DEFAULTS[k] ?? '')).join('/');
}
