/**
 * `kustomize build` in-process: accumulate resources, components and generators, run the builtin transformers in
 * kustomize's order at every level, then (at the root only) add hash suffixes, fix name references and sort.
 */
import type { Origin, SourceLocation } from '../model/location';
import { type Problem, ProblemError } from '../model/problem';
import { keyOf, type KubeObject } from '../model/resource';
import { commonAnnotationSpecs, commonLabelSpecs, metadataLabelSpecs, templateLabelSpecs } from './defaultConfig';
import type { FieldSpec } from './fieldSpec';
import { applyImages } from './filters/images';
import { applyJson6902 } from './filters/json6902';
import { applyPairs, type Pair } from './filters/metadataMaps';
import { fixNameReferences } from './filters/nameReference';
import { applyNamespace } from './filters/namespace';
import { applyPrefixSuffix } from './filters/prefixSuffix';
import { applyReplacement } from './filters/replacements';
import { applyReplicas } from './filters/replicas';
import { applyStrategicMerge } from './filters/strategicMerge';
import { applyVars, readVar, type Var } from './filters/vars';
import { generate, readOptions } from './generators';
import { nameHash } from './hash';
import { Loader, type RenderCache } from './loader';
import { sortLegacy } from './order';
import { describe, effectiveNamespace, gvkOf, idString, nameOf, namespaceOf, rememberName, type Resource } from './resource';
import { readSelector, selects, type Selector } from './selector';
import { getMap, getString, toPlain, TreeOrigins, tscalar, type TMap, type TNode, type TScalar } from './tree';
import type { RenderedObject, RenderOptions, RenderResult } from './types';

