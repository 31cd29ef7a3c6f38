/**
 * src/core/drift/: desired against live: pairing, the field walk, managedFields ownership, API defaults, ignore
 * rules, verdicts, Secret masking and the reports (text, JSON, SARIF); also exact mode (server dry-run) and the
 * keyed hashes of Secret values in snapshots. It may import render, live and the base layers.
 *
 * Pairs an environment's desired objects with the live ones by resource key and gives each a verdict, like
 * gitops-engine's `sync.Reconcile`: desired order first, then live objects that carry this environment's tracking
 * marks but are no longer in git (`Extra`).
 */
import type { ResourceDrift } from '../model/drift';
import type { LiveFailure, LiveState } from '../model/live';
import { scopeKey } from '../model/live';
import type { KubeObject, ResourceKey } from '../model/resource';
import { keyOf, keyString } from '../model/resource';
import { formatLocation } from '../model/location';
import type { RenderedObject } from '../render/types';
import {
  compileDriftOptions,
  diffObject,
  normalizedDesired,
  normalizedLive,
  type ObjectDiff,
  type ObjectPair,
} from './diffObject';
import type { DriftOptions } from './options';
import { hasTracking, isTracked, trackedByArgoCd } from './tracking';

/** One reconcile result with what it was computed from: the object diff (compared objects), the desired and live objects. */
export interface ReconcileDetail {
  result: ResourceDrift;
  /**
   * The normalised, Secret-masked sides to show: both for compared objects (InSync/Drifted), only the cluster's for
   * Extra, only git's otherwise. Show these, never `desired.object` or `live`, which hold Secret values.
   */
  diff?: ObjectDiff | ObjectPair;
  desired?: RenderedObject;
  live?: KubeObject;
}

/**
 * Object diffs kept between reconciles: a rendered object compared again with the very live object it was compared
 * with before, under equal options, has the same diff. The engine's renders and the watch-backed live cache keep
 * their objects while nothing changes, so a re-check after one file is saved diffs only what that file changed.
 */
export class DiffMemo {
  private readonly kept = new WeakMap<RenderedObject, { live: KubeObject; options: string; diff: ObjectDiff }>();

  /** The diff kept for this pair under options `optionsKey` (see `keyOf`), if any. */
  get(rendered: RenderedObject, live: KubeObject, optionsKey: string): ObjectDiff | undefined {
    const kept = this.kept.get(rendered);
    return kept && kept.live === live && kept.options === optionsKey ? kept.diff : undefined;
  }

  set(rendered: RenderedObject, live: KubeObject, optionsKey: string, diff: ObjectDiff): void {
    this.kept.set(rendered, { live, options: optionsKey, diff });
  }

  /** Options are plain data, rebuilt for every check: compared by content. */
  keyOf(options: DriftOptions): string {
    return JSON.stringify(options);
  }
}

/**
 * The reconcile result for each desired object (in order) and each `Extra` live object (sorted by key). With `memo`,
 * unchanged pairs reuse their earlier diff (their results share its fields: callers must not change them).
 */
export function reconcile(
  desired: readonly RenderedObject[],
  live: LiveState,
  options: DriftOptions,
  memo?: DiffMemo,
): ResourceDrift[] {
  return reconcileDetailed(desired, live, options, memo).map((r) => r.result);
}

/** Like `reconcile`, also returning the normalised pair of every compared object (for `unifiedDiff`). */
export function reconcileDetailed(
  desired: readonly RenderedObject[],
  live: LiveState,
  options: DriftOptions,
  memo?: DiffMemo,
): ReconcileDetail[] {
  const out: ReconcileDetail[] = [];
  const compiled = compileDriftOptions(options);
  const optionsKey = memo?.keyOf(options) ?? '';
  const seen = new Map<string, RenderedObject>();
  const paired = new Set<string>();
  for (const rendered of desired) {
    const base = { apiVersion: rendered.object.apiVersion, key: rendered.key, fields: [], source: rendered.source };
    const id = keyString(rendered.key);
    const first = seen.get(id);
    if (first) {
      out.push({
        result: { ...base, verdict: 'Error', message: `declared twice: also at ${formatLocation(first.source)}` },
        diff: gitSide(rendered),
        desired: rendered,
      });
      continue;
    }
    seen.set(id, rendered);
    const hook = trackedByArgoCd(options.tracking) ? argoHook(rendered.object) : undefined;
    if (hook) {
      // Argo CD runs hooks around a sync and leaves them out of its comparison; a live copy is theirs, not extra.
      const found = live.objects.has(id) ? { id } : findLive(rendered.key, live);
      if (found.id) paired.add(found.id);
      out.push({ result: { ...base, verdict: 'Hook', message: hook }, diff: gitSide(rendered), desired: rendered });
      continue;
    }
    // The usual case, the live object under the very same key, is looked up without findLive's detours.
    const same = live.objects.get(id);
    const found = same ? { object: same, id, listed: true } : findLive(rendered.key, live);
    if (found.failure) {
      out.push({
        result: { ...base, verdict: found.failure.verdict, message: found.failure.message },
        diff: gitSide(rendered),
        desired: rendered,
      });
      continue;
    }
    if (!found.object) {
      out.push({
        result: found.listed
          ? { ...base, verdict: 'Missing' }
          : {
              ...base,
              verdict: 'Error',
              message: `the live state has no listing of ${rendered.key.kind} in ${rendered.key.namespace || 'the cluster scope'}`,
            },
        diff: gitSide(rendered),
        desired: rendered,
      });
      continue;
    }
    paired.add(found.id as string);
    try {
      let diff = memo?.get(rendered, found.object, optionsKey);
      if (!diff) {
        diff = diffObject(rendered, found.object, options, compiled);
        memo?.set(rendered, found.object, optionsKey, diff);
      }
      out.push({
        result: {
          apiVersion: base.apiVersion,
          key: base.key,
          fields: diff.fields,
          ...(diff.ignored ? { ignored: diff.ignored } : {}),
          source: base.source,
          verdict: diff.fields.length ? 'Drifted' : 'InSync',
        },
        diff,
        desired: rendered,
        live: found.object,
      });
    } catch (e) {
      // One odd object must not sink the environment.
      out.push({
        result: { ...base, verdict: 'Error', message: `could not compare: ${(e as Error).message}` },
        diff: gitSide(rendered),
        desired: rendered,
        live: found.object,
      });
    }
  }
  if (hasTracking(options.tracking)) out.push(...extras(live, paired, options));
  return out;
}

