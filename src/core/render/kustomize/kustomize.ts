/**
 * src/core/render/kustomize/: the Kustomize renderer: this build, the loader (reads inside the repo, parse cache),
 * kustomization fields, generators, patches, plugin configs, and filters/ (one small file per transformation). It
 * imports render/types.ts and the base layers.
 *
 * `kustomize build` (v5.7.1) in-process: accumulate resources, components and generators, run the builtin
 * transformers in kustomize's order at every level (patchesStrategicMerge, patches, namespace, prefix/suffix,
 * labels, annotations, patchesJson6902, replicas, images, replacements), then at the root only add hash suffixes,
 * fix name references, expand vars and sort. Where kustomize's behaviour is surprising (kyaml's list merge order,
 * `$setElementOrder` kept as a key, ports keyed by protocol) the output follows kustomize, not the SMP spec.
 * Built-in transformer and generator configs under `transformers:` / `generators:` run after the fields
 * (pluginConfigs.ts). `helmCharts:` with a chart in this repo inflate through Helm's engine, as with `--enable-helm`
 * (helmCharts.ts). Plugins, openapi/crds and remote resources are reported as warnings and skipped: nothing is
 * fetched or run.
 */
import type { SourceLocation } from '../../model/location';
import { type Problem, SKIPPED_CONTENT } from '../../model/problem';
import { keyOf, type KubeObject } from '../../model/resource';
import {
  commonAnnotationSpecs,
  commonLabelSpecs,
  metadataLabelSpecs,
  type NameReference,
  templateLabelSpecs,
} from './defaultConfig';
import { applyImages, imageFieldNotScalar, imageVolumeSpecs } from './filters/images';
import { applyPairs } from './filters/metadataMaps';
import type { FieldSpec } from './fieldSpec';
import { fixNameReferences } from './filters/nameReference';
import { applyNamespace } from './filters/namespace';
import { applyPrefixSuffix } from './filters/prefixSuffix';
import { applyReplacement } from './filters/replacements';
import { applyReplicas } from './filters/replicas';
import { applyVars, readVar, type Var } from './filters/vars';
import { absorb, generate, readOptions } from './generators';
import { inflateHelmCharts } from './helmCharts';
import { nameHash } from './hash';
import {
  canonicalFields,
  fail,
  imageEditOf,
  isRemote,
  KNOWN,
  KUSTOMIZATION_FILES,
  maps,
  pairsOf,
  readFieldSpecs,
  scalarField,
  scalars,
  SKIPS_CONTENT,
  UNSUPPORTED,
  withKind,
} from './kustomizationFields';
import { Loader } from './loader';
import { sortLegacy } from './order';
import { applyPatchEntry, type PatchContext } from './patches';
import { type PluginContext, runGeneratorConfigs, runTransformerConfigs } from './pluginConfigs';
import { describe, idString, NameIndex, nameOf, rememberName, type Resource } from './resource';
import { collectExact, getMap, getString, plainWithOrigins, tscalar, type TMap, type TNode } from '../../yaml/tree';
import type { RenderedObject, RenderOptions, RenderResult } from '../types';

interface Context extends PatchContext {
  amendRoot?: RenderOptions['amendRoot'];
  /** For `helmCharts:` (as `kustomize build --enable-helm`). */
  helmEngine?: RenderOptions['helmEngine'];
  /** For `helmCharts:` entries with `repo` whose chart is not in the chart home (kustomize's `helm pull`). */
  chartSource?: RenderOptions['chartSource'];
  helmChartsRefused?: string;
  sortOrder: 'legacy' | 'fifo';
  /** Custom `legacySortOptions` kind lists (undefined: kustomize's defaults). */
  orderFirst?: string[];
  orderLast?: string[];
  /** `vars:` of every kustomization built, resolved once at the root. */
  vars: Var[];
  /** nameReference / varReference entries from `configurations:` files, used at the root. */
  nameReferences: NameReference[];
  varReferences: FieldSpec[];
  /** `namespace` / `commonLabels` / `commonAnnotations` field specs from `configurations:` files, added to the defaults. */
  namespaceSpecs: FieldSpec[];
  labelSpecs: FieldSpec[];
  annotationSpecs: FieldSpec[];
  /** `images` field specs from `configurations:` files, added to the image volume defaults. */
  imageSpecs: FieldSpec[];
}

