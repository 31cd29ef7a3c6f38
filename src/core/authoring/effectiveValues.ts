/**
 * "What is this field in each environment?" (the hover): the field under the cursor in a base or overlay file,
 * its effective value in every environment that renders the object, and the file:line that set it there.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { childPointer, isMap as isRecord, pointerSegments, valueAt } from '../yaml/pointer';
import { formatValue } from '../editor/presentation';
import type { Origin, SourceLocation } from '../model/location';
import type { ResourceKey } from '../model/resource';
import { baseName } from '../promote/pairObjects';
import { KUSTOMIZATION_FILES } from '../render/kustomize/kustomizationFields';
import { childSchema, listStrategy, rootSchema, type TypeSchema } from '../render/kustomize/filters/mergeKeys';
import type { RenderedObject, RenderResult } from '../render/types';
import { maskedObject } from './renderedText';

/** One environment's render, as the engine returned it. Lists of these are in promotion order. */
export interface EnvironmentRender {
  name: string;
  result: RenderResult;
}

/**
 * One step of a field's path: a map key or list index (`token`), or for an item of a merge-keyed list (containers
 * by name, ports by containerPort/protocol) the item's key fields (`match`), which find it wherever a merge moved it.
 */
interface PathStep {
  token: string;
  match?: Record<string, string>;
}

/** The field under the cursor in a repo YAML file. */
export interface FieldAtPosition {
  file: string;
  /** JSON pointer within its document (within the List item, for a List). */
  pointer: string;
  /** The nearest map key: `replicas`, `image`, `newTag` (a list item's is its list's). */
  key: string;
  /** Where the key (or list item) is written: a rendered value this line set has exactly this as its origin. */
  at: SourceLocation;
  /** Where its document (or List item) starts, as RenderedObject.source records a resource, and its last line. */
  document: SourceLocation & { endLine: number };
  documentKind?: string;
  documentName?: string;
  /**
   * The path to look up in a rendered object: `pointer` with merge-keyed list items by their keys; for a field of a
   * JSON6902 operation, the operation's `path` (plus the position inside a structured `value`).
   */
  targetPath: PathStep[];
}

/** A field's value in one rendered object of one environment. */
export interface EffectiveValue {
  environment: string;
  /** The rendered object it belongs to in that environment (names after prefixes, suffixes and hashes). */
  object: ResourceKey;
  /** JSON pointer in the rendered object (for an absent field: where it was looked for). */
  pointer: string;
  /** False when the environment renders the object but not this field. Environments without the object are left out. */
  present: boolean;
  /** The value, a Secret's `data`/`stringData` masked as in the rendered preview. */
  value?: unknown;
  /** The file:line that set it in that environment. */
  origin?: Origin;
}

/**
 * The field under the cursor (1-based line/column) in a repo YAML file's text: the document and JSON pointer within
 * it (arrays by index). Undefined on a non-field position (comment, blank, document separator, indentation).
 */
