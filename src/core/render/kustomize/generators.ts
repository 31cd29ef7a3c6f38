/**
 * `configMapGenerator` / `secretGenerator` entries (kustomize's builtin generators): data from literals, files
 * and env files, generator options merged from `generatorOptions`. The hash suffix is added at the root.
 */
import type { Origin } from '../../model/location';
import { ProblemError, SKIPPED_CONTENT } from '../../model/problem';
import { isRemote } from './kustomizationFields';
import type { Loader } from './loader';
import { effectiveNamespace, gvkOf, nameOf, namespaceOf, type NameIndex, type Resource } from './resource';
import { getMap, getString, tmap, tscalar, type TMap, type TNode } from '../../yaml/tree';

/** `options:` / `generatorOptions:` as kustomize merges them. */
export interface GeneratorOptions {
  labels: Array<{ key: string; value: string; origin: Origin }>;
  annotations: Array<{ key: string; value: string; origin: Origin }>;
  disableNameSuffixHash: boolean;
  immutable: boolean;
}

function pairs(node: TNode | undefined, kind: Origin['kind']): GeneratorOptions['labels'] {
  if (node?.kind !== 'map') return [];
  return [...node.entries].map(([key, v]) => ({
    key,
    value: v.kind === 'scalar' && v.value !== null ? String(v.value) : '',
    origin: { ...v.origin, kind },
  }));
}

/** Reads an options map. */
export function readOptions(node: TNode | undefined): GeneratorOptions {
  return {
    labels: pairs(getMap(node, 'labels'), 'generator'),
    annotations: pairs(getMap(node, 'annotations'), 'generator'),
    disableNameSuffixHash: getString(node, 'disableNameSuffixHash') === 'true',
    immutable: getString(node, 'immutable') === 'true',
  };
}

/** Local options win; global labels/annotations fill in; either flag set means set (MergeGlobalOptionsIntoLocal). */
export function mergeOptions(local: GeneratorOptions, global: GeneratorOptions): GeneratorOptions {
  const merge = (l: GeneratorOptions['labels'], g: GeneratorOptions['labels']) => [
    ...g.filter((x) => !l.some((y) => y.key === x.key)),
    ...l,
  ];
  return {
    labels: merge(local.labels, global.labels),
    annotations: merge(local.annotations, global.annotations),
    disableNameSuffixHash: local.disableNameSuffixHash || global.disableNameSuffixHash,
    immutable: local.immutable || global.immutable,
  };
}