/** Render options plus an optional parse cache for warm renders. */
export interface KustomizeOptions extends RenderOptions {
  cache?: RenderCache;
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const UNSUPPORTED: Record<string, string> = {
  helmCharts: 'Helm charts are not inflated',
  helmGlobals: 'Helm charts are not inflated',
  helmChartInflationGenerator: 'Helm charts are not inflated',
  openapi: 'custom OpenAPI schemas are not supported',
  crds: 'CRD schemas for merge keys are not supported',
  generators: 'generator plugins are never executed',
  transformers: 'transformer plugins are never executed',
  validators: 'validator plugins are never executed',
  configurations: 'custom transformer configurations are not supported',
  buildMetadata: 'buildMetadata annotations are not added',
};

const KNOWN = new Set([
  'apiVersion', 'kind', 'metadata', 'resources', 'bases', 'components', 'namespace', 'namePrefix', 'nameSuffix', 'commonLabels',
  'labels', 'commonAnnotations', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'images', 'imageTags', 'replicas',
  'replacements', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'sortOptions', 'vars', ...Object.keys(UNSUPPORTED),
]);

interface Context {
  loader: Loader;
  problems: Problem[];
  sortOrder: 'legacy' | 'fifo';
  /** Custom `legacySortOptions` kind lists (undefined: kustomize's defaults). */
  orderFirst?: string[];
  orderLast?: string[];
  /** `vars:` of every kustomization built, resolved once at the root. */
  vars: Var[];
}

function readSortOptions(ctx: Context, options: TMap | undefined): void {
  if (!options) return;
  const order = getString(options, 'order');
  if (order && order !== 'legacy' && order !== 'fifo') fail(`sortOptions.order must be legacy or fifo, not '${order}'`, options.entries.get('order')!.origin);
  if (order === 'fifo') ctx.sortOrder = 'fifo';
  const legacy = getMap(options, 'legacySortOptions');
  if (legacy) {
    ctx.orderFirst = scalars(legacy, 'orderFirst').map((s) => String(s.value));
    ctx.orderLast = scalars(legacy, 'orderLast').map((s) => String(s.value));
  }
}

function fail(message: string, at: SourceLocation): never {
  throw new ProblemError({ severity: 'error', message, location: at });
}

function warn(ctx: Context, message: string, at: SourceLocation): void {
  ctx.problems.push({ severity: 'warning', message, location: { file: at.file, line: at.line, column: at.column } });
}

function scalars(k: TMap, field: string): TScalar[] {
  const v = k.entries.get(field);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return [];
  if (v.kind !== 'seq') fail(`'${field}' must be a list`, v.origin);
  return v.items.map((i) => {
    if (i.kind !== 'scalar' || i.value === null) fail(`each '${field}' entry must be a string`, i.origin);
    return i;
  });
}

function maps(k: TMap, field: string): TMap[] {
  const v = k.entries.get(field);
  if (v === undefined || (v.kind === 'scalar' && v.value === null)) return [];
  if (v.kind !== 'seq') fail(`'${field}' must be a list`, v.origin);
  return v.items.map((i) => {
    if (i.kind !== 'map') fail(`each '${field}' entry must be a map`, i.origin);
    return i;
  });
}

function isRemote(path: string): boolean {
  return /^(https?:\/\/|git@|ssh:\/\/|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(path) || /[?&]ref=/.test(path) || /\.git(\/\/|$)/.test(path);
}

function withKind(origin: Origin, kind: Origin['kind']): Origin {
  return { file: origin.file, line: origin.line, column: origin.column, kind };
}

/** Renders the kustomization root at `dir` (repo-relative) the way `kustomize build` does. */
export async function renderKustomization(dir: string, options: KustomizeOptions): Promise<RenderResult> {
  const repoRoot = options.repoRoot.replace(/\/+$/, '') || '/';
  const loader = new Loader(options.fs, repoRoot, options.cache);
  const ctx: Context = { loader, problems: [], sortOrder: 'legacy', vars: [] };
  const rootAt: SourceLocation = { file: dir, line: 0, column: 0 };
  const abs = loader.resolve(repoRoot, dir, rootAt);
  const resources = await build(ctx, abs, rootAt, 'Kustomization', []);
  for (const res of resources) {
    if (!res.needsHash) continue;
    rememberName(res);
    const meta = getMap(res.node, 'metadata')!;
    meta.entries.set('name', tscalar(`${nameOf(res)}-${nameHash(res.node)}`, meta.entries.get('name')!.origin));
  }
  fixNameReferences(resources);
  applyVars(resources, ctx.vars);
  if (ctx.sortOrder === 'legacy') sortLegacy(resources, ctx.orderFirst, ctx.orderLast);
  const objects: RenderedObject[] = resources.map((res) => {
    const object = toPlain(res.node) as KubeObject;
    return { object, key: keyOf(object), origins: new TreeOrigins(res.node), source: res.source };
  });
  // Entries load concurrently: order warnings by where they point, not by which read finished first.
  const problems = ctx.problems.sort((a, b) => (a.location?.file ?? '').localeCompare(b.location?.file ?? '') || (a.location?.line ?? 0) - (b.location?.line ?? 0));
  return { root: loader.rel(abs), objects, problems, files: [...loader.files].sort() };
}

async function findKustomization(ctx: Context, dir: string, at: SourceLocation): Promise<string> {
  const names = new Set(await ctx.loader.readDir(dir).catch(() => [] as string[]));
  const found = KUSTOMIZATION_FILES.filter((n) => names.has(n));
  if (found.length > 1) fail(`${ctx.loader.rel(dir)} has more than one kustomization file (${found.join(', ')}); kustomize refuses to choose`, at);
  if (found.length === 0) fail(`no kustomization.yaml, kustomization.yml or Kustomization in ${ctx.loader.rel(dir)}`, at);
  return dir + '/' + found[0];
}

/**
 * Builds one kustomization (or a component, into the parent's `shared` list). `chain` holds the directories
 * being built around this one, outermost first: a repeat is a cycle.
 */
async function build(ctx: Context, dir: string, at: SourceLocation, expected: 'Kustomization' | 'Component', outer: readonly string[], shared?: Resource[]): Promise<Resource[]> {
  if (outer.includes(dir)) {
    const chain = [...outer.slice(outer.indexOf(dir)), dir].map((d) => ctx.loader.rel(d)).join(' -> ');
    fail(`kustomization cycle: ${chain}`, at);
  }
  const chain = [...outer, dir];
  const file = await findKustomization(ctx, dir, at);
  const docs = await ctx.loader.readYaml(file, 'resource', at, false);
  const k = docs[0] ?? { kind: 'map', entries: new Map(), origin: { file: ctx.loader.rel(file), line: 1, column: 1, kind: 'resource' } };
  if (k.kind !== 'map') fail('a kustomization must be a YAML map', k.origin);
  const kind = getString(k, 'kind') || 'Kustomization';
  if (kind !== expected) {
    // Reported at the entry that lists it: that is the line to fix.
    fail(expected === 'Component' ? `${ctx.loader.rel(dir)} is a ${kind}, but it is listed under components: (it needs kind: Component)` : `${ctx.loader.rel(dir)} is a Component: list it under components:, not resources:`, at);
  }
  for (const [field, value] of k.entries) {
    if (UNSUPPORTED[field]) warn(ctx, `'${field}' is not supported yet (${UNSUPPORTED[field]}); skipped`, value.origin);
    else if (!KNOWN.has(field)) fail(`unknown kustomization field '${field}'`, value.origin);
  }
  if (outer.length === 0) readSortOptions(ctx, getMap(k, 'sortOptions'));

  const resources = shared ?? [];
  await accumulateResources(ctx, k, dir, resources, chain);
  for (const c of scalars(k, 'components')) {
    const path = String(c.value);
    if (isRemote(path)) {
      warn(ctx, `remote component '${path}' is not fetched; skipped`, c.origin);
      continue;
    }
    const abs = ctx.loader.resolve(dir, path, c.origin);
    const st = await ctx.loader.stat(abs);
    if (!st?.isDirectory) fail(`component '${path}' ${st ? 'is not a directory' : 'not found'}`, c.origin);
    await build(ctx, abs, c.origin, 'Component', chain, resources);
  }
  await runGenerators(ctx, k, dir, resources);
  await runTransformers(ctx, k, dir, resources);
  ctx.vars.push(...maps(k, 'vars').map(readVar));
  return resources;
}

/** Appends resources, refusing a second object with an id already present (`ids` indexes `resources`). */
function addAll(resources: Resource[], added: Resource[], ids = new Map(resources.map((r) => [idString(r), r]))): void {
  for (const res of added) {
    const id = idString(res);
    const first = ids.get(id);
    if (first) fail(`duplicate resource ${describe(res)} (already declared at ${first.source.file}:${first.source.line})`, res.source);
    ids.set(id, res);
    resources.push(res);
  }
}

function toResources(doc: TNode): Resource[] {
  if (doc.kind === 'scalar' && doc.value === null) return [];
  if (doc.kind !== 'map') fail('a resource document must be a YAML map', doc.origin);
  const kind = getString(doc, 'kind');
  const items = doc.entries.get('items');
  if (kind.endsWith('List') && items?.kind === 'seq') return items.items.flatMap(toResources);
  if (!kind) fail('resource has no kind', doc.origin);
  const meta = getMap(doc, 'metadata');
  if (!getString(meta, 'name')) fail(`${kind} has no metadata.name`, doc.origin);
  // kustomize drops empty (or null) labels and annotations maps when it loads a resource.
  for (const field of ['labels', 'annotations']) {
    const v = meta!.entries.get(field);
    if (v && ((v.kind === 'map' && v.entries.size === 0) || (v.kind === 'scalar' && v.value === null))) meta!.entries.delete(field);
  }
  return [{ node: doc, source: { file: doc.origin.file, line: doc.origin.line, column: doc.origin.column }, history: [], needsHash: false }];
}

async function accumulateResources(ctx: Context, k: TMap, dir: string, resources: Resource[], chain: readonly string[]): Promise<void> {
  // Entries load concurrently (file reads overlap); they are added in their listed order, and the first failing
  // entry in that order is the error reported.
  const loads = [...scalars(k, 'resources'), ...scalars(k, 'bases')].map(async (entry): Promise<Resource[]> => {
    const path = String(entry.value);
    if (isRemote(path)) {
      warn(ctx, `remote resource '${path}' is not fetched; skipped`, entry.origin);
      return [];
    }
    const abs = ctx.loader.resolve(dir, path, entry.origin);
    // A YAML file name is read directly (one call instead of stat + read); anything else may be a directory.
    const st = /\.(ya?ml|json)$/.test(path) && abs.startsWith(dir + '/') ? { isDirectory: false } : await ctx.loader.stat(abs);
    if (!st) fail(`resource '${path}' not found`, entry.origin);
    if (st.isDirectory) return build(ctx, abs, entry.origin, 'Kustomization', chain);
    return (await ctx.loader.readYaml(ctx.loader.resolveFile(dir, path, entry.origin), 'resource', entry.origin)).flatMap(toResources);
  });
  const settled = await Promise.allSettled(loads);
  const ids = new Map(resources.map((r) => [idString(r), r]));
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    addAll(resources, s.value, ids);
  }
}

async function runGenerators(ctx: Context, k: TMap, dir: string, resources: Resource[]): Promise<void> {
  const global = readOptions(k.entries.get('generatorOptions'));
  let ids: Map<string, Resource> | undefined;
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const entry of maps(k, field)) {
      const res = await generate(kind, entry, dir, ctx.loader, global);
      if (res.behavior === 'create') addAll(resources, [res], (ids ??= new Map(resources.map((r) => [idString(r), r]))));
      else absorb(res, entry, resources);
    }
  }
}

