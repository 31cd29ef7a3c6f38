/**
 * `kustomize edit fix` for one deprecated kustomization field, as text edits that leave every other byte of the file
 * as it was (comments, quoting, indentation). kustomize re-serialises the whole file and appends every moved entry;
 * here each entry lands where the build still runs it in the same order, so `kustomize build` prints the same
 * objects before and after:
 * - `bases` → after the `resources` entries, `imageTags` → after the `images` entries (the build reads them so);
 * - `patchesStrategicMerge` → before the `patches` entries (the build runs them first): a file as `path:`, an inline
 *   patch (an entry that spans lines, as the build tells them apart) as `patch:`;
 * - `patchesJson6902` → after the `patches` entries (same entries). The build runs them after namespace,
 *   namePrefix/nameSuffix, labels and commonAnnotations, and `patches` before those: the rewrite is refused when that
 *   can show (an operation on a path they set, a target picked by a name, namespace, label or annotation they change,
 *   a patch file whose operations were not given). Not visible from one file, so not caught: a target naming an
 *   intermediate name (a base's prefix but not this file's); such a patch matches nothing before the rewrite, which
 *   the render reports as a warning;
 * - `commonLabels` → a `labels` entry with `includeSelectors: true`, after the other `labels` entries (the build
 *   applies commonLabels after them); refused when a label is in both, as kustomize refuses.
 */