/** Default field specs plus those from configurations (the same array when there are none: field specs are memoized by identity). */
function withExtra(base: FieldSpec[], extra: FieldSpec[]): FieldSpec[] {
  return extra.length ? [...base, ...extra] : base;
}

/** `configurations:` files: kubebuilder-style nameReference and varReference entries (other sections warn). */
async function readConfigurations(ctx: Context, k: TMap, dir: string): Promise<void> {
  for (const entry of scalars(k, 'configurations')) {
    const abs = await ctx.loader.resolveFile(dir, String(entry.value), entry.origin);
    for (const doc of await ctx.loader.readYaml(abs, 'resource', entry.origin, false)) {
      if (doc.kind !== 'map') fail('a configurations file must be a YAML map', doc.origin);
      for (const [section, value] of doc.entries) {
        if (section === 'nameReference') {
          for (const ref of maps(doc, section)) {
            ctx.nameReferences.push({
              kind: getString(ref, 'kind'),
              group: getString(ref, 'group') || undefined,
              version: getString(ref, 'version') || undefined,
              referrers: readFieldSpecs(ref.entries.get('fieldSpecs')),
            });
          }
        } else if (section === 'varReference') ctx.varReferences.push(...readFieldSpecs(value));
        else if (section === 'namespace') ctx.namespaceSpecs.push(...readFieldSpecs(value));
        else if (section === 'commonLabels') ctx.labelSpecs.push(...readFieldSpecs(value));
        else if (section === 'commonAnnotations') ctx.annotationSpecs.push(...readFieldSpecs(value));
        else if (section === 'images') ctx.imageSpecs.push(...readFieldSpecs(value));
        else
          ctx.warn(
            `configurations section '${section}' is not supported yet (only nameReference, varReference, namespace, commonLabels, commonAnnotations and images); skipped`,
            value.origin,
          );
      }
    }
  }
}

function readSortOptions(ctx: Context, options: TMap | undefined): void {
  if (!options) return;
  const order = getString(options, 'order');
  if (order && order !== 'legacy' && order !== 'fifo')
    fail(`sortOptions.order must be legacy or fifo, not '${order}'`, options.entries.get('order')!.origin);
  if (order === 'fifo') ctx.sortOrder = 'fifo';
  const legacy = getMap(options, 'legacySortOptions');
  if (legacy) {
    ctx.orderFirst = scalars(legacy, 'orderFirst').map((s) => String(s.value));
    ctx.orderLast = scalars(legacy, 'orderLast').map((s) => String(s.value));
  }
}

/**
 * Renders the kustomization root at `dir` (repo-relative, or absolute inside the repo root) the way
 * `kustomize build` does. Bad input throws a ProblemError pointing at the file and line; nothing outside
 * `options.repoRoot` is read.
 */
