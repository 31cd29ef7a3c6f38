/**
 * src/core/render/flux/: the `flux-kustomization` renderer: a Flux Kustomization's folder rendered as
 * kustomize-controller renders it. It may import render/kustomize, render/plain and the base layers.
 *
 * The steps follow the controller (github.com/fluxcd/pkg/kustomize v1.41.0 and kustomize-controller's build/apply):
 * 1. The folder's kustomization, or the one Flux generates for a folder without one (render/plain/), gets the
 *    Kustomization's own fields written into it (kustomize_generator.go): `targetNamespace` replaces `namespace`,
 *    `namePrefix`/`nameSuffix` replace the folder's, `patches` and `components` are appended (a missing component
 *    skipped with `ignoreMissingComponents`), `images` merge into entries of the same name.
 * 2. kustomize builds it, keeping the objects in the order they are declared (Flux does not sort them).
 * 3. `postBuild` substitutes each object (postBuild.ts).
 * 4. `commonMetadata` labels and annotations are set on every object (at apply, after substitution).
 * Every value from the Kustomization points at its line in the Flux manifest.
 */
import { type Application, sourcePath } from '../../model/environment';
import type { SourceLocation } from '../../model/location';
import { ProblemError, type Problem } from '../../model/problem';
import { keyOf, type KubeObject } from '../../model/resource';
import { canonicalJson, childPointer } from '../../yaml/pointer';
import { parseYaml } from '../../yaml/parseYaml';
import {
  fromPlain,
  fromPlainWithOrigins,
  getMap,
  getString,
  tmap,
  toPlain,
  tscalar,
  tseq,
  type TMap,
  type TNode,
} from '../../yaml/tree';
import type { RenderedObject, RenderOptions, RenderResult } from '../types';
import { checkVariableNames, substituteObject, type Variable } from './postBuild';

const FLUX_GROUP = 'kustomize.toolkit.fluxcd.io';

/**
 * Renders a Flux Kustomization application. `renderFolder` renders the source folder as the port does for a plain
 * folder or a kustomization (generated kustomization included), with the options given.
 */
export async function renderFluxKustomization(
  app: Application,
  options: RenderOptions,
  renderFolder: (options: RenderOptions) => Promise<RenderResult>,
): Promise<RenderResult> {
  const controller = app.controller;
  if (!controller)
    throw new ProblemError({
      severity: 'error',
      message: `application '${app.name}': a flux-kustomization application needs its Flux Kustomization object`,
      ...(app.declaredAt ? { location: app.declaredAt } : {}),
    });
  // A Kustomization as its parent's render applies it carries that render's origins; its own file still gives the
  // positions of the text of the values it set itself (inline patches).
  const manifest = controller.origins
    ? asTree(
        fromPlainWithOrigins(
          controller.object,
          controller.origins,
          { ...controller.at, kind: 'resource' },
          await declaredDocument(controller.object, controller.at, options),
        ),
      )
    : await manifestTree(controller.object, controller.at, options);
  const problems: Problem[] = [];
  const spec = servedSpec(
    getMap(manifest, 'spec') ?? tmap({ ...controller.at, kind: 'resource' }),
    apiVersionOf(controller.object),
    problems,
  );
  const dir = options.repoRoot.replace(/\/+$/, '') + (sourcePath(app) ? `/${sourcePath(app)}` : '');
  const components = await presentComponents(spec, dir, options);
  const result = await renderFolder({
    ...options,
    amendRoot: (k) => amendKustomization(k, spec, components),
  });
  let objects = result.objects;
  const cluster: { used?: 'asked' | 'unasked' } = {};
  if (spec.entries.has('postBuild'))
    objects = await postBuild(objects, spec, namespaceOf(controller.object), options, cluster);
  objects = applyCommonMetadata(objects, getMap(spec, 'commonMetadata'));
  return {
    ...result,
    objects,
    problems: [...result.problems, ...problems],
    ...(cluster.used ? { cluster: cluster.used } : {}),
  };
}

/**
 * The Kustomization's manifest as a tree with positions: its document in the file `at` names when that document says
 * what the object says, else the object itself (every value pointing at `at`).
 */
