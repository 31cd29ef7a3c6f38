/**
 * Text we did not write (API server messages, object names from a cluster, errors carrying a server's words) must
 * not drive the terminal or the editor: an escape sequence in a 403 message can clear the screen and print a
 * fake "dev: 11 in sync". Everything such text passes through on its way to output goes through `plainText`.
 */

/**
 * ESC sequences as terminals read them: CSI (`ESC [` params, final byte), OSC/DCS/PM/APC/SOS strings (ended by
 * BEL or `ESC \`, or unterminated to the end), and two-byte escapes (`ESC c`, `ESC 7`, ...). The C1 forms (0x9b
 * CSI, 0x9d OSC, ...) are matched alike.
 */
const ESCAPE_SEQUENCE =
  /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[\x20-\x2f]*[\x30-\x7e]?/g;
/** C0 controls but tab and line feed, DEL, C1 controls. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/** Characters that reorder what follows (a name that displays as another): bidi embeddings, overrides, isolates. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const QUICK = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/**
 * `text` without terminal escape sequences, control characters (C0 but tab and line feed, DEL, C1) or bidi
 * overrides. Line feeds become spaces unless `multiline` is set: a one-line message must not be able to start
 * a line of its own in a report. Tabs are kept. With `visible`, those characters are shown as escapes (`\e`,
 * `\u0000`) instead of removed: for a message about a value that is wrong *because* it holds them (an environment
 * name `dev\u0000` must not read as `dev`). Cheap for the common case (no such character: returned as is).
 */
export function plainText(text: string, options: { multiline?: boolean; visible?: boolean } = {}): string {
  let out = text;
  if (QUICK.test(out))
    out = options.visible
      ? out.replace(VISIBLE, visibleEscape)
      : out.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(BIDI, '');
  return options.multiline ? out : out.includes('\n') ? out.replace(/\n+/g, options.visible ? '\\n' : ' ') : out;
}

/** What `visible` replaces: every control character (line feeds are handled apart) and bidi override. */
const VISIBLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

function visibleEscape(c: string): string {
  return c === '\x1b' ? '\\e' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}
