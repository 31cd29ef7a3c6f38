import { isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Node } from 'yaml';
import { CREDENTIAL } from './classify';

const MASK = '***';

/**
 * The text with every Secret value replaced by `***`: `data`/`stringData` of Secret documents, the values of
 * `secretGenerator` literals, and the `value` of env vars named like credentials (`DB_PASSWORD`). Used for what is printed or shown (diffs), never for what is written.
 */
export function maskSecrets(text: string): string {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return text;
  const ranges: [number, number, string][] = [];
  for (const doc of docs) {
    const root = doc.contents;
    if (!isMap(root)) continue;
    visit(doc, {
      Map(_, map) {
        const name = map.get('name', true);
        if (isScalar(name) && typeof name.value === 'string' && CREDENTIAL.test(name.value)) {
          const value = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'value');
          if (value) maskNode(value.value as Node | null, ranges);
        }
      },
    });
    const kind = root.get('kind', true);
    if (isScalar(kind) && (kind.value as unknown) === 'Secret') {
      for (const field of ['data', 'stringData']) {
        const map = root.get(field, true);
        if (isMap(map)) for (const pair of map.items) maskNode(pair.value as Node | null, ranges);
      }
    }
    const generators = root.get('secretGenerator', true);
    if (!isSeq(generators)) continue;
    for (const entry of generators.items) {
      const literals = isMap(entry) ? entry.get('literals', true) : undefined;
      if (!isSeq(literals)) continue;
      for (const lit of literals.items) {
        if (!isScalar(lit) || typeof lit.value !== 'string' || !lit.range) continue;
        const eq = lit.value.indexOf('=');
        const masked = `${eq < 0 ? lit.value : lit.value.slice(0, eq)}=${MASK}`;
        ranges.push([lit.range[0], lit.range[1], lit.type === 'PLAIN' ? masked : JSON.stringify(masked)]);
      }
    }
  }
  let out = text;
  for (const [start, end, replacement] of ranges.sort((a, b) => b[0] - a[0]))
    out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}

function maskNode(node: Node | null, ranges: [number, number, string][]): void {
  if (node && isScalar(node) && node.range) ranges.push([node.range[0], node.range[1], `"${MASK}"`]);
}
