/** Rendered objects printed the way `kustomize build` prints them (go-yaml's style), shared by the CLI and previews. */
import { Document, visit } from 'yaml';
import { pointerSegments } from '../drift/pointer';

/** Strings a YAML 1.1 or 1.2 reader would take for a bool, null, number or timestamp. */
const ambiguous =
  /^(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/**
 * One object as YAML the way `kustomize build` prints it (go-yaml): sorted keys, lists not indented, strings that
 * other types could be read from in double quotes (so YAML 1.1 readers such as kubectl keep them strings), other
 * quoting in single quotes, multi-line text as `|` blocks unless it holds control characters. `exactIntegers`
 * (RenderedObject.exactIntegers) keeps every digit of integers beyond ±2^53; `annotate` may add comments to the
 * document before it is printed.
 */
export function kustomizeYaml(object: unknown, exactIntegers?: ReadonlyMap<string, bigint>, annotate?: (doc: Document) => void): string {
  const doc = new Document(exactIntegers?.size ? withExactIntegers(object, exactIntegers) : object, { version: '1.1', sortMapEntries: true, aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && (node.value === '' || ambiguous.test(node.value) || /[\x00-\x09\x0b-\x1f\x7f]/.test(node.value))) node.type = 'QUOTE_DOUBLE';
    },
  });
  annotate?.(doc);
  return doc.toString({ singleQuote: true, indentSeq: false, lineWidth: 0, minContentWidth: 0 });
}

/** A copy of `object` with integers beyond ±2^53 as bigints, so they print with every digit. */
function withExactIntegers(object: unknown, exact: ReadonlyMap<string, bigint>): unknown {
  const copy = structuredClone(object) as Record<string, unknown>;
  for (const [pointer, value] of exact) {
    const tokens = pointerSegments(pointer);
    const last = tokens.pop();
    let parent: unknown = copy;
    for (const t of tokens) parent = (parent as Record<string, unknown>)[t];
    if (last !== undefined) (parent as Record<string, unknown>)[last] = value;
  }
  return copy;
}
