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
 * key), an empty document nothing. Read as Helm's sigs.k8s.io/yaml reads it, YAML 1.1 (`y`, `yes`, `on` are
 * booleans, `0755` octal) with every key made a string (`y:` is the key "true"). Throws with the first message line
 * when a document is not YAML, or not a map.
 */
export function loadValuesText(text: string): Values {
  let values: Values = {};
  for (const doc of parseAllDocuments(text, { version: '1.1', merge: true, prettyErrors: false })) {
    if (doc.errors.length) throw new Error(doc.errors[0].message.split('\n')[0]);
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value))
      throw new Error(`cannot unmarshal yaml document: a values document must be a map, not ${describe(value)}`);
    values = mergeMaps(values, value as Values);
  }
  return values;
}

/** `--set NAME=VALUE` (typed), `--set-string` (`asString`), or `--set-file` (`file` gives the value read for a path). */
export function parseSetInto(
  line: string,
  dest: Values,
  how: { asString?: boolean; file?: (path: string) => unknown } = {},
): void {
  const reader = how.file
    ? (runes: string) => how.file!(runes)
    : (runes: string) => typedValue(runes, how.asString === true);
  const parser = new StrvalsParser(line, dest, reader);
  parser.parse();
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
    if (n <= 9223372036854775807n && n >= -9223372036854775808n) return Number(n);
  }
  return value;
}

class EOF extends Error {}
class NotList extends Error {}

/** A port of helm's strvals parser (ParseInto and friends), over a string instead of a rune buffer. */
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
      throw new Error(`key "${k}" has no value`);
    }
    if (last === '[') {
      const i = this.keyIndex();
      const existing = data[k];
      if (existing !== undefined && !Array.isArray(existing))
        throw new Error(
          `unable to parse key: interface conversion: interface {} is ${goType(existing)}, not []interface {}`,
        );
      const list = this.listItem(existing ? [...(existing as unknown[])] : [], i, nested);
      set(data, k, list);
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
      throw new Error(`key "${k}" has no value (cannot end with ,)`);
    }
    // '.'
    if (nested + 1 > MAX_NESTED_NAME_LEVEL)
      throw new Error(
        `value name nested level is greater than maximum supported nested level of ${MAX_NESTED_NAME_LEVEL}`,
      );
    const existing = data[k];
    if (existing !== undefined && !isMap(existing))
      throw new Error(
        `unable to parse key: interface conversion: interface {} is ${goType(existing)}, not map[string]interface {}`,
      );
    const inner: Values = existing ? (existing as Values) : {};
    let error: unknown;
    try {
      this.key(inner, nested + 1);
    } catch (e) {
      error = e;
    }
    if (error === undefined && Object.keys(inner).length === 0) throw new Error(`key map "${k}" has no value`);
    if (Object.keys(inner).length) set(data, k, inner);
    if (error !== undefined) throw error;
  }

  private keyIndex(): number {
    const { text, last } = this.until(']');
    if (last === undefined) throw new EOF();
    if (!/^[+-]?\d+$/.test(text))
      throw new Error(`error parsing index: strconv.Atoi: parsing "${text}": invalid syntax`);
    return Number(text);
  }

  private listItem(list: unknown[], i: number, nested: number): unknown[] {
    if (i < 0) throw new Error(`negative ${i} index not allowed`);
    const { text: k, last } = this.until('[.=');
    if (k.length > 0) throw new Error(`unexpected data at end of array index: "${k}"`);
    if (last === undefined) throw new EOF();
    if (last === '=') {
      let value: unknown;
      try {
        value = this.valList();
      } catch (e) {
        if (e instanceof EOF) return setIndex(list, i, '');
        if (!(e instanceof NotList)) throw e;
        value = this.reader(this.until(',').text);
      }
      return setIndex(list, i, value);
    }
    if (last === '[') {
      const next = this.keyIndex();
      const existing = list.length > i ? list[i] : undefined;
      const inner = Array.isArray(existing) ? [...existing] : [];
      return setIndex(list, i, this.listItem(inner, next, nested));
    }
    // '.'
    const existing = list.length > i ? list[i] : undefined;
    const inner: Values = isMap(existing) ? existing : {};
    this.key(inner, nested);
    return setIndex(list, i, inner);
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
      if (last === undefined) throw new Error("list must terminate with '}'");
      list.push(this.reader(text));
      if (last === '}') {
        const after = this.read();
        if (after !== undefined && after !== ',') this.unread();
        return list;
      }
    }
  }
}

function set(data: Values, key: string, value: unknown): void {
  if (key === '') return;
  data[key] = value;
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new Error(`negative ${index} index not allowed`);
  if (index > MAX_INDEX) throw new Error(`index of ${index} is greater than maximum supported index of ${MAX_INDEX}`);
  const out = [...list];
  while (out.length <= index) out.push(null);
  out[index] = value;
  return out;
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