import {
  Document,
  isMap,
  isNode,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
  type Node,
  type Pair,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { deletePairLines, parseYamlFile, type TextEdit, type YamlFile } from '../yaml/yamlText';
import { commonAnnotationSpecs, commonLabelSpecs } from '../render/kustomize/defaultConfig';
import { splitPath } from '../render/kustomize/fieldSpec';
import { pointerSegments } from '../yaml/pointer';

/** The deprecated fields `rewriteDeprecatedField` rewrites. */
export type DeprecatedField = 'bases' | 'commonLabels' | 'patchesStrategicMerge' | 'patchesJson6902' | 'imageTags';

/**
 * What replaces each deprecated field, one sentence for a diagnostic's message. By hand: neither the Kubernetes
 * OpenAPI document nor the schema kustomize embeds describes the Kustomization type's deprecations (kyaml's schema
 * has a stub Kustomization with only the generators); kustomize's Go source marks them (api/types/kustomization.go).
 * Deprecated fields of Kubernetes objects come from the generated table instead (checks/deprecatedApiField.ts).
 */
export const DEPRECATED_FIELDS: Record<DeprecatedField, string> = {
  bases: 'Use resources, which takes the same entries.',
  commonLabels:
    'Use a labels entry with includeSelectors: true, which sets the same labels, selectors and pod templates.',
  patchesStrategicMerge: 'Use patches: a file becomes a path: entry and an inline patch a patch: entry.',
  patchesJson6902: 'Use patches, which takes the same target and path or patch.',
  imageTags: 'Use images, which takes the same entries.',
};

/** One change to the kustomization's text (the file is the one being rewritten). */
export type FieldEdit = Omit<TextEdit, 'file'>;

/** The edits and the text they give, or why the field is not rewritten. */
export type FieldRewrite = { edits: FieldEdit[]; newText: string } | { reason: string };

/** The parsed kustomization with the file's own layout habits. */
interface Kustomization {
  text: string;
  yaml: YamlFile;
  root: YAMLMap;
  eol: string;
  /** Spaces a nested block map is indented by in this file. */
  unit: number;
  /** Spaces this file indents a block list's dashes under its key. */
  dashIndent: number;
}

/** A list entry in both styles: block (later lines relative to the entry's first character) and flow. */
interface EntryText {
  block: string;
  flow: string;
}

type Outcome = FieldEdit[] | string;

/**
 * The edits that rewrite `field` in the kustomization text, or why not: the field is absent, has a shape kustomize
 * rejects, or the rewrite could change what the build prints. `patchFiles` (a `patchesJson6902` entry's `path` as
 * written → that file's text) lets such a patch move before namespace, namePrefix and labels when its operations
 * touch nothing those set.
 */
export function rewriteDeprecatedField(
  text: string,
  field: DeprecatedField,
  patchFiles?: ReadonlyMap<string, string>,
): FieldRewrite {
  let yaml: YamlFile;
  try {
    yaml = parseYamlFile('', text);
  } catch (e) {
    return { reason: `the file is not valid YAML (${(e as Error).message})` };
  }
  const root = yaml.docs[0]?.contents;
  if (!isMap(root) || root.flow) return { reason: 'the kustomization is not a block map' };
  const k: Kustomization = { text, yaml, root, eol: text.includes('\r\n') ? '\r\n' : '\n', ...layout(text, root) };
  const pair = onePair(k, field);
  if (typeof pair === 'string') return { reason: pair };
  if (!pair) return { reason: `there is no '${field}' field` };
  const outcome = rewrite(k, field, pair, patchFiles);
  if (typeof outcome === 'string') return { reason: outcome };
  const edits: FieldEdit[] = [];
  // Touching edits (entries inserted where the old field's lines start) become one: editors refuse some as overlapping.
  for (const e of outcome.sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = edits[edits.length - 1];
    if (last && e.start < last.end) return { reason: 'two changes overlap; please report this' };
    if (last && e.start === last.end)
      edits[edits.length - 1] = { start: last.start, end: e.end, newText: last.newText + e.newText };
    else edits.push({ ...e });
  }
  // A file without a final line break keeps it that way.
  const final = edits[edits.length - 1];
  if (final.end === text.length && !text.endsWith('\n')) final.newText = final.newText.replace(/\r?\n$/, '');
  let newText = text;
  for (const e of [...edits].reverse()) newText = newText.slice(0, e.start) + e.newText + newText.slice(e.end);
  // A rewrite that breaks the file is a bug here, never something to hand to the editor.
  const error = parseAllDocuments(newText).flatMap((d) => ('errors' in d ? d.errors : []))[0];
  if (error) return { reason: `the rewrite would not parse (${error.message.split('\n')[0]}); please report this` };
  return { edits, newText };
}

function rewrite(
  k: Kustomization,
  field: DeprecatedField,
  pair: Pair,
  patchFiles: ReadonlyMap<string, string> | undefined,
): Outcome {
  switch (field) {
    case 'bases':
      return moveEntries(k, pair, 'resources', 'append');
    case 'imageTags':
      return moveEntries(k, pair, 'images', 'append');
    case 'patchesStrategicMerge':
      return moveEntries(k, pair, 'patches', 'prepend', (item) => strategicMergeEntry(k, item));
    case 'patchesJson6902':
      return json6902Hazard(k, patchFiles) ?? moveEntries(k, pair, 'patches', 'append');
    case 'commonLabels':
      return rewriteCommonLabels(k, pair);
  }
}

/** The file's map indentation and list-dash indentation, from its first nested block map and block list. */
function layout(text: string, root: YAMLMap): { unit: number; dashIndent: number } {
  let unit: number | undefined;
  let dashIndent: number | undefined;
  for (const p of root.items) {
    const key = p.key as Node | null;
    const v = p.value;
    if (!key?.range || !(isMap(v) || isSeq(v)) || v.flow || !v.range) continue;
    const offset = column(text, v.range[0]) - column(text, key.range[0]);
    if (isMap(v)) unit ??= offset;
    else dashIndent ??= offset;
  }
  return { unit: unit && unit > 0 ? unit : 2, dashIndent: dashIndent ?? 0 };
}

/** The top-level pair for `field` (kustomize matches field names case-insensitively); a reason when it repeats. */
function onePair(k: Kustomization, field: string): Pair | undefined | string {
  const found = k.root.items.filter(
    (p) => isScalar(p.key) && String(p.key.value).toLowerCase() === field.toLowerCase(),
  );
  return found.length > 1 ? `'${field}' is set ${found.length} times` : found[0];
}

function isEmpty(node: unknown): boolean {
  return (
    node === null ||
    (isScalar(node) && (node.value === null || node.value === '')) ||
    ((isSeq(node) || isMap(node)) && node.items.length === 0)
  );
}

function isBlockScalar(node: unknown): node is Scalar {
  return isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Just past the line break that ends the line holding `offset - 1` (block nodes end past theirs already). */
function lineEnd(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Moves every non-empty line of `block` by `by` columns (never past column 0). */
function shiftLines(block: string, by: number): string {
  return block
    .split('\n')
    .map((line) =>
      line.replace(/\r$/, '') === ''
        ? line
        : by >= 0
          ? ' '.repeat(by) + line
          : line.replace(new RegExp(`^ {0,${-by}}`), ''),
    )
    .join('\n');
}

/** Indents every line but the first by `by` columns: a relative entry placed at column `by`. */
function placeAt(entry: string, by: number): string {
  const [first, ...rest] = entry.split('\n');
  return [first, ...rest.map((line) => (line.replace(/\r$/, '') === '' ? line : ' '.repeat(by) + line))].join('\n');
}

function withEol(k: Kustomization, s: string): string {
  return s.replace(/\r?\n/g, k.eol);
}

function sourceOf(k: Kustomization, node: Node): string {
  return k.text.slice(node.range![0], node.range![1]).replace(/\r?\n$/, '');
}

function renameKey(pair: Pair, name: string): FieldEdit {
  const key = pair.key as Node;
  return { start: key.range![0], end: key.range![1], newText: name };
}

function deletePair(k: Kustomization, pair: Pair): FieldEdit {
  const { start, end, newText } = deletePairLines(k.yaml, pair);
  return { start, end, newText };
}

/** An entry's flow text: its own source when already flow, else written by `yaml` on one line (comments dropped). */
function flowText(k: Kustomization, node: Node): string {
  if ((isScalar(node) && !isBlockScalar(node)) || ((isMap(node) || isSeq(node)) && node.flow)) return sourceOf(k, node);
  const copy = node.clone() as Node;
  visit(copy, {
    Node(_, n) {
      n.comment = undefined;
      n.commentBefore = undefined;
      if (isMap(n) || isSeq(n)) n.flow = true;
      if (isBlockScalar(n)) n.type = 'QUOTE_DOUBLE';
    },
  });
  return new Document(copy)
    .toString({ lineWidth: 0, doubleQuotedMinMultiLineLength: Number.MAX_SAFE_INTEGER })
    .replace(/\n$/, '');
}

/** An entry as it is, in both styles. */
function asIs(k: Kustomization, node: Node): EntryText {
  return { block: shiftLines(sourceOf(k, node), -column(k.text, node.range![0])), flow: flowText(k, node) };
}

/** A `patchesStrategicMerge` entry as a `patches` entry: `path:` for a file, `patch:` for an inline patch. */
function strategicMergeEntry(k: Kustomization, item: Node): EntryText | string {
  if (!isScalar(item) || typeof item.value !== 'string')
    return `the entry on line ${k.yaml.lines.linePos(item.range![0]).line} is neither a file name nor an inline patch`;
  const key = item.value.includes('\n') ? 'patch' : 'path';
  if (!isBlockScalar(item)) {
    const own = asIs(k, item);
    return { block: `${key}: ${placeAt(own.block, k.unit)}`, flow: `{ ${key}: ${own.flow} }` };
  }
  // A block scalar's lines must move under the new key: `yaml` writes it afresh, same value.
  const doc = new Document({ [key]: item.value });
  if (key === 'patch') (doc.get(key, true) as Scalar).type = 'BLOCK_LITERAL';
  return {
    block: doc.toString({ indent: k.unit, lineWidth: 0 }).replace(/\n$/, ''),
    flow: `{ ${key}: ${flowText(k, item)} }`,
  };
}

/** The edit that turns a block list entry into `entry` where it stands. */
function replaceEntry(k: Kustomization, item: Node, entry: EntryText): FieldEdit {
  const start = item.range![0];
  // Block scalars end past their line break; the entry's text does not.
  const end =
    isBlockScalar(item) && k.text[item.range![1] - 1] === '\n'
      ? item.range![1] - (k.text[item.range![1] - 2] === '\r' ? 2 : 1)
      : item.range![1];
  return { start, end, newText: withEol(k, placeAt(entry.block, column(k.text, start))) };
}

/** The lines of a block list, moved so that its dashes are at column `dash`, with `itemEdits` applied. */
function movedLines(k: Kustomization, list: YAMLSeq, dash: number, itemEdits: FieldEdit[]): string {
  const start = lineStart(k.text, list.range![0]);
  let region = k.text.slice(start, lineEnd(k.text, list.range![1]));
  for (const e of [...itemEdits].sort((a, b) => b.start - a.start))
    region = region.slice(0, e.start - start) + e.newText + region.slice(e.end - start);
  if (!region.endsWith('\n')) region += k.eol;
  return shiftLines(region, dash - column(k.text, list.range![0]));
}

/** The edit that adds entries at the start or the end of an existing list, in its style. */
function insertEntries(
  k: Kustomization,
  list: YAMLSeq,
  entries: EntryText[],
  where: 'append' | 'prepend',
  blockLines?: string,
): FieldEdit | string {
  if (list.items.some((i) => !isNode(i) || !i.range)) return 'an entry of the list is not a plain value';
  const items = list.items as Node[];
  if (list.flow) {
    const texts = entries.map((e) => e.flow).join(', ');
    if (where === 'prepend')
      return { start: list.range![0] + 1, end: list.range![0] + 1, newText: items.length ? `${texts}, ` : texts };
    const at = items.length ? items[items.length - 1].range![1] : list.range![1] - 1;
    return { start: at, end: at, newText: withEol(k, items.length ? `, ${texts}` : texts) };
  }
  const dash = column(k.text, list.range![0]);
  const lines =
    blockLines ?? entries.map((e) => `${' '.repeat(dash)}- ${withEol(k, placeAt(e.block, dash + 2))}${k.eol}`).join('');
  const at = where === 'prepend' ? lineStart(k.text, list.range![0]) : lineEnd(k.text, list.range![1]);
  const missingBreak = at === k.text.length && !k.text.endsWith('\n');
  return { start: at, end: at, newText: (missingBreak ? k.eol : '') + lines };
}

/**
 * Moves a deprecated list's entries into `to` (renaming the key when `to` is absent), converted by `convert` when
 * the two fields' entries differ.
 */
function moveEntries(
  k: Kustomization,
  from: Pair,
  to: string,
  where: 'append' | 'prepend',
  convert?: (item: Node) => EntryText | string,
): Outcome {
  const source = from.value;
  const name = String((from.key as Scalar).value);
  if (isEmpty(source)) return [deletePair(k, from)];
  if (!isSeq(source)) return `'${name}' is not a list`;
  if (source.items.some((i) => !isNode(i) || !i.range)) return `an entry of '${name}' is not a plain value`;
  const items = source.items as Node[];
  const converted = items.map((item) => (convert ? convert(item) : asIs(k, item)));
  const failed = converted.find((c): c is string => typeof c === 'string');
  if (failed) return failed;
  const entries = converted as EntryText[];
  const target = onePair(k, to);
  if (typeof target === 'string') return target;
  const edits: FieldEdit[] = [];
  // Block entries change in place when they need converting; a flow list's entries too.
  const inPlace = convert
    ? items.map((item, i): FieldEdit =>
        source.flow
          ? { start: item.range![0], end: item.range![1], newText: entries[i].flow }
          : replaceEntry(k, item, entries[i]),
      )
    : [];
  if (!target || isEmpty(target.value)) {
    if (target) edits.push(deletePair(k, target));
    return [...edits, renameKey(from, to), ...inPlace];
  }
  const list = target.value;
  if (!isSeq(list)) return `'${to}' is not a list`;
  const blockLines =
    !source.flow && !list.flow ? movedLines(k, source, column(k.text, list.range![0]), inPlace) : undefined;
  const insert = insertEntries(k, list, entries, where, blockLines);
  if (typeof insert === 'string') return insert;
  return [insert, deletePair(k, from)];
}

/** `commonLabels` → a `labels` entry with `includeSelectors: true`, after the other entries. */
function rewriteCommonLabels(k: Kustomization, from: Pair): Outcome {
  const value = from.value;
  if (isEmpty(value)) return [deletePair(k, from)];
  if (!isMap(value) || !value.range) return "'commonLabels' is not a map";
  const target = onePair(k, 'labels');
  if (typeof target === 'string') return target;
  const names = new Set(value.items.map((p) => String(isScalar(p.key) ? p.key.value : p.key)));
  for (const entry of target && isSeq(target.value) ? target.value.items : []) {
    const pairs = isMap(entry) ? entry.get('pairs') : undefined;
    for (const p of isMap(pairs) ? pairs.items : []) {
      const label = String(isScalar(p.key) ? p.key.value : p.key);
      if (names.has(label))
        return `label '${label}' is set by both commonLabels and labels (kustomize edit fix refuses this too)`;
    }
  }
  const mapLines = () => {
    const lines = k.text
      .slice(lineStart(k.text, value.range![0]), lineEnd(k.text, value.range![1]))
      .replace(/\r?\n$/, '');
    return shiftLines(lines, k.unit - column(k.text, value.range![0]));
  };
  const entry: EntryText = {
    block: value.flow
      ? `pairs: ${sourceOf(k, value)}\nincludeSelectors: true`
      : `pairs:\n${mapLines()}\nincludeSelectors: true`,
    flow: `{ pairs: ${flowText(k, value)}, includeSelectors: true }`,
  };
  if (!target || isEmpty(target.value)) {
    const edits = target ? [deletePair(k, target)] : [];
    if (value.flow)
      return [
        ...edits,
        renameKey(from, 'labels'),
        { start: value.range[0], end: value.range[1], newText: `[${entry.flow}]` },
      ];
    const dash = column(k.text, (from.key as Node).range![0]) + k.dashIndent;
    const lines = `${' '.repeat(dash)}- ${placeAt(entry.block, dash + 2)}\n`;
    return [
      ...edits,
      renameKey(from, 'labels'),
      { start: lineStart(k.text, value.range[0]), end: lineEnd(k.text, value.range[1]), newText: withEol(k, lines) },
    ];
  }
  if (!isSeq(target.value)) return "'labels' is not a list";
  const insert = insertEntries(k, target.value, [entry], 'append');
  return typeof insert === 'string' ? insert : [insert, deletePair(k, from)];
}

/** Where the namespace transformer writes besides metadata/namespace (render/kustomize/filters/namespace.ts). */
const NAMESPACE_PATHS = [
  'metadata/namespace',
  'metadata/name',
  'spec/service/namespace',
  'spec/conversion/webhook/clientConfig/service/namespace',
  'subjects',
];

/** A JSON pointer's segments, list indexes dropped (field specs walk lists element by element). */
function fieldSegments(pointer: string): string[] {
  return pointerSegments(pointer).filter((s) => !/^(\d+|-)$/.test(s));
}

function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((s, i) => s === b[i]);
}

/** What this kustomization's namespace, name and metadata transformers set. */
interface Transformers {
  namespace: unknown;
  prefix: string;
  suffix: string;
  labelled: boolean;
  annotated: boolean;
}

/** Why a target could pick other objects before those transformers than after them, or undefined. */
function targetHazard(target: Record<string, unknown> | undefined, later: string, t: Transformers): string | undefined {
  const name = typeof target?.name === 'string' ? target.name : undefined;
  const ns = typeof target?.namespace === 'string' ? target.namespace : undefined;
  // Selectors are anchored regular expressions: one with operators may match the old and the new value alike.
  const regex = (s: string) => /[\\^$.*+?()[\]{}|]/.test(s);
  if (name && (t.prefix || t.suffix) && (regex(name) || (name.startsWith(t.prefix) && name.endsWith(t.suffix)))) {
    return `${later}: target name '${name}' may match a name only ${t.prefix ? 'namePrefix' : 'nameSuffix'} gives`;
  }
  if (ns && t.namespace !== undefined && (regex(ns) || ns === String(t.namespace)))
    return `${later}: target namespace '${ns}' may match only once namespace is set`;
  if (target?.labelSelector && t.labelled) return `${later}: the target's labelSelector may match labels they add`;
  if (target?.annotationSelector && t.annotated)
    return `${later}: the target's annotationSelector may match annotations they add`;
  return undefined;
}

/**
 * Why moving the `patchesJson6902` entries before namespace, namePrefix/nameSuffix, labels and commonAnnotations
 * could change the output, or undefined when it cannot.
 */
function json6902Hazard(k: Kustomization, patchFiles: ReadonlyMap<string, string> | undefined): string | undefined {
  const fields = new Map(
    Object.entries((k.yaml.docs[0].toJS() ?? {}) as Record<string, unknown>).map(([key, v]) => [key.toLowerCase(), v]),
  );
  const value = (field: string): unknown => {
    const v = fields.get(field.toLowerCase());
    return v === null || v === '' || (typeof v === 'object' && Object.keys(v as object).length === 0) ? undefined : v;
  };
  const namespace = value('namespace');
  const prefix = String(value('namePrefix') ?? '');
  const suffix = String(value('nameSuffix') ?? '');
  const labels = value('labels');
  const labelled = labels !== undefined || value('commonLabels') !== undefined;
  const annotated = value('commonAnnotations') !== undefined;
  const touched: Array<{ path: string[]; by: string }> = [];
  if (namespace !== undefined) touched.push(...NAMESPACE_PATHS.map((p) => ({ path: splitPath(p), by: 'namespace' })));
  if (prefix || suffix) touched.push({ path: ['metadata', 'name'], by: prefix ? 'namePrefix' : 'nameSuffix' });
  if (labelled) {
    const custom = Array.isArray(labels)
      ? labels.flatMap((l: { fields?: Array<{ path?: unknown }> }) =>
          Array.isArray(l?.fields) ? l.fields.map((f) => String(f?.path ?? '')) : [],
        )
      : [];
    touched.push(
      ...[...commonLabelSpecs.map((s) => s.path), ...custom].map((p) => ({ path: splitPath(p), by: 'labels' })),
    );
  }
  if (annotated)
    touched.push(...commonAnnotationSpecs.map((s) => ({ path: splitPath(s.path), by: 'commonAnnotations' })));
  // An operation on the kind or apiVersion changes which of their field specs apply.
  if (touched.length > 0)
    touched.push({ path: ['apiVersion'], by: touched[0].by }, { path: ['kind'], by: touched[0].by });
  const later = `patchesJson6902 runs after ${[...new Set(touched.map((t) => t.by))].join(', ')}, patches before them`;

  const entries = value('patchesJson6902');
  for (const entry of Array.isArray(entries) ? (entries as unknown[]) : []) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      return "an entry of 'patchesJson6902' is not a map";
    const {
      target,
      path,
      patch: inline,
    } = entry as { target?: Record<string, unknown>; path?: unknown; patch?: unknown };
    if (touched.length > 0) {
      const reason = targetHazard(target, later, { namespace, prefix, suffix, labelled, annotated });
      if (reason) return reason;
    }
    const patch = typeof inline === 'string' ? inline : typeof path === 'string' ? patchFiles?.get(path) : undefined;
    const what = typeof inline === 'string' ? 'an inline patch' : `patch '${String(path)}'`;
    if (patch === undefined) {
      if (touched.length === 0) continue;
      return `${later}: the operations of ${what} were not read, so cannot be checked`;
    }
    // Under patches, only a single list is read as JSON 6902; anything else would become a strategic merge patch.
    const docs = parseAllDocuments(patch);
    const ops = Array.isArray(docs) && docs.length === 1 && docs[0].errors.length === 0 ? docs[0].toJS() : undefined;
    if (!Array.isArray(ops)) return `${what} is not one list of JSON 6902 operations`;
    for (const op of ops as Array<{ path?: unknown; from?: unknown }>) {
      for (const pointer of [op?.path, op?.from]) {
        if (typeof pointer !== 'string') continue;
        const hit = touched.find((t) => overlaps(t.path, fieldSegments(pointer)));
        if (hit) return `${later}: ${what} changes ${pointer || '/'}, which ${hit.by} also sets`;
      }
    }
  }
  return undefined;
}
