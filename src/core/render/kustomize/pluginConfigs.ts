/**
 * Built-in transformer and generator configs listed under a kustomization's `transformers:` / `generators:`
 * (`apiVersion: builtin`, `kind: LabelTransformer`, `PatchTransformer`, `ConfigMapGenerator`, ...): kustomize runs
 * them after the kustomization's own fields, inline configs first, then those in files or kustomization
 * directories, each in its listed order (kusttarget.go configureExternalTransformers). Anything else there is a
 * plugin: reported at its entry and never executed. Paths inside a config resolve against the kustomization's
 * directory, as kustomize's loader does.
 */
import type { SourceLocation } from '../../model/location';
import { SKIPPED_CONTENT } from '../../model/problem';
import { applyImages, imageFieldNotScalar } from './filters/images';
import { applyPairs } from './filters/metadataMaps';
import { applyNamespace } from './filters/namespace';
import { applyPrefixSuffix, applyPrefixSuffixToFields } from './filters/prefixSuffix';
import { applyReplicas } from './filters/replicas';
import { fail, imageEditOf, isRemote, pairsOf, readFieldSpecs, withKind } from './kustomizationFields';
import { applyPatchEntry, type PatchContext } from './patches';
import { gvkOf, NameIndex, nameOf, type Resource } from './resource';
import { specMatches } from './fieldSpec';
import { getMap, getString, tmap, type TMap, type TNode, type TScalar } from '../../yaml/tree';

/** The kinds kustomize's plugin loader runs itself when `apiVersion: builtin`. */
const TRANSFORMERS = new Set([
  'AnnotationsTransformer',
  'ImageTagTransformer',
  'LabelTransformer',
  'NamespaceTransformer',
  'PatchJson6902Transformer',
  'PatchStrategicMergeTransformer',
  'PatchTransformer',
  'PrefixSuffixTransformer',
  'ReplicaCountTransformer',
  'ReplacementTransformer',
]);
const GENERATORS = new Set(['ConfigMapGenerator', 'SecretGenerator']);

/** What running configs needs from the build. */
export interface PluginContext extends PatchContext {
  /** Builds a kustomization directory listed as a config source; its output objects are the configs. */
  buildDirectory(abs: string, at: SourceLocation): Promise<Resource[]>;
  /** Runs `replacements:`-style entries ({path} or {source, targets}). */
  replace(entries: TMap[], resources: Resource[]): Promise<void>;
  /** Builds a generator entry (configMapGenerator / secretGenerator shape). */
  generate(kind: 'ConfigMap' | 'Secret', entry: TMap, resources: Resource[]): Promise<void>;
}

/** The config objects the entries of `transformers:` or `generators:` name, inline ones first (as kustomize orders them). */
async function readConfigs(
  ctx: PluginContext,
  field: 'transformers' | 'generators',
  entries: TScalar[],
  dir: string,
): Promise<Config[]> {
  const inline: Config[] = [];
  const fromPaths: Config[] = [];
  for (const entry of entries) {
    const text = String(entry.value);
    if (text.includes('\n')) {
      const at = entry.text ?? { line: entry.origin.line, column: entry.origin.column, block: false };
      const placement = {
        lineOffset: at.line - 1,
        firstColumnOffset: at.column - 1,
        columnOffset: at.block ? at.column - 1 : 0,
      };
      for (const doc of ctx.loader.parseInline(text, entry.origin.file, 'resource', placement))
        if (doc.kind === 'map') inline.push({ config: doc, entry: doc.origin });
      continue;
    }
    if (isRemote(text)) {
      ctx.warn(`remote ${field} entry '${text}' is not fetched; skipped`, entry.origin, SKIPPED_CONTENT);
      continue;
    }
    const abs = ctx.loader.resolve(dir, text, entry.origin);
    const st = await ctx.loader.stat(abs);
    if (!st) fail(`${field} entry '${text}' not found`, entry.origin);
    if (st.isDirectory)
      fromPaths.push(
        ...(await ctx.buildDirectory(abs, entry.origin)).map((r) => ({ config: r.node, entry: entry.origin })),
      );
    else {
      for (const doc of await ctx.loader.readYaml(
        await ctx.loader.resolveFile(dir, text, entry.origin),
        'resource',
        entry.origin,
        false,
      )) {
        if (doc.kind === 'scalar' && doc.value === null) continue;
        if (doc.kind !== 'map') fail(`a ${field} config must be a YAML map`, doc.origin);
        fromPaths.push({ config: doc, entry: entry.origin });
      }
    }
  }
  return [...inline, ...fromPaths];
}

