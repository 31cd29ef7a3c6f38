/**
 * User-supplied values as `helm template` merges them (helm v4.3.2 `pkg/cli/values` Options.MergeValues): each
 * `--values` file in order (every YAML document of a file merged in turn, `loader.LoadValues`), then `--set`, then
 * `--set-string`, then `--set-file`, each parsed by Helm's strvals parser (ported here: `a.b[0].c=v`, `{x,y}` lists,
 * `\` escapes, `true`/`false`/`null`/integers typed unless forced to strings). Argo CD hands its Helm source to
 * Helm as such flags, and kustomize's helmCharts as `-f` files; both renderers build their values here.
 */
import { parseAllDocuments } from 'yaml';
import { mergeMaps } from './chartFiles';

/** Helm's strvals limits (MaxIndex, MaxNestedNameLevel). */
const MAX_INDEX = 65536;
const MAX_NESTED_NAME_LEVEL = 30;

type Values = Record<string, unknown>;

/**
 * A values file's text as `loader.LoadValues` reads it: every document merged over the ones before (maps key by
 * key), an empty document nothing (with `firstDocumentOnly`, chartutil.ReadValues: the first document alone). Read as Helm's sigs.k8s.io/yaml reads it, YAML 1.1 (`y`, `yes`, `on` are
 * booleans, `0755` octal) with every key made a string (`y:` is the key "true"). Throws with the first message line
 * when a document is not YAML, or not a map.
 */
export function loadValuesText(text: string, options: { firstDocumentOnly?: boolean } = {}): Values {
  let values: Values = {};
  const docs = parseAllDocuments(text, { version: '1.1', merge: true, prettyErrors: false });
  for (const doc of options.firstDocumentOnly ? docs.slice(0, 1) : docs) {
    if (doc.errors.length) throw new Error(doc.errors[0].message.split('\n')[0]);
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new Error(`cannot unmarshal yaml document: a values document must be a map, not ${describe(value)}`);
    values = mergeMaps(values, value as Values);
  }
  return values;
}

/**
 * `--set NAME=VALUE` (typed), `--set-string` (`asString`), or `--set-file` (`file` gives the value read for a path),
 * parsed into `dest` as Helm's strvals.ParseInto does: in place, maps and lists of `dest` changed where they are (a
 * list only within its length; a longer one is a new list, as a Go slice grows), which matters to callers that share
 * them (helm-controller's valuesFrom, setValues.ts). `parsed` is told each value set. Throws a StrvalsError.
 */
export function parseSetInto(
  line: string,
  dest: Values,
  how: { asString?: boolean; file?: (path: string) => unknown; parsed?: (value: unknown) => void } = {},
): void {
  const read = how.file
    ? (runes: string) => how.file!(runes)
    : (runes: string) => typedValue(runes, how.asString === true);
  const reader = how.parsed
    ? (runes: string) => {
        const value = read(runes);
        how.parsed!(value);
        return value;
      }
    : read;
  const parser = new StrvalsParser(line, dest, reader);
  parser.parse();
}

/**
 * Helm's strvals error, with `withoutText`: the same reason with every piece of the parsed text left out, for text
 * that must not be shown (a value from a Secret).
 */
export class StrvalsError extends Error {
  constructor(
    message: string,
    readonly withoutText: string = message,
  ) {
    super(message);
  }
}

/** An error whose message quotes `text` (Go's %q) at `%q`. */
function textError(format: string, text: string): StrvalsError {
  return new StrvalsError(format.replace('%q', goQuote(text)), format.replace('%q', '"…"'));
}

/** A panic strvals' key() recovers from (a type assertion on what is already there). */
function conversionError(existing: unknown, wanted: string): StrvalsError {
  return new StrvalsError(
    `unable to parse key: interface conversion: interface {} is ${goType(existing)}, not ${wanted}`,
  );
}