export function fieldAtPosition(text: string, file: string, line: number, column: number): FieldAtPosition | undefined {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const lineStart = lines.lineStarts[line - 1];
  if (!Array.isArray(docs) || lineStart === undefined) return undefined;
  const offset = lineStart + column - 1;
  const position = (at: number): SourceLocation => {
    const pos = lines.linePos(at);
    return { file, line: pos.line, column: pos.col };
  };
  for (const doc of docs) {
    let root = doc.contents as Node | null;
    const hit =
      root?.range && offset >= root.range[0] && offset < root.range[1] ? findField(root, offset, '') : undefined;
    if (!root?.range || !hit) continue;
    let tokens = hit.tokens;
    // A List's items render as objects of their own: address the item.
    const items = isMap(root) && String(root.get('kind') ?? '').endsWith('List') ? root.get('items', true) : undefined;
    if (isSeq(items) && tokens[0] === 'items' && tokens.length > 2 && isMap(items.items[Number(tokens[1])])) {
      root = items.items[Number(tokens[1])] as Node;
      tokens = tokens.slice(2);
    }
    const inline = inlinePatchField(root, tokens, text, file, line, column, lines);
    if (inline) return inline;
    const range = root.range!;
    const kind = isMap(root) ? root.get('kind') : undefined;
    const name = isMap(root) ? root.getIn(['metadata', 'name']) : undefined;
    const path = targetPath(root, tokens);
    // A JSON6902 operation's `value` is named by the field it sets (`title`, not `value`).
    const opField =
      isSeq(root) && tokens[1] === 'value'
        ? path
            .map((p) => p.token)
            .filter((t) => t !== '-' && !/^\d+$/.test(t))
            .pop()
        : undefined;
    return {
      file,
      pointer: tokens.reduce<string>(childPointer, ''),
      key: opField ?? generatorLiteralKey(root, tokens) ?? hit.key,
      at: position(hit.at),
      document: { ...position(range[0]), endLine: lines.linePos(Math.max(range[0], range[1] - 1)).line },
      ...(typeof kind === 'string' ? { documentKind: kind } : {}),
      ...(typeof name === 'string' ? { documentName: name } : {}),
      targetPath: path,
    };
  }
  return undefined;
}

/**
 * A field inside an inline patch (`patches: - patch: |-` in a kustomization): the field in the patch's own text,
 * at its place in the file, which is where the renderer says such a patch set a value. Block scalars only: their
 * text starts on the line after the `|` header, at the block's indentation, as the renderer places it.
 */
function inlinePatchField(
  root: Node,
  tokens: string[],
  text: string,
  file: string,
  line: number,
  column: number,
  lines: LineCounter,
): FieldAtPosition | undefined {
  const [field, , key] = tokens;
  if (
    tokens.length !== 3 ||
    key !== 'patch' ||
    !['patches', 'patchesJson6902', 'patchesStrategicMerge'].includes(field)
  )
    return undefined;
  const scalar = isMap(root) ? root.getIn(tokens.slice(0, 2).concat('patch'), true) : undefined;
  if (
    !isScalar(scalar) ||
    typeof scalar.value !== 'string' ||
    !scalar.range ||
    (scalar.type !== 'BLOCK_LITERAL' && scalar.type !== 'BLOCK_FOLDED')
  )
    return undefined;
  const header = lines.linePos(scalar.range[0]).line;
  if (line <= header) return undefined;
  const start = lines.lineStarts[header];
  const indent = start === undefined ? 0 : (/^ */.exec(text.slice(start))?.[0].length ?? 0);
  const inner = fieldAtPosition(scalar.value, file, line - header, column - indent);
  if (!inner) return undefined;
  const shift = (at: SourceLocation): SourceLocation => ({ file, line: at.line + header, column: at.column + indent });
  return {
    ...inner,
    at: shift(inner.at),
    document: { ...shift(inner.document), endLine: inner.document.endLine + header },
  };
}

/** A generator literal (`- LOG_LEVEL=warn` under configMapGenerator/secretGenerator) is named by its data key. */
function generatorLiteralKey(root: Node, tokens: string[]): string | undefined {
  if (
    tokens.length !== 4 ||
    tokens[2] !== 'literals' ||
    !['configMapGenerator', 'secretGenerator'].includes(tokens[0]) ||
    !isMap(root)
  )
    return undefined;
  const literal = root.getIn(tokens);
  return typeof literal === 'string' && literal.includes('=') ? literal.slice(0, literal.indexOf('=')) : undefined;
}