export async function renderKustomization(dir: string, options: RenderOptions): Promise<RenderResult> {
  const repoRoot = options.repoRoot.replace(/\/+$/, '') || '/';
  const loader = new Loader(options.fs, repoRoot, options.cache);
  const problems: Problem[] = [];
  const warn = (message: string, at: SourceLocation, code?: string) =>
    problems.push({
      severity: 'warning',
      message,
      location: { file: at.file, line: at.line, column: at.column },
      ...(code ? { code } : {}),
    });
  const ctx: Context = {
    loader,
    warn,
    sortOrder: 'legacy',
    vars: [],
    nameReferences: [],
    varReferences: [],
    namespaceSpecs: [],
    labelSpecs: [],
    annotationSpecs: [],
    imageSpecs: [],
    ...(options.amendRoot ? { amendRoot: options.amendRoot } : {}),
    ...(options.helmEngine ? { helmEngine: options.helmEngine } : {}),
    ...(options.chartSource ? { chartSource: options.chartSource } : {}),
    ...(options.helmChartsRefused ? { helmChartsRefused: options.helmChartsRefused } : {}),
  };
  const abs = loader.resolve(repoRoot, dir, { file: dir, line: 0, column: 0 });
  const rootAt: SourceLocation = options.rootAt ?? { file: loader.rel(abs), line: 0, column: 0 };
  // The root may be a Component too: kustomize builds one directly, into an empty accumulator.
  const resources = await build(ctx, abs, rootAt, undefined, []);
  for (const res of resources) {
    if (!res.needsHash) continue;
    rememberName(res);
    const meta = getMap(res.node, 'metadata')!;
    meta.entries.set('name', tscalar(`${nameOf(res)}-${nameHash(res.node)}`, meta.entries.get('name')!.origin));
  }
  fixNameReferences(resources, ctx.nameReferences);
  applyVars(resources, ctx.vars, ctx.varReferences);
  if (ctx.sortOrder === 'legacy') sortLegacy(resources, ctx.orderFirst, ctx.orderLast);
  const objects: RenderedObject[] = resources.map((res) => {
    // The plain object and its origins, without the TMap tree (see plainWithOrigins).
    const { value, origins } = plainWithOrigins(res.node);
    const object = value as KubeObject;
    const out: RenderedObject = { object, key: keyOf(object), origins, source: res.source };
    if (res.template) out.template = res.template;
    const exact = loader.sawExact ? collectExact(res.node) : undefined;
    if (exact?.size) out.exactIntegers = exact;
    return out;
  });
  // Entries load concurrently: order warnings by where they point, not by which read finished first.
  problems.sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0),
  );
  return { root: loader.rel(abs), objects, problems, files: [...loader.files].sort() };
}

async function findKustomization(ctx: Context, dir: string, at: SourceLocation): Promise<string> {
  const names = new Set(await ctx.loader.readDir(dir).catch(() => [] as string[]));
  const found = KUSTOMIZATION_FILES.filter((n) => names.has(n));
  if (found.length > 1)
    fail(
      `${ctx.loader.rel(dir)} has more than one kustomization file (${found.join(', ')}); kustomize refuses to choose`,
      at,
    );
  if (found.length === 0)
    fail(`no kustomization.yaml, kustomization.yml or Kustomization in ${ctx.loader.rel(dir)}`, at);
  return dir + '/' + found[0];
}

/**
 * Builds one kustomization (or a component, into the parent's `shared` list). `chain` holds the directories
 * being built around this one, outermost first: a repeat is a cycle. `expected`: the kind the listing field
 * demands (undefined at the root, which may be either).
 */