async function manifestTree(object: KubeObject, at: SourceLocation, options: RenderOptions): Promise<TMap> {
  const doc = await declaredDocument(object, at, options);
  // A child Kustomization as its parent renders it (patched, substituted) differs from its file: the object wins.
  if (doc && canonicalJson(toPlain(doc.entries.get('spec') ?? tmap(doc.origin))) === canonicalJson(object.spec ?? {}))
    return doc;
  return asTree(fromPlain(object, { ...at, kind: 'resource' }));
}

/** The document of the Kustomization's name and namespace in the file `at` names, parsed with positions. */
async function declaredDocument(
  object: KubeObject,
  at: SourceLocation,
  options: RenderOptions,
): Promise<TMap | undefined> {
  const name = object.metadata?.name;
  const namespace = object.metadata?.namespace;
  try {
    const text = await options.fs.readFile(`${options.repoRoot.replace(/\/+$/, '')}/${at.file}`);
    for (const doc of parseYaml(text, at.file, 'resource')) {
      if (
        doc.kind !== 'map' ||
        getString(doc, 'kind') !== 'Kustomization' ||
        !getString(doc, 'apiVersion').startsWith(`${FLUX_GROUP}/`)
      )
        continue;
      const meta = getMap(doc, 'metadata');
      if (getString(meta, 'name') !== name) continue;
      // A parent's render may have set the namespace its file leaves out.
      const declared = getString(meta, 'namespace') || undefined;
      if (declared === undefined || declared === (namespace || undefined)) return doc;
    }
  } catch {
    // Not readable as YAML there: the object's values point at where it was declared.
  }
  return undefined;
}

function asTree(tree: TNode): TMap {
  return tree.kind === 'map' ? tree : tmap(tree.origin);
}

function namespaceOf(object: { metadata?: { namespace?: string } }): string | undefined {
  return object.metadata?.namespace || undefined;
}

/** `spec.components` that Flux keeps: local and relative (else the build fails), present unless missing ones are ignored. */
async function presentComponents(spec: TMap, dir: string, options: RenderOptions): Promise<TNode[]> {
  const list = spec.entries.get('components');
  if (list?.kind !== 'seq') return [];
  const ignoreMissing = spec.entries.get('ignoreMissingComponents');
  const out: TNode[] = [];
  for (const item of list.items) {
    const path = item.kind === 'scalar' ? String(item.value) : '';
    if (!isLocalRelativePath(path))
      throw new ProblemError({
        severity: 'error',
        message: `component path '${path}' must be local and relative (Flux fails the build)`,
        location: loc(item.origin),
      });
    // Asked for, so no warning: a component only some clusters have is what the flag is for.
    if (
      ignoreMissing?.kind === 'scalar' &&
      ignoreMissing.value === true &&
      !(await options.fs.stat(`${dir}/${path}`).catch(() => undefined))
    )
      continue;
    out.push(item);
  }
  return out;
}

