/**
 * Secret values never leave the engine: `data`/`stringData` values are replaced by a short salted hash, the same
 * for the same bytes (so "same" / "differs" stays visible) but different per object and key (so a hash cannot be
 * looked up across objects). `stringData` is folded into `data` the way the API server does.
 */
import { createHash } from 'node:crypto';
import type { KubeObject, ResourceKey } from '../model/resource';
import { keyString } from '../model/resource';
import { isMap } from './pointer';

/** Whether the object is a core/v1 Secret. */
export function isSecret(obj: { apiVersion?: string; kind?: string } | ResourceKey): boolean {
  return 'group' in obj ? obj.group === '' && obj.kind === 'Secret' : obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** Whether a pointer inside a Secret holds (or contains) Secret values. */
export function isSecretValuePath(pointer: string): boolean {
  return pointer === '/data' || pointer === '/stringData' || pointer.startsWith('/data/') || pointer.startsWith('/stringData/');
}

/** Decodes base64 `data` to bytes (as a binary string); tolerant of whitespace as the API server is. */
export function decodeBase64(value: string): string {
  return Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('latin1');
}

/** The masked form of one Secret value (given decoded), e.g. `(secret: sha256:ab12cd34)`. */
export function maskSecretBytes(bytes: string, salt: string): string {
  const digest = createHash('sha256').update(`gitops-drift\0${salt}\0`).update(Buffer.from(bytes, 'latin1')).digest('hex');
  return `(secret: sha256:${digest.slice(0, 8)})`;
}

/**
 * Masks a value found at `pointer` in a Secret: one `data` value (base64), one `stringData` value (plain), or a
 * whole `data`/`stringData` map. Anything else is returned unchanged.
 */
export function maskSecretValue(key: ResourceKey, pointer: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const salt = (dataKey: string): string => `${keyString(key)}/${dataKey}`;
  const maskOne = (map: 'data' | 'stringData', dataKey: string, v: unknown): string =>
    maskSecretBytes(typeof v === 'string' ? (map === 'data' ? decodeBase64(v) : Buffer.from(v, 'utf8').toString('latin1')) : JSON.stringify(v), salt(dataKey));
  const m = /^\/(data|stringData)(?:\/(.*))?$/.exec(pointer);
  if (!m) return value;
  const map = m[1] as 'data' | 'stringData';
  if (m[2] !== undefined) return maskOne(map, m[2].replace(/~1/g, '/').replace(/~0/g, '~'), value);
  if (!isMap(value)) return '(secret)';
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskOne(map, k, v)]));
}

/** A copy of a Secret with `stringData` folded into `data` (base64), as the API server stores it. */
export function foldStringData(obj: KubeObject): KubeObject {
  if (!isMap(obj.stringData)) return obj;
  const data: Record<string, unknown> = isMap(obj.data) ? { ...obj.data } : {};
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  const { stringData: _omit, ...rest } = obj;
  return { ...rest, data } as KubeObject;
}

/** A copy of a Secret with every `data`/`stringData` value masked (for diffs and snapshots shown to people). */
export function maskSecretObject(obj: KubeObject, key: ResourceKey): KubeObject {
  const out: KubeObject = { ...obj };
  if (isMap(obj.data)) out.data = maskSecretValue(key, '/data', obj.data);
  if (isMap(obj.stringData)) out.stringData = maskSecretValue(key, '/stringData', obj.stringData);
  return out;
}
