/**
 * An Argo CD Application's `source.kustomize` overrides written into the root kustomization as Argo CD writes them
 * before it builds (argo-cd `util/kustomize/kustomize.go` Build: `kustomize edit set nameprefix / namesuffix / image /
 * replicas`, `edit add label / annotation` (with `--force`, `--without-selector`, `--include-templates`), `edit set
 * namespace`, `patches` appended to the file, `edit add component`), in that order. Each written value's origin is the
 * Application's line that set it, so drift on it points there.
 *
 * Argo CD substitutes its build environment in images and labels (always) and annotations (with
 * `commonAnnotationsEnvsubst`): `$ARGOCD_APP_NAME` and `$ARGOCD_APP_NAMESPACE` are known here; any other variable
 * (`$ARGOCD_APP_REVISION`, ...) becomes empty, as Argo CD's Envsubst makes an unknown one, and is named in a warning.
 */
import type { Origin, OriginKind, SourceLocation } from '../../model/location';
import { ProblemError, type Problem } from '../../model/problem';
import { getString, tmap, tscalar, tseq, fromPlain, type TMap, type TNode } from '../../yaml/tree';

/** The overrides as the Application declares them, with where each top-level field is. */
export interface KustomizeOverrides {
  values: Record<string, unknown>;
  at: Record<string, SourceLocation>;
  /** Where `kustomize:` is. */
  where: SourceLocation;
}

/** Argo CD's build environment for one Application (what `${ARGOCD_APP_NAME}` and friends expand to). */
export interface ArgoBuildEnv {
  appName: string;
  appNamespace?: string;
}

const KIND: Record<string, OriginKind> = {
  namePrefix: 'namePrefix',
  nameSuffix: 'nameSuffix',
  images: 'image',
  replicas: 'replicas',
  commonLabels: 'labels',
  commonAnnotations: 'annotations',
  namespace: 'namespace',
  patches: 'strategicMergePatch',
  components: 'resource',
};

/** The fields Argo CD reads from `source.kustomize` (others, like `version` or `kubeVersion`, change no output here). */
export const OVERRIDE_FIELDS = [
  'namePrefix',
  'nameSuffix',
  'images',
  'replicas',
  'commonLabels',
  'commonAnnotations',
  'commonAnnotationsEnvsubst',
  'forceCommonLabels',
  'forceCommonAnnotations',
  'labelWithoutSelector',
  'labelIncludeTemplates',
  'namespace',
  'patches',
  'components',
  'ignoreMissingComponents',
];