/** The map keys / list indexes down to the scalar, key or list item at `offset`. */
function findField(node: Node, offset: number, key: string): { tokens: string[]; key: string; at: number } | undefined {
  const within = (range: readonly number[] | null | undefined, end = range?.[1]) =>
    !!range && end !== undefined && offset >= range[0] && offset < end;
  const nested = (inner: Node, token: string, innerKey: string) => {
    const found = findField(inner, offset, innerKey);
    return found && { ...found, tokens: [token, ...found.tokens] };
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = pair.key as Node | null;
      const v = pair.value as Node | null;
      if (!isScalar(k) || !k.range) continue;
      const name = String(k.value);
      if ((isMap(v) || isSeq(v)) && within(v.range)) return nested(v, name, name);
      // The key, `: ` and a scalar value are the field; a collection's key is the field holding it.
      const end = v && !isMap(v) && !isSeq(v) && v.range ? v.range[1] : k.range[1];
      if (within(k.range, end)) return { tokens: [name], key: name, at: k.range[0] };
    }
  } else if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const n = item as Node | null;
      if (!n || !within(n.range)) continue;
      return isMap(n) || isSeq(n) ? nested(n, String(i), key) : { tokens: [String(i)], key, at: n.range![0] };
    }
  }
  return undefined;
}

function targetPath(root: Node, tokens: string[]): PathStep[] {
  // A JSON6902 patch (a list of operations): the field is the operation's target path.
  const op = isSeq(root) ? root.items[Number(tokens[0])] : undefined;
  const opPath = isMap(op) ? op.get('path') : undefined;
  if (typeof opPath === 'string') {
    const inValue = tokens[1] === 'value' ? tokens.slice(2) : [];
    return [...pointerSegments(opPath), ...inValue].map((token) => ({ token }));
  }
  const js: unknown = root.toJSON();
  const apiVersion = isRecord(js) && typeof js.apiVersion === 'string' ? js.apiVersion : '';
  const kind = isRecord(js) && typeof js.kind === 'string' ? js.kind : '';
  return keyedPath(js, tokens, rootSchema(apiVersion, kind));
}

/** The path of `tokens` in `root`, items of merge-keyed lists (the renderer's merge-key table) by their keys. */
function keyedPath(root: unknown, tokens: string[], schema: TypeSchema | undefined): PathStep[] {
  let node = root;
  return tokens.map((token) => {
    if (!Array.isArray(node)) {
      schema = childSchema(schema, token);
      node = isRecord(node) ? node[token] : undefined;
      return { token };
    }
    const item: unknown = node[Number(token)];
    const strategy = listStrategy(schema);
    const keys = strategy?.keys ?? (strategy?.key ? [strategy.key] : []);
    const present = isRecord(item) ? keys.filter((k) => item[k] !== undefined && item[k] !== null) : [];
    schema = childSchema(schema);
    node = item;
    return present.length && isRecord(item)
      ? { token, match: Object.fromEntries(present.map((k) => [k, String(item[k])])) }
      : { token };
  });
}

/** The pointer `path` leads to in `root` (for a missing step, the rest as written) and whether a value is there. */
function resolve(root: unknown, path: readonly PathStep[]): { pointer: string; present: boolean } {
  let node = root;
  let pointer = '';
  for (const step of path) {
    const index =
      step.match && Array.isArray(node)
        ? node.findIndex(
            (item) =>
              isRecord(item) &&
              Object.entries(step.match!).every(([k, v]) => item[k] !== undefined && String(item[k]) === v),
          )
        : -1;
    const token = index >= 0 ? String(index) : step.token;
    node =
      step.match && index < 0
        ? undefined
        : Array.isArray(node)
          ? /^\d+$/.test(token)
            ? node[Number(token)]
            : undefined
          : isRecord(node)
            ? node[token]
            : undefined;
    pointer = childPointer(pointer, token);
  }
  return { pointer, present: node !== undefined };
}

/** Where an object is declared (or was first generated) is the same place: the same object in another environment. */
function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

/** Whether the object is `name` before this environment's prefix, suffix and generator hash. */
function hasBaseName(object: RenderedObject, name: string, loose: boolean): boolean {
  const rendered = object.origins.get('')?.kind === 'generator' ? baseName(object.key.name) : object.key.name;
  const renamed = ['namePrefix', 'nameSuffix'].includes(object.origins.get('/metadata/name')?.kind ?? '');
  return rendered === name || (loose && renamed && rendered.includes(name));
}

