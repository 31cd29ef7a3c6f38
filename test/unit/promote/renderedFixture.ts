import type { Origin, OriginKind } from '../../../src/core/model/location';
import { keyOf, type KubeObject } from '../../../src/core/model/resource';
import type { RenderedObject, RenderResult } from '../../../src/core/render/types';

/**
 * The origin of the first occurrence of `needle` in `text` (after `after`, when given): how the renderer reports
 * where a value is set. Fails loudly when the needle is missing, so a fixture typo cannot pass silently.
 */
export function originOf(file: string, text: string, needle: string, kind: OriginKind, after?: string): Origin {
  const from = after === undefined ? 0 : text.indexOf(after);
  const offset = text.indexOf(needle, from < 0 ? 0 : from);
  if (offset < 0 || from < 0) throw new Error(`fixture: ${JSON.stringify(needle)} not found in ${file}`);
  const before = text.slice(0, offset).split('\n');
  return { file, line: before.length, column: before[before.length - 1].length + 1, kind };
}

/** A rendered object whose every leaf defaults to `fallback`, with the given pointers set elsewhere. */
export function rendered(object: KubeObject, fallback: Origin, overrides: Record<string, Origin>): RenderedObject {
  const origins = new Map<string, Origin>();
  const walk = (v: unknown, p: string) => {
    origins.set(p, overrides[p] ?? fallback);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}/${i}`));
    else if (v && typeof v === 'object')
      for (const [k, x] of Object.entries(v)) walk(x, `${p}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(object, '');
  for (const p of Object.keys(overrides)) if (!origins.has(p)) throw new Error(`fixture: no value at ${p}`);
  return { object, key: keyOf(object), origins, source: fallback };
}

/** A render result over the given objects, reading `files`. */
export function renderResult(root: string, objects: RenderedObject[], files: string[]): RenderResult {
  return { root, objects, problems: [], files };
}