/** The live object for a key, or why it cannot be known. A cluster-scoped kind may carry a namespace in git. */
function findLive(
  key: ResourceKey,
  live: LiveState,
): { object?: KubeObject; id?: string; failure?: LiveFailure; listed: boolean } {
  const scopes = key.namespace ? [key.namespace, ''] : [''];
  for (const namespace of scopes) {
    const id = keyString(namespace === key.namespace ? key : { ...key, namespace });
    const object = live.objects.get(id);
    if (object) return { object, id, listed: true };
  }
  for (const namespace of scopes) {
    const failure = live.failures.get(scopeKey(key.group, key.kind, namespace));
    if (failure) return { failure, listed: false };
  }
  return { listed: scopes.some((ns) => live.listed.has(scopeKey(key.group, key.kind, ns))) };
}

function extras(live: LiveState, paired: Set<string>, options: DriftOptions): ReconcileDetail[] {
  const out: ReconcileDetail[] = [];
  for (const [id, obj] of live.objects) {
    if (paired.has(id)) continue;
    const key = keyOf(obj);
    if (
      !live.listed.has(scopeKey(key.group, key.kind, key.namespace)) &&
      !live.listed.has(scopeKey(key.group, key.kind, ''))
    )
      continue;
    if (!isTracked(obj, key, options.tracking)) continue;
    if (trackedByArgoCd(options.tracking)) {
      // Argo CD: a hook is never extraneous, nor is an object marked `compare-options: IgnoreExtraneous`.
      if (argoHook(obj) || argoOptions(obj, 'argocd.argoproj.io/compare-options').includes('IgnoreExtraneous'))
        continue;
      if (argoOptions(obj, 'argocd.argoproj.io/sync-options').includes('Prune=false')) {
        const result: ResourceDrift = { apiVersion: obj.apiVersion, key, verdict: 'Extra', fields: [] };
        result.controller = {
          note: 'Argo CD will not prune it (sync-options Prune=false); the Application stays OutOfSync',
        };
        out.push(liveOnlyDetail(obj, result));
        continue;
      }
    }
    out.push(liveOnlyDetail(obj, { apiVersion: obj.apiVersion, key, verdict: 'Extra', fields: [] }));
  }
  return out.sort((a, b) => keyString(a.result.key).localeCompare(keyString(b.result.key)));
}

/** A verdict on a live object git does not render (`Extra`), with the cluster's side alone to show (masked). */
export function liveOnlyDetail(obj: KubeObject, result: ResourceDrift): ReconcileDetail {
  return {
    result,
    diff: lazyPair(
      () => undefined,
      () => normalizedLive(obj, result.key),
    ),
    live: obj,
  };
}

/** Git's side alone, for the objects that cannot be compared (most never need it, so it is built when read). */
function gitSide(rendered: RenderedObject): ObjectPair {
  return lazyPair(
    () => normalizedDesired(rendered),
    () => undefined,
  );
}

/** A pair whose sides are built when first read (most results are never shown). */
function lazyPair(desired: () => KubeObject | undefined, live: () => KubeObject | undefined): ObjectPair {
  let d: { value: KubeObject | undefined } | undefined;
  let l: { value: KubeObject | undefined } | undefined;
  return {
    fields: [],
    get desired() {
      return (d ??= { value: desired() }).value;
    },
    get live() {
      return (l ??= { value: live() }).value;
    },
  };
}

/**
 * What makes an object an Argo CD hook (gitops-engine `hook.IsHook`), worded for the views; undefined when it is none:
 * an `argocd.argoproj.io/hook` annotation other than `Skip` alone, or a Helm hook (`helm.sh/hook`) other than
 * `crd-install`, which Argo CD runs as the matching sync hook.
 */
export function argoHook(obj: KubeObject): string | undefined {
  const annotations = obj.metadata?.annotations ?? {};
  const argo = annotations['argocd.argoproj.io/hook'];
  const policy = (key: string) => {
    const p = annotations[key];
    return typeof p === 'string' && p.trim()
      ? `, deleted on ${p
          .split(',')
          .map((s) => s.trim())
          .join(', ')}`
      : '';
  };
  if (typeof argo === 'string') {
    const types = argo
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (types.length === 1 && types[0] === 'Skip') return undefined;
    return `Argo CD ${types.join(', ')} hook${policy('argocd.argoproj.io/hook-delete-policy')}: run around a sync, never compared`;
  }
  const helm = annotations['helm.sh/hook'];
  if (typeof helm === 'string' && helm.trim() && helm.trim() !== 'crd-install')
    return `Helm ${helm.trim()} hook (Argo CD runs it as a sync hook${policy('helm.sh/hook-delete-policy')}): never compared`;
  return undefined;
}

/** An Argo CD option annotation's comma-separated entries (`Prune=false,ServerSideApply=true`). */
function argoOptions(obj: KubeObject, key: string): string[] {
  const value = obj.metadata?.annotations?.[key];
  return typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [];
}
