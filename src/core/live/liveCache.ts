import type { LiveState } from '../model/live';
import { scopeKey } from '../model/live';
import { type KubeObject, keyOf, keyString } from '../model/resource';
import type { ClusterReader, ListOutcome, Logger, ResourceType, WatchEnd, WatchEvent } from '../ports';
import { silentLogger } from '../ports';
import { isClusterError } from './clusterError';
import { failureOf } from './outcome';
import { mapWithConcurrency } from '../pool';
import { DEFAULT_LIST_CONCURRENCY } from './readLiveState';
import { type LiveScope, planScopes } from './scopes';

/** What changed in the cache since the last event: scope keys and object keys (`keyString`). */
export interface LiveChange {
  scopes: string[];
  objects: string[];
}

/** A watch that broke and will be retried. */
export interface WatchProblem {
  scope: string;
  message: string;
  retryInMs: number;
  /**
   * True when the whole cluster failed (unreachable, TLS, credentials): announced once for all scopes until a
   * watch works again, so the editor shows one message, not one per scope.
   */
  cluster: boolean;
}

/** Options for {@link LiveCache}. */
export interface LiveCacheOptions {
  /** LISTs in flight at once. Default 8. */
  concurrency?: number;
  /** Reconnect backoff: first delay, cap (ms) and jitter fraction (0.2 = ±20%). */
  backoff?: { initialMs?: number; maxMs?: number; jitter?: number };
  /** A watch that ends sooner than this without events counts as a failure (guards against a hot loop). */
  minWatchMs?: number;
  /** Scopes no read has asked for in this long stop being watched and are forgotten. Default 15 min. */
  idleMs?: number;
  /** Clock for idleness; tests pass their own. */
  now?: () => number;
  /** How to wait between reconnects; tests pass one that records and resolves at once. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  logger?: Logger;
}

interface Entry {
  scope: LiveScope;
  objects: Map<string, KubeObject>;
  resourceVersion: string;
  /** False when the reader cannot watch this scope: every read lists it again. */
  watching: boolean;
  /** The watch broke and has not delivered an event since: reads list again rather than trust the cache. */
  broken: boolean;
  /** When a read last asked for this scope. */
  lastRead: number;
  abort: AbortController;
}

/** A subscription; call `dispose()` to stop listening. */
export interface Subscription {
  dispose(): void;
}

/**
 * Live state kept current by watches, for one cluster (one ClusterReader). The first `read` of a scope
 * lists it and starts a watch from the list's resourceVersion (with bookmarks); later reads answer from
 * memory with no requests. A 410 Gone re-lists the scope; a broken stream reconnects with exponential
 * backoff from the last resourceVersion seen. Changes are announced through `onDidChange`, coalesced per
 * tick, so the editor can re-diff without asking the cluster. Dispose to stop every watch.
 */
