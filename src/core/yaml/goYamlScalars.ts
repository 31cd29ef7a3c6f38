/**
 * Scalars as kustomize's YAML reader leaves them (kyaml over go-yaml v3, v5.7.1), where that differs from the YAML
 * 1.2 core schema the `yaml` package and js-yaml follow. Both of our parsers (fastYaml.ts and parseYamlSlow in
 * parseYaml.ts) resolve through here, so a value reads the same whichever parser took the file.
 */
import { parse } from 'yaml';

/** A plain scalar go-yaml v3 may read as an integer: Go's `strconv.ParseInt(s, 0, 64)` syntax, underscores anywhere. */
export const GO_INT_TEXT = /^[-+]?[0-9][0-9a-fA-FxXoObB_]*$/;

const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|(0[0-7]*)|([1-9][0-9]*))$/;
/** go-yaml's yamlStyleFloat, tried on the text without underscores when it is no integer (`08`, `1_0.5`). */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/**
 * The value go-yaml v3 resolves a plain scalar matching GO_INT_TEXT to: it drops every `_` and parses with base
 * prefixes, and a leading 0 means octal (YAML 1.1), so `0755` is 493, `0o17` 15, `0b101` 5, `0x1F` 31 and
 * `1_000` 1000, where YAML 1.2 reads 755 and the strings `0o17`, `0b101`, `1_000`. What is no Go integer falls
 * back to a float (`08` → 8) or stays the string it was. Integers are bigints (the callers keep ones beyond ±2^53
 * exact).
 */
export function resolveGoInt(text: string): bigint | number | string {
  const plain = text.replace(/_/g, '');
  const m = GO_INT.exec(plain);
  if (m) {
    const [, sign, hex, oct, bin, zeroOct, dec] = m;
    const digits =
      hex !== undefined
        ? '0x' + hex
        : oct !== undefined
          ? '0o' + oct
          : bin !== undefined
            ? '0b' + bin
            : zeroOct !== undefined
              ? '0o' + (zeroOct.slice(1) || '0')
              : dec;
    const n = BigInt(digits);
    return sign === '-' ? -n : n;
  }
  if (GO_FLOAT.test(plain)) return parseFloat(plain);
  return text;
}

function isBlankOrEnd(c: string | undefined): boolean {
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\0';
}

/**
 * The value a folded (`>`) block scalar has after kustomize: kyaml writes resources out with their original style
 * and reads them back, and go-yaml v3's folded writer (yaml_emitter_write_folded_scalar) decides whether a line
 * break needs an extra blank line by looking at the start of the *whole value* (`k := 0`) instead of the next line.
 * When the value does not begin with a space (after any leading line breaks), every line break that ends a line not
 * starting with a space gets the blank line, so reading back keeps the break and adds one before a more-indented
 * line (`a\n  b` → `a\n\n  b`) and one more at a `>+` tail. `value` is the spec-folded string.
 */
export function goFoldedRoundTrip(value: string): string {
  if (!value.includes('\n')) return value;
  // go-yaml writes a value with trailing spaces before a break, or with control characters, double-quoted: exact.
  if (/ \n|[\x00-\x08\x0b-\x1f\x7f]/.test(value) || /[ \t]$/.test(value)) return value;
  let k = 0;
  while (value[k] === '\n') k++;
  const doubling = !isBlankOrEnd(value[k]);
  const lines: string[] = [''];
  let breaks = true;
  let leadingSpaces = true;
  for (const c of value) {
    if (c === '\n') {
      if (doubling && !breaks && !leadingSpaces) lines.push('');
      lines.push('');
      breaks = true;
    } else {
      if (breaks) leadingSpaces = c === ' ' || c === '\t';
      lines[lines.length - 1] += c;
      breaks = false;
    }
  }
  // The block header as go-yaml writes it: an indentation indicator when the value starts with a space or break,
  // `-` without a final break, `+` with more than one.
  const indent = value[0] === ' ' || value[0] === '\n' ? '2' : '';
  const chomp = !value.endsWith('\n') ? '-' : value === '\n' || value.endsWith('\n\n') ? '+' : '';
  // `lines` ends with the text after the last break ('' when the value ends with one).
  const body = lines.map((l) => (l ? '  ' + l : '')).join('\n');
  const read: unknown = parse(`v: >${indent}${chomp}\n${body}${value.endsWith('\n') ? '' : '\n'}`);
  const out = (read as { v?: unknown } | null)?.v;
  return typeof out === 'string' ? out : value;
}

/**
 * A block scalar whose text runs to the end of a file with no final line break: go-yaml (kustomize) has no break
 * to keep there, so `|` and `>` (and `|+`) values end without one (`a: |\n  x` is "x"); the `yaml` package and
 * js-yaml add it. `text` is the whole parsed text, `end` where the scalar ends in it.
 */
export function blockAtEndOfText(value: string, text: string, end: number): string {
  if (!value.endsWith('\n') || text.endsWith('\n') || text.slice(end).trim() !== '') return value;
  return value.slice(0, -1);
}
