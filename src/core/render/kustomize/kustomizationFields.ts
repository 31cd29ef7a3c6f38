/** Reading a kustomization file's fields: shapes, positions and the list of fields kustomize knows. */
import type { Origin, SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import type { FieldSpec } from './fieldSpec';
import type { ImageEdit } from './filters/images';
import type { Pair } from './filters/metadataMaps';
import { getString, type TMap, type TNode, type TScalar } from '../../yaml/tree';

/** File names kustomize accepts for a kustomization, in its order. */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Fields we do not implement yet, with why: reported as warnings at their line, never run or fetched. */
export const UNSUPPORTED: Record<string, string> = {
  // The deprecated form of helmCharts (kustomize's HelmChartArgs): helmCharts and helmGlobals are inflated.
  helmChartInflationGenerator:
    "the deprecated helmChartInflationGenerator field is not inflated (write helmCharts: instead): the chart's objects are missing from this render",
  openapi: 'custom OpenAPI schemas are not supported',
  crds: 'CRD schemas for merge keys are not supported',
  validators: 'validator plugins are never executed',
  buildMetadata: 'buildMetadata annotations are not added',
};

/**
 * The UNSUPPORTED fields whose skipping leaves objects or changes out of the render (validators only check, openapi
 * and crds tune merges, buildMetadata adds annotations).
 */
export const SKIPS_CONTENT = new Set(['helmChartInflationGenerator']);

/** Every field kustomize v5 accepts; anything else is an error, as in kustomize. */
export const KNOWN = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'components',
  'namespace',
  'namePrefix',
  'nameSuffix',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patches',
  'patchesStrategicMerge',
  'patchesJson6902',
  'images',
  'imageTags',
  'replicas',
  'replacements',
  'configMapGenerator',
  'secretGenerator',
  'generatorOptions',
  'sortOptions',
  'vars',
  'configurations',
  'transformers',
  'generators',
  'helmCharts',
  'helmGlobals',
  ...Object.keys(UNSUPPORTED),
]);

/** Throws a ProblemError at a location (`code`: see Problem.code). */
export function fail(message: string, at: SourceLocation, code?: string): never {
  throw new ProblemError({ severity: 'error', message, location: at, ...(code ? { code } : {}) });
}

/** A list-of-strings field (empty when absent); a wrong shape is an error at its line. */
export function scalars(k: TMap, field: string): TScalar[] {
  const v = k.entries.get(field);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return [];
  if (v.kind !== 'seq') fail(`'${field}' must be a list`, v.origin);
  return v.items.map((i) => {
    if (i.kind !== 'scalar' || i.value === null) fail(`each '${field}' entry must be a string`, i.origin);
    return i;
  });
}

/** A list-of-maps field (empty when absent); a wrong shape is an error at its line. */
export function maps(k: TMap, field: string): TMap[] {
  const v = k.entries.get(field);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return [];
  if (v.kind !== 'seq') fail(`'${field}' must be a list`, v.origin);
  return v.items.map((i) => {
    if (i.kind !== 'map') fail(`each '${field}' entry must be a map`, i.origin);
    return i;
  });
}

