import { escapeSegment, isMap } from '../yaml/pointer';

/** One scalar leaf of an object. */
export interface Leaf {
  /** JSON pointer (arrays by index). */
  pointer: string;
  value: unknown;
}

/**
 * The scalar leaves of a JSON value, keyed by a logical path in which list items that carry a unique `name`
 * (containers, env vars, ports, volumes) are addressed by that name, so `containers[web]` pairs up between two
 * environments even when their lists are ordered differently.
 */
export function flattenLeaves(value: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  walk(value, '', '', out);
  return out;
}

function walk(value: unknown, logical: string, pointer: string, out: Map<string, Leaf>): void {
  if (Array.isArray(value)) {
    const names = value.map((v) => (isMap(v) && typeof v.name === 'string' ? v.name : undefined));
    const byName = names.every((n) => n !== undefined) && new Set(names).size === names.length;
    value.forEach((v, i) => walk(v, `${logical}/${byName ? `[${names[i]}]` : i}`, `${pointer}/${i}`, out));
  } else if (isMap(value)) {
    for (const [k, v] of Object.entries(value)) {
      const seg = escapeSegment(k);
      walk(v, `${logical}/${seg}`, `${pointer}/${seg}`, out);
    }
  } else {
    out.set(logical, { pointer, value });
  }
}
