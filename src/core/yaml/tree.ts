/**
 * The origin-tracked value tree the renderer works on. Every node carries the Origin of the YAML node that last
 * set it, so origins move with values when lists are merged, reordered or replaced by a transformation.
 */
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type LineCounter,
  type Node as YamlNode,
} from 'yaml';
import type { Origin, OriginKind } from '../model/location';
import { blockAtEndOfText, goFoldedRoundTrip } from './goYamlScalars';
import { ProblemError } from '../model/problem';
import { setOwn } from '../ownKeys';
import { childPointer } from './pointer';

export type Scalar = string | number | boolean | null;

/** A mapping: keys keep insertion order (kustomize keeps the source order and appends new fields). */
export interface TMap {
  kind: 'map';
  entries: Map<string, TNode>;
  origin: Origin;
  /** Memo of the object's GVK (see resource.ts gvkOf); clone carries it to the copy's nodes. */
  gvkMemo?: {
    apiVersion: TNode | undefined;
    kind: TNode | undefined;
    gvk: { group: string; version: string; kind: string };
  };
}

export interface TSeq {
  kind: 'seq';
  items: TNode[];
  origin: Origin;
}

export interface TScalar {
  kind: 'scalar';
  value: Scalar;
  origin: Origin;
  /**
   * Where a string's text starts in its file (for block scalars the line after `|`, at the block's indentation),
   * so YAML embedded in it (an inline patch) gets file positions. `block`: every line shares that indentation.
   */
  text?: { line: number; column: number; block: boolean };
  /** An integer beyond ±2^53 as written (`value` is its nearest double): printed output keeps every digit. */
  exact?: bigint;
  /**
   * A null written as nothing at all (`key:`), not as `null` or `~`: kustomize's strategic merge walk drops such a
   * field from the object it patches (kyaml keeps only a null with text), so the renderer must tell them apart.
   */
  blank?: true;
}

/** One value with its origin. */
export type TNode = TMap | TSeq | TScalar;

/** A map node. */
export function tmap(origin: Origin, entries: Map<string, TNode> = new Map()): TMap {
  return { kind: 'map', entries, origin };
}

/** A sequence node. */
export function tseq(origin: Origin, items: TNode[] = []): TSeq {
  return { kind: 'seq', items, origin };
}

/** A scalar node. */
/** A null written as nothing (`key:` with no value). */
export function blankNull(origin: Origin): TScalar {
  return { kind: 'scalar', value: null, origin, blank: true };
}

export function tscalar(value: Scalar, origin: Origin): TScalar {
  return { kind: 'scalar', value, origin };
}

/** Where YAML nodes of one parsed file point. */
export interface YamlSource {
  file: string;
  lineCounter: LineCounter;
  kind: OriginKind;
  /** The parsed text, when it is embedded in a file (an inline patch): added to lines and columns. */
  lineOffset?: number;
  /** Added to columns on the text's first line. */
  firstColumnOffset?: number;
  /** Added to columns on later lines. */
  columnOffset?: number;
  text?: string;
  /** Set when a scalar got `exact` (an integer beyond ±2^53), so renders without one skip looking for them. */
  sawExact?: boolean;
  /** Alias accounting for the document being converted (see `countNode`); fromYaml keeps it. */
  aliases?: AliasBudget;
}

/** go-yaml v3's alias accounting for one document: nodes converted, those converted inside an alias, and depth. */
interface AliasBudget {
  doc: Document;
  decoded: number;
  aliased: number;
  depth: number;
  /** Each alias's node, found in one pass over the document (Alias.resolve walks the whole document per alias). */
  targets?: Map<Alias, YamlNode | undefined>;
}

/** What each alias of `doc` refers to: the last node anchored with its name before it, as Alias.resolve finds it. */
function aliasTargets(doc: Document): Map<Alias, YamlNode | undefined> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode | undefined>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) targets.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

