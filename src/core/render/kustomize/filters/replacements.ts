/** `replacements:` (kustomize's replacement filter): copy a field of one object into fields of others. */
import { ProblemError } from '../../../model/problem';
import { describe, type Resource } from '../resource';
import { readSelector, selects, type Selector } from '../selector';
import { clone, getMap, getString, tmap, tscalar, tseq, type TMap, type TNode, type TScalar } from '../../../yaml/tree';

/** Splits `a.b.[name=x].c` on dots outside brackets. */
export function splitFieldPath(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  for (const c of path) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (c === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.filter((s) => s !== '');
}

interface Slot {
  get(): TNode | undefined;
  set(v: TNode): void;
}

/** Every place a field path selects; with `create`, missing maps and `[k=v]` list items are made. */
function slots(node: TNode, segs: string[], create: boolean, origin: TNode['origin']): Slot[] {
  const [seg, ...rest] = segs;
  const results: Slot[] = [];
  const descend = (get: () => TNode | undefined, set: (v: TNode) => void) => {
    if (rest.length === 0) {
      // A missing last field is a place only when it may be created (kyaml's PathMatcher finds nothing else).
      if (create || get() !== undefined) results.push({ get, set });
      return;
    }
    let next = get();
    if (next === undefined || (next.kind === 'scalar' && next.value === null)) {
      if (!create) return;
      // A `[k=v]` next makes a list to hold the item, as kyaml does; anything else a map.
      next = /^\[.+=.*\]$/.test(rest[0]) ? tseq(origin) : tmap(origin);
      set(next);
    }
    results.push(...slots(next, rest, create, origin));
  };
  const select = /^\[(.+?)=(.*)\]$/.exec(seg);
  if (node.kind === 'seq') {
    if (seg === '*')
      node.items.forEach((_, i) =>
        descend(
          () => node.items[i],
          (v) => (node.items[i] = v),
        ),
      );
    else if (select) {
      let found = false;
      node.items.forEach((item, i) => {
        if (getString(item, select[1]) === select[2]) {
          found = true;
          descend(
            () => node.items[i],
            (v) => (node.items[i] = v),
          );
        }
      });
      if (!found && create) {
        const item = tmap(origin, new Map([[select[1], tscalar(select[2], origin)]]));
        node.items.push(item);
        const i = node.items.length - 1;
        descend(
          () => node.items[i],
          (v) => (node.items[i] = v),
        );
      }
    } else if (/^-?\d+$/.test(seg)) {
      const i = Number(seg);
      if (i >= 0 && i < node.items.length)
        descend(
          () => node.items[i],
          (v) => (node.items[i] = v),
        );
    }
  } else if (node.kind === 'map') {
    // `[cert-manager.io/inject-ca-from]`: a key holding dots, in brackets (kubebuilder's default config uses it).
    const key = /^\[([^=\]]*)\]$/.exec(seg)?.[1] ?? seg;
    if (seg === '*')
      for (const k of node.entries.keys())
        descend(
          () => node.entries.get(k),
          (v) => node.entries.set(k, v),
        );
    else
      descend(
        () => node.entries.get(key),
        (v) => node.entries.set(key, v),
      );
  }
  return results;
}

