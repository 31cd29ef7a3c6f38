import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import { formatLocation, type Origin } from '../model/location';
import { parseImageRef, type ImageRef } from './imageRef';
import { lastSegment } from '../yaml/pointer';
import {
  appendPair,
  deletePairLines,
  inFlowCollection,
  innermostContaining,
  mapScalar,
  nodesStartingAt,
  offsetAt,
  parseYamlFile,
  replaceScalar,
  scalarsEqualTo,
  type TextEdit,
  type YamlFile,
} from '../yaml/yamlText';

/** The edits that make a value read `next`, or why the value cannot be edited in place. */
export type EditResult = { edits: TextEdit[] } | { reason: string };

/** What to change: the rendered value at `path` is `current` and should become `next`; `origin` is where it is set. */
export interface ValueChange {
  origin: Origin;
  /** JSON pointer into the rendered object. */
  path: string;
  current: unknown;
  next: unknown;
}

/** The fields of a kustomization `images:` entry that decide the rendered reference. */
interface ImageEntryFields {
  newName?: string;
  newTag?: string;
  digest?: string;
}

/**
 * Plans the smallest text edit at `change.origin` that turns the rendered value into `change.next`, leaving every
 * other byte of the file alone. `file` is the parsed YAML at the origin, or the raw text for env and data files.
 */
export function planValueEdit(change: ValueChange, file: YamlFile | { file: string; text: string }): EditResult {
  const where = formatLocation(change.origin);
  switch (change.origin.kind) {
    case 'image':
      return 'docs' in file ? editImageEntry(file, change) : { reason: `${where} is not a YAML file` };
    case 'replicas':
      return 'docs' in file
        ? editEntryField(file, change, 'replicas', 'count')
        : { reason: `${where} is not a YAML file` };
    case 'generatorLiteral':
      return 'docs' in file ? editLiteral(file, change) : { reason: `${where} is not a YAML file` };
    case 'generatorEnv':
      return editEnvLine(file, change);
    case 'generatorFile':
      return typeof change.next === 'string'
        ? { edits: [{ file: file.file, start: 0, end: file.text.length, newText: change.next }] }
        : { reason: `${where}: only text data files can be replaced` };
    case 'resource':
    case 'strategicMergePatch':
    case 'json6902Patch':
    case 'replacement':
      return 'docs' in file ? editScalarAt(file, change) : { reason: `${where} is not a YAML file` };
    default:
      return { reason: `set by a ${change.origin.kind} transformer at ${where}, not by a value that can be edited` };
  }
}

/** A scalar set directly (resource file, patch): replace that scalar. */
function editScalarAt(yaml: YamlFile, change: ValueChange): EditResult {
  const where = formatLocation(change.origin);
  const offset = offsetAt(yaml, change.origin.line, change.origin.column);
  if (typeof change.next === 'object' && change.next !== null)
    return { reason: `${where}: only scalar values are edited in place` };
  const candidates: { scalar: Scalar; ancestors: readonly unknown[] }[] = [];
  for (const found of nodesStartingAt(yaml, offset)) {
    // An origin on a key (`image: x` reported at `image`) means its value.
    const node: Node | null =
      found.pair && found.pair.key === found.node ? (found.pair.value as Node | null) : found.node;
    if (!node) continue;
    if (isScalar(node)) candidates.push({ scalar: node, ancestors: found.ancestors });
    else
      for (const s of scalarsEqualTo(node, change.current))
        candidates.push({ scalar: s, ancestors: [...found.ancestors, node] });
  }
  const matching = candidates.filter((c) => c.scalar.value === change.current);
  const unique = [...new Set(matching.map((c) => c.scalar))];
  if (unique.length === 1) {
    const c = matching[0];
    return { edits: [replaceScalar(yaml, c.scalar, change.next, inFlowCollection(c.ancestors))] };
  }
  if (unique.length > 1)
    return { reason: `${where}: the value ${JSON.stringify(change.current)} appears more than once there` };
  const seen = candidates[0]?.scalar.value;
  if (seen === undefined) {
    const block = innermostContaining(yaml, offset, isScalar);
    if (block && block.type === 'BLOCK_LITERAL') return editInsideBlock(yaml, block, change);
  }
  return {
    reason:
      seen === undefined
        ? `${where}: no value found there`
        : `${where} holds ${JSON.stringify(seen)}, not the rendered ${JSON.stringify(change.current)}`,
  };
}

/**
 * A value inside YAML embedded in a block literal (an inline `patch: |`): parse the block's text on its own, edit
 * there, and map the edit back to the file. Only single-line replacements, so the block's lines stay as they are.
 */
function editInsideBlock(yaml: YamlFile, block: Scalar, change: ValueChange): EditResult {
  const where = formatLocation(change.origin);
  const [start, end] = block.range!;
  const headerEnd = yaml.text.indexOf('\n', start) + 1;
  const lines = yaml.text.slice(headerEnd, end).split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  if (!Number.isFinite(indent)) return { reason: `${where}: no value found there` };
  const lineStarts: number[] = [];
  let at = headerEnd;
  for (const l of lines) {
    lineStarts.push(at);
    at += l.length + 1;
  }
  const firstLine = yaml.lines.linePos(headerEnd).line;
  const inner = parseYamlFile(yaml.file, lines.map((l) => l.slice(indent)).join('\n'));
  const origin = { ...change.origin, line: change.origin.line - firstLine + 1, column: change.origin.column - indent };
  const result = editScalarAt(inner, { ...change, origin });
  if ('reason' in result) return { reason: result.reason.replace(formatLocation(origin), where) };
  const toOuter = (offset: number) => {
    const pos = inner.lines.linePos(offset);
    return lineStarts[pos.line - 1] + indent + pos.col - 1;
  };
  if (result.edits.some((e) => e.newText.includes('\n')))
    return { reason: `${where}: the new value needs several lines inside an inline patch; edit it by hand` };
  return { edits: result.edits.map((e) => ({ ...e, start: toOuter(e.start), end: toOuter(e.end) })) };
}