/**
 * The share of a document's nodes that may come from alias expansion, as go-yaml v3 (kustomize's reader) allows:
 * 99% up to 400,000 nodes, falling to 10% at 4,000,000. A billion-laughs document hits it after a few hundred
 * thousand nodes instead of exhausting memory.
 */
export function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}

/** Counts one converted node; refuses the document, at `at`, once aliases expanded more than go-yaml allows. */
function countNode(budget: AliasBudget, at: Origin): void {
  budget.decoded++;
  if (budget.depth > 0) budget.aliased++;
  if (
    budget.aliased > 100 &&
    budget.decoded > 1000 &&
    budget.aliased / budget.decoded > allowedAliasRatio(budget.decoded)
  ) {
    throw new ProblemError({
      severity: 'error',
      message: 'document contains excessive aliasing (YAML aliases expand to too many nodes, an alias bomb); not read',
      location: { file: at.file, line: at.line, column: at.column },
    });
  }
}

/** The origin of the YAML text at `offset`. */
export function originAt(src: YamlSource, offset: number): Origin {
  const pos = src.lineCounter.linePos(offset);
  return {
    file: src.file,
    line: pos.line + (src.lineOffset ?? 0),
    column: pos.col + ((pos.line === 1 ? src.firstColumnOffset : src.columnOffset) ?? 0),
    kind: src.kind,
  };
}

/**
 * Converts a parsed YAML node into a tree. A map entry's origin is its key's position (the line a user edits);
 * a list item's origin is the item's position. Aliases are expanded.
 */
export function fromYaml(node: unknown, doc: Document, src: YamlSource, origin?: Origin): TNode {
  const here = origin ?? originAt(src, (node as YamlNode | null)?.range?.[0] ?? 0);
  let budget = src.aliases;
  if (budget?.doc !== doc) budget = src.aliases = { doc, decoded: 0, aliased: 0, depth: 0 };
  countNode(budget, here);
  if (isAlias(node)) {
    // Aliases are expanded: bounded like go-yaml's, so an alias bomb is an error at the alias, not an OOM.
    const target = (budget.targets ??= aliasTargets(doc)).get(node);
    budget.depth++;
    try {
      return fromYaml(target, doc, src, here);
    } finally {
      budget.depth--;
    }
  }
  if (isMap(node)) {
    const entries = new Map<string, TNode>();
    const merged: TNode[] = [];
    for (const pair of node.items) {
      const keyNode = pair.key as YamlNode | null;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol') {
        const value = pair.value as YamlNode | null;
        const sources = isSeq(value) ? value.items : [value];
        merged.push(...sources.map((item) => fromYaml(item, doc, src)));
        continue;
      }
      // kustomize drops a quoted "<<" key with its value (merging nothing): so does this.
      if (isScalar(keyNode) && keyNode.value === '<<') continue;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const at = originAt(src, keyNode?.range?.[0] ?? (pair.value as YamlNode | null)?.range?.[0] ?? 0);
      entries.set(key, pair.value == null ? blankNull(at) : fromYaml(pair.value, doc, src, at));
    }
    // A merge key's maps fill in what the map does not set itself, the first map listed winning (go-yaml v3's
    // decoder; kustomize prints the merged map). A non-map there adds nothing, as in kustomize.
    for (const from of merged) {
      if (from.kind !== 'map') continue;
      for (const [k, v] of from.entries) if (!entries.has(k)) entries.set(k, v);
    }
    return tmap(here, entries);
  }
  if (isSeq(node))
    return tseq(
      here,
      node.items.map((item) => fromYaml(item, doc, src)),
    );
  if (isScalar(node)) {
    let value = toScalar(node.value);
    if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && typeof value === 'string') {
      if (src.text !== undefined && node.range) value = blockAtEndOfText(value, src.text, node.range[1]);
      if (node.type === 'BLOCK_FOLDED') value = goFoldedRoundTrip(value);
    }
    const out = tscalar(value, here);
    if (node.value === null && node.source === '') out.blank = true;
    if (typeof node.value === 'bigint' && !Number.isSafeInteger(out.value)) {
      out.exact = node.value;
      src.sawExact = true;
    }
    if (typeof node.value === 'string' && node.range) {
      const at = originAt(src, node.range[0]);
      if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && src.text !== undefined) {
        // The block's text starts on the line after its `|` header, at the block's indentation.
        const start = src.lineCounter.lineStarts[at.line - (src.lineOffset ?? 0)] ?? node.range[0];
        const indent = /^ */.exec(src.text.slice(start))?.[0].length ?? 0;
        out.text = { line: at.line + 1, column: indent + 1, block: true };
      } else {
        // A quoted string's text starts after its quote.
        out.text = {
          line: at.line,
          column: at.column + (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0),
          block: false,
        };
      }
    }
    return out;
  }
  return tscalar(null, here);
}