/** A string kustomize writes as a new untagged scalar: YAML types it on output (`4.2` becomes a number). */
function untyped(text: string): string | number | boolean | null {
  if (/^[-+]?(\d+|\d*\.\d+|\d+\.\d*)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  return text;
}

/** A scalar's text, as kyaml holds it (the digits as written for an integer beyond 2^53). */
function textOf(node: TScalar): string {
  return node.exact !== undefined ? node.exact.toString() : String(node.value ?? '');
}

/**
 * What kustomize writes for `value` where `old` was (its setFieldValue). Into an existing scalar it copies only the
 * text, so the target keeps its type (a string stays a string: `"4.2"`); a created field has no type, so its text is
 * typed on output (`4.2`, `1`); a map, a list or a null target takes the value node itself.
 */
function written(old: TNode | undefined, value: TNode, text: string | undefined): TNode {
  if (text === undefined || (old !== undefined && (old.kind !== 'scalar' || old.value === null)))
    return asReplacement(clone(value));
  const wantString = old !== undefined && typeof old.value === 'string';
  const typed = wantString ? text : untyped(text);
  // The value's own node when it already reads as that (keeps an integer beyond 2^53 exact).
  if (value.kind === 'scalar' && value.value === typed) return asReplacement(clone(value));
  return tscalar(typed, { ...value.origin, kind: 'replacement' });
}

/** `node` (a fresh clone) with every origin marked as a replacement; shared scalar nodes are replaced, not edited. */
function asReplacement<T extends TNode>(node: T): T {
  if (node.kind === 'scalar') return { ...node, origin: { ...node.origin, kind: 'replacement' } };
  node.origin = { ...node.origin, kind: 'replacement' };
  if (node.kind === 'map') for (const [k, v] of node.entries) node.entries.set(k, asReplacement(v));
  else if (node.kind === 'seq') node.items = node.items.map(asReplacement);
  return node;
}

function options(node: TNode | undefined): { delimiter?: string; index: number; create: boolean } {
  const o = getMap(node, 'options');
  const idx = Number(getString(o, 'index') || '0');
  return {
    delimiter: getString(o, 'delimiter') || undefined,
    index: Number.isFinite(idx) ? idx : 0,
    create: getString(o, 'create') === 'true',
  };
}

function fail(message: string, at: TNode): never {
  throw new ProblemError({ severity: 'error', message, location: at.origin });
}

function selectorText(sel: Selector): string {
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Applies one replacement (its YAML map, inline or loaded from `path`). */
export function applyReplacement(resources: Resource[], replacement: TMap): void {
  const source = getMap(replacement, 'source');
  if (!source) fail('replacement has no source', replacement);
  const sourceSel = readSelector(source);
  const matches = resources.filter((r) => selects(sourceSel, r));
  if (matches.length === 0) fail(`replacement source matches no object (${selectorText(sourceSel)})`, source);
  if (matches.length > 1)
    fail(`replacement source matches ${matches.length} objects: ${matches.map(describe).join(', ')}`, source);
  const fieldPath = getString(source, 'fieldPath') || 'metadata.name';
  const found = slots(matches[0].node, splitFieldPath(fieldPath), false, source.origin)[0]?.get();
  if (found === undefined) fail(`replacement source field '${fieldPath}' not found in ${describe(matches[0])}`, source);
  let value: TNode = found;
  const srcOpts = options(source);
  if (srcOpts.delimiter !== undefined && found.kind === 'scalar') {
    const parts = textOf(found).split(srcOpts.delimiter);
    // The value itself is not quoted: it may be a Secret's.
    if (srcOpts.index >= parts.length || srcOpts.index < 0)
      fail(`options.index ${srcOpts.index} is out of range: '${fieldPath}' has ${parts.length} parts`, source);
    // kyaml keeps the source's type on the part (a string's part is a string); the target decides what is printed.
    value = tscalar(
      typeof found.value === 'string' ? parts[srcOpts.index] : untyped(parts[srcOpts.index]),
      found.origin,
    );
  }
  const targets = replacement.entries.get('targets');
  if (targets?.kind !== 'seq') fail('replacement has no targets', replacement);
  for (const target of targets.items) {
    const select = readSelector(getMap(target, 'select'));
    const rejects =
      target.kind === 'map' && target.entries.get('reject')?.kind === 'seq'
        ? (target.entries.get('reject') as { items: TNode[] }).items.map(readSelector)
        : [];
    const opts = options(target);
    const paths = target.kind === 'map' ? target.entries.get('fieldPaths') : undefined;
    const fieldPaths =
      paths?.kind === 'seq'
        ? paths.items.map((p) => ({ path: p.kind === 'scalar' ? String(p.value) : '', at: p }))
        : [{ path: 'metadata.name', at: target }];
    for (const res of resources) {
      if (!selects(select, res) || rejects.some((r) => selects(r, res))) continue;
      for (const { path: fp, at } of fieldPaths) {
        const found = slots(res.node, splitFieldPath(fp), opts.create, target.origin);
        if (found.length === 0) {
          if (opts.create) continue;
          fail(`replacement target field '${fp}' not found in ${describe(res)} (set options.create to add it)`, at);
        }
        for (const slot of found) {
          const old = slot.get();
          const text = value.kind === 'scalar' ? textOf(value) : undefined;
          if (opts.delimiter !== undefined && (old === undefined || old.kind === 'scalar') && text !== undefined) {
            const parts = (old === undefined ? '' : textOf(old)).split(opts.delimiter);
            if (opts.index >= parts.length) parts.push(text);
            else if (opts.index < 0) parts.unshift(text);
            else parts[opts.index] = text;
            slot.set(written(old, value, parts.join(opts.delimiter)));
          } else slot.set(written(old, value, text));
        }
      }
    }
  }
}