/** A config object, and where the kustomization lists it (the entry, or the inline document itself). */
interface Config {
  config: TMap;
  entry: SourceLocation;
}

function isBuiltin(config: TMap, kinds: Set<string>): boolean {
  return getString(config, 'apiVersion') === 'builtin' && kinds.has(getString(config, 'kind'));
}

function describeConfig(config: TMap): string {
  return `${getString(config, 'apiVersion') || '(no apiVersion)'} ${getString(config, 'kind') || '(no kind)'}`;
}

/** Runs the `generators:` configs, adding what they generate (or merging it, for behavior merge/replace). */
export async function runGeneratorConfigs(
  ctx: PluginContext,
  entries: TScalar[],
  dir: string,
  resources: Resource[],
): Promise<void> {
  if (entries.length === 0) return;
  for (const { config, entry: listed } of await readConfigs(ctx, 'generators', entries, dir)) {
    if (!isBuiltin(config, GENERATORS)) {
      ctx.warn(
        `generators: ${describeConfig(config)} is a generator plugin; plugins are never executed, so it is skipped`,
        listed,
        SKIPPED_CONTENT,
      );
      continue;
    }
    // The config is the generator entry with its name and namespace under metadata.
    const entry = tmap(config.origin, new Map(config.entries));
    for (const f of ['apiVersion', 'kind', 'metadata']) entry.entries.delete(f);
    const meta = getMap(config, 'metadata');
    for (const f of ['name', 'namespace']) {
      const v = meta?.entries.get(f);
      if (v) entry.entries.set(f, v);
    }
    await ctx.generate(getString(config, 'kind') === 'SecretGenerator' ? 'Secret' : 'ConfigMap', entry, resources);
  }
}

/** Runs the `transformers:` configs in order over the resources. */
export async function runTransformerConfigs(
  ctx: PluginContext,
  entries: TScalar[],
  dir: string,
  resources: Resource[],
): Promise<void> {
  if (entries.length === 0) return;
  for (const { config, entry: listed } of await readConfigs(ctx, 'transformers', entries, dir)) {
    if (!isBuiltin(config, TRANSFORMERS)) {
      ctx.warn(
        `transformers: ${describeConfig(config)} is a transformer plugin; plugins are never executed, so it is skipped`,
        listed,
        SKIPPED_CONTENT,
      );
      continue;
    }
    await runTransformer(ctx, config, dir, resources);
  }
}

function specsOf(config: TMap): ReturnType<typeof readFieldSpecs> {
  return readFieldSpecs(config.entries.get('fieldSpecs'));
}

/** The resources a config's fieldSpecs apply to at `path` (kind/group restrictions honoured). */
function selectedBy(resources: Resource[], config: TMap, path: string): Resource[] {
  const specs = specsOf(config).filter((s) => s.path === path);
  return resources.filter((r) => specs.some((s) => specMatches(s, gvkOf(r))));
}