async function build(
  ctx: Context,
  dir: string,
  at: SourceLocation,
  expected: 'Kustomization' | 'Component' | undefined,
  outer: readonly string[],
  shared?: Resource[],
): Promise<Resource[]> {
  // Compared by real path, so a symbolic link back to a folder being built is a cycle too.
  const real = (await ctx.loader.confirmDir(dir, ctx.loader.rel(dir), at)) ?? dir;
  if (outer.includes(real)) {
    const chain = [...outer.slice(outer.indexOf(real)), real].map((d) => ctx.loader.rel(d)).join(' -> ');
    fail(`kustomization cycle: ${chain}`, at);
  }
  // kustomize also refuses a folder that holds one being built (`resources: [..]`): its build would come back here.
  const inside = outer.find((d) => d.startsWith(real === '/' ? '/' : real + '/'));
  if (inside !== undefined)
    fail(
      `kustomization cycle: ${ctx.loader.rel(real)} contains ${ctx.loader.rel(inside)}, which is being built (kustomize: "cycle detected: candidate root contains visited root")`,
      at,
    );
  const chain = [...outer, real];
  const file = await findKustomization(ctx, dir, at);
  const docs = await ctx.loader.readYaml(file, 'resource', at, false);
  // As kustomize: an empty (or comments-only) kustomization is an error, not a root with no objects.
  if (docs.length === 0 || (docs[0].kind === 'scalar' && docs[0].value === null))
    fail(`${ctx.loader.rel(file)} is empty (kustomize: "kustomization.yaml is empty")`, {
      file: ctx.loader.rel(file),
      line: 1,
      column: 1,
    });
  let k = canonicalFields(docs[0]);
  if (k.kind !== 'map') fail('a kustomization must be a YAML map', k.origin);
  // A controller's own fields written into the root kustomization before the build (Flux's generator).
  if (outer.length === 0 && ctx.amendRoot) k = ctx.amendRoot(k);
  // kustomize's CheckEmpty: nothing but apiVersion and kind, or only zero values (null, "", false, 0), is empty
  // too; an empty list or map is not (Go's DeepEqual tells nil from empty).
  const zero = (v: TNode) =>
    v.kind === 'scalar' && (v.value === null || v.value === '' || v.value === false || v.value === 0);
  if ([...k.entries].every(([key, v]) => key === 'apiVersion' || key === 'kind' || zero(v))) {
    fail(`${ctx.loader.rel(file)} is empty (kustomize: "kustomization.yaml is empty")`, {
      file: ctx.loader.rel(file),
      line: 1,
      column: 1,
    });
  }
  const kind = getString(k, 'kind') || 'Kustomization';
  if (expected && kind !== expected) {
    // Reported at the entry that lists it: that is the line to fix.
    fail(
      expected === 'Component'
        ? `${ctx.loader.rel(dir)} is a ${kind}, but it is listed under components: (it needs kind: Component)`
        : `${ctx.loader.rel(dir)} is a Component: list it under components:, not resources:`,
      at,
    );
  }
  for (const [field, value] of k.entries) {
    if (UNSUPPORTED[field])
      ctx.warn(
        `'${field}' is not supported yet (${UNSUPPORTED[field]}); skipped`,
        value.origin,
        SKIPS_CONTENT.has(field) ? SKIPPED_CONTENT : undefined,
      );
    else if (!KNOWN.has(field)) fail(`unknown kustomization field '${field}'`, value.origin);
  }
  if (outer.length === 0) readSortOptions(ctx, getMap(k, 'sortOptions'));

  const resources = shared ?? [];
  await accumulateResources(ctx, k, dir, resources, chain);
  // Read after the bases are built: a kustomization's configurations apply to its own transformers and those of
  // the kustomizations above it, not to its bases (kustomize merges them into the accumulator on the way up).
  await readConfigurations(ctx, k, dir);
  await runGenerators(ctx, k, dir, resources);
  await runHelmCharts(ctx, k, dir, resources);
  await runGeneratorConfigs(pluginContext(ctx, dir, chain), scalars(k, 'generators'), dir, resources);
  // Components come after the kustomization's own generators (kusttarget.go accumulateTarget): their objects follow
  // the generated ones, and a component's generator can merge into one this kustomization generated.
  for (const c of scalars(k, 'components')) {
    const path = String(c.value);
    if (isRemote(path)) {
      ctx.warn(`remote component '${path}' is not fetched; skipped`, c.origin, SKIPPED_CONTENT);
      continue;
    }
    const abs = ctx.loader.resolve(dir, path, c.origin);
    const st = await ctx.loader.stat(abs, c.origin);
    if (!st?.isDirectory) fail(`component '${path}' ${st ? 'is not a directory' : 'not found'}`, c.origin);
    await build(ctx, abs, c.origin, 'Component', chain, resources);
  }
  await runTransformers(ctx, k, dir, resources, chain);
  ctx.vars.push(...maps(k, 'vars').map(readVar));
  return resources;
}

