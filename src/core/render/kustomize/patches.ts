/**
 * `patches`, `patchesStrategicMerge` and `patchesJson6902` entries: load the patch (file or inline, positions in
 * the file that holds it), pick its targets (selector, or the patch's own kind and name) and apply it.
 */
import type { SourceLocation } from '../../model/location';
import { applyJson6902 } from './filters/json6902';
import { applyStrategicMerge } from './filters/strategicMerge';
import { SKIPPED_CONTENT } from '../../model/problem';
import { fail, isRemote } from './kustomizationFields';
import type { Loader } from './loader';
import {
  describe,
  effectiveNamespace,
  gvkOf,
  namespaceOf,
  rememberName,
  type NameIndex,
  type Resource,
} from './resource';
import { readSelector, selects, type Selector } from './selector';
import { getMap, getString, type TMap, type TNode } from '../../yaml/tree';

/** What applying a patch needs from the build. */
export interface PatchContext {
  loader: Loader;
  /** `code`: see Problem.code. */
  warn(message: string, at: SourceLocation, code?: string): void;
}

/**
 * A patch's text (inline or from `path`) parsed into documents, with positions in the file that holds it. A `patch`
 * that is already a tree (a Flux v1beta2 Kustomization's patchesStrategicMerge object or patchesJson6902 operations,
 * written as YAML in its manifest) is that one document.
 */
async function loadPatch(
  ctx: PatchContext,
  dir: string,
  entry: TNode,
  kind: 'strategicMergePatch' | 'json6902Patch',
): Promise<{ docs: TNode[] }> {
  const path = entry.kind === 'map' ? entry.entries.get('path') : undefined;
  const inline = entry.kind === 'map' ? entry.entries.get('patch') : entry;
  if (path?.kind === 'scalar' && path.value !== null) {
    const abs = await ctx.loader.resolveFile(dir, String(path.value), path.origin);
    return { docs: await ctx.loader.readYaml(abs, kind, path.origin, false) };
  }
  if (entry.kind === 'map' && (inline?.kind === 'map' || inline?.kind === 'seq')) return { docs: [inline] };
  if (inline?.kind === 'scalar' && typeof inline.value === 'string') {
    const at = inline.text ?? { line: inline.origin.line, column: inline.origin.column, block: false };
    const placement = {
      lineOffset: at.line - 1,
      firstColumnOffset: at.column - 1,
      columnOffset: at.block ? at.column - 1 : 0,
    };
    const docs = ctx.loader.parseInline(inline.value, inline.origin.file, kind, placement);
    return { docs };
  }
  fail('a patch needs path: or patch:', entry.origin);
}

/** Resources a patch without a target applies to: its own kind/name (current or earlier), and namespace if set. */
function patchTargets(patch: TMap, index: NameIndex): Resource[] {
  const kind = getString(patch, 'kind');
  const name = getString(getMap(patch, 'metadata'), 'name');
  const ns = getString(getMap(patch, 'metadata'), 'namespace');
  const group = getString(patch, 'apiVersion').includes('/') ? getString(patch, 'apiVersion').split('/')[0] : '';
  const byName = index.get(kind, name).filter((r) => gvkOf(r).group === group);
  if (!ns) {
    if (byName.length <= 1) return byName;
    const inDefault = byName.filter((r) => effectiveNamespace(gvkOf(r), namespaceOf(r)) === 'default');
    if (inDefault.length === 1) return inDefault;
    fail(
      `patch matches ${byName.length} objects (${byName.map(describe).join(', ')}); set metadata.namespace in the patch`,
      patch.origin,
    );
  }
  return byName.filter((r) => {
    const gvk = gvkOf(r);
    const wanted = effectiveNamespace(gvk, ns);
    return (
      effectiveNamespace(gvk, namespaceOf(r)) === wanted ||
      r.history.some((h) => effectiveNamespace(gvk, h.namespace) === wanted)
    );
  });
}

/** Merges an SMP document into each target (which keeps its identity fields unless the options allow a change); true when names or the resource list may have changed. */
function applySmp(
  patch: TMap,
  targets: Resource[],
  resources: Resource[],
  opts: { allowNameChange: boolean; allowKindChange: boolean },
): boolean {
  let changed = opts.allowNameChange || opts.allowKindChange;
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
    const { group, version, kind } = gvkOf(res);
    if (!applyStrategicMerge(res.node, copy, group ? `${group}/${version}` : version, kind)) {
      resources.splice(resources.indexOf(res), 1);
      changed = true;
    }
  }
  return changed;
}

function selectorOf(node: TNode | undefined): Selector | undefined {
  return node?.kind === 'map' ? readSelector(node) : undefined;
}

function selectorText(sel: Selector): string {
  return Object.entries(sel)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

/** Applies one patch entry to the resources (in place; a `$patch: delete` removes objects). */
export async function applyPatchEntry(
  ctx: PatchContext,
  dir: string,
  entry: TNode,
  resources: Resource[],
  legacyJson: boolean,
  index: NameIndex,
): Promise<void> {
  // kustomize would download a patch at a URL; nothing is fetched: like a remote resource, it is skipped with a warning.
  const path = entry.kind === 'map' ? entry.entries.get('path') : undefined;
  if (path?.kind === 'scalar' && typeof path.value === 'string' && isRemote(path.value)) {
    ctx.warn(`remote patch '${path.value}' is not fetched; skipped`, path.origin, SKIPPED_CONTENT);
    return;
  }
  const target = selectorOf(entry.kind === 'map' ? entry.entries.get('target') : undefined);
  const options = entry.kind === 'map' ? getMap(entry, 'options') : undefined;
  const opts = {
    allowNameChange: getString(options, 'allowNameChange') === 'true',
    allowKindChange: getString(options, 'allowKindChange') === 'true',
  };
  let { docs } = await loadPatch(ctx, dir, entry, legacyJson ? 'json6902Patch' : 'strategicMergePatch');
  const json = legacyJson || (docs.length === 1 && docs[0].kind === 'seq');
  if (json) {
    if (!target) fail('a JSON6902 patch needs a target', entry.origin);
    // Parsed trees are shared (cached): load again as a JSON6902 patch rather than relabel them.
    if (!legacyJson) docs = (await loadPatch(ctx, dir, entry, 'json6902Patch')).docs;
    const selected = resources.filter((r) => selects(target, r));
    if (selected.length === 0)
      ctx.warn(`patch target matches nothing (${selectorText(target)})`, entry.origin, 'patch-no-match');
    for (const res of selected) for (const d of docs) applyJson6902(res.node, d);
    // An op may rename or re-kind its target.
    if (selected.length > 0) index.invalidate();
    return;
  }
  for (const doc of docs) {
    if (doc.kind !== 'map') fail('a strategic merge patch must be a YAML map', doc.origin);
    if (target) {
      const selected = resources.filter((r) => selects(target, r));
      if (selected.length === 0)
        ctx.warn(`patch target matches nothing (${selectorText(target)})`, entry.origin, 'patch-no-match');
      if (applySmp(doc, selected, resources, opts)) index.invalidate();
    } else {
      const targets = patchTargets(doc, index);
      if (targets.length === 0) {
        const name = getString(getMap(doc, 'metadata'), 'name');
        fail(
          `patch matches no resource: no ${getString(doc, 'kind') || '(no kind)'} named '${name}'`,
          doc.origin,
          'patch-no-match',
        );
      }
      if (applySmp(doc, targets, resources, opts)) index.invalidate();
    }
  }
}
