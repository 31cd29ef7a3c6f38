/**
 * The rendered preview document of one environment: what `kustomize build` prints, with Secret values masked
 * (the project never shows one), optionally with the file:line that set each value.
 */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Origin } from '../model/location';
import type { KubeObject } from '../model/resource';
import { childPointer } from '../yaml/pointer';
import { isSecret, maskSecret } from '../drift/secrets';
import { kustomizeYaml } from '../render/kustomize/kustomizeYaml';
import type { RenderedObject, RenderResult } from '../render/types';

/** The object with a Secret's values masked wherever they hide; equal values mask equally within one run. */
export function maskedObject(rendered: RenderedObject): KubeObject {
  return isSecret(rendered.key) ? maskSecret(rendered.object) : rendered.object;
}

/**
 * The objects as `kustomize build` prints them (multi-document YAML), Secret values masked. `header` is printed
 * first as `#` comment lines; `showOrigins` ends each scalar's line with `# file:line` of the value's origin.
 */
export function renderedYaml(result: RenderResult, options: { header?: string; showOrigins?: boolean } = {}): string {
  const header = options.header
    ? options.header
        .split('\n')
        .map((l) => `# ${l}`.trimEnd() + '\n')
        .join('')
    : '';
  const docs = result.objects.map((o) =>
    kustomizeYaml(
      maskedObject(o),
      o.exactIntegers,
      options.showOrigins ? (doc) => annotateOrigins(doc, o.origins) : undefined,
    ),
  );
  return header + docs.join('---\n');
}

/** `14 objects` (the CodeLens on a kustomization). */
export function objectCountLabel(result: RenderResult): string {
  const n = result.objects.length;
  return `${n} object${n === 1 ? '' : 's'}`;
}

function annotateOrigins(doc: Document, origins: ReadonlyMap<string, Origin>): void {
  const walk = (node: Node | null | undefined, pointer: string): void => {
    if (isMap(node))
      for (const pair of node.items)
        walk(pair.value as Node | null, childPointer(pointer, String((pair.key as { value?: unknown }).value)));
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item as Node | null, childPointer(pointer, i)));
    else if (isScalar(node)) {
      const origin = origins.get(pointer);
      if (origin) node.comment = ` ${origin.file}:${origin.line}`;
    }
  };
  walk(doc.contents, '');
}
