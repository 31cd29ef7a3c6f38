/**
 * A faster way to the same trees parseYaml builds, for the plain YAML config repos are made of.
 *
 * The `yaml` package's lexer and CST parser cost most of a cold render (≈ 1 MB/s before V8 has optimised them);
 * js-yaml reads the same text about five times faster. js-yaml has no source ranges, but its `listener` sees every
 * node open and close, which gives each node's start offset: enough for the origins the renderer needs (a map
 * entry's key, a list item, a string's text).
 *
 * Only what both parsers read alike takes this path. Anything else returns undefined, and the caller parses with
 * `yaml` as before, so error messages and edge cases stay that parser's: tags (seen where a node starts), anchors on
 * keys, on empty nodes or with names beyond `[A-Za-z0-9_.-]`, aliases as keys, `<<` merge keys (plain or quoted), explicit `?` keys, directives, tabs, CR, BOM, unusual line breaks, block scalar
 * indentation indicators, a block scalar as a whole document, a comment right after a closing quote or bracket,
 * content on a `---` line, `...` document ends, flow collections over several lines, quoted strings over several lines not indented past their key or `-`,
 * empty list entries, a parse error, any node shape this reader does not expect. Each of these was found by reading
 * generated and mangled texts with both parsers (test/unit/yaml/fastYaml.test.ts). Scalars resolve like `yaml`'s
 * core schema as parseYaml configures it (integers as go-yaml v3 reads them, beyond ±2^53 with every digit).
 *
 * Anchors and aliases (home-ops HelmReleases share probes and ports this way) are read as parseYaml reads them: an
 * alias is its anchor's node built again, its own origin where the alias is (a map entry's key, a list item's `*`) and
 * every node below with the anchor's origins, an inner alias resolving to what it resolved to where it was written.
 * Nodes are counted as parseYaml counts them against go-yaml's alias limit; a document near it goes to `yaml`.
 */
import { FAILSAFE_SCHEMA, loadAll, Type, type State } from 'js-yaml';
import type { Origin, OriginKind } from '../model/location';
import { blockAtEndOfText, GO_INT_TEXT, goFoldedRoundTrip, resolveGoInt } from './goYamlScalars';
import { allowedAliasRatio, blankNull, foldNel, type TNode, tmap, tscalar, tseq } from './tree';

/** Where an inline YAML string (a patch in a kustomization) starts in its file. */
export interface TextPlacement {
  lineOffset: number;
  /** Added to columns on the text's first line. */
  firstColumnOffset: number;
  /** Added to columns on later lines. */
  columnOffset: number;
}