/** `behavior: merge|replace`: folds a generated object into the one a base generated. */
function absorb(res: Resource, entry: TMap, resources: Resource[]): void {
  const { kind } = gvkOf(res);
  const name = nameOf(res);
  const ns = namespaceOf(res);
  const matches = resources.filter(
    (r) => gvkOf(r).kind === kind && [{ name: nameOf(r), namespace: namespaceOf(r) }, ...r.history].some((h) => h.name === name && (!ns || effectiveNamespace(kind, h.namespace) === effectiveNamespace(kind, ns))),
  );
  if (matches.length !== 1) fail(`${kind} '${name}' has behavior: ${res.behavior}, but ${matches.length === 0 ? 'no base declares it' : 'several objects match'}`, entry.origin);
  const old = matches[0];
  const oldMeta = getMap(old.node, 'metadata')!;
  const newMeta = getMap(res.node, 'metadata')!;
  for (const field of ['labels', 'annotations']) {
    const add = getMap(newMeta, field);
    if (!add) continue;
    const into = getMap(oldMeta, field) ?? (oldMeta.entries.set(field, { kind: 'map', entries: new Map(), origin: add.origin }), getMap(oldMeta, field)!);
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
  old.needsHash = old.needsHash || res.needsHash;
}

/** A patch's text (inline or from `path`) parsed into documents, with positions in the file that holds it. */
async function loadPatch(ctx: Context, dir: string, entry: TNode, kind: 'strategicMergePatch' | 'json6902Patch'): Promise<{ docs: TNode[] }> {
  const path = entry.kind === 'map' ? entry.entries.get('path') : undefined;
  const inline = entry.kind === 'map' ? entry.entries.get('patch') : entry;
  if (path?.kind === 'scalar' && path.value !== null) {
    const abs = ctx.loader.resolveFile(dir, String(path.value), path.origin);
    return { docs: await ctx.loader.readYaml(abs, kind, path.origin, false) };
  }
  if (inline?.kind === 'scalar' && typeof inline.value === 'string') {
    const placement = inline.block ? { lineOffset: inline.block.line - 1, columnOffset: inline.block.column - 1 } : { lineOffset: inline.origin.line - 1, columnOffset: 0 };
    const docs = ctx.loader.parseInline(inline.value, inline.origin.file, kind, placement);
    return { docs };
  }
  fail('a patch needs path: or patch:', entry.origin);
}

/** Resources a patch without a target applies to: its own kind/name (current or earlier), and namespace if set. */
function patchTargets(patch: TMap, resources: Resource[]): Resource[] {
  const kind = getString(patch, 'kind');
  const name = getString(getMap(patch, 'metadata'), 'name');
  const ns = getString(getMap(patch, 'metadata'), 'namespace');
  const group = getString(patch, 'apiVersion').includes('/') ? getString(patch, 'apiVersion').split('/')[0] : '';
  const byName = resources.filter((r) => {
    const g = gvkOf(r);
    if (g.kind !== kind || g.group !== group) return false;
    return nameOf(r) === name || r.history.some((h) => h.name === name);
  });
  if (!ns) {
    if (byName.length <= 1) return byName;
    const inDefault = byName.filter((r) => effectiveNamespace(kind, namespaceOf(r)) === 'default');
    if (inDefault.length === 1) return inDefault;
    fail(`patch matches ${byName.length} objects (${byName.map(describe).join(', ')}); set metadata.namespace in the patch`, patch.origin);
  }
  return byName.filter((r) => effectiveNamespace(kind, namespaceOf(r)) === effectiveNamespace(kind, ns) || r.history.some((h) => effectiveNamespace(kind, h.namespace) === effectiveNamespace(kind, ns)));
}

/** Merges an SMP document into each target; the target keeps its own identity fields. */
function applySmp(patch: TMap, targets: Resource[], resources: Resource[], opts: { allowNameChange: boolean; allowKindChange: boolean }): void {
  for (const res of targets) {
    const copy: TMap = { kind: 'map', entries: new Map(patch.entries), origin: patch.origin };
    if (!opts.allowKindChange) {
      copy.entries.delete('apiVersion');
      copy.entries.delete('kind');
    }
    const meta = getMap(copy, 'metadata');
    if (meta) {
      const m: TMap = { kind: 'map', entries: new Map(meta.entries), origin: meta.origin };
      if (!opts.allowNameChange) m.entries.delete('name');
      m.entries.delete('namespace');
      copy.entries.set('metadata', m);
    }
    if (opts.allowNameChange || opts.allowKindChange) rememberName(res);
    const { group, kind } = gvkOf(res);
    if (!applyStrategicMerge(res.node, copy, group, kind)) resources.splice(resources.indexOf(res), 1);
  }
}

function selectorOf(node: TNode | undefined): Selector | undefined {
  return node?.kind === 'map' ? readSelector(node) : undefined;
}

function selectorText(sel: Selector): string {
  return Object.entries(sel).map(([k, v]) => `${k}: ${v}`).join(', ');
}

async function applyPatchEntry(ctx: Context, dir: string, entry: TNode, resources: Resource[], legacyJson: boolean): Promise<void> {
  const target = selectorOf(entry.kind === 'map' ? entry.entries.get('target') : undefined);
  const options = entry.kind === 'map' ? getMap(entry, 'options') : undefined;
  const opts = { allowNameChange: getString(options, 'allowNameChange') === 'true', allowKindChange: getString(options, 'allowKindChange') === 'true' };
  let { docs } = await loadPatch(ctx, dir, entry, legacyJson ? 'json6902Patch' : 'strategicMergePatch');
  const json = legacyJson || (docs.length === 1 && docs[0].kind === 'seq');
  if (json) {
    if (!target) fail('a JSON6902 patch needs a target', entry.origin);
    // Parsed trees are shared (cached): load again as a JSON6902 patch rather than relabel them.
    if (!legacyJson) docs = (await loadPatch(ctx, dir, entry, 'json6902Patch')).docs;
    const selected = resources.filter((r) => selects(target, r));
    if (selected.length === 0) warn(ctx, `patch target matches nothing (${selectorText(target)})`, entry.origin);
    for (const res of selected) for (const d of docs) applyJson6902(res.node, d);
    return;
  }
  for (const doc of docs) {
    if (doc.kind !== 'map') fail('a strategic merge patch must be a YAML map', doc.origin);
    if (target) {
      const selected = resources.filter((r) => selects(target, r));
      if (selected.length === 0) warn(ctx, `patch target matches nothing (${selectorText(target)})`, entry.origin);
      applySmp(doc, selected, resources, opts);
    } else {
      const targets = patchTargets(doc, resources);
      if (targets.length === 0) {
        const name = getString(getMap(doc, 'metadata'), 'name');
        fail(`patch matches no resource: no ${getString(doc, 'kind') || '(no kind)'} named '${name}'`, doc.origin);
      }
      applySmp(doc, targets, resources, opts);
    }
  }
}

function pairsOf(node: TNode | undefined, kind: Origin['kind']): Pair[] {
  if (node?.kind !== 'map') return [];
  return [...node.entries].map(([key, v]) => ({ key, value: v.kind === 'scalar' && v.value !== null ? String(v.value) : '', origin: withKind(v.origin, kind) }));
}

function scalarField(k: TMap, field: string, kind: Origin['kind']): { value: string; origin: Origin } | undefined {
  const v = k.entries.get(field);
  if (v?.kind !== 'scalar' || v.value === null || v.value === '') return undefined;
  return { value: String(v.value), origin: withKind(v.origin, kind) };
}

function readFieldSpecs(node: TNode | undefined): FieldSpec[] {
  if (node?.kind !== 'seq') return [];
  return node.items.map((f) => ({
    path: getString(f, 'path'),
    kind: getString(f, 'kind') || undefined,
    group: getString(f, 'group') || undefined,
    version: getString(f, 'version') || undefined,
    create: getString(f, 'create') === 'true',
  }));
}

async function runTransformers(ctx: Context, k: TMap, dir: string, resources: Resource[]): Promise<void> {
  for (const entry of k.entries.get('patchesStrategicMerge')?.kind === 'seq' ? (k.entries.get('patchesStrategicMerge') as { items: TNode[] }).items : []) {
    // An entry is a file path, or (when it spans lines) an inline patch.
    const inline = entry.kind === 'scalar' && typeof entry.value === 'string' && entry.value.includes('\n');
    const asEntry: TNode = inline || entry.kind !== 'scalar' ? entry : { kind: 'map', entries: new Map([['path', entry]]), origin: entry.origin };
    await applyPatchEntry(ctx, dir, asEntry, resources, false);
  }
  for (const entry of maps(k, 'patches')) await applyPatchEntry(ctx, dir, entry, resources, false);

  const ns = scalarField(k, 'namespace', 'namespace');
  if (ns) applyNamespace(resources, ns.value, ns.origin);
  applyPrefixSuffix(resources, scalarField(k, 'namePrefix', 'namePrefix'), scalarField(k, 'nameSuffix', 'nameSuffix'));

  for (const label of maps(k, 'labels')) {
    const includeSelectors = getString(label, 'includeSelectors') === 'true';
    const includeTemplates = getString(label, 'includeTemplates') === 'true';
    const specs = [...readFieldSpecs(label.entries.get('fields')), ...(includeSelectors ? commonLabelSpecs : includeTemplates ? templateLabelSpecs : metadataLabelSpecs)];
    applyPairs(resources, pairsOf(label.entries.get('pairs'), 'labels'), specs, withKind(label.origin, 'labels'));
  }
  const commonLabels = k.entries.get('commonLabels');
  if (commonLabels) applyPairs(resources, pairsOf(commonLabels, 'labels'), commonLabelSpecs, withKind(commonLabels.origin, 'labels'));
  const commonAnnotations = k.entries.get('commonAnnotations');
  if (commonAnnotations) applyPairs(resources, pairsOf(commonAnnotations, 'annotations'), commonAnnotationSpecs, withKind(commonAnnotations.origin, 'annotations'));

  for (const entry of maps(k, 'patchesJson6902')) await applyPatchEntry(ctx, dir, entry, resources, true);

  const replicas = maps(k, 'replicas').map((r) => {
    const count = r.entries.get('count');
    const n = count?.kind === 'scalar' ? Number(count.value) : NaN;
    if (!Number.isInteger(n)) fail(`replicas entry '${getString(r, 'name')}' needs an integer count`, (count ?? r).origin);
    return { name: getString(r, 'name'), count: n, origin: withKind(count!.origin, 'replicas') };
  });
  applyReplicas(resources, replicas);
  applyImages(
    resources,
    [...maps(k, 'images'), ...maps(k, 'imageTags')].map((img) => ({
      name: getString(img, 'name'),
      newName: getString(img, 'newName') || undefined,
      newTag: getString(img, 'newTag') || undefined,
      digest: getString(img, 'digest') || undefined,
      origin: withKind((img.entries.get('newTag') ?? img.entries.get('digest') ?? img.entries.get('newName') ?? img).origin, 'image'),
    })),
  );
  for (const entry of maps(k, 'replacements')) {
    const path = entry.entries.get('path');
    if (path?.kind === 'scalar' && path.value !== null) {
      const abs = ctx.loader.resolveFile(dir, String(path.value), path.origin);
      for (const doc of await ctx.loader.readYaml(abs, 'replacement', path.origin, false)) {
        for (const r of doc.kind === 'seq' ? doc.items : [doc]) {
          if (r.kind !== 'map') fail('a replacement must be a map with source and targets', r.origin);
          applyReplacement(resources, r);
        }
      }
    } else applyReplacement(resources, entry);
  }
}
