import { Document, isMap, isScalar, isSeq, Scalar, type Node, type YAMLSeq } from 'yaml';
import type { TextEdit } from './types';
import type { YamlFile } from './yamlText';

/**
 * The edit that adds one item (`fields`, in order) to the top-level list `listKey` of a kustomization, in the
 * file's own style: after the list's last item at its indentation, or as a new list at the end of the file.
 * Undefined when the list is written in flow style (`images: []`), which cannot take a block item in place.
 */
export function appendListItem(yaml: YamlFile, listKey: string, fields: [string, string][]): TextEdit | undefined {
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
    return { file: yaml.file, start: at, end: at, newText: item(fields, column) };
  }
  if (list !== undefined) return undefined; // `images:` with no value: rare, and left to the user
  // No list yet: a new key at the end, indenting its items the way the file's other lists are indented.
  const needsBreak = text.length > 0 && !text.endsWith('\n');
  return { file: yaml.file, start: text.length, end: text.length, newText: `${needsBreak ? '\n' : ''}\n${listKey}:\n${item(fields, listIndent(yaml))}` };
}

function item(fields: [string, string][], column: number): string {
  const pad = ' '.repeat(column);
  return fields.map(([k, v], i) => `${i === 0 ? pad + '- ' : pad + '  '}${k}: ${scalar(v)}\n`).join('');
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