/** go-yaml reads U+0085 (NEL) as a line break, so kustomize's output folds it like one: one break → a space. */
export function foldNel(s: string): string {
  return s.replace(/[ \t]*((?:\u0085[ \t]*)+)/g, (_, breaks: string) => {
    const n = breaks.split('\u0085').length - 1;
    return n === 1 ? ' ' : '\n'.repeat(n - 1);
  });
}

function toScalar(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v.includes('\u0085') ? foldNel(v) : v;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

/** Builds a tree from plain JSON data, every node with the same origin (values a transformation creates). */
export function fromPlain(value: unknown, origin: Origin): TNode {
  if (Array.isArray(value))
    return tseq(
      origin,
      value.map((v) => fromPlain(v, origin)),
    );
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, TNode>();
    for (const [k, v] of Object.entries(value)) entries.set(k, fromPlain(v, origin));
    return tmap(origin, entries);
  }
  return tscalar(toScalar(value), origin);
}

/**
 * Builds a tree from plain JSON data whose nodes take their origins from `origins` (JSON pointer → origin, as a
 * rendered object carries them); a path without one takes its parent's (the root's: `fallback`). `same`: a tree of the
 * same object as parsed from a file: a scalar there with the same value and origin is taken over as it is, with the
 * positions of its text (an inline patch's lines).
 */
export function fromPlainWithOrigins(
  value: unknown,
  origins: ReadonlyMap<string, Origin>,
  fallback: Origin,
  same?: TNode,
  pointer = '',
): TNode {
  const origin = origins.get(pointer) ?? fallback;
  if (Array.isArray(value))
    return tseq(
      origin,
      value.map((v, i) =>
        fromPlainWithOrigins(v, origins, origin, same?.kind === 'seq' ? same.items[i] : undefined, `${pointer}/${i}`),
      ),
    );
  if (value !== null && typeof value === 'object') {
    const entries = new Map<string, TNode>();
    for (const [k, v] of Object.entries(value))
      entries.set(
        k,
        fromPlainWithOrigins(
          v,
          origins,
          origin,
          same?.kind === 'map' ? same.entries.get(k) : undefined,
          childPointer(pointer, k),
        ),
      );
    return tmap(origin, entries);
  }
  const scalar = toScalar(value);
  if (
    same?.kind === 'scalar' &&
    same.value === scalar &&
    same.origin.file === origin.file &&
    same.origin.line === origin.line &&
    same.origin.column === origin.column
  )
    return same;
  const node = tscalar(scalar, origin);
  // Text over several lines (an inline patch) is nearly always a block scalar under its key (where origins point),
  // its lines indented two more: embedded YAML parsed from it then gets its lines in the file.
  if (typeof scalar === 'string' && scalar.includes('\n'))
    node.text = { line: origin.line + 1, column: origin.column + 2, block: true };
  return node;
}

/** Plain JSON data of a tree. */
export function toPlain(node: TNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) setOwn(out, k, toPlain(v));
      return out;
    }
  }
}

/**
 * A deep copy of maps and lists. Scalar nodes and origins are immutable (a transformation replaces a scalar
 * node, never edits it), so copies share them: renders clone every resource, and most nodes are scalars.
 */