/** The root kustomization with the overrides written in (a copy); `problems` gets what could not be exact. */
export function applyKustomizeOverrides(
  k: TMap,
  overrides: KustomizeOverrides,
  env: ArgoBuildEnv,
  problems: Problem[],
): TMap {
  const out = tmap(k.origin, new Map(k.entries));
  const v = overrides.values;
  const origin = (field: string): Origin => ({
    ...(overrides.at[field] ?? overrides.where),
    kind: KIND[field] ?? 'resource',
  });
  const unknownVars = new Set<string>();
  const envsubst = (text: string) =>
    text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, a: string, b: string) => {
      const name = a ?? b;
      if (name === 'ARGOCD_APP_NAME') return env.appName;
      if (name === 'ARGOCD_APP_NAMESPACE') return env.appNamespace ?? '';
      unknownVars.add(name);
      return '';
    });
  const str = (field: string) => (typeof v[field] === 'string' && v[field] !== '' ? (v[field] as string) : undefined);

  const prefix = str('namePrefix');
  if (prefix) out.entries.set('namePrefix', tscalar(prefix, origin('namePrefix')));
  const suffix = str('nameSuffix');
  if (suffix) out.entries.set('nameSuffix', tscalar(suffix, origin('nameSuffix')));
  if (Array.isArray(v.images) && v.images.length)
    out.entries.set(
      'images',
      setImages(
        out.entries.get('images'),
        v.images.map((i) => envsubst(String(i))),
        origin('images'),
      ),
    );
  if (Array.isArray(v.replicas) && v.replicas.length)
    out.entries.set('replicas', setReplicas(out.entries.get('replicas'), v.replicas, origin('replicas')));
  if (isMap(v.commonLabels) && Object.keys(v.commonLabels).length) {
    const labels = Object.fromEntries(Object.entries(v.commonLabels).map(([key, val]) => [key, envsubst(String(val))]));
    if (v.labelWithoutSelector === true || v.labelIncludeTemplates === true) {
      // `edit add label --without-selector`: a `labels:` entry of its own, selectors left alone.
      const entry = new Map<string, TNode>([['pairs', fromPlain(labels, origin('commonLabels'))]]);
      if (v.labelWithoutSelector !== true) entry.set('includeSelectors', tscalar(true, origin('commonLabels')));
      if (v.labelIncludeTemplates === true) entry.set('includeTemplates', tscalar(true, origin('commonLabels')));
      const existing = out.entries.get('labels');
      out.entries.set(
        'labels',
        tseq(existing?.origin ?? origin('commonLabels'), [
          ...(existing?.kind === 'seq' ? existing.items : []),
          tmap(origin('commonLabels'), entry),
        ]),
      );
    } else
      out.entries.set(
        'commonLabels',
        addPairs(
          out.entries.get('commonLabels'),
          labels,
          v.forceCommonLabels === true,
          'label',
          origin('commonLabels'),
        ),
      );
  }
  if (isMap(v.commonAnnotations) && Object.keys(v.commonAnnotations).length) {
    const annotations = Object.fromEntries(
      Object.entries(v.commonAnnotations).map(([key, val]) => [
        key,
        v.commonAnnotationsEnvsubst === true ? envsubst(String(val)) : String(val),
      ]),
    );
    out.entries.set(
      'commonAnnotations',
      addPairs(
        out.entries.get('commonAnnotations'),
        annotations,
        v.forceCommonAnnotations === true,
        'annotation',
        origin('commonAnnotations'),
      ),
    );
  }
  const namespace = str('namespace');
  if (namespace) out.entries.set('namespace', tscalar(namespace, origin('namespace')));
  if (Array.isArray(v.patches) && v.patches.length) {
    const existing = out.entries.get('patches');
    const added = v.patches.map((p) => fromPlain(p, origin('patches')));
    out.entries.set(
      'patches',
      tseq(existing?.origin ?? origin('patches'), [...(existing?.kind === 'seq' ? existing.items : []), ...added]),
    );
  }
  if (Array.isArray(v.components) && v.components.length) {
    // `edit add component` (ignoreMissingComponents leaves out the ones the renderer would not find: named by it).
    const existing = out.entries.get('components');
    const items = existing?.kind === 'seq' ? [...existing.items] : [];
    for (const c of v.components.map(String))
      if (!items.some((i) => i.kind === 'scalar' && i.value === c)) items.push(tscalar(c, origin('components')));
    out.entries.set('components', tseq(existing?.origin ?? origin('components'), items));
  }
  if (unknownVars.size)
    problems.push({
      severity: 'warning',
      message: `\${${[...unknownVars].sort().join('}, ${')}} in the Application's kustomize overrides: Argo CD's build environment sets ${unknownVars.size > 1 ? 'them' : 'it'}, this render has ${unknownVars.size > 1 ? 'them' : 'it'} empty`,
      location: overrides.where,
    });
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `kustomize edit add label|annotation K:V ...`: added to the map; a key already there with another value fails the
 * build ("already in kustomization file") unless `--force` (Argo CD's forceCommonLabels / forceCommonAnnotations).
 */
function addPairs(
  existing: TNode | undefined,
  pairs: Record<string, string>,
  force: boolean,
  what: 'label' | 'annotation',
  origin: Origin,
): TNode {
  const out = tmap(existing?.origin ?? origin, existing?.kind === 'map' ? new Map(existing.entries) : new Map());
  for (const [key, value] of Object.entries(pairs)) {
    if (out.entries.has(key) && !force)
      throw new ProblemError({
        severity: 'error',
        message: `kustomize edit add ${what}: ${what} ${key} already in kustomization file (Argo CD's build fails; force${what === 'label' ? 'CommonLabels' : 'CommonAnnotations'}: true overrides it)`,
        location: origin,
      });
    out.entries.set(key, tscalar(value, origin));
  }
  return out;
}

/** `kustomize edit set replicas NAME=COUNT`: the entry of that name replaced, else appended. */
function setReplicas(existing: TNode | undefined, replicas: unknown[], origin: Origin): TNode {
  const items = existing?.kind === 'seq' ? [...existing.items] : [];
  for (const r of replicas) {
    if (!isMap(r) || typeof r.name !== 'string') continue;
    const count = typeof r.count === 'number' ? r.count : Number.parseInt(String(r.count), 10);
    if (!Number.isInteger(count))
      throw new ProblemError({
        severity: 'error',
        message: `replicas ${r.name}: count ${String(r.count)} is not an integer`,
        location: origin,
      });
    const entry = tmap(
      origin,
      new Map<string, TNode>([
        ['name', tscalar(r.name, origin)],
        ['count', tscalar(count, origin)],
      ]),
    );
    const at = items.findIndex((i) => i.kind === 'map' && getString(i, 'name') === r.name);
    if (at >= 0) items[at] = entry;
    else items.push(entry);
  }
  return tseq(existing?.origin ?? origin, items);
}

/**
 * `kustomize edit set image ARG...` (kustomize `edit/set/setimage.go`): `name=newName:tag`, `name:tag`,
 * `name@digest`, `name=newName@digest`, `name=newName`. An entry of the same name is updated (a new tag drops the
 * digest and the other way round), else one is appended.
 */
function setImages(existing: TNode | undefined, args: string[], origin: Origin): TNode {
  const items = existing?.kind === 'seq' ? [...existing.items] : [];
  for (const arg of args) {
    const image = parseImageArg(arg);
    const at = items.findIndex((i) => i.kind === 'map' && getString(i, 'name') === image.name);
    const entries =
      at >= 0 ? new Map((items[at] as TMap).entries) : new Map<string, TNode>([['name', tscalar(image.name, origin)]]);
    if (image.newName !== undefined) entries.set('newName', tscalar(image.newName, origin));
    if (image.newTag !== undefined) {
      entries.set('newTag', tscalar(image.newTag, origin));
      entries.delete('digest');
    }
    if (image.digest !== undefined) {
      entries.set('digest', tscalar(image.digest, origin));
      entries.delete('newTag');
    }
    const entry = tmap(origin, entries);
    if (at >= 0) items[at] = entry;
    else items.push(entry);
  }
  return tseq(existing?.origin ?? origin, items);
}

function parseImageArg(arg: string): { name: string; newName?: string; newTag?: string; digest?: string } {
  let name = arg;
  let rest: string | undefined;
  const eq = arg.indexOf('=');
  if (eq >= 0) {
    name = arg.slice(0, eq);
    rest = arg.slice(eq + 1);
  }
  const split = (ref: string) => {
    const at = ref.indexOf('@');
    if (at >= 0) return { image: ref.slice(0, at), digest: ref.slice(at + 1) };
    const colon = ref.lastIndexOf(':');
    // A colon before the last `/` is a registry port, not a tag.
    if (colon > ref.lastIndexOf('/')) return { image: ref.slice(0, colon), tag: ref.slice(colon + 1) };
    return { image: ref };
  };
  if (rest === undefined) {
    const { image, tag, digest } = split(name);
    return { name: image, ...(tag !== undefined ? { newTag: tag } : {}), ...(digest !== undefined ? { digest } : {}) };
  }
  const { image, tag, digest } = split(rest);
  return {
    name,
    ...(image ? { newName: image } : {}),
    ...(tag !== undefined ? { newTag: tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}