/** fluxcd/pkg/kustomize IsLocalRelativePath. */
function isLocalRelativePath(path: string): boolean {
  for (const p of ['git::', 'gh:', 'ssh://', 'https://', 'http://', 'git@', 'github.com:', 'github.com/']) {
    if (p.length < path.length && path.slice(0, p.length).toLowerCase() === p) return false;
  }
  return (
    !path.startsWith('/') &&
    !path
      .toLowerCase()
      .replace(/^file:\/\//, '')
      .startsWith('/')
  );
}

/**
 * The fields each served version of the Kustomization API has that the other lacks (kustomize-controller v1.7's CRD):
 * the API server prunes a field its version's schema does not declare, so the controller never sees it.
 */
const ONLY_IN: Record<'v1' | 'v1beta2', readonly string[]> = {
  v1: ['namePrefix', 'nameSuffix', 'ignoreMissingComponents'],
  v1beta2: ['patchesStrategicMerge', 'patchesJson6902'],
};

/** `v1beta2` for a `kustomize.toolkit.fluxcd.io/v1beta2` Kustomization, else `v1`. */
function apiVersionOf(object: KubeObject): 'v1' | 'v1beta2' {
  return object.apiVersion === `${FLUX_GROUP}/v1beta2` ? 'v1beta2' : 'v1';
}

/**
 * The spec as the controller gets it: a field the manifest's API version does not have is left out with a warning,
 * since the API server drops it.
 */
function servedSpec(spec: TMap, version: 'v1' | 'v1beta2', problems: Problem[]): TMap {
  const other = version === 'v1' ? 'v1beta2' : 'v1';
  const dropped = (field: string) => ONLY_IN[other].includes(field);
  for (const field of ONLY_IN[other]) {
    const v = spec.entries.get(field);
    if (v)
      problems.push({
        severity: 'warning',
        message: `${field} is not a field of ${FLUX_GROUP}/${version} Kustomizations: the API server drops it, so Flux never applies it${version === 'v1' ? ' (v1 replaced it with patches)' : ` (it is ${FLUX_GROUP}/v1 only)`}; skipped`,
        location: loc(v.origin),
      });
  }
  return tmap(spec.origin, new Map([...spec.entries].filter(([field]) => !dropped(field))));
}

/**
 * The root kustomization with the Kustomization's fields written in, as the generator does (a copy). A `v1beta2`
 * Kustomization's `patchesStrategicMerge` and `patchesJson6902` are written in as the generator writes them (after
 * the folder's own, applied in kustomize's order).
 */
export function amendKustomization(k: TMap, spec: TMap, components: TNode[]): TMap {
  const out = tmap(k.origin, new Map(k.entries));
  // Flux builds without kustomize's legacy reordering (its krusty options leave Reorder unset): objects come out in
  // the order they are declared, unless the kustomization asks for an order itself.
  if (!out.entries.has('sortOptions'))
    out.entries.set('sortOptions', tmap(k.origin, new Map([['order', tscalar('fifo', k.origin)]])));
  const set = (field: string, from: string) => {
    const v = spec.entries.get(from);
    if (v?.kind === 'scalar' && typeof v.value === 'string') out.entries.set(field, v);
  };
  set('namespace', 'targetNamespace');
  set('namePrefix', 'namePrefix');
  set('nameSuffix', 'nameSuffix');
  const append = (field: string, items: TNode[]) => {
    if (items.length === 0) return;
    const existing = out.entries.get(field);
    out.entries.set(
      field,
      tseq(existing?.origin ?? items[0].origin, [...(existing?.kind === 'seq' ? existing.items : []), ...items]),
    );
  };
  const patches = spec.entries.get('patches');
  if (patches?.kind === 'seq') {
    // Flux keeps a patch's text and target only.
    append(
      'patches',
      patches.items.map((p) =>
        p.kind === 'map'
          ? tmap(p.origin, new Map([...p.entries].filter(([key]) => key === 'patch' || key === 'target')))
          : p,
      ),
    );
  }
  append('components', components);
  // v1beta2: each strategic merge patch is an object, each JSON6902 patch a target and a list of operations.
  const strategic = spec.entries.get('patchesStrategicMerge');
  if (strategic?.kind === 'seq')
    append(
      'patchesStrategicMerge',
      strategic.items.map((p) => tmap(p.origin, new Map([['patch', relabel(p, 'strategicMergePatch')]]))),
    );
  const json6902 = spec.entries.get('patchesJson6902');
  if (json6902?.kind === 'seq')
    append(
      'patchesJson6902',
      json6902.items.map((p) => {
        if (p.kind !== 'map') return p;
        const entry = tmap(p.origin);
        const target = p.entries.get('target');
        const ops = p.entries.get('patch');
        if (target) entry.entries.set('target', target);
        if (ops) entry.entries.set('patch', relabel(ops, 'json6902Patch'));
        return entry;
      }),
    );
  const images = spec.entries.get('images');
  if (images?.kind === 'seq') out.entries.set('images', mergeImages(out.entries.get('images'), images.items));
  return out;
}

/** A copy of a tree from the Flux manifest whose origins say what set a value: a patch of that kind. */
function relabel(node: TNode, kind: 'strategicMergePatch' | 'json6902Patch'): TNode {
  const origin = { ...node.origin, kind };
  if (node.kind === 'scalar') return { ...node, origin };
  if (node.kind === 'seq')
    return tseq(
      origin,
      node.items.map((i) => relabel(i, kind)),
    );
  return tmap(origin, new Map([...node.entries].map(([key, v]) => [key, relabel(v, kind)])));
}

/** Images merge by name: an entry of the folder's kustomization takes the Kustomization's newName, and its newTag and digest as one unit. */
function mergeImages(existing: TNode | undefined, added: TNode[]): TNode {
  const items = existing?.kind === 'seq' ? [...existing.items] : [];
  for (const image of added) {
    if (image.kind !== 'map') continue;
    const name = getString(image, 'name');
    const at = items.findIndex((i) => i.kind === 'map' && getString(i, 'name') === name);
    const pick = (key: string) => {
      const v = image.entries.get(key);
      return v?.kind === 'scalar' && v.value !== null && v.value !== '' ? v : undefined;
    };
    if (at < 0) {
      items.push(
        tmap(
          image.origin,
          new Map([...image.entries].filter(([key]) => ['name', 'newName', 'newTag', 'digest'].includes(key))),
        ),
      );
      continue;
    }
    const merged = tmap(items[at].origin, new Map((items[at] as TMap).entries));
    const newName = pick('newName');
    if (newName) merged.entries.set('newName', newName);
    const newTag = pick('newTag');
    const digest = pick('digest');
    if (newTag || digest) {
      merged.entries.delete('newTag');
      merged.entries.delete('digest');
      if (newTag) merged.entries.set('newTag', newTag);
      if (digest) merged.entries.set('digest', digest);
    }
    items[at] = merged;
  }
  return tseq(existing?.origin ?? added[0]?.origin ?? { file: '', line: 0, column: 0, kind: 'image' }, items);
}

/**
 * Loads the variables (substituteFrom in order, then substitute over them) and substitutes every object. A source not
 * among the environment's other renders is read from the live cluster when there is one (`options.findLiveObject`),
 * as Flux reads every source; `cluster` says whether the render asked it.
 */
async function postBuild(
  objects: RenderedObject[],
  spec: TMap,
  namespace: string | undefined,
  options: RenderOptions,
  cluster: { used?: 'asked' | 'unasked' },
): Promise<RenderedObject[]> {
  const post = getMap(spec, 'postBuild');
  if (!post) return objects;
  const vars = new Map<string, Variable>();
  const from = post.entries.get('substituteFrom');
  for (const ref of from?.kind === 'seq' ? from.items : []) {
    if (ref.kind !== 'map') continue;
    const kind = getString(ref, 'kind');
    const name = getString(ref, 'name');
    const optional = ref.entries.get('optional');
    const isOptional = optional?.kind === 'scalar' && optional.value === true;
    if (kind !== 'ConfigMap' && kind !== 'Secret') continue; // Flux ignores any other kind
    const at = loc((ref.entries.get('name') ?? ref).origin);
    const found = await options.findObject?.(kind, namespace, name);
    if (found) {
      readVariables(found, kind, name, vars);
      continue;
    }
    const live = options.findLiveObject;
    // Flux looks in the Kustomization's namespace; one naming none is applied to flux-system.
    const inNamespace = namespace ?? 'flux-system';
    if (!live) {
      if (isOptional) {
        cluster.used ??= 'unasked';
        continue;
      }
      throw new ProblemError({
        severity: 'error',
        message: `substituteFrom ${kind}/${name}: no such ${kind} in ${namespace ?? 'its namespace'} among this environment's other applications, and no cluster connected to read it from (Flux fails the build; mark it optional: true if it may be absent)`,
        location: at,
      });
    }
    cluster.used = 'asked';
    const read = await live.find(kind, inNamespace, name);
    if (read.status === 'unreadable')
      throw new ProblemError({
        severity: 'error',
        message: `substituteFrom ${kind}/${name}: not among this environment's other applications, and reading it from the cluster (${live.context}) failed: ${read.message}`,
        location: at,
      });
    if (read.status === 'absent') {
      if (isOptional) continue;
      throw new ProblemError({
        severity: 'error',
        message: `substituteFrom ${kind}/${name}: no such ${kind} in ${inNamespace}, neither among this environment's other applications nor in the cluster (${live.context}) (Flux fails the build; mark it optional: true if it may be absent)`,
        location: at,
      });
    }
    readLiveVariables(read.object, kind, name, at, live.context, vars);
  }
  const inline = getMap(post, 'substitute');
  for (const [key, value] of inline?.entries ?? []) {
    // The CRD types the map's values as strings: the API server refuses `REPLICAS: 3`, so Flux never renders it.
    if (value.kind !== 'scalar' || typeof value.value !== 'string') {
      throw new ProblemError({
        severity: 'error',
        message: `postBuild.substitute.${key} must be a string (quote it): the API server rejects this Kustomization`,
        location: loc(value.origin),
      });
    }
    vars.set(key, {
      value: value.value.replace(/\n/g, ''),
      definedAt: loc(value.origin),
      from: 'postBuild.substitute',
    });
  }
  const always = getString(post, 'substituteStrategy') === 'Always';
  if (vars.size === 0 && !always) return objects;
  checkVariableNames(vars);
  // One memo for the Kustomization's objects: its variables are the same for all of them.
  const substitution = { strict: options.strictSubstitution === true, memo: new Map() };
  return objects.map((o) => substituteObject(o, vars, substitution));
}

/**
 * A live ConfigMap's `data`, or a live Secret's keys (its values arrive as stand-ins and stay so): each variable
 * points at the substituteFrom entry that read it, since no line of this repo defines it.
 */
function readLiveVariables(
  object: KubeObject,
  kind: 'ConfigMap' | 'Secret',
  name: string,
  at: SourceLocation,
  context: string,
  vars: Map<string, Variable>,
): void {
  const data = (object as { data?: Record<string, unknown> }).data ?? {};
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'string') continue;
    vars.set(key, {
      value: value.replace(/\n/g, ''),
      definedAt: at,
      from: `${kind} ${name} in the cluster (${context})`,
      ...(kind === 'Secret' ? { secret: true as const } : {}),
    });
  }
}

