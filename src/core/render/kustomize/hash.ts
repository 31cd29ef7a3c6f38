/**
 * The ConfigMap/Secret name suffix, byte-for-byte as kustomize computes it (api/hasher/hasher.go): sha256 over
 * Go's `json.Marshal` of a few fields, first 10 hex digits with some letters swapped.
 */
import { createHash } from 'node:crypto';
import { toPlain, type TMap } from '../../yaml/tree';

/** Go's encoding/json for strings: HTML-safe escapes and U+2028/2029 escaped, like Go 1.22+. */
function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else if (c >= 0xd800 && c <= 0xdbff && !(s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff))
      out += '\ufffd';
    else if (c >= 0xdc00 && c <= 0xdfff && !(s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff))
      out += '\ufffd';
    else out += ch;
  }
  return out + '"';
}

/** Go's `json.Marshal` of JSON-like data: map keys sorted by their bytes. */
export function goJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '[' + value.map(goJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return '{' + keys.map((k) => goString(k) + ':' + goJson(obj[k])).join(',') + '}';
}

/** kustomize's `encode`: the first 10 hex digits, with 0/1/3/a/e swapped so the result is never all digits. */
function encode(hex: string): string {
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return [...hex.slice(0, 10)].map((c) => swap[c] ?? c).join('');
}

/**
 * A map field the way the hasher reads it: YAML scalars become their text (Go's hasher goes through
 * MarshalJSON of the YAML node, which keeps scalars as strings); a missing field is "".
 */
function field(node: TMap, key: string): unknown {
  const v = node.entries.get(key);
  if (v === undefined) return '';
  if (v.kind !== 'map') return v.kind === 'scalar' ? (v.value === null ? '' : String(v.value)) : toPlain(v);
  const out: Record<string, unknown> = {};
  for (const [k, child] of v.entries)
    out[k] = child.kind === 'scalar' ? (child.value === null ? null : String(child.value)) : toPlain(child);
  return out;
}

/** The hash suffix of a ConfigMap or Secret tree. */
export function nameHash(node: TMap): string {
  const kind = field(node, 'kind');
  // kustomize looks the name up as one field literally called "metadata/name", which never exists: the name
  // always hashes as "". Reproduced, since the suffix must match byte for byte.
  const nameValue = '';
  let m: Record<string, unknown>;
  if (kind === 'Secret') {
    m = { kind: 'Secret', type: field(node, 'type'), name: nameValue, data: field(node, 'data') };
    if (node.entries.get('stringData')?.kind === 'map') m.stringData = field(node, 'stringData');
  } else {
    m = { kind: 'ConfigMap', name: nameValue, data: field(node, 'data') };
    if (node.entries.get('binaryData')?.kind === 'map') m.binaryData = field(node, 'binaryData');
  }
  return encode(createHash('sha256').update(goJson(m), 'utf8').digest('hex'));
}
