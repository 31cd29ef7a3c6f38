/**
 * The walk's shortcut for the commonest deployment of all, a retag: a commit whose only change to what an
 * environment reads is the value of `newTag:` lines in kustomization files. The last render's snapshot says exactly
 * which containers each of those lines set (their image's origin is the line), so the new snapshot is the last one
 * with those images' tags replaced; nothing else can move (no name hash or other field depends on an image, unless vars
 * or replacements copy it: then, as whenever anything is unsure, the environment is rendered in full).
 */
import { formatImageRef } from '../promote/imageRef';
import type { ImageFact, SnapshotObject } from './snapshot';
import type { ImageVersion } from './types';

/** A `newTag:` line as kustomization files write it: indentation, an optional list dash, a plain tag. */
const NEW_TAG = /^(\s*(?:-\s+)?newTag:\s*)(["']?)([A-Za-z0-9_.-]+)\2\s*$/;
/** What makes one value depend on another: then no shortcut. */
const INDIRECTION = /(^|\n)\s*(vars|replacements|newName)\s*:/;

/** One changed file: its path and its text before and after the commit. */
export interface ChangedText {
  path: string;
  before: string;
  after: string;
}

/** Whether a render may be retagged at all: none of the texts it read copies values around. */
export function retaggable(reads: ReadonlyMap<string, string | undefined>): boolean {
  for (const text of reads.values()) if (text !== undefined && INDIRECTION.test(text)) return false;
  return true;
}

/**
 * The snapshot after the commit, made from `objects`, the snapshot of the render before it; undefined when the change
 * is not a plain retag of lines that set images in that render (render in full then). Each image's origin line is in
 * the snapshot, so this needs no render at all, not even after a run that starts from the cache.
 */
export function retag(
  objects: readonly SnapshotObject[],
  changed: readonly ChangedText[],
): SnapshotObject[] | undefined {
  const edits = new Map<string, string>();
  for (const file of changed) {
    if (!/(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(file.path)) return undefined;
    if (INDIRECTION.test(file.after)) return undefined;
    const a = file.before.split('\n');
    const b = file.after.split('\n');
    if (a.length !== b.length) return undefined;
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      const [x, y] = [NEW_TAG.exec(a[i]), NEW_TAG.exec(b[i])];
      if (!x || !y || x[1] !== y[1]) return undefined;
      edits.set(`${file.path}:${i + 1}`, y[3]);
    }
  }
  if (!edits.size) return undefined;
  const used = new Set<string>();
  const out: SnapshotObject[] = [];
  for (const o of objects) {
    if (!o.images.some((i) => i.at && edits.has(`${i.at.file}:${i.at.line}`))) {
      out.push(o);
      continue;
    }
    let json = o.json;
    const images: ImageFact[] = [];
    for (const img of o.images) {
      const line = img.at && `${img.at.file}:${img.at.line}`;
      const tag = line ? edits.get(line) : undefined;
      if (tag === undefined) {
        images.push(img);
        continue;
      }
      used.add(line!);
      // As kustomize writes newTag: the entry's digest, when it has one, is kept (it is the image's digest now).
      const version: ImageVersion = { tag, ...(img.version.digest ? { digest: img.version.digest } : {}) };
      const needle = `"image":${JSON.stringify(formatImageRef({ name: img.image, ...img.version }))}`;
      // The image's text must be found exactly once in the object, or the edit is not sure: render in full.
      const at = json.indexOf(needle);
      if (at < 0 || json.indexOf(needle, at + 1) >= 0) return undefined;
      json =
        json.slice(0, at) +
        `"image":${JSON.stringify(formatImageRef({ name: img.image, ...version }))}` +
        json.slice(at + needle.length);
      images.push({ ...img, version });
    }
    out.push({ ...o, images, json });
  }
  // A changed line that set nothing here: the render cannot tell what it does (an entry that did not match before
  // may be a new one), so render in full.
  return used.size === edits.size ? out : undefined;
}