interface Found {
  env: EnvironmentRender;
  object: RenderedObject;
  pointer: string;
  present: boolean;
}

/**
 * That field's effective value in each environment rendering the object: for a resource document, the objects
 * declared by it; for a patch, the objects it patched; for a kustomization field (an `images:` tag, a `replicas:`
 * count, `namespace`), the values it set. An environment that does not read the file still shows the same object
 * (declared at the same place, else of the same kind and name before renames), so every environment's value is
 * listed. In render order per environment; environments without the object are left out.
 */
export function effectiveValues(field: FieldAtPosition, renders: EnvironmentRender[]): EffectiveValue[] {
  const isResource = renders.some((env) => env.result.objects.some((o) => sameLocation(o.source, field.document)));
  const isKustomization = KUSTOMIZATION_FILES.includes(field.file.slice(field.file.lastIndexOf('/') + 1));
  const found: Found[] = [];
  for (const env of renders) {
    for (const object of env.result.objects) {
      if (isResource) {
        if (sameLocation(object.source, field.document))
          found.push({ env, object, ...resolve(object.object, field.targetPath) });
        continue;
      }
      const setHere = [...object.origins].filter(([, o]) => sameLocation(o, field.at)).map(([pointer]) => pointer);
      for (const pointer of setHere) found.push({ env, object, pointer, present: true });
      // A patch whose value here a later layer overrode (or that does not set this field): the object is still one it patched.
      const patched = () =>
        [...object.origins.values()].some(
          (o) => o.file === field.file && o.line >= field.document.line && o.line <= field.document.endLine,
        );
      if (setHere.length === 0 && !isKustomization && patched())
        found.push({ env, object, ...resolve(object.object, field.targetPath) });
    }
  }
  const anchors = [...found];
  for (const env of renders) {
    if (anchors.some((a) => a.env === env)) continue;
    const byName = (loose: boolean) =>
      env.result.objects.find((o) => o.key.kind === field.documentKind && hasBaseName(o, field.documentName!, loose));
    if (anchors.length === 0 && field.documentKind && field.documentName) {
      const peer = byName(false) ?? byName(true);
      if (peer) found.push({ env, object: peer, ...resolve(peer.object, field.targetPath) });
    }
    for (const a of anchors) {
      const sameObject = (o: RenderedObject) => o.key.group === a.object.key.group && o.key.kind === a.object.key.kind;
      const peer =
        env.result.objects.find((o) => sameObject(o) && sameLocation(o.source, a.object.source)) ??
        (field.documentKind && field.documentName ? (byName(false) ?? byName(true)) : undefined);
      if (!peer) continue;
      const resolved = resolve(
        peer.object,
        keyedPath(
          a.object.object,
          pointerSegments(a.pointer),
          rootSchema(a.object.object.apiVersion, a.object.key.kind),
        ),
      );
      if (!found.some((f) => f.env === env && f.object === peer && f.pointer === resolved.pointer))
        found.push({ env, object: peer, ...resolved });
    }
  }
  const order = (f: Found) => renders.indexOf(f.env);
  return found
    .sort((a, b) => order(a) - order(b))
    .map(({ env, object, pointer, present }) => ({
      environment: env.name,
      object: object.key,
      pointer,
      present,
      ...(present ? { value: valueAt(maskedObject(object), pointer), origin: object.origins.get(pointer) } : {}),
    }));
}

/** One row of the hover: an environment, one of its distinct values (formatted, shortened) and where it was set. */
export interface EffectiveValueRow {
  environment: string;
  value: string;
  origin?: SourceLocation;
}

/** The values as hover rows, in order: one per environment and distinct value and origin. */
export function effectiveValueRows(values: EffectiveValue[]): EffectiveValueRow[] {
  const rows = new Map<string, EffectiveValueRow>();
  for (const v of values) {
    const value = formatValue(v.present ? v.value : undefined);
    const origin = v.origin ? { file: v.origin.file, line: v.origin.line, column: v.origin.column } : undefined;
    rows.set(`${v.environment}\0${value}\0${origin ? `${origin.file}:${origin.line}:${origin.column}` : ''}`, {
      environment: v.environment,
      value,
      ...(origin ? { origin } : {}),
    });
  }
  return [...rows.values()];
}