/** Text with a construct above that only a look at the whole text finds (a conservative test: a match only costs speed). */
const UNSUPPORTED =
  /[\t\r\u0085\u2028\u2029\ufeff]|(?:^|[\s[{,?:-])\?(?:[\s]|$)|^%|[|>][-+]?[0-9]|^---(?:[^\s]|[ ]+[^#\s])|^\.\.\./m;

// yaml's core schema (yaml/dist/schema/core), as parseYaml configures it: integers as go-yaml reads them.
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
// Integers as go-yaml v3 reads them (goYamlScalars.ts): `0755` is 493, `0o17` 15, `1_000` 1000.
const INT = GO_INT_TEXT;
const FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$|^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

const SCHEMA = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:yaml.org,2002:null', { kind: 'scalar', resolve: (s: string) => NULL.test(s), construct: () => null }),
    new Type('tag:yaml.org,2002:bool', {
      kind: 'scalar',
      resolve: (s: string) => BOOL.test(s),
      construct: (s: string) => s[0] === 't' || s[0] === 'T',
    }),
    new Type('tag:yaml.org,2002:int', {
      kind: 'scalar',
      resolve: (s: string) => INT.test(s),
      construct: (s: string) => {
        const v = resolveGoInt(s);
        if (typeof v !== 'bigint') return v;
        // parseYaml keeps integers as bigints; a safe one is that number (and -0 is 0, as Number(-0n) is).
        const n = Number(v);
        return Number.isSafeInteger(n) ? n + 0 : v;
      },
    }),
    new Type('tag:yaml.org,2002:float', {
      kind: 'scalar',
      resolve: (s: string) => FLOAT_SPECIAL.test(s) || FLOAT.test(s),
      construct: (s: string) =>
        FLOAT_SPECIAL.test(s)
          ? s.slice(-3).toLowerCase() === 'nan'
            ? NaN
            : s[0] === '-'
              ? -Infinity
              : Infinity
          : parseFloat(s),
    }),
  ],
});

/** One node as js-yaml's listener saw it: where it opened, and what it became. */
interface Frame {
  start: number;
  kind: string | null;
  result: unknown;
  /** Where it closed. */
  end: number;
  children?: Frame[];
}

/** The owner column of a node no key or `-` owns (a document's root, an item of a flow list). */
const NO_OWNER = -2;

/** Thrown inside the tree walk when a node's shape is not one this reader expects; turns into undefined. */
class Unsupported extends Error {}

/** An anchor or alias name both parsers read alike (each stops at a space or flow indicator; we ask for less). */
const NAME_CHAR = /[A-Za-z0-9_.-]/;

/** An anchored node: its frame (unwrapped) and the column of the key or `-` owning it where it was written. */
interface Anchored {
  frame: Frame;
  owner: number;
}

/**
 * The trees of a (multi-document) YAML text, exactly as parseYaml would build them, or undefined when the text
 * needs the `yaml` package (see the module comment). `exact.seen` is set when an integer beyond ±2^53 was read.
 */
export function parseYamlFast(
  text: string,
  file: string,
  kind: OriginKind,
  placement: TextPlacement,
  exact?: { seen: boolean },
): TNode[] | undefined {
  if (UNSUPPORTED.test(text)) return undefined;
  const roots: Frame[] = [];
  const stack: Frame[] = [];
  try {
    loadAll(text, undefined, {
      schema: SCHEMA,
      listener(event: string, state: State) {
        if (event === 'open') {
          stack.push({ start: state.position, kind: null, result: undefined, end: 0 });
          return;
        }
        const frame = stack.pop()!;
        frame.kind = state.kind;
        frame.result = state.result;
        frame.end = state.position;
        const parent = stack[stack.length - 1];
        if (parent) (parent.children ??= []).push(frame);
        else roots.push(frame);
      },
    });
  } catch {
    return undefined;
  }
  try {
    return new TreeBuilder(text, file, kind, placement, exact).documents(roots);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

class TreeBuilder {
  private readonly lineStarts: number[] = [0];
  /** The current document's anchors, the last of each name so far in the text. */
  private anchors = new Map<string, Anchored>();
  /** What each alias frame referred to where it was written (an alias inside an anchor is built again later). */
  private readonly aliasTargets = new Map<Frame, Anchored>();
  /** parseYaml's alias accounting for the current document (tree.ts countNode): nodes built, those inside an alias. */
  private decoded = 0;
  private aliased = 0;
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly kind: OriginKind,
    private readonly placement: TextPlacement,
    private readonly exact?: { seen: boolean },
  ) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  documents(roots: Frame[]): TNode[] {
    const out: TNode[] = [];
    let previousEnd = 0;
    for (const root of roots) {
      this.anchors = new Map();
      this.decoded = this.aliased = 0;
      this.plainNode(root, true);
      // A block scalar as a whole document: yaml has rules of its own there (leading blank lines), nobody needs it.
      const first = this.text.charCodeAt(this.valueStart(this.contentStart(root.start)));
      if (first === 0x7c /* | */ || first === 0x3e /* > */) throw new Unsupported();
      const mark = this.text.charCodeAt(this.contentStart(root.start));
      // An anchored empty document, or one that is an alias (of nothing before it): left to yaml.
      if (root.kind === null && (mark === 0x26 /* & */ || mark === 0x2a) /* * */) throw new Unsupported();
      if (root.kind !== null)
        out.push(this.node(root, this.originAt(this.valueStart(this.contentStart(root.start))), NO_OWNER));
      else {
        // An empty document: yaml reads a null right after its `---`, and nothing when there is no `---` (a
        // file of comments only).
        const marker = this.documentMarker(previousEnd, root.start);
        if (marker !== undefined) out.push(blankNull(this.originAt(marker + 3)));
      }
      previousEnd = root.end;
    }
    return out;
  }

  /**
   * The tree of one frame; `here` is the origin its parent gives it (a map entry's key, or its own start). `owner`:
   * the column of the key or `-` the node belongs to (see `scalar`), NO_OWNER at a document's root.
   */
  private node(frame: Frame, here: Origin, owner: number): TNode {
    this.plainNode(frame, true);
    frame = unwrap(frame);
    this.count();
    const at = this.contentStart(frame.start);
    const mark = this.text.charCodeAt(at);
    if (mark === 0x2a /* * */) return this.alias(frame, at, here);
    const start = this.valueStart(at);
    if (mark === 0x26 /* & */) {
      const c = this.text.charCodeAt(start);
      // An anchored empty node, or one with more properties (`&a !t`, `&a &b`, `&a *b`): left to yaml.
      if (frame.kind === null || c === 0x26 || c === 0x2a || c === 0x21 /* ! */) throw new Unsupported();
      // Registered before its content is built, as js-yaml and yaml see it: an alias inside refers to an older one.
      if (this.depth === 0) this.anchors.set(this.text.slice(at + 1, this.nameEnd(at + 1)), { frame, owner });
    }
    switch (frame.kind) {
      case 'mapping':
        return this.mapping(frame, here, start);
      case 'sequence':
        return this.sequence(frame, here, start);
      case 'scalar':
        return this.scalar(frame, here, owner, start);
      case null:
        return blankNull(here);
      default:
        throw new Unsupported();
    }
  }

  /**
   * An alias (`*a`, a frame js-yaml gives no kind): its anchor's node built again with the alias's origin on top, as
   * parseYaml's fromYaml expands it. The anchor is the one of that name last written before the alias.
   */
  private alias(frame: Frame, at: number, here: Origin): TNode {
    let target = this.aliasTargets.get(frame);
    if (!target) {
      const end = this.nameEnd(at + 1);
      // Anything after the name but the frame's end (a property, a `:` making it a key) is left to yaml.
      if (frame.kind !== null || frame.children?.length || this.contentStart(end) < frame.end) throw new Unsupported();
      target = this.anchors.get(this.text.slice(at + 1, end));
      // An alias inside its own anchor's node: a cycle to yaml, an older anchor to js-yaml. Left to yaml.
      if (!target || (target.frame.start < at && at < target.frame.end)) throw new Unsupported();
      this.aliasTargets.set(frame, target);
    }
    this.depth++;
    try {
      return this.node(target.frame, here, target.owner);
    } finally {
      this.depth--;
    }
  }

  /** One node built, counted as tree.ts countNode counts it; a document near go-yaml's alias limit goes to yaml. */
  private count(): void {
    this.decoded++;
    if (this.depth > 0) this.aliased++;
    if (this.aliased > 90 && this.decoded > 900 && this.aliased / this.decoded > allowedAliasRatio(this.decoded) - 0.05)
      throw new Unsupported();
  }

  /** Where a name (of an anchor or alias) starting at `from` ends; one both parsers may read otherwise is refused. */
  private nameEnd(from: number): number {
    let i = from;
    while (i < this.text.length && NAME_CHAR.test(this.text[i])) i++;
    const c = this.text.charCodeAt(i);
    if (i === from || !(Number.isNaN(c) || isSpace(c) || c === 0x2c /* , */ || c === 0x5d /* ] */ || c === 0x7d))
      throw new Unsupported();
    return i;
  }

  /** Where a node's content starts: `at` (its first character), or past its anchor (`&a`) and the space after. */
  private valueStart(at: number): number {
    if (this.text.charCodeAt(at) !== 0x26 /* & */) return at;
    const end = this.nameEnd(at + 1);
    return this.contentStart(end);
  }

  private mapping(frame: Frame, here: Origin, start: number): TNode {
    const result = frame.result as Record<string, unknown>;
    const children = frame.children ?? [];
    const flow = this.text.charCodeAt(start) === 0x7b; /* { */
    if (flow) this.singleLine(frame);
    const entries = new Map<string, TNode>();
    for (let i = 0; i < children.length; i++) {
      const keyFrame = unwrap(children[i]);
      this.plainNode(keyFrame, false);
      // js-yaml tries to read one more key where the mapping ends (a dedent, `---`): an empty last frame.
      if (keyFrame.kind === null && i === children.length - 1) break;
      if (keyFrame.kind !== 'scalar' || this.isValue(keyFrame.start, flow)) throw new Unsupported();
      const key = String(keyFrame.result);
      // A plain `<<` key merges maps (parseYaml turns merge keys on) and kustomize drops a quoted one; js-yaml here
      // reads either as a key.
      if (key === '<<') throw new Unsupported();
      const at = this.originAt(keyFrame.start);
      const next = children[i + 1];
      if (next && this.isValue(next.start, flow)) {
        // yaml allows at most 1024 characters from an implicit key's start to its `:`; js-yaml has no limit.
        if (next.start - keyFrame.start > 1024) throw new Unsupported();
        entries.set(key, this.node(next, at, this.column(keyFrame.start)));
        i++;
      } else entries.set(key, blankNull(at));
    }
    // Every key js-yaml stored, and no other: otherwise the frames were not paired as js-yaml read them.
    let stored = 0;
    for (const key in result) if (Object.prototype.hasOwnProperty.call(result, key)) stored++;
    if (stored !== entries.size) throw new Unsupported();
    for (const key of entries.keys()) if (!Object.prototype.hasOwnProperty.call(result, key)) throw new Unsupported();
    return tmap(here, entries);
  }

  private sequence(frame: Frame, here: Origin, start: number): TNode {
    const result = frame.result as unknown[];
    const children = frame.children ?? [];
    if (this.text.charCodeAt(start) === 0x5b /* [ */) this.singleLine(frame);
    // Fewer frames than items: an empty entry (`-` alone); more: a flow pair (`[a: 1]`). Both go to `yaml`.
    if (children.length !== result.length) throw new Unsupported();
    return tseq(
      here,
      children.map((item) => {
        const at = this.contentStart(item.start);
        // An anchored item's origin is its content, past the anchor (an alias's is its `*`), as yaml's ranges say.
        return this.node(item, this.originAt(this.valueStart(at)), this.dashColumn(at));
      }),
    );
  }

  private scalar(frame: Frame, here: Origin, owner: number, start: number): TNode {
    const value = frame.result;
    if (typeof value === 'string') {
      const c = this.text.charCodeAt(start);
      // A `\N` escape makes a NEL, which parseYaml folds as go-yaml does; a folded block reads as kustomize
      // leaves it, as in parseYaml.
      const block = c === 0x7c /* | */ || c === 0x3e; /* > */
      const text = block ? blockAtEndOfText(value, this.text, frame.end) : value;
      const out = tscalar(
        text.includes('\u0085') ? foldNel(text) : c === 0x3e /* > */ ? goFoldedRoundTrip(text) : text,
        here,
      );
      const at = this.originAt(start);
      const quoted = c === 0x22 /* " */ || c === 0x27; /* ' */
      if (quoted) this.indentedBelow(frame, start, owner);
      if (c === 0x7c /* | */ || c === 0x3e /* > */) {
        // As parseYaml: the block's text starts on the line after its header, at that line's indentation.
        const lineStart = this.lineStarts[at.line - this.placement.lineOffset] ?? start;
        let indent = 0;
        while (this.text.charCodeAt(lineStart + indent) === 0x20) indent++;
        out.text = { line: at.line + 1, column: indent + 1, block: true };
      } else {
        out.text = { line: at.line, column: at.column + (quoted ? 1 : 0), block: false };
      }
      return out;
    }
    if (typeof value === 'bigint') {
      const out = tscalar(Number(value), here);
      out.exact = value;
      if (this.exact) this.exact.seen = true;
      return out;
    }
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return tscalar(value, here);
    throw new Unsupported();
  }

  /**
   * A node with a tag (`!t`) is left to `yaml` (js-yaml opens the node before its properties, so they are where it
   * starts), and so is a key or document with an anchor (`&a`) or that is an alias (`*a`) unless `properties`; so is a
   * comment glued to a closing quote or bracket (`"x"#c`), which yaml rejects and js-yaml reads as a comment.
   */
  private plainNode(frame: Frame, properties: boolean): void {
    let c = this.text.charCodeAt(frame.start);
    if (c === 0x20 || c === 0x0a || c === 0x23) c = this.text.charCodeAt(this.contentStart(frame.start));
    if (c === 0x21 /* ! */ || (!properties && (c === 0x26 /* & */ || c === 0x2a)) /* * */) throw new Unsupported();
    if (this.text.charCodeAt(frame.end) === 0x23 /* # */ && frame.end > frame.start) {
      const last = this.text.charCodeAt(frame.end - 1);
      if (last === 0x22 || last === 0x27 || last === 0x5d || last === 0x7d) throw new Unsupported();
    }
  }

  /**
   * yaml rejects a quoted string whose later lines are not indented past the key or `-` it belongs to (`owner`, a
   * column); js-yaml does not check. Such a text, or a multi-line one at a document's root, goes to `yaml`.
   */
  private indentedBelow(frame: Frame, start: number, owner: number): void {
    let line = this.text.indexOf('\n', start);
    if (line === -1 || line >= frame.end) return;
    if (owner === NO_OWNER) throw new Unsupported();
    while (line !== -1 && line < frame.end) {
      let indent = 0;
      while (this.text.charCodeAt(line + 1 + indent) === 0x20) indent++;
      const blank = this.text.charCodeAt(line + 1 + indent) === 0x0a;
      // A blank line folds into a line break whatever its indentation.
      if (!blank && indent <= owner) throw new Unsupported();
      // After an escaped line break (`\` ending the line), the two read a blank line differently.
      if (blank && this.escapedBreak(line)) throw new Unsupported();
      line = this.text.indexOf('\n', line + 1);
    }
  }

  /** Whether the line break at `at` is escaped: an odd number of backslashes ends its line. */
  private escapedBreak(at: number): boolean {
    let n = 0;
    while (this.text.charCodeAt(at - 1 - n) === 0x5c /* \ */) n++;
    return n % 2 === 1;
  }

  /** The column (0-based) of the `-` before a list item that starts at `start`; NO_OWNER in a flow list. */
  private dashColumn(start: number): number {
    let i = start - 1;
    while (i >= 0 && this.text.charCodeAt(i) === 0x20) i--;
    return this.text.charCodeAt(i) === 0x2d /* - */ ? this.column(i) : NO_OWNER;
  }

  /** The 0-based column of an offset in the text. */
  private column(offset: number): number {
    return offset - (this.text.lastIndexOf('\n', offset - 1) + 1);
  }

  /** yaml checks the indentation of the later lines of a flow collection; js-yaml does not: one over several lines goes to yaml. */
  private singleLine(frame: Frame): void {
    if (this.text.lastIndexOf('\n', frame.end - 1) >= this.contentStart(frame.start)) throw new Unsupported();
  }

  /** The offset of the last `---` line between `from` and `to`, if any. */
  private documentMarker(from: number, to: number): number | undefined {
    let at = this.text.lastIndexOf('---', to - 1);
    while (at >= from && at !== -1) {
      const after = this.text.charCodeAt(at + 3);
      if ((at === 0 || this.text.charCodeAt(at - 1) === 0x0a) && (Number.isNaN(after) || isSpace(after))) return at;
      at = this.text.lastIndexOf('---', at - 1);
    }
    return undefined;
  }

  /** A map child is a value when js-yaml opened it right after the `:` (block) or after `:` and spaces (flow). */
  private isValue(start: number, flow: boolean): boolean {
    let i = start - 1;
    if (flow) while (i >= 0 && isSpace(this.text.charCodeAt(i))) i--;
    return this.text.charCodeAt(i) === 0x3a; /* : */
  }

  /** The first character of a node that js-yaml opened at `pos` (it opens values before the separating space). */
  private contentStart(pos: number): number {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a) pos++;
      else if (c === 0x23 /* # */ && (pos === 0 || isSpace(text.charCodeAt(pos - 1)))) {
        const eol = text.indexOf('\n', pos);
        if (eol === -1) return text.length;
        pos = eol;
      } else return pos;
    }
  }

  /** The 0-based line of an offset. */
  private lineIndex(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private originAt(offset: number): Origin {
    const lo = this.lineIndex(offset);
    const starts = this.lineStarts;
    const line = lo + 1;
    const p = this.placement;
    return {
      file: this.file,
      line: line + p.lineOffset,
      column: offset - starts[lo] + 1 + (line === 1 ? p.firstColumnOffset : p.columnOffset),
      kind: this.kind,
    };
  }
}

/**
 * js-yaml first tries a collection in a list item (or on its own line) as a mapping key; when no `:` follows it
 * keeps that node as the result, so the listener saw it nested in a frame with the very same result.
 */
function unwrap(frame: Frame): Frame {
  while (
    frame.kind !== 'scalar' &&
    frame.children?.length === 1 &&
    frame.children[0].result === frame.result &&
    frame.result !== null
  )
    frame = frame.children[0];
  return frame;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09;
}