/** A generator literal `KEY=value`: keep the key and any quotes around the value. */
function editLiteral(yaml: YamlFile, change: ValueChange): EditResult {
  const where = formatLocation(change.origin);
  const key = lastSegment(change.path);
  const offset = offsetAt(yaml, change.origin.line, change.origin.column);
  const scalar = nodesStartingAt(yaml, offset)
    .map((f) => f.node)
    .find((n): n is Scalar => isScalar(n) && typeof n.value === 'string' && n.value.startsWith(key + '='));
  if (!scalar) return { reason: `${where}: no literal ${key}=… there` };
  if (typeof change.next !== 'string') return { reason: `${where}: literal values are strings` };
  const oldValue = (scalar.value as string).slice(key.length + 1);
  const quote = /^(["']).*\1$/s.exec(oldValue)?.[1] ?? '';
  return { edits: [replaceScalar(yaml, scalar, `${key}=${quote}${change.next}${quote}`)] };
}

/** A `KEY=value` line in an env file. */
function editEnvLine(file: { file: string; text: string }, change: ValueChange): EditResult {
  const where = formatLocation(change.origin);
  const key = lastSegment(change.path);
  if (typeof change.next !== 'string' || change.next.includes('\n'))
    return { reason: `${where}: env file values are single-line strings` };
  let start = 0;
  for (let line = 1; line < change.origin.line; line++) {
    start = file.text.indexOf('\n', start) + 1;
    if (start === 0) return { reason: `${where}: the file has fewer lines` };
  }
  const end = file.text.indexOf('\n', start);
  const text = file.text.slice(start, end < 0 ? undefined : end);
  const m = /^(\s*(?:export\s+)?)([^=\s]+)(\s*=\s*)(.*?)(\r?)$/.exec(text);
  if (!m || m[2] !== key) return { reason: `${where}: no ${key}=… line there` };
  const valueStart = start + m[1].length + m[2].length + m[3].length;
  return { edits: [{ file: file.file, start: valueStart, end: valueStart + m[4].length, newText: change.next }] };
}

/** The item of a top-level list (`images:`, `replicas:`) whose range holds the origin. */
function entryAt(yaml: YamlFile, change: ValueChange, listKey: string): YAMLMap | undefined {
  const offset = offsetAt(yaml, change.origin.line, change.origin.column);
  for (const doc of yaml.docs) {
    const list = isMap(doc.contents) ? doc.contents.get(listKey, true) : undefined;
    if (!isSeq(list)) continue;
    for (const item of list.items)
      if (isMap(item) && item.range && item.range[0] <= offset && offset < item.range[2]) return item;
  }
  return undefined;
}

function editEntryField(yaml: YamlFile, change: ValueChange, listKey: string, field: string): EditResult {
  const entry = entryAt(yaml, change, listKey);
  const target = entry && mapScalar(entry, field);
  if (!target) return { reason: `${formatLocation(change.origin)}: no ${listKey} entry with ${field} there` };
  return { edits: [replaceScalar(yaml, target.scalar, change.next, Boolean(entry.flow))] };
}

/**
 * An `images:` entry: set newName/newTag/digest so that kustomize renders `next`. Keys the entry already has are
 * edited in place; a missing key is added on its own line; a digest the new reference lacks is removed (kustomize
 * would otherwise keep rendering it).
 */
function editImageEntry(yaml: YamlFile, change: ValueChange): EditResult {
  const where = formatLocation(change.origin);
  const entry = entryAt(yaml, change, 'images');
  if (!entry) return { reason: `${where}: no images entry there` };
  if (typeof change.next !== 'string') return { reason: `${where}: images are strings` };
  const nameNode = mapScalar(entry, 'name');
  const entryName = typeof nameNode?.scalar.value === 'string' ? nameNode.scalar.value : undefined;
  const next = parseImageRef(change.next);
  const wanted = wantedEntryFields(next, entryName, Boolean(mapScalar(entry, 'newName')));
  if (!wanted) return { reason: `${where}: ${change.next} has neither a tag nor a digest to set` };
  const edits: TextEdit[] = [];
  for (const field of ['newName', 'newTag', 'digest'] as const) {
    const existing = mapScalar(entry, field);
    const value = wanted[field];
    if (value === undefined) {
      if (existing) edits.push(deletePairLines(yaml, existing.pair));
    } else if (existing) {
      if (existing.scalar.value !== value) edits.push(replaceScalar(yaml, existing.scalar, value, Boolean(entry.flow)));
    } else {
      const add = appendPair(yaml, entry, field, value);
      if (!add) return { reason: `${where}: cannot add ${field} to a flow-style images entry` };
      edits.push(add);
    }
  }
  // Several insertions at one offset must come out in field order.
  return { edits: mergeInsertions(edits) };
}

/** The entry fields that make kustomize render `next`: a tag, a digest, or both (`name:tag@digest`). */
function wantedEntryFields(
  next: ImageRef,
  entryName: string | undefined,
  hasNewName: boolean,
): ImageEntryFields | undefined {
  if (!next.tag && !next.digest) return undefined;
  return {
    newName: next.name !== entryName || hasNewName ? next.name : undefined,
    newTag: next.tag,
    digest: next.digest,
  };
}

function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const prev = out.find((o) => o.start === e.start && o.end === e.start && e.start === e.end);
    if (prev) prev.newText += e.newText;
    else out.push({ ...e });
  }
  return out;
}