export function clone<T extends TNode>(node: T): T {
  switch (node.kind) {
    case 'scalar':
      return node;
    case 'seq':
      return { kind: 'seq', items: node.items.map(clone), origin: node.origin } as T;
    case 'map': {
      const entries = new Map<string, TNode>();
      for (const [k, v] of node.entries) entries.set(k, clone(v));
      const out: TMap = { kind: 'map', entries, origin: node.origin };
      // A still-valid GVK memo moves to the copy's own apiVersion/kind nodes: renders clone every resource.
      const memo = node.gvkMemo;
      if (memo && memo.apiVersion === node.entries.get('apiVersion') && memo.kind === node.entries.get('kind')) {
        out.gvkMemo = { apiVersion: entries.get('apiVersion'), kind: entries.get('kind'), gvk: memo.gvk };
      }
      return out as T;
    }
  }
}

/** JSON pointer → exact value of every integer beyond ±2^53 in the tree (see TScalar.exact). */
export function collectExact(node: TNode, out = new Map<string, bigint>(), prefix = ''): Map<string, bigint> {
  if (node.kind === 'scalar') {
    if (node.exact !== undefined && node.value === Number(node.exact)) out.set(prefix, node.exact);
  } else if (node.kind === 'map') for (const [k, v] of node.entries) collectExact(v, out, childPointer(prefix, k));
  else node.items.forEach((v, i) => collectExact(v, out, prefix + '/' + i));
  return out;
}

/**
 * JSON pointer → origin, computed by `fill` on first use: most objects' origins are never looked at (only drifted
 * fields and the open editor need them), and a render of 1,000 objects has ~50,000 paths. What `fill` reads must
 * not change afterwards (render results are never mutated).
 */
export class LazyOrigins extends Map<string, Origin> {
  private pending: ((into: Map<string, Origin>) => void) | undefined;

  constructor(fill: (into: Map<string, Origin>) => void) {
    super();
    this.pending = fill;
  }

  private fill(): void {
    if (this.pending === undefined) return;
    const fill = this.pending;
    this.pending = undefined;
    fill(this);
  }

  override get(key: string): Origin | undefined {
    this.fill();
    return super.get(key);
  }

  override has(key: string): boolean {
    this.fill();
    return super.has(key);
  }

  override get size(): number {
    this.fill();
    return super.size;
  }

  override entries(): MapIterator<[string, Origin]> {
    this.fill();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.fill();
    return super.keys();
  }

  override values(): MapIterator<Origin> {
    this.fill();
    return super.values();
  }

