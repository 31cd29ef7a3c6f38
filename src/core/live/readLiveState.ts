/**
 * src/core/live/: live state through the ClusterReader port: which LISTs an environment needs (scopes.ts), one read
 * (readLiveState.ts) and the watch-backed cache (liveCache.ts), with cluster-level failures as one ClusterError. It
 * may import the base layers only; render is its sibling and is not imported.
 */
import type { LiveState } from '../model/live';
import { type KubeObject, keyOf, keyString } from '../model/resource';
import type { ClusterReader, Logger } from '../ports';
import { failureOf } from './outcome';
import { mapWithConcurrency } from '../pool';
import { planScopes } from './scopes';

/** Options for {@link readLiveState}. */
export interface ReadLiveOptions {
  /** Namespace of desired objects that name none (the environment's namespace, else the context's). */
  defaultNamespace: string;
  /** LISTs in flight at once. Default 8. */
  concurrency?: number;
  logger?: Logger;
}

/** Default number of LISTs in flight. */
export const DEFAULT_LIST_CONCURRENCY = 8;

/**
 * Reads what the cluster holds for the scopes `desired` touches: one (paginated) LIST per kind and namespace,
 * never one GET per object. Failures stay per scope (UnknownKind, Forbidden, Error); an environment-level
 * `ClusterError` from the reader rejects the whole read, once.
 */
export async function readLiveState(
  desired: readonly KubeObject[],
  reader: ClusterReader,
  options: ReadLiveOptions,
): Promise<LiveState> {
  const plan = await planScopes(desired, reader, options.defaultNamespace);
  const state: LiveState = {
    objects: new Map(),
    failures: new Map(plan.failures),
    listed: new Set(),
    namespaced: plan.namespaced,
  };
  const started = Date.now();
  const outcomes = await mapWithConcurrency(plan.scopes, options.concurrency ?? DEFAULT_LIST_CONCURRENCY, (scope) =>
    reader.list(scope.type, scope.namespace),
  );
  plan.scopes.forEach((scope, i) => {
    const outcome = outcomes[i];
    const failure = failureOf(scope, outcome);
    if (failure) {
      state.failures.set(scope.key, failure);
      return;
    }
    if (outcome.status !== 'ok') return;
    state.listed.add(scope.key);
    for (const item of outcome.items) state.objects.set(keyString(keyOf(item)), item);
  });
  options.logger?.debug(
    `live state: ${plan.scopes.length} lists, ${state.objects.size} objects, ${state.failures.size} failed scopes in ${Date.now() - started} ms`,
  );
  return state;
}

/**
 * Starts the LISTs `desired` needs and returns at once, for a reader that keeps every LIST for its life
 * (SharedListReader, one CLI run): a later `readLiveState` of these scopes finds them done or on their way. A check
 * calls it as each application's render ends, so the cluster answers while the rest renders instead of after it.
 * Failures are left to that later read, which reports them (a rejected LIST is not kept by such a reader).
 */
export function startLiveReads(desired: readonly KubeObject[], reader: ClusterReader, defaultNamespace: string): void {
  planScopes(desired, reader, defaultNamespace).then(
    (plan) => {
      for (const scope of plan.scopes) reader.list(scope.type, scope.namespace).catch(() => undefined);
    },
    () => undefined,
  );
}
