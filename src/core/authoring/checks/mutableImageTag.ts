/** `mutable-image-tag`: rendered container images that name no tag or digest, or the tag `latest`. */
import type { Origin } from '../../model/location';
import { splitImage } from '../../render/kustomize/filters/images';
import { childPointer } from '../../yaml/pointer';
import type { RenderedObject } from '../../render/types';
import type { LintFinding, LintRange } from '../finding';

/** A container image whose reference can point at another build tomorrow. */
export interface MutableImage {
  image: string;
  /** Where the rendered value was set: the resource's `image:` line or an `images:` entry. */
  origin: Origin;
  /** The JSON pointer of the value in its object. */
  pointer: string;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers']);

/** Whether an image reference names neither a digest nor a tag other than `latest`. */
export function isMutableImage(image: string): boolean {
  const { tag, digest } = splitImage(image);
  return !digest && (tag === '' || tag === 'latest');
}

/** The mutable images of a render's containers and init containers (any pod template: Deployments, CronJobs, Pods...). */
export function mutableImages(objects: readonly RenderedObject[]): MutableImage[] {
  const out: MutableImage[] = [];
  for (const rendered of objects) {
    const visit = (value: unknown, pointer: string): void => {
      if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${pointer}/${i}`));
      else if (value !== null && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (CONTAINER_LISTS.has(key) && Array.isArray(child)) {
            child.forEach((c: { image?: unknown }, i) => {
              const at = `${pointer}/${key}/${i}/image`;
              const origin =
                typeof c?.image === 'string' && isMutableImage(c.image) ? rendered.origins.get(at) : undefined;
              if (origin) out.push({ image: c.image as string, origin, pointer: at });
            });
          } else if (key !== 'metadata') visit(child, childPointer(pointer, key));
        }
      }
    };
    visit(rendered.object.spec, '/spec');
  }
  return out;
}

/** The finding for one place that set a mutable image, naming the environments that render it. */
export function mutableImageFinding(image: string, environments: readonly string[], range: LintRange): LintFinding {
  const { name, tag } = splitImage(image);
  const why = tag ? `uses the mutable tag '${tag}'` : "has no tag or digest, so it means ':latest'";
  return {
    code: 'mutable-image-tag',
    severity: 'information',
    message: `image '${image}' ${why} (${environments.join(', ')}): pin a digest (${name}@sha256:...) so every rollout runs the build that was tested`,
    range,
  };
}
