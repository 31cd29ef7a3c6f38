/**
 * What history keeps of one render of an environment: each object's content as canonical JSON (Secret values
 * replaced by keyed hashes, generator hash suffixes stripped so a ConfigMap's new name is not a change of every
 * object naming it), and the facts deployments are described by (images, replicas, config values) with the line
 * that set each. Plain data: it goes into the history cache as it is.
 */
import type { SourceLocation } from '../model/location';
import { isSecret } from '../drift/secrets';
import { hashSecretValues, type SnapshotKey } from '../drift/snapshotSecrets';
import { parseImageRef } from '../promote/imageRef';
import { baseName } from '../promote/pairObjects';
import type { RenderedObject } from '../render/types';
import type { ImageVersion, ObjectRef } from './types';

/** One image of one container (init containers too). */
export interface ImageFact {
  container: string;
  image: string;
  version: ImageVersion;
  at?: SourceLocation;
}

/** One object of a snapshot. */
export interface SnapshotObject {
  /** `group/Kind/namespace/name` with the hash suffix stripped: pairs the object between commits. */
  id: string;
  ref: ObjectRef;
  /** Where its document was declared. */
  source: SourceLocation;
  /** Canonical JSON, Secret values hashed, hash suffixes stripped. */
  json: string;
  images: ImageFact[];
  replicas?: { value: number; at?: SourceLocation };
  /** ConfigMap `data`/`binaryData` and Secret `data`/`stringData` keys: a value (never a Secret's) or a keyed hash. */
  config: { key: string; value?: string; hash?: string; at?: SourceLocation }[];
  /** `org.opencontainers.image.created` on the object or its pod template, when set. */
  created?: string;
}

/** An environment's render at one commit, or why it did not render. */
export type Snapshot = { objects: SnapshotObject[] } | { error: string };

/** Pod spec places, longest first (a CronJob's template is inside its jobTemplate). */
const POD_SPECS = ['/spec/jobTemplate/spec/template/spec', '/spec/template/spec', '/spec'].map((pointer) => ({
  pointer,
  segments: pointer.split('/').slice(1),
}));
const OCI_CREATED = 'org.opencontainers.image.created';
/** kustomize's generator name hash: `-` and ten characters of its alphabet (promote/pairObjects.ts). */
const HASH_SUFFIX = /-[2-9bcdfghkmt]{10}\b/g;

/**
 * The snapshot of a render's objects. `secretKey` hashes Secret values (the user's snapshot key: equal values hash
 * alike across runs, and nobody without the key can test a guess).
 */
export function snapshotOf(objects: readonly RenderedObject[], secretKey: SnapshotKey): Snapshot {
  const out: SnapshotObject[] = [];
  for (const r of objects) out.push(snapshotObject(r, secretKey));
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { objects: out };
}

/** One object's snapshot. */
export function snapshotObject(r: RenderedObject, secretKey: SnapshotKey): SnapshotObject {
  const secret = isSecret(r.object);
  const object = secret ? hashSecretValues(r.object, secretKey, r.key.namespace) : r.object;
  const ref: ObjectRef = { kind: r.key.kind, namespace: r.key.namespace, name: baseName(r.key.name) };
  const at = (pointer: string): SourceLocation | undefined => {
    const o = r.origins.get(pointer);
    return o ? { file: o.file, line: o.line, column: o.column } : undefined;
  };
  const snap: SnapshotObject = {
    id: objectId(r),
    ref,
    source: { file: r.source.file, line: r.source.line, column: r.source.column },
    // Key order is the renderer's, the same for the same input: no sorting needed to compare two renders (a
    // reordering alone would show as no move and so as no deployment).
    json: JSON.stringify(object).replace(HASH_SUFFIX, ''),
    images: [],
    config: [],
  };
  const spec = podSpec(object);
  if (spec) {
    for (const list of ['initContainers', 'containers'] as const) {
      const containers = spec.value[list];
      if (!Array.isArray(containers)) continue;
      containers.forEach((c: unknown, i) => {
        if (!isRecord(c) || typeof c.image !== 'string') return;
        const ref = parseImageRef(c.image);
        const version: ImageVersion = {
          ...(ref.tag ? { tag: ref.tag } : {}),
          ...(ref.digest ? { digest: ref.digest } : {}),
        };
        const where = at(`${spec.pointer}/${list}/${i}/image`);
        snap.images.push({
          container: typeof c.name === 'string' ? c.name : String(i),
          image: ref.name,
          version,
          ...(where ? { at: where } : {}),
        });
      });
    }
  }
  const spec0 = isRecord(object.spec) ? object.spec : undefined;
  if (spec0 && typeof spec0.replicas === 'number') {
    const where = at('/spec/replicas');
    snap.replicas = { value: spec0.replicas, ...(where ? { at: where } : {}) };
  }
  if (r.key.group === '' && (r.key.kind === 'ConfigMap' || secret)) {
    for (const field of secret ? ['data', 'stringData'] : ['data', 'binaryData']) {
      const data = object[field];
      if (!isRecord(data)) continue;
      for (const [key, value] of Object.entries(data)) {
        const where = at(`/${field}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        snap.config.push({ key, ...(secret ? { hash: text } : { value: text }), ...(where ? { at: where } : {}) });
      }
    }
  }
  const created = annotation(object, OCI_CREATED) ?? (spec ? templateAnnotation(object, spec.pointer) : undefined);
  if (created) snap.created = created;
  return snap;
}

function podSpec(object: Record<string, unknown>): { pointer: string; value: Record<string, unknown> } | undefined {
  for (const { pointer, segments } of POD_SPECS) {
    let v: unknown = object;
    for (const seg of segments) v = isRecord(v) ? v[seg] : undefined;
    if (isRecord(v) && (Array.isArray(v.containers) || Array.isArray(v.initContainers))) return { pointer, value: v };
  }
  return undefined;
}

function annotation(object: Record<string, unknown>, name: string): string | undefined {
  const meta = object.metadata;
  const annotations = isRecord(meta) && isRecord(meta.annotations) ? meta.annotations : undefined;
  const v = annotations?.[name];
  return typeof v === 'string' ? v : undefined;
}

/** The OCI label copied onto the pod template (`spec.template.metadata.annotations`). */
function templateAnnotation(object: Record<string, unknown>, specPointer: string): string | undefined {
  let v: unknown = object;
  for (const seg of specPointer.split('/').slice(1, -1)) v = isRecord(v) ? v[seg] : undefined;
  return isRecord(v) ? annotation(v, OCI_CREATED) : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** How history pairs an object between commits: `group/Kind/namespace/name`, the generator hash stripped. */
export function objectId(r: RenderedObject): string {
  return `${r.key.group}/${r.key.kind}/${r.key.namespace}/${baseName(r.key.name)}`;
}

/** The artifact an image version names: `image@digest` when it has a digest, else `image:tag`. */
export function artifactOf(image: string, version: ImageVersion): string {
  return version.digest ? `${image}@${version.digest}` : `${image}:${version.tag ?? 'latest'}`;
}
