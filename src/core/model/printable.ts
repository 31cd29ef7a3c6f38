/**
 * Text that came from input (a repo file, a config value, a server) made inert before it reaches a terminal or a
 * log: C0 and C1 control characters, which can clear a screen or forge output, become visible escapes.
 */

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character shown as `\e`, `\n`, `\t` or `\u00XX`; other text unchanged. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\x1b') return '\\e';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}