/** Helm's typedVal: `true`/`false`/`null` (any case), `0`, and base-10 integers not starting with 0 are typed. */
export function typedValue(value: string, asString: boolean): unknown {
  if (asString) return value;
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (value === '0') return 0;
  if (value !== '' && value[0] !== '0' && /^[+-]?\d+$/.test(value)) {
    const n = BigInt(value);
    // strconv.ParseInt(…, 10, 64): out of int64 range stays a string.
    if (n <= INT64_MAX && n >= INT64_MIN) return Number(n);
  }
  return value;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

class EOF extends Error {}
class NotList extends Error {}

/**
 * A port of helm's strvals parser (pkg/strvals/parser.go, the same in helm v3.19 and v4.3), over a string instead of
 * a rune buffer. Where Go returns io.EOF this throws EOF (the line ended: parse() stops without error); listItem
 * returns Go's (list, io.EOF) as `{ list, eof: true }`, since the list is still set.
 */
class StrvalsParser {
  private pos = 0;
  private readonly runes: string[];

  constructor(
    text: string,
    private readonly data: Values,
    private readonly reader: (runes: string) => unknown,
  ) {
    this.runes = [...text];
  }

  parse(): void {
    for (;;) {
      try {
        this.key(this.data, 0);
      } catch (e) {
        if (e instanceof EOF) return;
        throw e;
      }
    }
  }

  private read(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }

  private unread(): void {
    this.pos--;
  }

  /** runesUntil: text up to one of `stop` (`\` escapes the next rune); `last` undefined at the end. */
  private until(stop: string): { text: string; last: string | undefined } {
    let text = '';
    for (;;) {
      const r = this.read();
      if (r === undefined) return { text, last: undefined };
      if (stop.includes(r)) return { text, last: r };
      if (r === '\\') {
        const next = this.read();
        if (next === undefined) return { text, last: undefined };
        text += next;
      } else text += r;
    }
  }

  private key(data: Values, nested: number): void {
    const { text: k, last } = this.until('=[,.');
    if (last === undefined) {
      if (k.length === 0) throw new EOF();
      throw textError('key %q has no value', k);
    }
    if (last === '[') {
      const i = this.keyIndex();
      let list: unknown[] = [];
      if (hasKey(data, k)) {
        const existing = data[k];
        if (!Array.isArray(existing)) throw conversionError(existing, '[]interface {}');
        list = existing;
      }
      const item = this.listItem(list, i, nested);
      set(data, k, item.list);
      if (item.eof) throw new EOF();
      return;
    }
    if (last === '=') {
      let list: unknown[];
      try {
        list = this.valList();
      } catch (e) {
        if (e instanceof EOF) {
          set(data, k, '');
          throw e;
        }
        if (e instanceof NotList) {
          const { text } = this.until(',');
          set(data, k, this.reader(text));
          return;
        }
        throw e;
      }
      set(data, k, list);
      return;
    }
    if (last === ',') {
      set(data, k, '');
      throw textError('key %q has no value (cannot end with ,)', k);
    }
    // '.'
    if (nested + 1 > MAX_NESTED_NAME_LEVEL)
      throw new StrvalsError(
        `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
      );
    let inner: Values = {};
    if (hasKey(data, k)) {
      const existing = data[k];
      if (!isMap(existing)) throw conversionError(existing, 'map[string]interface {}');
      inner = existing;
    }
    let error: unknown;
    try {
      this.key(inner, nested + 1);
    } catch (e) {
      error = e;
    }
    if (error === undefined && Object.keys(inner).length === 0) throw textError('key map %q has no value', k);
    if (Object.keys(inner).length) set(data, k, inner);
    if (error !== undefined) throw error;
  }

  /** keyIndex, with the caller's "error parsing index" wrap. */
  private keyIndex(): number {
    const { text, last } = this.until(']');
    if (last === undefined) throw new StrvalsError('error parsing index: EOF');
    // strconv.Atoi: base 10, an optional sign, within int64.
    if (!/^[+-]?\d+$/.test(text))
      throw textError('error parsing index: strconv.Atoi: parsing %q: invalid syntax', text);
    const n = BigInt(text);
    if (n > INT64_MAX || n < INT64_MIN)
      throw textError('error parsing index: strconv.Atoi: parsing %q: value out of range', text);
    return Number(n);
  }

  private listItem(list: unknown[], i: number, nested: number): { list: unknown[]; eof?: true } {
    if (i < 0) throw new StrvalsError(`negative ${i} index not allowed`, 'negative … index not allowed');
    const { text: k, last } = this.until('[.=');
    if (k.length > 0) throw textError('unexpected data at end of array index: %q', k);
    if (last === undefined) return { list, eof: true };
    if (last === '=') {
      let value: unknown;
      try {
        value = this.valList();
      } catch (e) {
        if (e instanceof EOF) return { list: setIndex(list, i, '') };
        if (!(e instanceof NotList)) throw e;
        value = this.reader(this.until(',').text);
      }
      return { list: setIndex(list, i, value) };
    }
    if (last === '[') {
      const next = this.keyIndex();
      let current: unknown[] = [];
      if (list.length > i && list[i] !== null) {
        if (!Array.isArray(list[i])) throw conversionError(list[i], '[]interface {}');
        current = list[i] as unknown[];
      }
      const inner = this.listItem(current, next, nested);
      if (inner.eof) return { list, eof: true };
      return { list: setIndex(list, i, inner.list) };
    }
    // '.': a map at i (one out of order is replaced where it is).
    let inner: Values = {};
    if (list.length > i) {
      if (!isMap(list[i])) list[i] = {};
      inner = list[i] as Values;
    }
    try {
      this.key(inner, nested);
    } catch (e) {
      if (e instanceof EOF) return { list, eof: true };
      throw e;
    }
    return { list: setIndex(list, i, inner) };
  }

  private valList(): unknown[] {
    const r = this.read();
    if (r === undefined) throw new EOF();
    if (r !== '{') {
      this.unread();
      throw new NotList();
    }
    const list: unknown[] = [];
    for (;;) {
      const { text, last } = this.until(',}');
      if (last === undefined) throw new StrvalsError("list must terminate with '}'");
      list.push(this.reader(text));
      if (last === '}') {
        const after = this.read();
        if (after !== undefined && after !== ',') this.unread();
        return list;
      }
    }
  }
}

/** Whether `data` holds `key` itself (never what its prototype holds: `constructor`, `__proto__`). */
function hasKey(data: Values, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(data, key);
}

function set(data: Values, key: string, value: unknown): void {
  if (key === '') return;
  // A plain key even when it is `__proto__` (an assignment would replace the object's prototype).
  Object.defineProperty(data, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Go's setIndex: in place within the list's length, else a longer copy (a Go slice grown by make and copy). */
function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new StrvalsError(`negative ${index} index not allowed`, 'negative … index not allowed');
  if (index > MAX_INDEX)
    throw new StrvalsError(
      `index of ${index} is greater than maximum supported index of ${MAX_INDEX}`,
      `index of … is greater than maximum supported index of ${MAX_INDEX}`,
    );
  const out = list.length > index ? list : [...list, ...new Array<null>(index + 1 - list.length).fill(null)];
  out[index] = value;
  return out;
}

/** Go's %q for a string: double-quoted, with `"`, `\\` and control characters escaped. */
function goQuote(text: string): string {
  return JSON.stringify(text).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

function isMap(v: unknown): v is Values {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v === null) return 'nil';
  return 'map[string]interface {}';
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/**
 * kyaml's merge2.Merge(src, dest) as kustomize's helmCharts `valuesMerge` uses it on values (no schema): maps merge
 * key by key, a null in `src` clears the key, scalars and lists from `src` replace those in `dest`.
 */
export function kyamlMerge(src: unknown, dest: unknown): unknown {
  if (src === undefined) return dest;
  if (isMap(src) && isMap(dest)) {
    const out: Values = { ...dest };
    for (const [k, v] of Object.entries(src)) {
      if (v === null) delete out[k];
      else out[k] = kyamlMerge(v, out[k]);
    }
    return out;
  }
  return src;
}
