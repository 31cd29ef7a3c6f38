/**
 * The rendered preview document of one environment: what `kustomize build` prints, with Secret values masked
 * (the project never shows one), optionally with the file:line that set each value.
 */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Origin } from '../model/location';
import type { KubeObject } from '../model/resource';
import { childPointer } from '../drift/pointer';
import { isSecret, maskSecretObject } from '../drift/secrets';
import { kustomizeYaml } from '../render/kustomizeYaml';
import type { RenderedObject, RenderResult } from '../render/types';

/**
 * The object with a Secret's `data`/`stringData` values replaced by `(secret: sha256:…)`. The hash is salted by
 * where the Secret is declared rather than by its rendered name, so the same Secret in two environments (other
 * namespace, prefix or hash suffix) masks equal values equally and a changed value still shows.
 */
export function maskedObject(rendered: RenderedObject): KubeObject {
  if (!isSecret(rendered.key)) return rendered.object;
  const { file, line, column } = rendered.source;
  return maskSecretObject(rendered.object, { group: '', kind: 'Secret', namespace: '', name: `${file}:${line}:${column}` });
}

/**
 * The objects as `kustomize build` prints them (multi-document YAML), Secret values masked. `header` is printed
 * first as `#` comment lines; `showOrigins` ends each scalar's line with `# file:line` of the value's origin.
 */
export function renderedYaml(result: RenderResult, options: { header?: string; showOrigins?: boolean } = {}): string {
  const header = options.header ? options.header.split('\n').map((l) => `# ${l}`.trimEnd() + '\n').join('') : '';
  const docs = result.objects.map((o) => kustomizeYaml(maskedObject(o), o.exactIntegers, options.showOrigins ? (doc) => annotateOrigins(doc, o.origins) : undefined));
  return header + docs.join('---\n');
}

/** `14 objects` (the CodeLens on a kustomization). */
export function objectCountLabel(result: RenderResult): string {
  const n = result.objects.length;
  return `${n} object${n === 1 ? '' : 's'}`;
}

function annotateOrigins(doc: Document, origins: ReadonlyMap<string, Origin>): void {
  const walk = (node: Node | null | undefined, pointer: string): void => {
    if (isMap(node)) for (const pair of node.items) walk(pair.value as Node | null, childPointer(pointer, String((pair.key as { value?: unknown }).value)));
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item as Node | null, childPointer(pointer, i)));
    else if (isScalar(node)) {
      const origin = origins.get(pointer);
      if (origin) node.comment = ` ${origin.file}:${origin.line}`;
    }
  };
  walk(doc.contents, '');
}