/** Appends resources, refusing a second object with an id already present (`ids` indexes `resources`). */
function addAll(
  resources: Resource[],
  added: Resource[],
  ids = new Map(resources.map((r) => [idString(r), r])),
  at?: SourceLocation,
): void {
  for (const res of added) {
    const id = idString(res);
    const first = ids.get(id);
    if (first)
      fail(
        `duplicate resource ${describe(res)} (already declared at ${first.source.file}:${first.source.line})`,
        at ?? res.source,
        'duplicate-resource',
      );
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
    if (v && ((v.kind === 'map' && v.entries.size === 0) || (v.kind === 'scalar' && v.value === null)))
      meta!.entries.delete(field);
  }
  stringifyAnnotations(meta!);
  return [
    {
      node: doc,
      source: { file: doc.origin.file, line: doc.origin.line, column: doc.origin.column },
      history: [],
      prefixes: [],
      suffixes: [],
      needsHash: false,
    },
  ];
}

/**
 * Every annotation value as a string, as kustomize leaves them: it sets and removes its own build annotations on every
 * object through kyaml's map[string]string, which writes each value back as its text. An OLM CSV's `createdAt:`
 * becomes "", `prometheus.io/port: 8080` "8080", `scrape: true` "true", a map "". (kustomize keeps a scalar's source
 * text: `~`, `null`, `1.50` and integers beyond 2^53 stay as written; ours are read back from the parsed value, so
 * they become "", "", "1.5" and the nearest double.)
 */
function stringifyAnnotations(meta: TMap): void {
  const annotations = meta.entries.get('annotations');
  if (annotations?.kind !== 'map') return;
  for (const [key, value] of annotations.entries) {
    if (value.kind === 'scalar' && typeof value.value === 'string') continue;
    const text = value.kind === 'scalar' && value.value !== null ? String(value.value) : '';
    annotations.entries.set(key, tscalar(text, value.origin));
  }
}

async function accumulateResources(
  ctx: Context,
  k: TMap,
  dir: string,
  resources: Resource[],
  chain: readonly string[],
): Promise<void> {
  // Entries load concurrently (file reads overlap); they are added in their listed order, and the first failing
  // entry in that order is the error reported.
  const entries = [...scalars(k, 'resources'), ...scalars(k, 'bases')];
  // A directory's duplicates are reported at the entry that lists it; a file's at the document itself.
  const directory = new Set<number>();
  const loads = entries.map(async (entry, i): Promise<Resource[]> => {
    const path = String(entry.value);
    if (isRemote(path)) {
      ctx.warn(`remote resource '${path}' is not fetched; skipped`, entry.origin, SKIPPED_CONTENT);
      return [];
    }
    const abs = ctx.loader.resolve(dir, path, entry.origin);
    // A YAML file name is read directly (one call instead of stat + read); anything else may be a directory.
    const st =
      /\.(ya?ml|json)$/.test(path) && abs.startsWith(dir + '/')
        ? { isDirectory: false }
        : await ctx.loader.stat(abs, entry.origin);
    if (!st) fail(`resource '${path}' not found`, entry.origin);
    if (st.isDirectory) {
      directory.add(i);
      return build(ctx, abs, entry.origin, 'Kustomization', chain);
    }
    if (KUSTOMIZATION_FILES.includes(abs.slice(abs.lastIndexOf('/') + 1)))
      fail(`'${path}' is a kustomization file: list its directory instead`, entry.origin);
    return (
      await ctx.loader.readYaml(await ctx.loader.resolveFile(dir, path, entry.origin), 'resource', entry.origin)
    ).flatMap(toResources);
  });
  const settled = await Promise.allSettled(loads);
  const ids = new Map(resources.map((r) => [idString(r), r]));
  settled.forEach((s, i) => {
    if (s.status === 'rejected') throw s.reason;
    addAll(resources, s.value, ids, directory.has(i) ? entries[i].origin : undefined);
  });
}