export class LiveCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ListOutcome>>();
  private readonly changeListeners = new Set<(change: LiveChange) => void>();
  private readonly problemListeners = new Set<(problem: WatchProblem) => void>();
  private pending: { scopes: Set<string>; objects: Set<string> } | undefined;
  private disposed = false;
  /** The cluster-level watch failure last announced, until a watch delivers an event again. */
  private clusterProblem: string | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly reader: ClusterReader,
    private readonly options: LiveCacheOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * The live state for `desired`, listing (and starting to watch) only scopes not yet cached. The objects are
   * the cache's own (no copy, so a re-read stays cheap): treat them as read-only.
   */
  async read(desired: readonly KubeObject[], options: { defaultNamespace: string }): Promise<LiveState> {
    if (this.disposed) throw new Error('LiveCache used after dispose()');
    const plan = await planScopes(desired, this.reader, options.defaultNamespace);
    const state: LiveState = {
      objects: new Map(),
      failures: new Map(plan.failures),
      listed: new Set(),
      namespaced: plan.namespaced,
    };
    const needed = plan.scopes.filter((s) => !this.isCurrent(this.entries.get(s.key)));
    const outcomes = await mapWithConcurrency(needed, this.options.concurrency ?? DEFAULT_LIST_CONCURRENCY, (scope) =>
      this.load(scope),
    );
    needed.forEach((scope, i) => {
      const failure = failureOf(scope, outcomes[i]);
      if (failure) state.failures.set(scope.key, failure);
    });
    const now = (this.options.now ?? Date.now)();
    for (const scope of plan.scopes) {
      const entry = this.entries.get(scope.key);
      if (!entry || state.failures.has(scope.key)) continue;
      entry.lastRead = now;
      state.listed.add(scope.key);
      for (const [key, obj] of entry.objects) state.objects.set(key, obj);
    }
    this.evictIdle(now);
    return state;
  }

  /**
   * One scope as a ClusterReader LIST would answer it, from memory when the scope is watched (so the cache can
   * stand in for the reader behind `readLiveState`). Failures are the reader's own outcomes, unwrapped.
   */
  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    if (this.disposed) throw new Error('LiveCache used after dispose()');
    const ns = type.namespaced ? namespace : '';
    const scope: LiveScope = { key: scopeKey(type.group, type.kind, ns), type, namespace: ns };
    let entry = this.entries.get(scope.key);
    if (!this.isCurrent(entry)) {
      const outcome = await this.load(scope);
      if (outcome.status !== 'ok') return outcome;
      entry = this.entries.get(scope.key);
      if (!entry) return outcome;
    }
    entry!.lastRead = (this.options.now ?? Date.now)();
    return { status: 'ok', items: [...entry!.objects.values()], resourceVersion: entry!.resourceVersion };
  }

  /** Fires after watch events or a re-list changed cached objects. */
  onDidChange(listener: (change: LiveChange) => void): Subscription {
    this.changeListeners.add(listener);
    return { dispose: () => this.changeListeners.delete(listener) };
  }

  /** Fires when a watch broke and will be retried (the cached data may lag until it reconnects). */
  onWatchProblem(listener: (problem: WatchProblem) => void): Subscription {
    this.problemListeners.add(listener);
    return { dispose: () => this.problemListeners.delete(listener) };
  }

  /** Scope keys currently kept current by a watch. */
  get watchedScopes(): string[] {
    return [...this.entries.values()].filter((e) => e.watching).map((e) => e.scope.key);
  }

  /** Stops watching scopes nobody has read for `idleMs` (an environment's namespace changed, say). */
  private evictIdle(now: number): void {
    const idleMs = this.options.idleMs ?? 15 * 60_000;
    for (const [key, entry] of this.entries) {
      if (now - entry.lastRead < idleMs) continue;
      entry.abort.abort();
      this.entries.delete(key);
      this.logger.debug(`live cache: ${key} not read for ${Math.round(idleMs / 1000)} s, watch stopped`);
    }
  }

  private isCurrent(entry: Entry | undefined): boolean {
    return Boolean(entry?.watching && !entry.broken);
  }

  /** Stops every watch and forgets the cached objects. */
  dispose(): void {
    this.disposed = true;
    for (const entry of this.entries.values()) entry.abort.abort();
    this.entries.clear();
    this.changeListeners.clear();
    this.problemListeners.clear();
  }

  /** Lists a scope (sharing a LIST already in flight) and starts its watch. */
  private load(scope: LiveScope): Promise<ListOutcome> {
    let promise = this.loading.get(scope.key);
    if (!promise) {
      promise = this.fetch(scope).finally(() => this.loading.delete(scope.key));
      this.loading.set(scope.key, promise);
    }
    return promise;
  }

  private async fetch(scope: LiveScope): Promise<ListOutcome> {
    const outcome = await this.reader.list(scope.type, scope.namespace);
    if (outcome.status !== 'ok' || this.disposed) return outcome;
    const objects = new Map(outcome.items.map((o) => [keyString(keyOf(o)), o] as const));
    const existing = this.entries.get(scope.key);
    if (existing) {
      // A scope that cannot be watched, or whose watch is broken, listed again: refresh in place. A watch that
      // reconnects meanwhile replays from its own resourceVersion, so the entry converges to the latest state.
      existing.objects = objects;
      existing.resourceVersion = outcome.resourceVersion;
      return outcome;
    }
    const entry: Entry = {
      scope,
      objects,
      resourceVersion: outcome.resourceVersion,
      watching: Boolean(this.reader.watch),
      broken: false,
      lastRead: (this.options.now ?? Date.now)(),
      abort: new AbortController(),
    };
    this.entries.set(scope.key, entry);
    if (entry.watching) void this.watchLoop(entry);
    return outcome;
  }

  private async watchLoop(entry: Entry): Promise<void> {
    const { signal } = entry.abort;
    const minWatchMs = this.options.minWatchMs ?? 1000;
    let failures = 0;
    while (!signal.aborted) {
      const started = Date.now();
      let events = 0;
      let clusterFailure = false;
      let end: WatchEnd;
      try {
        end = await this.reader.watch!(
          entry.scope.type,
          entry.scope.namespace,
          entry.resourceVersion,
          (event) => {
            events++;
            this.apply(entry, event);
          },
          signal,
        );
      } catch (e) {
        end = { status: 'error', message: e instanceof Error ? e.message : String(e) };
        clusterFailure = isClusterError(e);
      }
      if (signal.aborted) return;
      if (end.status === 'forbidden') {
        // Allowed to list but not to watch: fall back to listing on every read.
        this.logger.info(`watch ${entry.scope.key}: ${end.message}; listing on each read instead`);
        entry.watching = false;
        return;
      }
      if (end.status === 'gone') {
        this.logger.debug(
          `watch ${entry.scope.key}: resourceVersion ${entry.resourceVersion} expired (410 Gone), listing again`,
        );
        const message = await this.relist(entry);
        if (message === undefined) {
          entry.broken = false;
          // A server that answers every watch with 410 at once would have us list in a hot loop: a 410 that ends a
          // watch which delivered nothing counts as a failure, so the next one waits its backoff.
          if (events > 0 || Date.now() - started >= minWatchMs) {
            failures = 0;
            continue;
          }
          failures++;
          const wait = this.backoff(failures);
          this.logger.warn(`watch ${entry.scope.key}: 410 Gone again at once; watching again in ${wait} ms`);
          try {
            await (this.options.delay ?? delay)(wait, signal);
          } catch {
            return; // aborted while waiting
          }
          continue;
        }
        end = { status: 'error', message };
      }
      // A stream that delivered events was healthy: count failures from zero again.
      if (events > 0) failures = 0;
      if (end.status === 'closed' && (events > 0 || Date.now() - started >= minWatchMs)) continue;
      failures++;
      entry.broken = true;
      const wait = this.backoff(failures);
      const message = end.status === 'error' ? end.message : 'watch closed at once';
      this.logger.warn(`watch ${entry.scope.key}: ${message}; reconnecting in ${wait} ms`);
      if (!clusterFailure || message !== this.clusterProblem) {
        if (clusterFailure) this.clusterProblem = message;
        for (const listener of [...this.problemListeners])
          listener({ scope: entry.scope.key, message, retryInMs: wait, cluster: clusterFailure });
      }
      try {
        await (this.options.delay ?? delay)(wait, signal);
      } catch {
        return; // aborted while waiting
      }
    }
  }

  private apply(entry: Entry, event: WatchEvent): void {
    if (entry.abort.signal.aborted) return;
    entry.broken = false;
    this.clusterProblem = undefined;
    if (event.type === 'BOOKMARK') {
      entry.resourceVersion = event.resourceVersion;
      return;
    }
    const key = keyString(keyOf(event.object));
    const rv = event.object.metadata?.resourceVersion;
    if (typeof rv === 'string' && rv) entry.resourceVersion = rv;
    if (event.type === 'DELETED') entry.objects.delete(key);
    else entry.objects.set(key, event.object);
    this.queueChange(entry.scope.key, [key]);
  }

  /** Lists a scope again after 410 Gone and announces what differs; returns an error message on failure. */
  private async relist(entry: Entry): Promise<string | undefined> {
    let outcome;
    try {
      outcome = await this.reader.list(entry.scope.type, entry.scope.namespace);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    if (entry.abort.signal.aborted) return undefined;
    if (outcome.status !== 'ok') {
      // The kind went away or access was revoked: drop the scope; the next read lists it and reports why.
      entry.abort.abort();
      this.entries.delete(entry.scope.key);
      this.queueChange(entry.scope.key, [...entry.objects.keys()]);
      return undefined;
    }
    const next = new Map(outcome.items.map((o) => [keyString(keyOf(o)), o] as const));
    const changed: string[] = [];
    for (const [key, obj] of next) {
      if (entry.objects.get(key)?.metadata.resourceVersion !== obj.metadata.resourceVersion) changed.push(key);
    }
    for (const key of entry.objects.keys()) if (!next.has(key)) changed.push(key);
    entry.objects = next;
    entry.resourceVersion = outcome.resourceVersion;
    this.queueChange(entry.scope.key, changed, true);
    return undefined;
  }

  private queueChange(scope: string, objects: string[], always = false): void {
    if (!objects.length && !always) return;
    if (!this.pending) {
      this.pending = { scopes: new Set(), objects: new Set() };
      // One event per tick: a burst of watch events (one network chunk) becomes one re-diff.
      queueMicrotask(() => this.flush());
    }
    this.pending.scopes.add(scope);
    for (const key of objects) this.pending.objects.add(key);
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || this.disposed) return;
    const change: LiveChange = { scopes: [...pending.scopes], objects: [...pending.objects] };
    for (const listener of [...this.changeListeners]) listener(change);
  }

  private backoff(failures: number): number {
    const initial = this.options.backoff?.initialMs ?? 500;
    const max = this.options.backoff?.maxMs ?? 30_000;
    const jitter = this.options.backoff?.jitter ?? 0.2;
    const base = Math.min(max, initial * 2 ** (failures - 1));
    return Math.round(base * (1 + jitter * (2 * Math.random() - 1)));
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
