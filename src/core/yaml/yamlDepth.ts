/**
 * go-yaml (kustomize's reader) refuses YAML nested deeper than 10,000 collections ("exceeded max depth of 10000");
 * the JavaScript parsers recurse instead and overflow the stack, or fill memory first. The only way to nest that
 * deep in a file of reasonable size is flow collections (`[[[[…`), so the text is scanned for them, outside quoted
 * scalars and comments, before any parser sees it.
 */

/** go-yaml's limit. */
export const MAX_YAML_DEPTH = 10_000;

/** The offset where flow collections open deeper than `MAX_YAML_DEPTH`, or undefined. Linear, no allocation. */
export function tooDeepAt(text: string): number | undefined {
  // Quick exit for the usual text: fewer brackets than the limit cannot nest past it.
  let brackets = 0;
  for (let i = 0; i < text.length && brackets <= MAX_YAML_DEPTH; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) brackets++;
  }
  if (brackets <= MAX_YAML_DEPTH) return undefined;
  let depth = 0;
  let lastSignificant = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end - 1;
      continue;
    }
    // A quote opens a scalar only where a scalar may start (after an indicator or at a line start), not in `don't`.
    if ((c === '"' || c === "'") && '\n[{,:-?'.includes(lastSignificant)) {
      i = closingQuote(text, i, c);
      lastSignificant = c;
      continue;
    }
    if (c === '[' || c === '{') {
      if (++depth > MAX_YAML_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    if (c === '\n') lastSignificant = '\n';
    else if (c !== ' ' && c !== '\t') lastSignificant = c;
  }
  return undefined;
}

function closingQuote(text: string, open: number, quote: string): number {
  for (let i = open + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}