  override forEach(fn: (value: Origin, key: string, map: Map<string, Origin>) => void, thisArg?: unknown): void {
    this.fill();
    super.forEach(fn, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[string, Origin]> {
    return this.entries();
  }
}

/**
 * A finished tree's origins alone, in the tree's order: a scalar's origin, or a branch. This is what a rendered
 * object keeps instead of its TMap tree, whose `Map` per map node costs several times as much: 30,000 rendered
 * objects held 70 MB of maps for origins that are rarely read.
 */
type OriginTree = Origin | OriginBranch;

/** A map's or a list's origin and its children's: a map's `parts` alternate key and child, a list's are its items. */
class OriginBranch {
  constructor(
    readonly origin: Origin,
    readonly map: boolean,
    readonly parts: (string | OriginTree)[],
  ) {}
}

/** JSON pointer → origin for a finished tree, computed on first use (see LazyOrigins). */
export class TreeOrigins extends LazyOrigins {
  /** `tree`'s origins as they are now; the tree itself is not kept. */
  constructor(tree: TNode) {
    const origins = originTree(tree);
    super((into) => collectBranch(origins, into, ''));
  }
}

function originTree(node: TNode): OriginTree {
  if (node.kind === 'scalar') return node.origin;
  if (node.kind === 'seq') return new OriginBranch(node.origin, false, node.items.map(originTree));
  const parts: (string | OriginTree)[] = [];
  for (const [k, v] of node.entries) parts.push(k, originTree(v));
  return new OriginBranch(node.origin, true, parts);
}

/** What collectOrigins gives for the tree `node` was taken from: every pointer, in the same order. */
function collectBranch(node: OriginTree, out: Map<string, Origin>, prefix: string): void {
  if (!(node instanceof OriginBranch)) {
    out.set(prefix, node);
    return;
  }
  out.set(prefix, node.origin);
  const parts = node.parts;
  if (node.map)
    for (let i = 0; i < parts.length; i += 2)
      collectBranch(parts[i + 1] as OriginTree, out, childPointer(prefix, parts[i] as string));
  else for (let i = 0; i < parts.length; i++) collectBranch(parts[i] as OriginTree, out, prefix + '/' + i);
}

/**
 * `toPlain(node)` and `new TreeOrigins(node)` in one walk: what a renderer hands out for a finished resource, so the
 * TMap tree can go.
 */
export function plainWithOrigins(node: TNode): { value: unknown; origins: LazyOrigins } {
  const top = new Array<string | OriginTree>(1);
  const value = plainInto(node, top, 0);
  const origins = top[0] as OriginTree;
  return { value, origins: new LazyOrigins((into) => collectBranch(origins, into, '')) };
}

/**
 * Like toPlain; puts the node's origin tree at `origins[at]`. Arrays are made at their final length: every rendered
 * object passes here (grown by push, they left a copy behind at each growth).
 */
function plainInto(node: TNode, origins: (string | OriginTree)[], at: number): unknown {
  switch (node.kind) {
    case 'scalar':
      origins[at] = node.origin;
      return node.value;
    case 'seq': {
      const n = node.items.length;
      const items = new Array<OriginTree>(n);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = plainInto(node.items[i], items, i);
      origins[at] = new OriginBranch(node.origin, false, items);
      return out;
    }
    case 'map': {
      const parts = new Array<string | OriginTree>(node.entries.size * 2);
      const out: Record<string, unknown> = {};
      let i = 0;
      for (const [k, v] of node.entries) {
        parts[i] = k;
        setOwn(out, k, plainInto(v, parts, i + 1));
        i += 2;
      }
      origins[at] = new OriginBranch(node.origin, true, parts);
      return out;
    }
  }
}

/** Every JSON pointer in the tree → its node's origin. */
export function collectOrigins(node: TNode, out = new Map<string, Origin>(), prefix = ''): Map<string, Origin> {
  out.set(prefix, node.origin);
  if (node.kind === 'map') for (const [k, v] of node.entries) collectOrigins(v, out, childPointer(prefix, k));
  else if (node.kind === 'seq') node.items.forEach((v, i) => collectOrigins(v, out, prefix + '/' + i));
  return out;
}

/** The child map at `key`, or undefined when absent or not a map. */
export function getMap(node: TNode | undefined, key: string): TMap | undefined {
  const v = node?.kind === 'map' ? node.entries.get(key) : undefined;
  return v?.kind === 'map' ? v : undefined;
}

/** The string value at `key` ('' when absent; numbers and booleans as text). */
export function getString(node: TNode | undefined, key: string): string {
  const v = node?.kind === 'map' ? node.entries.get(key) : undefined;
  return v?.kind === 'scalar' && v.value !== null ? String(v.value) : '';
}

/** Follows a path of map keys, creating maps with `origin` where missing. Undefined if a non-map is in the way. */
export function lookupCreateMap(node: TMap, path: readonly string[], origin: Origin): TMap | undefined {
  let cur: TMap = node;
  for (const key of path) {
    let next = cur.entries.get(key);
    if (next === undefined || (next.kind === 'scalar' && next.value === null)) {
      next = tmap(origin);
      cur.entries.set(key, next);
    }
    if (next.kind !== 'map') return undefined;
    cur = next;
  }
  return cur;
}