/** kustomize's encodeBase64: lines of 70 characters, each ending in a newline, once the text reaches 70. */
export function encodeBase64(content: string | Uint8Array): string {
  const enc = (typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content)).toString('base64');
  if (Math.floor(enc.length / 70) + 1 <= 1) return enc;
  let out = '';
  for (let i = 0; i < enc.length; i += 70) out += enc.slice(i, i + 70) + '\n';
  return out;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of valid UTF-8 bytes, undefined otherwise (Go's utf8.Valid). */
function utf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

function stripQuotes(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

function strings(node: TNode | undefined): Array<{ value: string; origin: Origin }> {
  if (node?.kind !== 'seq') return [];
  return node.items
    .filter((i) => i.kind === 'scalar' && i.value !== null)
    .map((i) => ({ value: String((i as { value: unknown }).value), origin: i.origin }));
}

function fail(message: string, origin: Origin): never {
  throw new ProblemError({ severity: 'error', message, location: origin });
}

/** Parses an env file the way kustomize does: KEY=VALUE lines, value kept verbatim; # comments and blank lines skipped. The key's line is reported, never the value (it may be a Secret's). */
export function parseEnvFile(text: string, file: string): Array<{ key: string; value: string; line: number }> {
  const out: Array<{ key: string; value: string; line: number }> = [];
  const lines = text.replace(/^\ufeff/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    // A line without `=` is a key with an empty value in kustomize 5.7 (never read from the process environment).
    const key = (eq < 0 ? line : line.slice(0, eq)).trimStart();
    if (/\s/.test(key))
      throw new ProblemError({
        severity: 'error',
        message: `invalid env key on line ${i + 1}: it may not contain whitespace`,
        location: { file, line: i + 1, column: 1 },
      });
    out.push({ key: eq < 0 ? key.trimEnd() : key, value: eq < 0 ? '' : line.slice(eq + 1), line: i + 1 });
  });
  return out;
}

const ENTRY_FIELDS = new Set(['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options']);
const OPTION_FIELDS = new Set(['labels', 'annotations', 'disableNameSuffixHash', 'immutable']);

/** Builds the object one generator entry describes; an unknown field is an error at its key, as in kustomize. */
export async function generate(
  kind: 'ConfigMap' | 'Secret',
  entry: TMap,
  dir: string,
  loader: Loader,
  global: GeneratorOptions,
  warn?: (message: string, at: Origin, code?: string) => void,
): Promise<Resource> {
  for (const [key, value] of entry.entries) {
    if (!ENTRY_FIELDS.has(key) && !(kind === 'Secret' && key === 'type'))
      fail(
        `unknown field '${key}' in a ${kind === 'Secret' ? 'secretGenerator' : 'configMapGenerator'} entry`,
        value.origin,
      );
  }
  const optionsNode = entry.entries.get('options');
  if (optionsNode?.kind === 'map')
    for (const [key, value] of optionsNode.entries)
      if (!OPTION_FIELDS.has(key)) fail(`unknown generator option '${key}'`, value.origin);
  const entryOrigin: Origin = { ...entry.origin, kind: 'generator' };
  const nameNode = entry.entries.get('name');
  const name = getString(entry, 'name');
  const data = new Map<string, { value: string | Uint8Array; origin: Origin }>();
  const put = (key: string, value: string | Uint8Array, origin: Origin) => {
    if (data.has(key)) fail(`${kind} ${name}: key '${key}' is set twice`, origin);
    data.set(key, { value, origin });
  };
  // The deprecated `env: file` (one file) is read after `envs:`, as kustomize's FixKustomization appends it.
  const single = entry.entries.get('env');
  const envFiles = [
    ...strings(entry.entries.get('envs')),
    ...(single?.kind === 'scalar' && single.value !== null && single.value !== ''
      ? [{ value: String(single.value), origin: single.origin }]
      : strings(single)),
  ];
  // kustomize would download a URL here; nothing is fetched: that source is left out, with a warning at its line.
  const local = (source: { value: string; origin: Origin }, path: string) => {
    if (!isRemote(path)) return true;
    warn?.(
      `remote generator file '${path}' is not fetched; its keys are missing from ${kind} ${getString(entry, 'name')}`,
      source.origin,
      SKIPPED_CONTENT,
    );
    return false;
  };
  for (const env of envFiles) {
    if (!local(env, env.value)) continue;
    const abs = await loader.resolveFile(dir, env.value, env.origin);
    const file = loader.rel(abs);
    for (const kv of parseEnvFile(await loader.readText(abs, env.origin), file))
      put(kv.key, kv.value, { file, line: kv.line, column: 1, kind: 'generatorEnv' });
  }
  for (const lit of strings(entry.entries.get('literals'))) {
    const eq = lit.value.indexOf('=');
    if (eq <= 0) fail(`a literal must be KEY=VALUE`, lit.origin);
    put(lit.value.slice(0, eq), stripQuotes(lit.value.slice(eq + 1)), { ...lit.origin, kind: 'generatorLiteral' });
  }
  for (const f of strings(entry.entries.get('files'))) {
    const eq = f.value.indexOf('=');
    const key = eq > 0 ? f.value.slice(0, eq) : f.value.slice(f.value.lastIndexOf('/') + 1);
    const path = eq > 0 ? f.value.slice(eq + 1) : f.value;
    if (!local(f, path)) continue;
    const abs = await loader.resolveFile(dir, path, f.origin);
    const bytes = await loader.readBytes(abs, f.origin);
    put(key, utf8(bytes) ?? bytes, { ...f.origin, kind: 'generatorFile' });
  }
  const options = mergeOptions(readOptions(entry.entries.get('options')), global);
  const node = tmap(entryOrigin);
  node.entries.set('apiVersion', tscalar('v1', entryOrigin));
  // Text goes to data; a ConfigMap's non-UTF-8 file goes to binaryData, base64 (kustomize's makeConfigMapValueRNode).
  for (const field of ['binaryData', 'data'] as const) {
    const keys = [...data.keys()]
      .filter((k) => (field === 'binaryData') === (kind === 'ConfigMap' && typeof data.get(k)!.value !== 'string'))
      .sort();
    // A Secret always has data, `{}` when the generator names nothing (kustomize's makeSecret; the hash covers it).
    if (keys.length === 0 && !(kind === 'Secret' && field === 'data')) continue;
    const dataNode = tmap(entryOrigin);
    for (const key of keys) {
      const d = data.get(key)!;
      dataNode.entries.set(
        key,
        tscalar(kind === 'Secret' || typeof d.value !== 'string' ? encodeBase64(d.value) : d.value, d.origin),
      );
    }
    node.entries.set(field, dataNode);
  }
  if (options.immutable) node.entries.set('immutable', tscalar(true, entryOrigin));
  node.entries.set('kind', tscalar(kind, entryOrigin));
  const meta = tmap(entryOrigin);
  meta.entries.set('name', tscalar(name, nameNode ? { ...nameNode.origin, kind: 'generator' } : entryOrigin));
  const ns = entry.entries.get('namespace');
  if (ns?.kind === 'scalar' && ns.value)
    meta.entries.set('namespace', tscalar(String(ns.value), { ...ns.origin, kind: 'generator' }));
  for (const [field, list] of [
    ['labels', options.labels],
    ['annotations', options.annotations],
  ] as const) {
    if (list.length === 0) continue;
    const m = tmap(entryOrigin);
    for (const p of list) m.entries.set(p.key, tscalar(p.value, p.origin));
    meta.entries.set(field, m);
  }
  node.entries.set('metadata', meta);
  if (kind === 'Secret') {
    const type = entry.entries.get('type');
    node.entries.set(
      'type',
      type?.kind === 'scalar' && type.value
        ? tscalar(String(type.value), { ...type.origin, kind: 'generator' })
        : tscalar('Opaque', entryOrigin),
    );
  }
  const written = getString(entry, 'behavior') || 'create';
  let behavior: 'create' | 'merge' | 'replace' = 'create';
  if (written === 'merge' || written === 'replace') behavior = written;
  else if (written !== 'create') {
    // kustomize reads any other word as unspecified, which creates (NewGenerationBehavior): so does this, saying so.
    warn?.(
      `behavior '${written}' is not create, merge or replace; kustomize treats it as create`,
      entry.entries.get('behavior')!.origin,
    );
  }
  return {
    node,
    source: entryOrigin,
    history: [],
    prefixes: [],
    suffixes: [],
    needsHash: !options.disableNameSuffixHash,
    behavior,
  };
}

/** `behavior: merge|replace`: folds a generated object into the one a base generated. */
export function absorb(res: Resource, entry: TMap, index: NameIndex): void {
  const gvk = gvkOf(res);
  const { kind } = gvk;
  const name = nameOf(res);
  const ns = namespaceOf(res);
  const sameNs = (namespace: string) => !ns || effectiveNamespace(gvk, namespace) === effectiveNamespace(gvk, ns);
  const matches = index
    .get(kind, name)
    .filter(
      (r) =>
        (nameOf(r) === name && sameNs(namespaceOf(r))) || r.history.some((h) => h.name === name && sameNs(h.namespace)),
    );
  if (matches.length !== 1)
    fail(
      `${kind} '${name}' has behavior: ${res.behavior}, but ${matches.length === 0 ? 'no base declares it' : 'several objects match'}`,
      entry.origin,
    );
  const old = matches[0];
  const oldMeta = getMap(old.node, 'metadata')!;
  const newMeta = getMap(res.node, 'metadata')!;
  for (const field of ['labels', 'annotations']) {
    const add = getMap(newMeta, field);
    if (!add) continue;
    const into =
      getMap(oldMeta, field) ??
      (oldMeta.entries.set(field, { kind: 'map', entries: new Map(), origin: add.origin }), getMap(oldMeta, field)!);
    for (const [key, v] of add.entries) into.entries.set(key, v);
  }
  for (const field of ['data', 'binaryData']) {
    const add = getMap(res.node, field);
    const prev = getMap(old.node, field);
    if (res.behavior === 'replace') {
      if (add) old.node.entries.set(field, add);
      else old.node.entries.delete(field);
    } else if (add) {
      if (!prev) old.node.entries.set(field, add);
      else for (const [key, v] of add.entries) prev.entries.set(key, v);
    }
  }
  // Either side disabling the hash suffix disables it (what kustomize prints for merges).
  old.needsHash = old.needsHash && res.needsHash;
}
