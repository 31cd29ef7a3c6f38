import { Document, isMap, isScalar, isSeq, Scalar, type Node, type YAMLSeq } from 'yaml';
import type { TextEdit, YamlFile } from '../yaml/yamlText';

/**
 * The edit that adds one item (`fields`, in order) to the top-level list `listKey` of a kustomization, in the
 * file's own style: after the list's last item at its indentation, or as a new list at the end of the file.
 * Undefined when the list is written in flow style (`images: []`), which cannot take a block item in place.
 */
export function appendListItem(
  yaml: YamlFile,
  listKey: string,
  fields: [string, string | string[]][],
): TextEdit | undefined {
  const doc = yaml.docs[0];
  const root = doc && isMap(doc.contents) ? doc.contents : undefined;
  if (!root || root.flow) return undefined;
  const list = root.get(listKey, true) as Node | undefined;
  const text = yaml.text;
  if (list !== undefined && list !== null && !(isScalar(list) && list.value === null)) {
    if (!isSeq(list) || list.flow || list.items.length === 0) return undefined;
    const first = list.items[0] as Node;
    const dash = text.lastIndexOf('-', first.range![0]);
    const column = dash - (text.lastIndexOf('\n', dash) + 1);
    const at = endOfLastLine(text, list);
    return { file: yaml.file, start: at, end: at, newText: item(fields, column, listIndent(yaml)) };
  }
  if (list !== undefined) return undefined; // `images:` with no value: rare, and left to the user
  // No list yet: a new key at the end, indenting its items the way the file's other lists are indented.
  const needsBreak = text.length > 0 && !text.endsWith('\n');
  const indent = listIndent(yaml);
  return {
    file: yaml.file,
    start: text.length,
    end: text.length,
    newText: `${needsBreak ? '\n' : ''}\n${listKey}:\n${item(fields, indent, indent)}`,
  };
}

/** A block list item at `column`; a field whose value is a list is written as a nested list, indented like the file's. */
function item(fields: [string, string | string[]][], column: number, nestedIndent = 0): string {
  const pad = ' '.repeat(column);
  return fields
    .map(([k, v], i) => {
      const lead = i === 0 ? pad + '- ' : pad + '  ';
      if (typeof v === 'string') return `${lead}${k}: ${scalar(v)}\n`;
      return `${lead}${k}:\n${v.map((x) => `${pad}  ${' '.repeat(nestedIndent)}- ${scalar(x)}\n`).join('')}`;
    })
    .join('');
}

/**
 * Adds literal `KEY=value` to the `configMapGenerator` entry `name` of a kustomization: to its `literals:` list when
 * it has one, else as a new `behavior: merge` entry (the generator comes from a base). Undefined when the entry
 * exists without a block `literals:` list (left to the user).
 */
export function addGeneratorLiteral(yaml: YamlFile, name: string, literal: string): TextEdit | undefined {
  const root = yaml.docs[0]?.contents;
  const generators = isMap(root) ? root.get('configMapGenerator', true) : undefined;
  const entry = isSeq(generators) ? generators.items.find((e) => isMap(e) && e.get('name') === name) : undefined;
  if (!entry)
    return appendListItem(yaml, 'configMapGenerator', [
      ['name', name],
      ['behavior', 'merge'],
      ['literals', [literal]],
    ]);
  const literals = isMap(entry) ? entry.get('literals', true) : undefined;
  if (!isSeq(literals) || literals.flow || literals.items.length === 0) return undefined;
  const first = literals.items[0] as Node;
  const dash = yaml.text.lastIndexOf('-', first.range![0]);
  const column = dash - (yaml.text.lastIndexOf('\n', dash) + 1);
  const at = endOfLastLine(yaml.text, literals);
  return { file: yaml.file, start: at, end: at, newText: `${' '.repeat(column)}- ${scalar(literal)}\n` };
}

function scalar(value: string): string {
  return new Document(new Scalar(value)).toString({ lineWidth: 0 }).replace(/\n$/, '');
}

/** The offset just after the line on which the list's last item ends. */
function endOfLastLine(text: string, list: YAMLSeq): number {
  const last = list.items[list.items.length - 1] as Node;
  const end = last.range![1];
  if (end > 0 && text[end - 1] === '\n') return end;
  const nl = text.indexOf('\n', end);
  return nl < 0 ? text.length : nl + 1;
}

/** How far the file indents top-level list items under their key (`key:\n  - a` is 2, `key:\n- a` is 0): the most common way, else 2. */
function listIndent(yaml: YamlFile): number {
  const counts = new Map<number, number>();
  const root = yaml.docs[0]?.contents;
  if (isMap(root)) {
    for (const pair of root.items) {
      if (!isSeq(pair.value) || pair.value.flow || !pair.value.items.length) continue;
      const first = pair.value.items[0] as Node;
      const dash = yaml.text.lastIndexOf('-', first.range![0]);
      const column = dash - (yaml.text.lastIndexOf('\n', dash) + 1);
      counts.set(column, (counts.get(column) ?? 0) + 1);
    }
  }
  let best = 2;
  let bestCount = 0;
  for (const [column, count] of counts) if (count > bestCount) [best, bestCount] = [column, count];
  return best;
}

/**
 * The edit that adds an inline patch (`- patch: |-` and the patch's YAML, indented under it) to the `patches:` list of
 * a kustomization, in the file's own list style; undefined where {@link appendListItem} gives up.
 */
export function appendInlinePatch(yaml: YamlFile, patchText: string): TextEdit | undefined {
  // The list item is laid out by appendListItem; its placeholder value is then swapped for the block.
  const placeholder = 'x';
  const edit = appendListItem(yaml, 'patches', [['patch', placeholder]]);
  if (!edit) return undefined;
  const at = edit.newText.indexOf(`patch: ${placeholder}\n`);
  const lineStart = edit.newText.lastIndexOf('\n', at) + 1;
  // The block's lines go two columns deeper than the key.
  const indent = ' '.repeat(at - lineStart + 2);
  const block = patchText
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');
  return {
    ...edit,
    newText: `${edit.newText.slice(0, at)}patch: |-\n${block}\n${edit.newText.slice(at + `patch: ${placeholder}\n`.length)}`,
  };
}