async function runGenerators(ctx: Context, k: TMap, dir: string, resources: Resource[]): Promise<void> {
  const global = readOptions(k.entries.get('generatorOptions'));
  let ids: Map<string, Resource> | undefined;
  const index = new NameIndex(resources);
  for (const [field, kind] of [
    ['configMapGenerator', 'ConfigMap'],
    ['secretGenerator', 'Secret'],
  ] as const) {
    for (const entry of maps(k, field)) {
      const res = await generate(kind, entry, dir, ctx.loader, global, ctx.warn);
      if (res.behavior === 'create') {
        addAll(resources, [res], (ids ??= new Map(resources.map((r) => [idString(r), r]))));
        index.invalidate();
      } else absorb(res, entry, index);
    }
  }
}

/** `helmCharts:` after the ConfigMap and Secret generators, as kustomize orders its builtin generators. */
async function runHelmCharts(ctx: Context, k: TMap, dir: string, resources: Resource[]): Promise<void> {
  const refusedAt = ctx.helmChartsRefused === undefined ? undefined : k.entries.get('helmCharts');
  // kustomize's own words without --enable-helm, then why that is the case here.
  if (refusedAt?.kind === 'seq' && refusedAt.items.length)
    fail(`helmCharts: must specify --enable-helm: ${ctx.helmChartsRefused}`, refusedAt.origin);
  const inflated = await inflateHelmCharts(k, dir, ctx.loader, ctx.helmEngine, ctx.chartSource);
  if (!inflated.length) return;
  const ids = new Map(resources.map((r) => [idString(r), r]));
  for (const item of inflated) {
    if ('skipped' in item) {
      ctx.warn(item.skipped, item.at, SKIPPED_CONTENT);
      continue;
    }
    const added = toResources(item.node).map((res) => ({ ...res, source: item.entry, template: item.template }));
    addAll(resources, added, ids, item.entry);
  }
}

