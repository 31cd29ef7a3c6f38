/**
 * A value set at a path with Helm's `--set` syntax (pkg/strvals), as helm-controller applies a `valuesFrom` entry
 * with `targetPath` (fluxcd/pkg chartutil.ReplacePathValue): `path=value` parsed by strvals.ParseInto, or by
 * ParseIntoString when the value is quoted (quotes trimmed: always a string). Paths are dot-separated keys (`\.`
 * escapes a dot) with list indices (`hosts[0].name`); a value is typed as strvals types it (`true`, `false`,
 * `null`, integers without a leading zero; anything else a string). Values holding strvals' own syntax (`,` between
 * assignments, `{a,b}` lists) are refused rather than guessed.
 */

/** Sets `value` at `path` in `values` (changed in place); throws with the reason when Helm would refuse it. */
export function setPathValue(values: Record<string, unknown>, path: string, value: string): void {
  const quoted = /^'.*'$|^".*"$/s.test(value) && value.length >= 2;
  // strings.Trim(value, `'"`): every quote at either end.
  const text = quoted ? value.replace(/^['"]+|['"]+$/g, '') : value;
  if (/(^|[^\\]),/.test(text) || (!quoted && /^\{.*\}$/s.test(text)))
    throw new Error(`the value holds Helm --set syntax (',' or '{…}') that is not supported here`);
  const parsed = quoted ? text.replace(/\\(.)/g, '$1') : typed(text.replace(/\\(.)/g, '$1'));
  const segments = parsePath(path);
  let here: Record<string, unknown> | unknown[] = values;
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const nextIsIndex = !last && typeof segments[i + 1] === 'number';
    const make = () => (nextIsIndex ? [] : {});
    if (typeof segment === 'number') {
      if (!Array.isArray(here)) throw new Error(`${path}: not a list at index ${segment}`);
      while (here.length <= segment) here.push(null);
      if (last) here[segment] = parsed;
      else {
        if (here[segment] === null || typeof here[segment] !== 'object') here[segment] = make();
        here = here[segment] as Record<string, unknown> | unknown[];
      }
    } else {
      if (Array.isArray(here)) throw new Error(`${path}: a list where the key ${segment} is set`);
      if (last) here[segment] = parsed;
      else {
        const child = here[segment];
        if (child === null || typeof child !== 'object' || Array.isArray(child) !== nextIsIndex) here[segment] = make();
        here = here[segment] as Record<string, unknown> | unknown[];
      }
    }
  }
}

/** strvals' typedVal. */
function typed(text: string): unknown {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (text === '0') return 0;
  if (/^[+-]?\d+$/.test(text) && text[0] !== '0') {
    const n = Number(text);
    // Beyond what a float keeps exactly, a string (Go keeps an int64; JSON would round it).
    if (Number.isSafeInteger(n)) return n;
  }
  return text;
}

/** `a.b\.c[0].d` → ['a', 'b.c', 0, 'd']. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  let key = '';
  let i = 0;
  const flush = (required: boolean) => {
    if (key === '' && required) throw new Error(`${path}: an empty key`);
    if (key !== '') out.push(key);
    key = '';
  };
  while (i < path.length) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) {
      key += path[i + 1];
      i += 2;
    } else if (c === '.') {
      flush(out.length === 0 || typeof out[out.length - 1] !== 'number' || key !== '');
      i++;
    } else if (c === '[') {
      flush(true);
      const end = path.indexOf(']', i);
      const index = end === -1 ? '' : path.slice(i + 1, end);
      if (!/^\d+$/.test(index)) throw new Error(`${path}: a list index must be a number`);
      if (+index > 65536) throw new Error(`${path}: index of ${index} is greater than maximum supported index 65536`);
      out.push(+index);
      i = end + 1;
    } else if (c === '=' || c === ',') {
      throw new Error(`${path}: '${c}' in a target path`);
    } else {
      key += c;
      i++;
    }
  }
  flush(out.length === 0);
  return out;
}
