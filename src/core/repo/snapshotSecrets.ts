/**
 * How a live snapshot keeps Secret values out of the file and still tells "same" from "differs": every value is
 * replaced by a salted SHA-256 of its bytes, and desired Secrets are hashed the same way before a diff against
 * the snapshot. The salt is random per snapshot and the hash is keyed by object and data key, so equal values in
 * two Secrets or two snapshots do not look equal. A low-entropy value (a short password) could still be guessed
 * by someone holding the file: treat snapshots as internal documents.
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../model/resource';
import { keyOf, keyString } from '../model/resource';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const PREFIX = 'gitops-drift-hash:';

/** Whether an object is a core Secret. */
export function isSecretObject(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** The stand-in for one Secret value: printable ASCII, so it survives base64 and `stringData` folding alike. */
export function hashSecretBytes(bytes: Buffer, salt: string, objectKey: string, dataKey: string): string {
  const digest = createHash('sha256').update(`${salt}\0${objectKey}\0${dataKey}\0`).update(bytes).digest('hex');
  return PREFIX + digest;
}

/**
 * A copy of a Secret with each `data` value (base64) replaced by base64(hash), each `stringData` value by the hash
 * itself, and the same inside the last-applied annotation (client-side apply keeps the values there too).
 * `data` and `stringData` values of the same bytes hash alike, as the API server would store them alike.
 */
export function hashSecretValues(obj: KubeObject, salt: string, namespace = obj.metadata?.namespace ?? ''): KubeObject {
  if (!isSecretObject(obj)) return obj;
  const objectKey = keyString({ ...keyOf(obj), namespace });
  const out = hashMaps(obj, salt, objectKey);
  const annotations = obj.metadata?.annotations;
  const lastApplied = annotations?.[LAST_APPLIED];
  if (lastApplied !== undefined) {
    let replaced: string;
    try {
      replaced = JSON.stringify(hashMaps(JSON.parse(lastApplied) as KubeObject, salt, objectKey));
    } catch {
      replaced = '{}'; // unparsable: it may still hold values, so keep none of it
    }
    out.metadata = { ...out.metadata, annotations: { ...annotations, [LAST_APPLIED]: replaced } };
  }
  return out;
}

function hashMaps(obj: KubeObject, salt: string, objectKey: string): KubeObject {
  const out: KubeObject = { ...obj };
  const hash = (bytes: Buffer, key: string) => hashSecretBytes(bytes, salt, objectKey, key);
  if (isRecord(obj.data)) out.data = mapValues(obj.data, (k, v) => Buffer.from(hash(Buffer.from(String(v).replace(/\s+/g, ''), 'base64'), k)).toString('base64'));
  if (isRecord(obj.stringData)) out.stringData = mapValues(obj.stringData, (k, v) => hash(Buffer.from(String(v), 'utf8'), k));
  return out;
}

function mapValues(map: Record<string, unknown>, fn: (key: string, value: unknown) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, fn(k, v)]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