/** A ConfigMap's `data`, or a Secret's `data` (decoded) and `stringData` (which the API server writes over `data`). */
function readVariables(
  found: RenderedObject,
  kind: 'ConfigMap' | 'Secret',
  name: string,
  vars: Map<string, Variable>,
): void {
  const at = (pointer: string) => loc(found.origins.get(pointer) ?? found.source);
  const object = found.object as {
    data?: Record<string, unknown>;
    stringData?: Record<string, unknown>;
    sops?: unknown;
  };
  // A SOPS-encrypted Secret holds ciphertext that Flux decrypts first: like any Secret's value, it is not used (a
  // placeholder stands in, compared by presence), so the ciphertext never shows as drift.
  const from = kind === 'Secret' && object.sops !== undefined ? `Secret ${name} (SOPS-encrypted)` : `${kind} ${name}`;
  const put = (key: string, value: string, pointer: string) =>
    vars.set(key, {
      value: value.replace(/\n/g, ''),
      definedAt: at(pointer),
      from,
      ...(kind === 'Secret' ? { secret: true as const } : {}),
    });
  for (const [key, value] of Object.entries(object.data ?? {})) {
    if (typeof value !== 'string') continue;
    put(
      key,
      kind === 'Secret' ? Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8') : value,
      childPointer('/data', key),
    );
  }
  if (kind === 'Secret')
    for (const [key, value] of Object.entries(object.stringData ?? {}))
      if (typeof value === 'string') put(key, value, childPointer('/stringData', key));
}

