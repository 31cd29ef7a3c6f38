/**
 * Finds where a JSON pointer's value is written in a YAML file: used to point a drift marker on an overlay line at
 * the base line it overrides (the diagnostic's related information).
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { pointerSegments } from '../yaml/pointer';

/** Where a value is written, and the value when it is a scalar. */
export interface LocatedValue {
  /** 1-based. */
  line: number;
  column: number;
  value?: unknown;
}

/**
 * The position of `pointer` in the YAML document of `text` that contains 1-based `docLine` (the document an object
 * was declared in), or undefined when that document does not set it.
 */
export function locatePointer(text: string, docLine: number, pointer: string): LocatedValue | undefined {
  const counter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: counter });
  if (!Array.isArray(docs)) return undefined;
  const lineOf = (offset: number) => counter.linePos(offset).line;
  // The last document that starts at or before the line (a document's range starts at its first node).
  let doc = docs[0];
  for (const d of docs) if (d.contents?.range && lineOf(d.contents.range[0]) <= Math.max(docLine, 1)) doc = d;
  let node: unknown = doc?.contents;
  for (const key of pointerSegments(pointer)) {
    if (isMap(node)) node = node.get(key, true);
    else if (isSeq(node) && /^\d+$/.test(key)) node = node.items[Number(key)];
    else return undefined;
    if (node === undefined || node === null) return undefined;
  }
  const range = (node as Node | undefined)?.range;
  if (!range) return undefined;
  const pos = counter.linePos(range[0]);
  return { line: pos.line, column: pos.col, ...(isScalar(node) ? { value: node.value } : {}) };
}
