/**
 * Secret values never leave the engine. Every output that can show a Secret (reports, diffs, previews, the
 * editor's documents, logs) goes through `SecretRedactor`, which finds a Secret's values wherever they hide —
 * `data`, `stringData`, the last-applied annotation and any other annotation or field that embeds the object as
 * JSON — and replaces them by a mask.
 *
 * A mask is a keyed hash (HMAC-SHA256) of the value's bytes: equal values mask equally, so "same" / "differs"
 * stays visible, but nobody without the key can test a guess against it. Shown masks use a random key made once
 * per process and never written anywhere (`runMasker`); snapshots, which two runs must compare, use the user's
 * own key (see snapshotSecrets.ts). No output carries a stable unkeyed digest of a value.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KubeObject, ResourceKey } from '../model/resource';
import { isMap, pointerSegments } from '../yaml/pointer';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** Values shorter than this are not searched for in annotations: "1" or "yes" would mask unrelated text. */
const MIN_SCRUB_LENGTH = 4;
/**
 * In messages (a server's or a tool's) only values this long are searched for: a message names namespaces and
 * objects, and a short value such as a user name "shop" would garble "shop-dev" without hiding anything secret.
 */
const MIN_MESSAGE_SCRUB_LENGTH = 8;

/** Whether the object is a core/v1 Secret. */
export function isSecret(obj: { apiVersion?: string; kind?: string } | ResourceKey): boolean {
  return 'group' in obj ? obj.group === '' && obj.kind === 'Secret' : obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/** Whether a pointer inside a Secret holds (or contains) Secret values. */
export function isSecretValuePath(pointer: string): boolean {
  return (
    pointer === '/data' ||
    pointer === '/stringData' ||
    pointer.startsWith('/data/') ||
    pointer.startsWith('/stringData/')
  );
}

/** Decodes base64 `data` to bytes (as a binary string); tolerant of whitespace as the API server is. */
export function decodeBase64(value: string): string {
  return Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('latin1');
}

/** Keyed masks for Secret values: `(secret: #3f9a1b2c4d5e)`, equal for equal bytes under one key. */
export class SecretMasker {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length < 16) throw new Error('a secret masking key needs at least 16 bytes');
    this.key = Buffer.from(key);
  }

  /** A masker with a fresh random key. */
  static random(): SecretMasker {
    return new SecretMasker(randomBytes(32));
  }

  /** The mask of one value's bytes. 48 bits of a keyed hash: enough to tell values apart, useless without the key. */
  mask(bytes: Buffer): string {
    return `(secret: #${createHmac('sha256', this.key).update(bytes).digest('hex').slice(0, 12)})`;
  }
}

/** The process's masker: its key is random, lives only in memory, and so masks compare only within one run. */
export const runMasker = SecretMasker.random();

/** How values are replaced: shown masks (`data` holds the mask text) or stand-ins that stay valid base64. */
export interface RedactionStyle {
  /** The replacement for one value's bytes, found under `dataKey` of `data`/`stringData`. */
  replace(bytes: Buffer, dataKey: string): string;
  /** Whether `data` values hold base64 of the replacement (a snapshot that must still read as a Secret). */
  dataAsBase64: boolean;
}

/** The style every shown output uses. */
export function shownStyle(masker: SecretMasker = runMasker): RedactionStyle {
  return { replace: (bytes) => masker.mask(bytes), dataAsBase64: false };
}

/**
 * Masks the values of one or more versions of a Secret (desired and live, before and after). Values are collected
 * from all of them first, so a value that only one side holds is still scrubbed from the other side's annotations.
 */
export class SecretRedactor {
  /** Every value's text as it may appear elsewhere (plain and base64), mapped to its replacement. */
  private readonly known = new Map<string, string>();
  private pattern: RegExp | undefined;
  private messagePattern: RegExp | undefined;

  constructor(
    objects: readonly (KubeObject | Record<string, unknown> | undefined)[],
    private readonly style: RedactionStyle = shownStyle(),
  ) {
    for (const obj of objects) if (obj) this.collect(obj);
  }

  /** A copy of a Secret with every value replaced; anything else is returned as it is. */
  object<T extends KubeObject | Record<string, unknown>>(obj: T): T {
    if (!isSecret(obj as KubeObject)) return obj;
    return this.redact(obj as Record<string, unknown>) as T;
  }

  /** A value found at `pointer` of a Secret (a field of a drift report), masked as `object` masks it there. */
  value(pointer: string, value: unknown): unknown {
    if (value === undefined || value === null) return value;
    const [field, dataKey, ...deeper] = pointerSegments(pointer);
    if ((field === 'data' || field === 'stringData') && dataKey === undefined) {
      return isMap(value) ? this.redactMap(value, field === 'data') : '(secret)';
    }
    if ((field === 'data' || field === 'stringData') && deeper.length === 0)
      return this.replaceValue(value, dataKey, field === 'data');
    if (field === 'data' || field === 'stringData') return '(secret)';
    if (field === 'metadata' && dataKey === 'annotations' && typeof value === 'string')
      return this.annotation(deeper[0] ?? '', value);
    if (field === 'metadata' && dataKey === 'annotations' && deeper.length === 0 && isMap(value))
      return this.redactAnnotations(value);
    if (field === 'metadata' && dataKey === undefined && isMap(value)) return this.redactMetadata(value);
    if (field === undefined && isMap(value)) return this.redact(value);
    return value;
  }