/** Whether a resource/component entry is a URL or git reference (never fetched). */
export function isRemote(path: string): boolean {
  return (
    /^(https?:\/\/|git@|ssh:\/\/|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(path) ||
    /[?&]ref=/.test(path) ||
    /\.git(\/\/|$)/.test(path)
  );
}

/** The same position with another origin kind. */
export function withKind(origin: Origin, kind: Origin['kind']): Origin {
  return { file: origin.file, line: origin.line, column: origin.column, kind };
}

/** A string map field as pairs, each with the line that sets it. */
export function pairsOf(node: TNode | undefined, kind: Origin['kind']): Pair[] {
  if (node?.kind !== 'map') return [];
  return [...node.entries].map(([key, v]) => ({ key, value: stringValue(v, key), origin: withKind(v.origin, kind) }));
}

/**
 * A field kustomize declares as a string: a number or boolean there fails kustomize's decoding (and so Argo CD's
 * and Flux's builds), so it is an error at its line rather than a silently converted value. Null is ''.
 */
export function stringValue(v: TNode | undefined, field: string): string {
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return '';
  if (v.kind !== 'scalar' || typeof v.value !== 'string') {
    fail(
      `'${field}' must be a string${v.kind === 'scalar' ? ` (quote it: YAML reads ${String(v.value)} as a ${typeof v.value})` : ''}`,
      v.origin,
    );
  }
  return v.value;
}

/** Fields of the structs in kustomization lists and maps, by lower case: Go's JSON decoding matches them case-insensitively. */
const STRUCT_FIELDS = new Map(
  [
    ...KNOWN,
    'name',
    'namespace',
    'behavior',
    'literals',
    'files',
    'envs',
    'env',
    'options',
    'type',
    'labels',
    'annotations',
    'disableNameSuffixHash',
    'immutable',
    'newName',
    'newTag',
    'digest',
    'tagSuffix',
    'count',
    'path',
    'patch',
    'target',
    'group',
    'version',
    'labelSelector',
    'annotationSelector',
    'allowNameChange',
    'allowKindChange',
    'pairs',
    'includeSelectors',
    'includeTemplates',
    'fields',
    'create',
    'source',
    'targets',
    'select',
    'reject',
    'fieldPaths',
    'fieldPath',
    'delimiter',
    'index',
    'objref',
    'fieldref',
    'order',
    'legacySortOptions',
    'orderFirst',
    'orderLast',
  ].map((f) => [f.toLowerCase(), f]),
);

/** Maps whose keys are the user's (label names, annotation keys): never renamed. */
const FREE_FORM = new Set(['commonLabels', 'commonAnnotations', 'labels', 'annotations', 'pairs']);

/**
 * The kustomization with field names in their canonical case (`nameprefix` → `namePrefix`), as kustomize reads
 * them. Returns the tree itself when nothing needs renaming (parsed trees are shared and never changed).
 */
export function canonicalFields(node: TNode, parentKey = ''): TNode {
  if (FREE_FORM.has(parentKey) && node.kind === 'map') return node;
  if (node.kind === 'seq') {
    const items = node.items.map((i) => canonicalFields(i, parentKey));
    return items.every((i, n) => i === node.items[n]) ? node : { ...node, items };
  }
  if (node.kind !== 'map') return node;
  let changed = false;
  const entries = new Map<string, TNode>();
  for (const [key, value] of node.entries) {
    const canonical = STRUCT_FIELDS.get(key.toLowerCase()) ?? key;
    const child = canonicalFields(value, canonical);
    if (canonical !== key || child !== value) changed = true;
    entries.set(canonical, child);
  }
  return changed ? { ...node, entries } : node;
}

/** A non-empty scalar field with its position. */
export function scalarField(
  k: TMap,
  field: string,
  kind: Origin['kind'],
): { value: string; origin: Origin } | undefined {
  const v = k.entries.get(field);
  if (v?.kind !== 'scalar' || v.value === null || v.value === '') return undefined;
  return { value: String(v.value), origin: withKind(v.origin, kind) };
}

/** `fields:` / fieldSpecs entries of a `labels:` item. */
export function readFieldSpecs(node: TNode | undefined): FieldSpec[] {
  if (node?.kind !== 'seq') return [];
  return node.items.map((f) => ({
    path: getString(f, 'path'),
    kind: getString(f, 'kind') || undefined,
    group: getString(f, 'group') || undefined,
    version: getString(f, 'version') || undefined,
    create: getString(f, 'create') === 'true',
  }));
}

/** One `images:` entry (or a builtin ImageTagTransformer's `imageTag:`) as the images filter applies it. */
export function imageEditOf(img: TMap): ImageEdit {
  return {
    name: stringValue(img.entries.get('name'), 'name'),
    newName: stringValue(img.entries.get('newName'), 'newName') || undefined,
    newTag: stringValue(img.entries.get('newTag'), 'newTag') || undefined,
    digest: stringValue(img.entries.get('digest'), 'digest') || undefined,
    origin: withKind(
      (img.entries.get('newTag') ?? img.entries.get('digest') ?? img.entries.get('newName') ?? img).origin,
      'image',
    ),
  };
}