async function runTransformer(ctx: PluginContext, config: TMap, dir: string, resources: Resource[]): Promise<void> {
  const kind = getString(config, 'kind');
  switch (kind) {
    case 'LabelTransformer':
    case 'AnnotationsTransformer': {
      const field = kind === 'LabelTransformer' ? 'labels' : 'annotations';
      applyPairs(
        resources,
        pairsOf(config.entries.get(field), field),
        specsOf(config),
        withKind(config.entries.get(field)?.origin ?? config.origin, field),
      );
      return;
    }
    case 'PrefixSuffixTransformer': {
      const value = (f: string) => {
        const v = config.entries.get(f);
        return v?.kind === 'scalar' && v.value !== null && v.value !== ''
          ? { value: String(v.value), origin: withKind(v.origin, f === 'prefix' ? 'namePrefix' : 'nameSuffix') }
          : undefined;
      };
      applyPrefixSuffix(selectedBy(resources, config, 'metadata/name'), value('prefix'), value('suffix'));
      const otherFields = specsOf(config).filter((s) => s.path !== 'metadata/name');
      applyPrefixSuffixToFields(resources, otherFields, value('prefix'), value('suffix'), (spec, res, found) =>
        fail(
          `PrefixSuffixTransformer: '${spec.path}' of ${gvkOf(res).kind} ${nameOf(res)} is a ${found === 'seq' ? 'list' : 'map'}, not a string (kustomize: "wrong node kind: expected ScalarNode")`,
          config.entries.get('fieldSpecs')!.origin,
        ),
      );
      return;
    }
    case 'NamespaceTransformer': {
      const ns = getMap(config, 'metadata')?.entries.get('namespace');
      if (ns?.kind !== 'scalar' || !ns.value) return;
      if (getString(config, 'unsetOnly') === 'true')
        ctx.warn(
          'NamespaceTransformer: unsetOnly is not supported yet; namespaces are set on every object',
          config.entries.get('unsetOnly')!.origin,
          SKIPPED_CONTENT,
        );
      applyNamespace(
        selectedBy(resources, config, 'metadata/namespace'),
        String(ns.value),
        withKind(ns.origin, 'namespace'),
      );
      return;
    }
    case 'ImageTagTransformer': {
      const img = getMap(config, 'imageTag');
      if (!img) return;
      applyImages(resources, [imageEditOf(img)], specsOf(config), (res, field) =>
        fail(imageFieldNotScalar(res, field), (config.entries.get('fieldSpecs') ?? img).origin),
      );
      return;
    }
    case 'ReplicaCountTransformer': {
      const r = getMap(config, 'replica');
      if (!r) return;
      const count = r.entries.get('count');
      const n = count?.kind === 'scalar' ? Number(count.value) : NaN;
      if (!Number.isInteger(n))
        fail(`ReplicaCountTransformer '${getString(r, 'name')}' needs an integer count`, (count ?? r).origin);
      const entryAt = (r.entries.get('name') ?? r).origin;
      applyReplicas(selectedBy(resources, config, 'spec/replicas'), [
        {
          name: getString(r, 'name'),
          count: n,
          origin: withKind(count!.origin, 'replicas'),
          entry: { file: entryAt.file, line: entryAt.line, column: entryAt.column },
        },
      ]);
      return;
    }
    case 'PatchTransformer':
      await applyPatchEntry(ctx, dir, config, resources, false, new NameIndex(resources));
      return;
    case 'PatchJson6902Transformer': {
      const entry = tmap(config.origin, new Map(config.entries));
      const op = config.entries.get('jsonOp');
      if (op) entry.entries.set('patch', op);
      await applyPatchEntry(ctx, dir, entry, resources, true, new NameIndex(resources));
      return;
    }
    case 'PatchStrategicMergeTransformer': {
      const paths = config.entries.get('paths');
      for (const p of paths?.kind === 'seq' ? paths.items : []) {
        await applyPatchEntry(
          ctx,
          dir,
          tmap(p.origin, new Map<string, TNode>([['path', p]])),
          resources,
          false,
          new NameIndex(resources),
        );
      }
      const inline = config.entries.get('patches');
      if (inline?.kind === 'scalar' && typeof inline.value === 'string')
        await applyPatchEntry(
          ctx,
          dir,
          tmap(inline.origin, new Map<string, TNode>([['patch', inline]])),
          resources,
          false,
          new NameIndex(resources),
        );
      return;
    }
    case 'ReplacementTransformer': {
      const list = config.entries.get('replacements');
      await ctx.replace(list?.kind === 'seq' ? list.items.filter((i): i is TMap => i.kind === 'map') : [], resources);
      return;
    }
  }
}