/** One distinct value of a field and the environments that render it (a hover row). */
export interface ValueGroup {
  /** Formatted as {@link formatValue} formats it (long values shortened). */
  value: string;
  /** In render order, each once. */
  environments: string[];
  /** The distinct places that set it, in order. */
  origins: SourceLocation[];
}

/** What the hover on a field says, before any formatting. */
export interface EffectiveValuesSummary {
  key: string;
  /**
   * The environment the file belongs to: the only one whose render reads it (an overlay's own file). The hover
   * then shows that environment alone, and counts the others that differ.
   */
  own?: string;
  /** With `own`: its values; otherwise every distinct value, each with the environments that have it. */
  groups: ValueGroup[];
  /** With `own`: how many other environments render the field, and how many of them with other values. */
  others?: { total: number; differ: number };
  /** Every environment's rows, for the full table. */
  rows: EffectiveValueRow[];
}

/**
 * The hover's content: on a file only one environment reads, that environment's values and a count of the other
 * environments whose values differ; elsewhere (a base, a shared overlay), one group per distinct value.
 * `readers` are the environments whose render read the file ({@link environmentsUsing}).
 */
export function summarizeEffectiveValues(
  key: string,
  values: EffectiveValue[],
  readers: readonly string[],
): EffectiveValuesSummary {
  const rows = effectiveValueRows(values);
  const environments = [...new Set(rows.map((r) => r.environment))];
  const own = readers.length === 1 && environments.includes(readers[0]) ? readers[0] : undefined;
  if (!own) return { key, groups: groupByValue(rows), rows };
  const valuesOf = (env: string) => [...new Set(rows.filter((r) => r.environment === env).map((r) => r.value))].sort();
  const mine = JSON.stringify(valuesOf(own));
  const others = environments.filter((env) => env !== own);
  return {
    key,
    own,
    groups: groupByValue(rows.filter((r) => r.environment === own)),
    others: { total: others.length, differ: others.filter((env) => JSON.stringify(valuesOf(env)) !== mine).length },
    rows,
  };
}

function groupByValue(rows: EffectiveValueRow[]): ValueGroup[] {
  const groups = new Map<string, ValueGroup>();
  for (const row of rows) {
    let group = groups.get(row.value);
    if (!group) groups.set(row.value, (group = { value: row.value, environments: [], origins: [] }));
    if (!group.environments.includes(row.environment)) group.environments.push(row.environment);
    const origin = row.origin;
    if (origin && !group.origins.some((o) => sameLocation(o, origin))) group.origins.push(origin);
  }
  return [...groups.values()];
}

/**
 * One line of hover text: `replicas: dev 1 (base/deploy.yaml:9) · staging 2 (envs/staging/patch.yaml:6)`. Values
 * are shortened beyond 60 characters; an environment with several distinct values lists each once. '' when there
 * are no values.
 */
export function formatEffectiveValues(key: string, values: EffectiveValue[]): string {
  const byEnvironment = new Map<string, Set<string>>();
  for (const row of effectiveValueRows(values)) {
    const text = row.value + (row.origin ? ` (${row.origin.file}:${row.origin.line})` : '');
    byEnvironment.set(row.environment, (byEnvironment.get(row.environment) ?? new Set()).add(text));
  }
  if (byEnvironment.size === 0) return '';
  return `${key}: ${[...byEnvironment].map(([env, texts]) => `${env} ${[...texts].join(', ')}`).join(' · ')}`;
}

/** The environments whose render read `file` (repo-relative), in the given order. */
export function environmentsUsing(file: string, renders: EnvironmentRender[]): string[] {
  return renders.filter((env) => env.result.files.includes(file)).map((env) => env.name);
}
