/**
 * The walk's shortcut for the commonest deployment of all, a retag: a commit whose only change to what an
 * environment reads is the value of `newTag:` lines in kustomization files. The last render then says exactly which
 * containers each of those lines set (their image's origin is the line), so the new render is the last one with
 * those images' tags replaced; nothing else can move (no name hash or other field depends on an image, unless vars
 * or replacements copy it: then, as whenever anything is unsure, the environment is rendered in full).
 */
import type { RenderedObject } from '../render/types';

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
 * Makes the render after the commit from `objects`, the render before it, changing them in place, and returns the
 * objects it changed; undefined (nothing changed) when the change is not a plain retag of lines that set images in
 * this render: render in full then.
 */
export function retag(
  objects: readonly RenderedObject[],
  changed: readonly ChangedText[],
): RenderedObject[] | undefined {
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
  // Find every image each line set, before changing any.
  const targets: { object: RenderedObject; holder: Record<string, unknown>; tag: string }[] = [];
  const used = new Set<string>();
  for (const r of objects)
    for (const [pointer, origin] of r.origins) {
      if (origin.kind !== 'image' || !pointer.endsWith('/image')) continue;
      const tag = edits.get(`${origin.file}:${origin.line}`);
      if (tag === undefined) continue;
      const holder = parentOf(r.object, pointer);
      if (!holder || typeof holder.image !== 'string') return undefined;
      targets.push({ object: r, holder, tag });
      used.add(`${origin.file}:${origin.line}`);
    }
  // A changed line that set nothing here: the render cannot tell what it does (an entry that did not match before
  // may be a new one), so render in full.
  if (used.size !== edits.size) return undefined;
  for (const { holder, tag } of targets) holder.image = withTag(holder.image as string, tag);
  return [...new Set(targets.map((t) => t.object))];
}

function parentOf(object: unknown, pointer: string): Record<string, unknown> | undefined {
  let v: unknown = object;
  const segments = pointer.split('/').slice(1, -1);
  for (const s of segments) {
    if (Array.isArray(v)) v = v[Number(s)];
    else if (typeof v === 'object' && v !== null)
      v = (v as Record<string, unknown>)[s.replace(/~1/g, '/').replace(/~0/g, '~')];
    else return undefined;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** `image` with its tag set to `tag`, its digest kept (as kustomize writes newTag with a digest). */
function withTag(image: string, tag: string): string {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at) : '';
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const name = colon > rest.lastIndexOf('/') ? rest.slice(0, colon) : rest;
  return `${name}:${tag}${digest}`;
}