/** commonMetadata's labels and annotations on every object, over its own (as kustomize-controller sets them at apply). */
function applyCommonMetadata(objects: RenderedObject[], common: TMap | undefined): RenderedObject[] {
  const labels = getMap(common, 'labels');
  const annotations = getMap(common, 'annotations');
  if (!labels?.entries.size && !annotations?.entries.size) return objects;
  return objects.map((r) => {
    const origins = new Map(r.origins);
    const metadata = { ...(r.object.metadata ?? {}) } as Record<string, unknown>;
    for (const [field, pairs, kind] of [
      ['labels', labels, 'labels'],
      ['annotations', annotations, 'annotations'],
    ] as const) {
      if (!pairs?.entries.size) continue;
      const into = { ...((metadata[field] as Record<string, string> | undefined) ?? {}) };
      if (!origins.has(`/metadata/${field}`)) origins.set(`/metadata/${field}`, { ...loc(pairs.origin), kind });
      for (const [key, value] of pairs.entries) {
        into[key] = value.kind === 'scalar' && value.value !== null ? String(value.value) : '';
        origins.set(childPointer(`/metadata/${field}`, key), { ...loc(value.origin), kind });
      }
      metadata[field] = into;
    }
    if (!origins.has('/metadata')) origins.set('/metadata', { ...r.source, kind: 'resource' });
    const object = { ...r.object, metadata };
    return { ...r, object, key: keyOf(object), origins };
  });
}

function loc(at: SourceLocation): SourceLocation {
  return { file: at.file, line: at.line, column: at.column };
}