async function runTransformers(
  ctx: Context,
  k: TMap,
  dir: string,
  resources: Resource[],
  chain: readonly string[],
): Promise<void> {
  const index = new NameIndex(resources);
  for (const entry of k.entries.get('patchesStrategicMerge')?.kind === 'seq'
    ? (k.entries.get('patchesStrategicMerge') as { items: TNode[] }).items
    : []) {
    // An entry is a file path, or (when it spans lines) an inline patch.
    const inline = entry.kind === 'scalar' && typeof entry.value === 'string' && entry.value.includes('\n');
    const asEntry: TNode =
      inline || entry.kind !== 'scalar'
        ? entry
        : { kind: 'map', entries: new Map([['path', entry]]), origin: entry.origin };
    await applyPatchEntry(ctx, dir, asEntry, resources, false, index);
  }
  for (const entry of maps(k, 'patches')) await applyPatchEntry(ctx, dir, entry, resources, false, index);

  const ns = scalarField(k, 'namespace', 'namespace');
  if (ns) applyNamespace(resources, ns.value, ns.origin, ctx.namespaceSpecs);
  applyPrefixSuffix(resources, scalarField(k, 'namePrefix', 'namePrefix'), scalarField(k, 'nameSuffix', 'nameSuffix'));

  for (const label of maps(k, 'labels')) {
    const includeSelectors = getString(label, 'includeSelectors') === 'true';
    const includeTemplates = getString(label, 'includeTemplates') === 'true';
    const specs = [
      ...readFieldSpecs(label.entries.get('fields')),
      ...(includeSelectors
        ? withExtra(commonLabelSpecs, ctx.labelSpecs)
        : includeTemplates
          ? templateLabelSpecs
          : metadataLabelSpecs),
    ];
    applyPairs(resources, pairsOf(label.entries.get('pairs'), 'labels'), specs, withKind(label.origin, 'labels'));
  }
  const commonLabels = k.entries.get('commonLabels');
  if (commonLabels)
    applyPairs(
      resources,
      pairsOf(commonLabels, 'labels'),
      withExtra(commonLabelSpecs, ctx.labelSpecs),
      withKind(commonLabels.origin, 'labels'),
    );
  const commonAnnotations = k.entries.get('commonAnnotations');
  if (commonAnnotations)
    applyPairs(
      resources,
      pairsOf(commonAnnotations, 'annotations'),
      withExtra(commonAnnotationSpecs, ctx.annotationSpecs),
      withKind(commonAnnotations.origin, 'annotations'),
    );

  for (const entry of maps(k, 'patchesJson6902')) {
    // kustomize's PatchJson6902Transformer refuses a target without a name (`patches` does not).
    if (!getString(getMap(entry, 'target'), 'name'))
      fail('a patchesJson6902 entry must specify the target name', (entry.entries.get('target') ?? entry).origin);
    await applyPatchEntry(ctx, dir, entry, resources, true, new NameIndex(resources));
  }

  const replicas = maps(k, 'replicas').map((r) => {
    const count = r.entries.get('count');
    const n = count?.kind === 'scalar' ? Number(count.value) : NaN;
    if (!Number.isInteger(n))
      fail(`replicas entry '${getString(r, 'name')}' needs an integer count`, (count ?? r).origin);
    const at = (r.entries.get('name') ?? r).origin;
    return {
      name: getString(r, 'name'),
      count: n,
      origin: withKind(count!.origin, 'replicas'),
      entry: { file: at.file, line: at.line, column: at.column },
    };
  });
  applyReplicas(resources, replicas);
  applyImages(
    resources,
    [...maps(k, 'images'), ...maps(k, 'imageTags')].map(imageEditOf),
    withExtra(imageVolumeSpecs, ctx.imageSpecs),
    (res, field) =>
      fail(imageFieldNotScalar(res, field), (k.entries.get('images') ?? k.entries.get('imageTags'))!.origin),
  );
  await applyReplacements(ctx, maps(k, 'replacements'), dir, resources);
  await runTransformerConfigs(pluginContext(ctx, dir, chain), scalars(k, 'transformers'), dir, resources);
}

/** `replacements:` entries: inline ({source, targets}) or from a file ({path}). */
async function applyReplacements(ctx: Context, entries: TMap[], dir: string, resources: Resource[]): Promise<void> {
  for (const entry of entries) {
    const path = entry.entries.get('path');
    if (path?.kind === 'scalar' && path.value !== null && isRemote(String(path.value)))
      ctx.warn(
        `remote replacements file '${String(path.value)}' is not fetched; skipped`,
        path.origin,
        SKIPPED_CONTENT,
      );
    else if (path?.kind === 'scalar' && path.value !== null) {
      const abs = await ctx.loader.resolveFile(dir, String(path.value), path.origin);
      for (const doc of await ctx.loader.readYaml(abs, 'replacement', path.origin, false)) {
        for (const r of doc.kind === 'seq' ? doc.items : [doc]) {
          if (r.kind !== 'map') fail('a replacement must be a map with source and targets', r.origin);
          applyReplacement(resources, r);
        }
      }
    } else applyReplacement(resources, entry);
  }
}

/** What `transformers:` / `generators:` configs of the kustomization at `dir` run with. */
function pluginContext(ctx: Context, dir: string, chain: readonly string[]): PluginContext {
  return {
    loader: ctx.loader,
    warn: ctx.warn,
    buildDirectory: (abs, at) => build(ctx, abs, at, 'Kustomization', chain),
    replace: (entries, resources) => applyReplacements(ctx, entries, dir, resources),
    generate: async (kind, entry, resources) => {
      // generatorOptions of the kustomization do not reach generator configs (kustomize passes them none).
      const res = await generate(kind, entry, dir, ctx.loader, readOptions(undefined), ctx.warn);
      if (res.behavior === 'create') addAll(resources, [res]);
      else absorb(res, entry, new NameIndex(resources));
    },
  };
}