  /** Text with every known value (plain or base64) replaced by its mask: for messages a server or tool wrote. */
  text(text: string): string {
    this.messagePattern ??= searchPattern([...this.known.keys()].filter((v) => v.length >= MIN_MESSAGE_SCRUB_LENGTH));
    return this.messagePattern ? text.replace(this.messagePattern, (found) => this.known.get(found) ?? found) : text;
  }

  /** Annotation text with every known value replaced. */
  private scrubText(text: string): string {
    this.pattern ??= searchPattern([...this.known.keys()]);
    return this.pattern ? text.replace(this.pattern, (found) => this.known.get(found) ?? found) : text;
  }

  private collect(obj: Record<string, unknown>): void {
    for (const field of ['data', 'stringData'] as const) {
      const map = obj[field];
      if (!isMap(map)) continue;
      for (const [dataKey, v] of Object.entries(map)) {
        if (typeof v !== 'string') continue;
        const bytes = field === 'data' ? Buffer.from(decodeBase64(v), 'latin1') : Buffer.from(v, 'utf8');
        const mask = this.style.replace(bytes, dataKey);
        this.remember(bytes.toString('utf8'), mask);
        this.remember(bytes.toString('base64'), mask);
        if (field === 'data') this.remember(v, mask);
      }
    }
    const metadata = isMap(obj.metadata) ? obj.metadata : undefined;
    const annotations = metadata && isMap(metadata.annotations) ? metadata.annotations : undefined;
    for (const v of Object.values(annotations ?? {})) {
      const embedded = typeof v === 'string' ? parseJson(v) : undefined;
      if (embedded !== undefined) this.collectEmbedded(embedded);
    }
  }

  /** Values of Secret-shaped objects inside parsed JSON (an annotation holding the object, or a list of them). */
  private collectEmbedded(value: unknown): void {
    if (Array.isArray(value)) value.forEach((v) => this.collectEmbedded(v));
    else if (isMap(value)) {
      if (isMap(value.data) || isMap(value.stringData)) this.collect(value);
      for (const v of Object.values(value)) if (typeof v === 'object') this.collectEmbedded(v);
    }
  }

  private remember(text: string, mask: string): void {
    if (text.length < MIN_SCRUB_LENGTH || this.known.has(text)) return;
    this.known.set(text, mask);
    this.pattern = this.messagePattern = undefined;
  }

  // Objects are built with Object.fromEntries: a key named `__proto__` from input stays a plain key. Identity
  // (names, namespaces, labels) is kept as it is: it is not secret, and snapshots match objects by it.
  private redact(obj: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(obj).map(([k, v]) => [
        k,
        (k === 'data' || k === 'stringData') && isMap(v)
          ? this.redactMap(v, k === 'data')
          : k === 'metadata' && isMap(v)
            ? this.redactMetadata(v)
            : v,
      ]),
    );
  }

  private redactMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(metadata).map(([k, v]) => [k, k === 'annotations' && isMap(v) ? this.redactAnnotations(v) : v]),
    );
  }

  private redactAnnotations(annotations: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(annotations).map(([k, v]) => [k, typeof v === 'string' ? this.annotation(k, v) : v]),
    );
  }

  /** An annotation value: embedded JSON is redacted as an object; other text is scrubbed of known values. */
  private annotation(name: string, value: string): string {
    const embedded = parseJson(value);
    if (embedded !== undefined) return JSON.stringify(this.redactEmbedded(embedded));
    // Unparsable last-applied text may still hold values that are not known from elsewhere: keep none of it.
    return name === LAST_APPLIED ? '(secret: unreadable last-applied-configuration)' : this.scrubText(value);
  }

  private redactEmbedded(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.redactEmbedded(v));
    // Other text inside the embedded copy (its names, namespaces) is searched for long values only, as messages are.
    if (typeof value === 'string') return this.text(value);
    if (!isMap(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        (k === 'data' || k === 'stringData') && isMap(v) ? this.redactMap(v, k === 'data') : this.redactEmbedded(v),
      ]),
    );
  }

  private redactMap(map: Record<string, unknown>, isData: boolean): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(map).map(([dataKey, v]) => [dataKey, this.replaceValue(v, dataKey, isData)]),
    );
  }

  private replaceValue(value: unknown, dataKey: string, isData: boolean): string {
    const bytes =
      typeof value === 'string'
        ? isData
          ? Buffer.from(decodeBase64(value), 'latin1')
          : Buffer.from(value, 'utf8')
        : Buffer.from(JSON.stringify(value) ?? '', 'utf8');
    const replaced = this.style.replace(bytes, dataKey);
    return isData && this.style.dataAsBase64 ? Buffer.from(replaced, 'utf8').toString('base64') : replaced;
  }
}

/** A copy of a Secret with every value masked wherever it hides (for anything shown to people). */
export function maskSecret<T extends KubeObject>(obj: T, masker: SecretMasker = runMasker): T {
  return isSecret(obj) ? new SecretRedactor([obj], shownStyle(masker)).object(obj) : obj;
}

/** A copy of a Secret with `stringData` folded into `data` (base64), as the API server stores it. */
export function foldStringData(obj: KubeObject): KubeObject {
  if (!isMap(obj.stringData)) return obj;
  const data: Record<string, unknown> = isMap(obj.data) ? { ...obj.data } : {};
  for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  const { stringData: _omit, ...rest } = obj;
  return { ...rest, data } as KubeObject;
}

function parseJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** One pattern for several texts, longest first so a value that contains another is replaced whole. */
function searchPattern(texts: string[]): RegExp | undefined {
  return texts.length
    ? new RegExp(
        texts
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      )
    : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
