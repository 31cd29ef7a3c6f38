/** Rendered objects printed the way `kustomize build` prints them (go-yaml's style), shared by the CLI and previews. */
import { Document, visit, type Pair, type ScalarTag } from 'yaml';
import { pointerSegments } from '../../yaml/pointer';

/** Strings a YAML 1.1 or 1.2 reader would take for a bool, null, number or timestamp. */
const ambiguous =
  /^(?:[yYnN]|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|~|null|Null|NULL|[-+]?(?:0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*|[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?)$/;

/**
 * One object as YAML the way `kustomize build` prints it (go-yaml): sorted keys, lists not indented, strings that
 * other types could be read from in double quotes (so YAML 1.1 readers such as kubectl keep them strings), other
 * quoting in single quotes, multi-line text as `|` blocks unless it holds control characters. `exactIntegers`
 * (RenderedObject.exactIntegers) keeps every digit of integers beyond ±2^53; `annotate` may add comments to the
 * document before it is printed.
 */
export function kustomizeYaml(
  object: unknown,
  exactIntegers?: ReadonlyMap<string, bigint>,
  annotate?: (doc: Document) => void,
): string {
  const doc = new Document(exactIntegers?.size ? withExactIntegers(object, exactIntegers) : object, {
    version: '1.1',
    sortMapEntries: goKeyOrder,
    aliasDuplicateObjects: false,
    customTags: [goDoubleQuotedTag, goPlainTag],
  });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value !== 'string') return;
      // go-yaml writes no block for text with a space before a line break or at its end (the block would lose
      // it), nor any plain or single-quoted text with characters it does not print as they are.
      const noBlock = node.value.includes('\n') && (/ \n/.test(node.value) || node.value.endsWith(' '));
      if (node.value === '' || noBlock || ambiguous.test(node.value) || goEscapes.test(node.value))
        node.value = new GoDoubleQuoted(node.value);
      // `.` and `-.`: a float to the yaml package's YAML 1.1 schema, text to go-yaml (no digit), which prints it plain.
      else if (/^[-+]?\.$/.test(node.value)) node.value = new GoPlain(node.value);
      // Text that cannot be plain is single-quoted by go-yaml even when it holds a single quote (doubled), where
      // the yaml package would switch to double quotes.
      else if (
        node.value.includes("'") &&
        !node.value.includes('\n') &&
        new Document(node.value).toString({ singleQuote: true, lineWidth: 0 }).startsWith('"')
      ) {
        node.type = 'QUOTE_SINGLE';
      }
    },
  });
  annotate?.(doc);
  const text = doc.toString({ singleQuote: true, indentSeq: false, lineWidth: 0, minContentWidth: 0 });
  // Comments (annotate) follow values on their lines; wrapping is only for output compared with kustomize's.
  return annotate ? text : wrapLongLines(text);
}

/** Characters go-yaml's emitter does not print as they are (not is_printable, or a line break other than \n). */
const goEscapes = /[\x00-\x09\x0b-\x1f\x7f-\x84\x86-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]|\u0085/;

/** A string go-yaml writes double-quoted. */
class GoDoubleQuoted {
  constructor(readonly text: string) {}
}

const goNamedEscapes: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

/** go-yaml v2's yaml_emitter_write_double_quoted_scalar, without line wrapping (wrapLongLines does that). */
function goDoubleQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    const printable =
      c === 0x0a ||
      (c >= 0x20 && c <= 0x7e) ||
      (c >= 0xa0 && c <= 0xd7ff) ||
      (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
    if (!printable || c === 0x0a || c === 0x22 || c === 0x5c || c === 0x2028 || c === 0x2029) {
      const named = goNamedEscapes[c];
      if (named !== undefined && !(c === 0xa0 && printable)) out += '\\' + named;
      else if (c <= 0xff) out += '\\x' + c.toString(16).toUpperCase().padStart(2, '0');
      else if (c <= 0xffff) out += '\\u' + c.toString(16).toUpperCase().padStart(4, '0');
      else out += '\\U' + c.toString(16).toUpperCase().padStart(8, '0');
    } else out += ch;
  }
  return out + '"';
}

/** A string go-yaml writes plain where the yaml package would quote it. */
class GoPlain {
  constructor(readonly text: string) {}
}

const goPlainTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:str',
  default: true,
  identify: (v) => v instanceof GoPlain,
  resolve: (text) => text,
  stringify: (item) => (item.value as GoPlain).text,
};

const goDoubleQuotedTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:str',
  default: true,
  identify: (v) => v instanceof GoDoubleQuoted,
  resolve: (text) => text,
  stringify: (item) => goDoubleQuote((item.value as GoDoubleQuoted).text),
};

/** go-yaml's emitter best_width: a scalar line breaks at the first space past this column. */
const BEST_WIDTH = 80;

