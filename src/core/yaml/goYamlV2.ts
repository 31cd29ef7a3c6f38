/**
 * YAML as sigs.k8s.io/yaml reads and writes it (its fork of go-yaml v2: YAML 1.1 scalars), for Argo CD's
 * ApplicationSet `toYaml` and `fromYaml`: `on`, `yes`, `y` are booleans, `0777` is octal, `1_000` is 1000, and a
 * string that would read back as anything else is written quoted. Read from go-yaml v2's `resolve.go` and
 * `encode.go`, checked against the test bed's appset-oracle (test/conformance/applicationSet.test.ts).
 */
import { Document, parseAllDocuments, type ScalarTag, type Tags } from 'yaml';
import { resolveGoInt } from './goYamlScalars';

/** go-yaml v2's resolve table: the plain scalars that are booleans, nulls and special floats. */
const SPECIAL = new Map<string, unknown>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s): [string, unknown] => [s, true]),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s): [string, unknown] => [
    s,
    false,
  ]),
  ...['', '~', 'null', 'Null', 'NULL'].map((s): [string, unknown] => [s, null]),
  ...['.nan', '.NaN', '.NAN'].map((s): [string, unknown] => [s, NaN]),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s): [string, unknown] => [s, Infinity]),
  ...['-.inf', '-.Inf', '-.INF'].map((s): [string, unknown] => [s, -Infinity]),
]);

/** go-yaml v2's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** go-yaml v2's isBase60Float: written quoted (YAML 1.1 read it as a number), read as a string. */
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
/** The layouts go-yaml v2's parseTimestamp tries (`2006-1-2T15:4:5.999999999Z07:00`, `... 15:4:5...`, `2006-1-2`). */
const TIMESTAMP =
  /^\d{4}-(\d{1,2})-(\d{1,2})(?:(?:[Tt]\d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))|(?: \d{1,2}:\d{1,2}:\d{1,2}(?:\.\d+)?))?$/;

function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  return m !== null && Number(m[1]) >= 1 && Number(m[1]) <= 12 && Number(m[2]) >= 1 && Number(m[2]) <= 31;
}

/**
 * A plain scalar as go-yaml v2 resolves it: a boolean, null, an integer (a bigint), a float64 (a number), or the
 * string itself. A timestamp stays the text it is (sigs.k8s.io/yaml hands it on as written).
 */
export function resolveV2Scalar(s: string): unknown {
  if (SPECIAL.has(s)) return SPECIAL.get(s);
  if (s === '<<') return s;
  const c = s[0];
  if (c === '.') {
    // Not in the table: maybe a float (`.5`), parsed as written, underscores not dropped.
    const f = GO_FLOAT.test(s) ? Number(s) : NaN;
    return Number.isFinite(f) ? f : s;
  }
  if (!/[-+0-9]/.test(c)) return s;
  if (isTimestamp(s)) return s;
  const plain = s.replace(/_/g, '');
  const n = resolveGoInt(plain);
  if (typeof n === 'bigint') return n;
  // A float out of float64's range is an error in strconv.ParseFloat: the string stays.
  if (typeof n === 'number') return Number.isFinite(n) ? n : s;
  return s;
}

/** Whether go-yaml v2 writes the string quoted because, written plain, it would read back as something else. */
export function v2QuotesString(s: string): boolean {
  if (s === '<<') return false;
  return typeof resolveV2Scalar(s) !== 'string' || isTimestamp(s) || BASE60_FLOAT.test(s);
}

/** A plain scalar's value as go-yaml v2 reads it, for the `yaml` package (the first default tag whose test matches). */
const v2Plain: ScalarTag = {
  tag: 'tag:gitops-drift,2026:go-yaml-v2',
  default: true,
  test: /^(?!<<$)[\s\S]*$/,
  resolve: (s) => resolveV2Scalar(s),
};

const RESOLVED_BY_V2 = /^tag:yaml\.org,2002:(null|bool|int|float|timestamp)$/;

/** What sigs.k8s.io/yaml makes of a value going to JSON: a message of the error Go returns, or the JSON value. */
function toJsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v))
    throw new Error(
      `error converting YAML to JSON: json: unsupported value: ${Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'}`,
    );
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, value] of v) out[jsonKey(k)] = toJsonValue(value);
    return out;
  }
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return v;
}

/** sigs.k8s.io/yaml's map key as a JSON key: strings as they are, booleans and numbers printed, anything else an error. */
function jsonKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'boolean' || typeof k === 'bigint') return String(k);
  if (typeof k === 'number')
    return Number.isNaN(k) ? '.nan' : k === Infinity ? '.inf' : k === -Infinity ? '-.inf' : String(k);
  if (k === null) throw new Error('error converting YAML to JSON: unsupported map key of type: %!s(<nil>)');
  throw new Error(`error converting YAML to JSON: yaml: invalid map key: ${JSON.stringify(k)}`);
}

/**
 * YAML text as `sigs.k8s.io/yaml.Unmarshal` reads it into Go's `any`: the first document, YAML 1.1 scalars, merge
 * keys, a repeated key's last value, every key a string and every number a float64 (a JS number). Throws with Go's
 * message part on bad YAML or what JSON cannot hold.
 */
export function parseV2Yaml(text: string): unknown {
  const [doc] = parseAllDocuments(text, {
    version: '1.1',
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    // Booleans, nulls, numbers and timestamps resolved as go-yaml v2 resolves them; collections, `!!str`,
    // `!!binary` and merge keys as the `yaml` package reads them.
    customTags: (tags: Tags) => [v2Plain, ...tags.filter((t) => typeof t === 'string' || !RESOLVED_BY_V2.test(t.tag))],
  });
  if (!doc) return null;
  if (doc.errors.length)
    throw new Error(`error converting YAML to JSON: yaml: ${doc.errors[0].message.split('\n')[0]}`);
  return toJsonValue(doc.toJS({ mapAsMap: true, maxAliasCount: 1000 }));
}

/**
 * A JSON-shaped value as `sigs.k8s.io/yaml.Marshal` writes it (through encoding/json, then go-yaml v2): keys in the
 * order given, a list under a key not indented, a string that would read back as another type double-quoted, one
 * plain YAML cannot hold single-quoted, a number as JSON's text read back by go-yaml (an integer as written, any
 * other as float64 `%g`).
 */
export function stringifyV2Yaml(value: unknown, formatNumber: (n: number) => string): string {
  const goNumber: ScalarTag = {
    tag: 'tag:yaml.org,2002:float',
    default: true,
    identify: (v) => typeof v === 'number',
    // Never matches when reading; the `yaml` package asks for a test before it lets a custom tag write.
    test: /$^/,
    resolve: (s) => Number(s),
    stringify: ({ value: n }) => formatNumber(n as number),
  };
  const doc = new Document(value, { customTags: (tags: Tags) => [goNumber, ...tags] });
  const visitStrings = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const n = node as { value?: unknown; type?: string; items?: unknown[]; key?: unknown };
    if ('items' in n && Array.isArray(n.items)) for (const item of n.items) visitStrings(item);
    else if ('key' in n) {
      visitStrings(n.key);
      visitStrings(n.value);
    } else if (typeof n.value === 'string') {
      // Control characters (a tab too) and characters YAML cannot print: double-quoted with escapes, as go-yaml.
      if (v2QuotesString(n.value) || /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufefe\uff00-\ufffd]/.test(n.value))
        n.type = 'QUOTE_DOUBLE';
    }
  };
  visitStrings(doc.contents);
  return doc.toString({ lineWidth: 0, indentSeq: false, singleQuote: true });
}
