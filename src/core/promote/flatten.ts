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

/** Prefixes every pod template repeats; a label drops them (`containers[web].image`), as drift reports do. */
const LABEL_PREFIXES = ['/spec/jobTemplate/spec/template/spec/', '/spec/template/spec/', '/spec/'];

/**
 * A logical path (from {@link flattenLeaves}) as people read it: `containers[web].env[LOG_LEVEL]`, `replicas`,
 * `data.LOG_LEVEL`, `ports[0].port`. An env var's `value` is the var itself.
 */
export function humanPath(logical: string): string {
  const prefix = LABEL_PREFIXES.find((p) => logical.startsWith(p) && logical.length > p.length);
  const rest = prefix ? logical.slice(prefix.length) : logical.slice(1);
  const segments = rest.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segments.length >= 3 && segments[segments.length - 3] === 'env' && segments[segments.length - 1] === 'value')
    segments.pop();
  let out = '';
  for (const s of segments) {
    if (/^\[.*\]$/.test(s)) out += s;
    else if (/^\d+$/.test(s)) out += `[${s}]`;
    else out += out ? `.${s}` : s;
  }
  return out;
}