/**
 * Folds long plain and quoted scalars as go-yaml v2 does (kustomize output goes through sigs.k8s.io/yaml): at the
 * first single space past column 80 whose next character is no space, the line breaks and goes on indented two
 * past the key (or `- `). A break in the source is read back as a space, so the value is unchanged.
 */
function wrapLongLines(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let blockIndent = -1; // inside a `|` block: its header's indentation
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line === '' || indent > blockIndent) {
        out.push(line);
        continue;
      }
      blockIndent = -1;
    }
    const start = valueStart(line);
    if (start === undefined) {
      out.push(line);
      continue;
    }
    const first = line[start.value];
    if (first === '|') {
      blockIndent = start.owner;
      // Text that starts with a line break: the yaml package writes its first line as indentation only, go-yaml an
      // empty line under an indentation indicator (`|2-`).
      if (/^ +$/.test(lines[n + 1] ?? '') && !/\d/.test(line.slice(start.value))) {
        out.push(line.slice(0, start.value + 1) + '2' + line.slice(start.value + 1));
        lines[n + 1] = '';
        continue;
      }
      out.push(line);
      continue;
    }
    if (Array.from(line).length <= BEST_WIDTH + 1) {
      out.push(line);
      continue;
    }
    out.push(
      ...wrapScalar(line, start.value, start.owner + 2, first === '"' ? 'double' : first === "'" ? 'single' : 'plain'),
    );
  }
  return out.join('\n');
}

/** Where the scalar of a printed line starts, and the column of its key or `-` (undefined: no scalar there). */
function valueStart(line: string): { value: number; owner: number } | undefined {
  let i = line.length - line.trimStart().length;
  let owner = i;
  while (line.startsWith('- ', i)) {
    owner = i;
    i += 2;
  }
  if (i >= line.length) return undefined;
  const seqItem = i > 0 && line.startsWith('- ', i - 2);
  // A key: quoted (to its closing quote) or plain (to the first `: `).
  let keyEnd = -1;
  if (line[i] === '"' || line[i] === "'") {
    const q = line[i];
    let j = i + 1;
    while (j < line.length) {
      if (q === '"' && line[j] === '\\') j += 2;
      else if (q === "'" && line[j] === "'" && line[j + 1] === "'") j += 2;
      else if (line[j] === q) break;
      else j++;
    }
    if (line[j + 1] === ':' && (line[j + 2] === ' ' || j + 2 === line.length)) keyEnd = j + 1;
  } else {
    const colon = line.indexOf(': ', i);
    if (colon >= 0) keyEnd = colon;
    else if (line.endsWith(':')) return undefined;
  }
  if (keyEnd >= 0) return keyEnd + 2 < line.length ? { value: keyEnd + 2, owner: i } : undefined;
  return seqItem ? { value: i, owner } : undefined;
}

function wrapScalar(line: string, from: number, indent: number, style: 'plain' | 'single' | 'double'): string[] {
  const chars = Array.from(line.slice(from));
  const head = line.slice(0, from);
  const out: string[] = [];
  let current = head;
  let column = Array.from(head).length;
  let spaces = false;
  // Index of the value's first and last character within `chars` (quotes excluded).
  const firstValue = style === 'plain' ? 0 : 1;
  const lastValue = style === 'plain' ? chars.length - 1 : chars.length - 2;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === ' ') {
      const inside = style === 'plain' || (i > firstValue && i < lastValue);
      const nextSpace = chars[i + 1] === ' ';
      if (!spaces && column > BEST_WIDTH && inside && (style === 'double' || !nextSpace)) {
        out.push(current);
        current = ' '.repeat(indent) + (style === 'double' && nextSpace ? '\\' : '');
        column = Array.from(current).length;
      } else {
        current += ch;
        column++;
      }
      spaces = true;
    } else {
      current += ch;
      column++;
      spaces = false;
    }
  }
  out.push(current);
  return out;
}

/**
 * Map keys in go-yaml v2's order (sorter.go keyList.Less; kustomize prints through sigs.k8s.io/yaml): runs of
 * digits compare as numbers (`f9` before `f10`), a letter sorts after a non-letter, other characters by code.
 */
export function goKeyOrder(x: Pair, y: Pair): number {
  const a = [...String((x.key as { value?: unknown } | null)?.value ?? x.key)];
  const b = [...String((y.key as { value?: unknown } | null)?.value ?? y.key)];
  return goLess(a, b) ? -1 : goLess(b, a) ? 1 : 0;
}

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function goLess(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] === b[i]) continue;
    const al = isLetter(a[i]);
    const bl = isLetter(b[i]);
    if (al && bl) return a[i] < b[i];
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    // A run of digits continuing a number with a non-zero digit before it compares by value from its start.
    if (a[i] === '0' || b[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(a[j]); j--) {
        if (a[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < a.length && isDigit(a[ai]); ai++) an = an * 10 + Number(a[ai]);
    for (; bi < b.length && isDigit(b[bi]); bi++) bn = bn * 10 + Number(b[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return a[i] < b[i];
  }
  return a.length < b.length;
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
