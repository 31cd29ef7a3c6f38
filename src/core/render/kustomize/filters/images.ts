/** `images:` entries (kustomize's imagetag filter, legacy mode: every containers/initContainers list). */
import type { Origin } from '../../../model/location';
import { type FieldSpec, visitFieldSpecs } from '../fieldSpec';
import { gvkOf, nameOf, type Resource } from '../resource';
import { tscalar, type TNode } from '../../../yaml/tree';

/** One `images:` entry. */
export interface ImageEdit {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
  origin: Origin;
}

/** Splits an image reference into name, tag and digest the way kustomize's image.Split does. */
export function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0))
    return { name: image.slice(0, at + offset), tag: '', digest: image.slice(at + offset + 1) };
  if (at >= 0 && colon >= 0)
    return {
      name: image.slice(0, colon + offset),
      tag: image.slice(colon + offset + 1, at + offset),
      digest: image.slice(at + offset + 1),
    };
  return { name: image.slice(0, colon + offset), tag: image.slice(colon + offset + 1), digest: '' };
}

const matchers = new Map<string, RegExp>();

/** kustomize's IsImageMatched: the entry's name, used as a regular expression, then an optional tag and digest. */
export function imageMatches(image: string, name: string): boolean {
  let re = matchers.get(name);
  if (!re) {
    try {
      re = new RegExp('^' + name + '(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$');
    } catch {
      re = /$^/;
    }
    matchers.set(name, re);
  }
  return re.test(image);
}

/** The new image reference for `image`, or undefined when the entry does not apply. */
export function editImage(image: string, edit: ImageEdit): string | undefined {
  if (!imageMatches(image, edit.name)) return undefined;
  let { name, tag, digest } = splitImage(image);
  if (edit.newName) name = edit.newName;
  if (edit.newTag && edit.digest) {
    tag = edit.newTag;
    digest = edit.digest;
  } else if (edit.newTag) {
    tag = edit.newTag;
    digest = '';
  } else if (edit.digest) {
    tag = '';
    digest = edit.digest;
  }
  return name + (tag ? ':' + tag : '') + (digest ? '@' + digest : '');
}

/** `image` after the entries, in order, each to what the previous ones left, and the origin of the last that applied. */
function edited(image: string, edits: readonly ImageEdit[]): { image: string; origin?: Origin } {
  let origin: Origin | undefined;
  for (const edit of edits) {
    const next = editImage(image, edit);
    if (next !== undefined) {
      image = next;
      origin = edit.origin;
    }
  }
  return origin ? { image, origin } : { image };
}

function walk(node: TNode, edits: ImageEdit[]): void {
  if (node.kind === 'seq') for (const item of node.items) walk(item, edits);
  if (node.kind !== 'map') return;
  for (const [key, value] of node.entries) {
    if ((key === 'containers' || key === 'initContainers') && value.kind === 'seq') {
      for (const c of value.items) {
        const image = c.kind === 'map' ? c.entries.get('image') : undefined;
        if (c.kind !== 'map' || image?.kind !== 'scalar' || typeof image.value !== 'string') continue;
        // Entries apply in order, each to what the previous ones left (kustomize runs one transformer per entry).
        const result = edited(image.value, edits);
        if (result.origin) c.entries.set('image', tscalar(result.image, result.origin));
      }
    }
    walk(value, edits);
  }
}

/**
 * The default image field specs (kustomize's builtinpluginconsts images.go) besides the containers and init
 * containers every object's walk covers: image volumes (`volumes[].image.reference`, Kubernetes 1.31).
 */
export const imageVolumeSpecs: FieldSpec[] = [
  { path: 'spec/volumes[]/image/reference' },
  { path: 'spec/template/spec/volumes[]/image/reference' },
];

/**
 * Applies the `images:` entries, in order, to every container and init container of every object (kustomize's
 * legacy walk), then to the places `specs` select (its field-spec filter: `imageVolumeSpecs` plus a
 * `configurations:` file's `images:`, or a builtin ImageTagTransformer's own `fieldSpecs`). The field-spec pass
 * never creates a field and leaves CustomResourceDefinitions alone; a map or list at one of its paths is kustomize's
 * build error, reported through `refuse`.
 */
export function applyImages(
  resources: Resource[],
  edits: ImageEdit[],
  specs: readonly FieldSpec[] = [],
  refuse?: (res: Resource, field: string) => never,
): void {
  if (edits.length === 0) return;
  for (const res of resources) walk(res.node, edits);
  if (specs.length === 0) return;
  const lookOnly = specs.map((spec) => (spec.create ? { ...spec, create: false } : spec));
  for (const res of resources) {
    if (gvkOf(res).kind === 'CustomResourceDefinition') continue;
    visitFieldSpecs(res, lookOnly, res.node.origin, (parent, key) => {
      const value = parent.entries.get(key);
      if (value === undefined || (value.kind === 'scalar' && value.value === null)) return;
      if (value.kind !== 'scalar') {
        if (refuse) refuse(res, key);
        return;
      }
      if (typeof value.value !== 'string') return;
      const result = edited(value.value, edits);
      if (result.origin) parent.entries.set(key, tscalar(result.image, result.origin));
    });
  }
}

/** The message for an image field spec landing on a map or a list (kustomize: "wrong node kind"). */
export function imageFieldNotScalar(res: Resource, field: string): string {
  return `images: the '${field}' field of ${gvkOf(res).kind} ${nameOf(res)} is a map or a list, not an image (kustomize: "wrong node kind: expected ScalarNode")`;
}
