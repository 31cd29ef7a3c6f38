/**
 * A `valuesFrom` entry with `targetPath`, as helm-controller applies it (fluxcd/pkg chartutil.ReplacePathValue): the
 * line `PATH=VALUE` given to Helm's strvals parser (`parseSetInto`, helmValues.ts), with ParseIntoString's
 * always-a-string values when VALUE starts and ends with the same quote (every quote at either end trimmed). So the
 * value is parsed as `--set` parses it: `,` starts another assignment, `{a,b}` is a list, `\` escapes, and
 * `true`/`null`/integers are typed; the path is strvals' too (`a.b[0]`, `\.` for a dot in a key).
 */
import { parseSetInto } from './helmValues';

/**
 * Sets `value` at `path` in `values`, in place as Helm does (maps and lists already in `values` are changed where
 * they are). Returns the values the text set (for masking those read from a Secret); throws a StrvalsError.
 */
export function setPathValue(values: Record<string, unknown>, path: string, value: string): unknown[] {
  const quoted = (value.startsWith("'") && value.endsWith("'")) || (value.startsWith('"') && value.endsWith('"'));
  const text = quoted ? value.replace(/^['"]+|['"]+$/g, '') : value;
  const parsed: unknown[] = [];
  parseSetInto(`${path}=${text}`, values, { asString: quoted, parsed: (v) => parsed.push(v) });
  return parsed;
}
