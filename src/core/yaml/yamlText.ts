import {
  Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  visit,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { ProblemError } from '../model/problem';

/** Replace `[start, end)` of a repo file's original text with `newText`. */
export interface TextEdit {
  /** Repo-relative path. */
  file: string;
  start: number;
  end: number;
  newText: string;
}

/** One YAML file parsed for editing: every document, with offsets into the original text. */
export interface YamlFile {
  file: string;
  text: string;
  docs: Document.Parsed[];
  lines: LineCounter;
}

/** A node found at a position, with the pair it is the key or value of (if any) and its ancestors. */
export interface FoundNode {
  node: Node;
  pair?: Pair;
  /** Outermost first. */
  ancestors: readonly unknown[];
}

/** Parses every document in `text`; a syntax error becomes a ProblemError at its file:line. */
export function parseYamlFile(file: string, text: string): YamlFile {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  if (!Array.isArray(docs)) return { file, text, docs: [], lines };
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const pos = lines.linePos(err.pos[0]);
      throw new ProblemError({
        severity: 'error',
        message: err.message.split('\n')[0],
        location: { file, line: pos.line, column: pos.col },
      });
    }
  }
  return { file, text, docs, lines };
}

/** The character offset of a 1-based line and column. */
export function offsetAt(yaml: YamlFile, line: number, column: number): number {
  const start = yaml.lines.lineStarts[line - 1];
  return start === undefined ? -1 : start + column - 1;
}

/** Nodes (maps, lists, scalars) that start exactly at `offset`, innermost last. */
export function nodesStartingAt(yaml: YamlFile, offset: number): FoundNode[] {
  const found: FoundNode[] = [];
  for (const doc of yaml.docs) {
    visit(doc, (_key, node, path) => {
      if (isPair(node)) {
        const key = node.key as Node | null;
        if (key && isScalar(key) && key.range?.[0] === offset) found.push({ node: key, pair: node, ancestors: path });
        return undefined;
      }
      if ((isScalar(node) || isMap(node) || isSeq(node)) && node.range?.[0] === offset) {
        const parent = path[path.length - 1];
        found.push({ node, ...(isPair(parent) ? { pair: parent } : {}), ancestors: path });
      }
      return undefined;
    });
  }
  return found;
}

/** The innermost node of the given shape whose range contains `offset`. */
export function innermostContaining<T extends Node>(
  yaml: YamlFile,
  offset: number,
  test: (n: unknown) => n is T,
): T | undefined {
  let best: T | undefined;
  for (const doc of yaml.docs) {
    visit(doc, (_key, node) => {
      if (test(node) && node.range && node.range[0] <= offset && offset < node.range[2]) best = node;
      return undefined;
    });
  }
  return best;
}

/** Scalars inside `node` (itself included) whose value equals `value`. */
export function scalarsEqualTo(node: Node, value: unknown): Scalar[] {
  const out: Scalar[] = [];
  visit(node, {
    Scalar(key, s) {
      // Keys are never the value being promoted.
      if (key !== 'key' && s.value === value) out.push(s);
    },
  });
  return out;
}

/** The value scalar of `key` in a block or flow map, if it is a scalar. */
export function mapScalar(map: YAMLMap, key: string): { pair: Pair; scalar: Scalar } | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return pair && isScalar(pair.value) ? { pair, scalar: pair.value } : undefined;
}

/**
 * The edit that replaces one scalar's text with `value`, in the scalar's own style (plain, quoted or block) so that
 * nothing else in the file moves. Plain text that would read back as another type (`1.5`, `true`) gets quoted.
 */
export function replaceScalar(yaml: YamlFile, scalar: Scalar, value: unknown, inFlow = false): TextEdit {
  const range = scalar.range;
  if (!range) throw new Error('scalar without a source range');
  return { file: yaml.file, start: range[0], end: range[1], newText: scalarText(yaml.text, scalar, value, inFlow) };
}

function scalarText(text: string, original: Scalar, value: unknown, inFlow: boolean): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  const type = original.type;
  if ((type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') && !inFlow) {
    const block = blockText(text, original, value);
    if (block !== undefined) return block;
  }
  const multiLine = value.includes('\n');
  let style: Scalar.Type = type === 'QUOTE_SINGLE' || type === 'QUOTE_DOUBLE' ? type : 'PLAIN';
  // A plain scalar that spans lines or holds flow indicators would be re-read differently in place.
  if (multiLine || (style === 'PLAIN' && inFlow && /[,[\]{}]/.test(value))) style = 'QUOTE_DOUBLE';
  if (style === 'QUOTE_SINGLE' && multiLine) style = 'QUOTE_DOUBLE';
  const s = new Scalar(value);
  s.type = style;
  return new Document(s)
    .toString({ lineWidth: 0, minContentWidth: 0, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER })
    .replace(/\n$/, '');
}

/** A block literal at the original's content indentation; undefined when the value needs an indentation indicator. */
function blockText(text: string, original: Scalar, value: string): string | undefined {
  const [start, end] = original.range!;
  const source = text.slice(start, end);
  const firstBreak = source.indexOf('\n');
  const contentLine = source
    .slice(firstBreak + 1)
    .split('\n')
    .find((l) => l.trim() !== '');
  if (firstBreak < 0 || contentLine === undefined || /^\s/.test(value) || value === '') return undefined;
  const indent = contentLine.match(/^ */)![0];
  const trailing = value.match(/\n*$/)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = value
    .slice(0, value.length - trailing)
    .split('\n')
    .map((l) => (l === '' ? '' : indent + l));
  // The original range ends after the block's final line break; keep the same shape.
  return `|${chomp}\n${body.join('\n')}\n${'\n'.repeat(Math.max(0, trailing - 1))}`;
}

/** Removes a block-map pair's whole line(s), a trailing comment included. */
export function deletePairLines(yaml: YamlFile, pair: Pair): TextEdit {
  const key = pair.key as Node;
  const last = (pair.value as Node | null) ?? key;
  const from = yaml.text.lastIndexOf('\n', key.range![0] - 1) + 1;
  return { file: yaml.file, start: from, end: lineEndAfter(yaml.text, last.range![1]), newText: '' };
}

/** The offset just past the line break that ends the line containing `offset - 1` (block scalars end past theirs already). */
function lineEndAfter(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Adds `key: value` as a new line after the last pair of a block map, at the map's indentation. */
export function appendPair(yaml: YamlFile, map: YAMLMap, key: string, value: string): TextEdit | undefined {
  if (map.flow || map.items.length === 0) return undefined;
  const firstKey = map.items[0].key as Node;
  const lineStart = yaml.text.lastIndexOf('\n', firstKey.range![0] - 1) + 1;
  const prefix = yaml.text.slice(lineStart, firstKey.range![0]);
  const indent = ' '.repeat(prefix.length);
  const last = map.items[map.items.length - 1];
  const lastNode = (last.value as Node | null) ?? (last.key as Node);
  const at = lineEndAfter(yaml.text, lastNode.range![1]);
  const missingBreak = at === yaml.text.length && !yaml.text.endsWith('\n');
  const rendered = new Document(new Scalar(value)).toString({ lineWidth: 0 }).replace(/\n$/, '');
  return { file: yaml.file, start: at, end: at, newText: `${missingBreak ? '\n' : ''}${indent}${key}: ${rendered}\n` };
}

/** Whether any ancestor is a flow collection (`[a, b]`, `{a: b}`). */
export function inFlowCollection(ancestors: readonly unknown[]): boolean {
  return ancestors.some((a) => (isMap(a) || isSeq(a)) && Boolean((a as YAMLMap).flow));
}
