/**
 * The one facade the CLI and the editor use: load a repo's environments, render them (cached by file content),
 * read their live state from a cluster or a snapshot, and reconcile. Pure core: all I/O goes through ports.
 */
import type { DriftOptions, IgnoreRule } from './drift/options';
import { isClusterError } from './live/clusterError';
import { reconcile, reconcileDetailed, type ReconcileDetail } from './drift/reconcile';
import type { LiveCache } from './live/liveCache';
import { readLiveState } from './live/readLiveState';
import type { EnvironmentDrift, ResourceDrift } from './model/drift';
import type { LiveState } from './model/live';
import { formatLocation } from './model/location';
import type { Problem } from './model/problem';
import { ProblemError, SKIPPED_CONTENT } from './model/problem';
import { plainText } from './model/untrustedText';
import type { ClusterReader, ClusterWriter, FileSystem, Logger } from './ports';
import { silentLogger } from './ports';
import { renderKustomization } from './render/kustomize/kustomize';
import { afterPendingIo } from './render/ioTurns';
import type { RenderedObject, RenderOptions, RenderResult } from './render/types';
import { CONFIG_FILE, joinPath, type RepoEnvironment } from './repo/config';
import { driftOptionsFor } from './repo/driftSettings';
import { refineWithDryRun } from './drift/exactMode';
import { GeneratedKustomizationFileSystem, generatedKustomization } from './render/plain/plainFolder';
import { RenderCache } from './repo/renderCache';
import { RecordingFileSystem } from './recordingFileSystem';
import { FileCache, REPO_TEXTS } from './fileCache';
import { createParseCache } from './yaml/parseYaml';
import { type EnvironmentSetting, loadRepository, type RepoModel } from './repo/repository';
import { isSecret } from './drift/secrets';
import { hashSecretValues, type SnapshotKey } from './drift/snapshotSecrets';

/** The renderer and the drift engine, injectable so tests (and future alternatives) can swap them. */
export interface EnginePipeline {
  render(root: string, options: RenderOptions): Promise<RenderResult>;
  reconcile(desired: RenderedObject[], live: LiveState, options: DriftOptions): ResourceDrift[];
  /** Like `reconcile`, with the normalised desired/live pair of each compared object (for `diff`). */
  reconcileDetailed?(desired: RenderedObject[], live: LiveState, options: DriftOptions): ObjectComparison[];
}

/** One object's verdict with the normalised objects behind it (Secret values masked). */
export type ObjectComparison = ReconcileDetail;

/** The in-process Kustomize renderer (keeping parsed files between renders) and the drift engine's reconcile. */
export function createDefaultPipeline(): EnginePipeline {
  const cache = createParseCache();
  return { render: (root, options) => renderKustomization(root, { ...options, cache }), reconcile, reconcileDetailed };
}

/** Where an environment's live objects come from. */
export interface LiveSource {
  reader: ClusterReader;
  /** The kube context name, for the report (`snapshot:FILE` for a snapshot). */
  context: string;
  /** The context's default namespace: used for objects naming none when the environment names none. */
  namespace?: string;
  /**
   * Set when the live Secrets carry keyed hashes instead of values (a snapshot): desired ones are hashed alike with
   * `key`, or, when the user's key is not the one that took the snapshot, Secret values cannot be compared (`unavailable`).
   */
  secretHashing?: { key: SnapshotKey } | { unavailable: string };
  /** Dry-run access for exact mode; without it exact mode falls back to the local diff, with a warning. */
  writer?: ClusterWriter;
  /**
   * A watch-backed cache of `reader` (src/core/live/liveCache.ts): when given, checks read from it, so a re-check
   * after a file save makes no request for scopes it already watches.
   */
  cache?: Pick<LiveCache, 'read'>;
}

/** Per-check options. */
export interface CheckOptions {
  /** Exact mode (server-side apply dry run) for this check; default: the environment's, else the config's. */
  exact?: boolean;
}

/** The outcome of checking one environment: the drift result plus the problems met on the way. */
export interface EnvironmentReport extends EnvironmentDrift {
  /** Render warnings and errors with their file:line. */
  problems: Problem[];
  /** Milliseconds spent per phase. */
  timings: { render: number; live: number; reconcile: number };
}

/** What a file change means. */
export interface FileChange {
  /** Environments whose render read the file and must be checked again. */
  environments: string[];
  /** The environment list itself may have changed (config file, a kustomization): call `load()` again. */
  reload: boolean;
}

export interface EngineOptions {
  fs: FileSystem;
  /** Absolute path of the repo root, `/` separators. */
  repoRoot: string;
  /** Default: {@link createDefaultPipeline}. */
  pipeline?: EnginePipeline;
  logger?: Logger;
  /** The editor's `gitopsDrift.environments` (overrides config and discovery). */
  environmentSettings?: EnvironmentSetting[];
  /** The editor's `gitopsDrift.ignore`, added to the config's rules. */
  ignore?: IgnoreRule[];
}

/** A repo's environments and how they compare with the cluster. One per repo; cheap to keep around. */
export class DriftEngine {
  private model: Promise<RepoModel> | undefined;
  private readonly cache = new RenderCache();
  /** File texts kept between renders (dropped by `fileChanged`): a re-render reads only what changed. */
  private readonly sources: FileCache;
  /** Renders in flight, by root: concurrent checks of environments sharing a root render it once. */
  private readonly rendering = new Map<string, Promise<RenderResult>>();
  /**
   * Renders run one after another: they are CPU-bound, so interleaving them only delays every result, while in
   * turn the first environment reads its cluster (server and network time) as the next one renders.
   */
  private renderQueue: Promise<void> | undefined;
  /** Every file reported changed, in order: a render that read one of them while in flight is not cached. */
  private readonly changes: string[] = [];
  private readonly logger: Logger;
  private readonly pipeline: EnginePipeline;

  constructor(private readonly options: EngineOptions) {
    this.logger = options.logger ?? silentLogger;
    this.pipeline = options.pipeline ?? createDefaultPipeline();
    this.sources = new FileCache(options.fs, { keepOnly: REPO_TEXTS, checkStamps: true });
  }

  /** (Re)loads config and environments. Never throws for bad input: problems are in the result. */
  async load(): Promise<RepoModel> {
    const loading = loadRepository(this.options.fs, this.options.repoRoot, this.options.environmentSettings);
    this.model = loading;
    const model = await loading;
    this.logger.debug(`loaded ${model.environments.length} environments (${model.problems.length} problems)`);
    return model;
  }

  /** The loaded repo (loads it on first use, once however many callers ask at the same time). */
  async repo(): Promise<RepoModel> {
    return this.model ?? this.load();
  }

  /** The environment called `name`; a ProblemError listing the known ones otherwise. */
  async environment(name: string): Promise<RepoEnvironment> {
    const repo = await this.repo();
    const env = repo.environments.find((e) => e.name === name);
    if (!env) throw new ProblemError({ severity: 'error', message: `no environment '${name}' (known: ${repo.environments.map((e) => e.name).join(', ') || 'none'})` });
    return env;
  }

  /** Renders an environment, from cache when none of the files it read has changed. Throws ProblemError on bad input. */
  async render(env: RepoEnvironment): Promise<RenderResult> {
    const cached = this.cache.get(env.path);
    if (cached) return cached;
    let inFlight = this.rendering.get(env.path);
    if (!inFlight) {
      // With none running, a render starts at once (reading files now); otherwise when the last queued one ends and
      // due I/O had a turn (the cluster replies for the environment rendered before, and its next requests).
      const queued = this.renderQueue;
      inFlight = (queued ? queued.then(afterPendingIo).then(() => this.renderUncached(env)) : this.renderUncached(env)).finally(() => this.rendering.delete(env.path));
      const tail: Promise<void> = inFlight.then(
        () => this.settleQueue(tail),
        () => this.settleQueue(tail),
      );
      this.renderQueue = tail;
      this.rendering.set(env.path, inFlight);
    }
    return inFlight;
  }

  private settleQueue(tail: Promise<void>): void {
    if (this.renderQueue === tail) this.renderQueue = undefined;
  }

  private async renderUncached(env: RepoEnvironment): Promise<RenderResult> {
    const changesBefore = this.changes.length;
    const fs = new RecordingFileSystem(this.sources, this.options.repoRoot);
    const started = Date.now();
    const dir = joinPath(this.options.repoRoot, env.path);
    const generated = await generatedKustomization(fs, dir).catch(() => undefined);
    const renderFs = generated === undefined ? fs : new GeneratedKustomizationFileSystem(fs, dir, generated.text);
    const result = await this.pipeline.render(dir, { fs: renderFs, repoRoot: this.options.repoRoot, ...(env.definedAt ? { rootAt: env.definedAt } : {}) });
    if (generated !== undefined) {
      const charts = generated.charts.map((c) => (env.path && c ? `${env.path}/${c}` : env.path || c || '.'));
      result.problems.unshift(
        ...(generated.charts.includes('') ? [] : [{ severity: 'warning' as const, message: `no kustomization file: every manifest in ${env.path || '.'} is rendered, as Flux's kustomize-controller does`, location: { file: env.path || '.', line: 0, column: 0 } }]),
        ...charts.map((chart) => ({
          severity: 'warning' as const,
          code: SKIPPED_CONTENT,
          message: `${chart} is a Helm chart: it is not rendered until Helm support lands, so nothing from it is compared with the cluster`,
          location: { file: chart === '.' ? 'Chart.yaml' : `${chart}/Chart.yaml`, line: 1, column: 1 },
        })),
      );
    }
    // A file saved while this render ran may have been read before or after the save: do not keep the result.
    const racing = this.changes.slice(changesBefore).some((f) => fs.reads.has(f) || fs.listings.has(f.slice(0, Math.max(0, f.lastIndexOf('/')))));
    if (!racing) this.cache.set(env.path, result, fs.reads, fs.listings);
    this.logger.debug(`rendered ${env.path || '.'}: ${result.objects.length} objects from ${fs.reads.size} files in ${Date.now() - started} ms`);
    return result;
  }

  /**
   * Tells the engine a repo file was created, changed or deleted (repo-relative path). Re-reads it and drops the
   * cached renders that read different content; returns the environments to check again.
   */
  async fileChanged(file: string): Promise<FileChange> {
    if (this.rendering.size === 0) this.changes.length = 0; // only renders in flight look back at them
    this.changes.push(file);
    this.sources.invalidate(joinPath(this.options.repoRoot, file));
    let content: string | undefined;
    try {
      content = await this.options.fs.readFile(joinPath(this.options.repoRoot, file));
    } catch {
      content = undefined;
    }
    const roots = new Set(this.cache.invalidate(file, content));
    const repo = await this.repo();
    const environments = repo.environments.filter((e) => roots.has(e.path)).map((e) => e.name);
    const name = file.split('/').pop() ?? '';
    // A folder deleted or created (no extension, no text) may hold an environment or a kustomization: look again.
    const folder = content === undefined && !name.includes('.') && name !== 'Kustomization';
    const reload = file === CONFIG_FILE || folder || /^(kustomization\.ya?ml|Kustomization)$/.test(name) || (repo.environments.some((e) => e.source === 'argocd' || e.source === 'flux') && /\.ya?ml$/.test(name));
    return { environments, reload };
  }

  /** Environments whose last render read `file`. */
  async environmentsReading(file: string): Promise<string[]> {
    const roots = new Set(this.cache.rootsReading(file));
    return (await this.repo()).environments.filter((e) => roots.has(e.path)).map((e) => e.name);
  }

  /**
   * Renders an environment, reads what the cluster (or snapshot) holds for it, and reconciles. Failures are
   * reported in the result, never thrown: a render error, an unreachable cluster (or an unexpected failure, also
   * logged) is the environment's `error`; a forbidden or unknown kind is a per-object verdict.
   */
  async check(env: RepoEnvironment, live: LiveSource, options: CheckOptions = {}): Promise<EnvironmentReport> {
    return (await this.compare(env, live, false, options)).report;
  }

  /** Like `check`, also returning the normalised desired and live object behind each verdict. */
  async compareObjects(env: RepoEnvironment, live: LiveSource, options: CheckOptions = {}): Promise<{ report: EnvironmentReport; objects: ObjectComparison[] }> {
    return this.compare(env, live, true, options);
  }

  private async compare(env: RepoEnvironment, live: LiveSource, detailed: boolean, options: CheckOptions): Promise<{ report: EnvironmentReport; objects: ObjectComparison[] }> {
    const report: EnvironmentReport = { name: env.name, path: env.path, context: live.context, error: null, resources: [], problems: [], timings: { render: 0, live: 0, reconcile: 0 } };
    const namespace = env.namespace ?? live.namespace ?? 'default';
    report.namespace = namespace;
    let t = Date.now();
    let rendered: RenderResult;
    try {
      rendered = await this.render(env);
    } catch (e) {
      // A renderer bug must not sink the other environments: it is this environment's error, logged with its stack.
      if (!(e instanceof ProblemError)) this.logger.error(e instanceof Error ? e : String(e));
      report.error = `render failed: ${e instanceof Error ? e.message : String(e)}`;
      if (e instanceof ProblemError) report.problems.push(e.problem);
      return { report, objects: [] };
    }
    report.problems.push(...rendered.problems);
    const skipped = rendered.problems.filter((p) => p.code === SKIPPED_CONTENT);
    if (skipped.length) report.skipped = skipped.map((p) => ({ message: p.message, ...(p.location ? { location: p.location } : {}) }));
    report.timings.render = Date.now() - t;
    let desired = rendered.objects;
    const hashing = live.secretHashing;
    if (hashing && 'unavailable' in hashing && desired.some((r) => isSecret(r.object))) {
      // Comparing hashes made with two keys would call every Secret drifted: say why nothing can be said instead.
      report.error = hashing.unavailable;
      return { report, objects: [] };
    }
    if (hashing && 'key' in hashing) {
      desired = desired.map((r) => (isSecret(r.object) ? { ...r, object: hashSecretValues(r.object, hashing.key, r.object.metadata?.namespace || namespace) } : r));
    }
    t = Date.now();
    let state: LiveState;
    try {
      const objects = desired.map((r) => r.object);
      state = live.cache ? await live.cache.read(objects, { defaultNamespace: namespace }) : await readLiveState(objects, live.reader, { defaultNamespace: namespace, logger: this.logger });
    } catch (e) {
      if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
      report.error = isClusterError(e) ? e.message : `reading the cluster failed: ${e instanceof Error ? e.message : String(e)}`;
      return { report, objects: [] };
    }
    report.timings.live = Date.now() - t;
    // Like `kubectl apply -n`: namespaced objects naming no namespace go to the environment's, so they pair up
    // with live objects by key. Cluster-scoped ones (and kinds the cluster does not serve) are left alone.
    desired = desired.map((r) => (r.key.namespace || state.namespaced?.get(`${r.key.group}/${r.key.kind}`) !== true ? r : withNamespace(r, namespace)));
    t = Date.now();
    const repo = await this.repo();
    const driftOptions = driftOptionsFor(env, repo.config, this.options.ignore);
    let objects: ObjectComparison[] = [];
    const exact = options.exact ?? env.exact ?? repo.config.exact;
    if (exact && !live.writer) report.problems.push({ severity: 'warning', message: `exact mode needs a cluster to dry-run against (${live.context}); the local diff is shown` });
    try {
      if ((detailed || (exact && live.writer)) && this.pipeline.reconcileDetailed) {
        objects = this.pipeline.reconcileDetailed(desired, state, driftOptions);
        if (exact && live.writer) await refineWithDryRun(objects, live.writer);
        report.resources = objects.map((o) => o.result);
      } else report.resources = this.pipeline.reconcile(desired, state, driftOptions);
    } catch (e) {
      this.logger.error(e instanceof Error ? e : String(e));
      report.error = `comparing failed: ${e instanceof Error ? e.message : String(e)}`;
      return { report, objects: [] };
    }
    report.timings.reconcile = Date.now() - t;
    this.logger.debug(`checked ${env.name}: ${report.resources.length} objects, render ${report.timings.render} ms, live ${report.timings.live} ms, reconcile ${report.timings.reconcile} ms`);
    return { report, objects };
  }

  /**
   * Renders an environment as `render` does, but from another file system, such as a past git revision of the repo
   * (src/core/promote/changeSummary.ts): nothing is cached, since the files are not the working tree's.
   */
  async renderFrom(env: RepoEnvironment, fs: FileSystem): Promise<RenderResult> {
    const dir = joinPath(this.options.repoRoot, env.path);
    const generated = await generatedKustomization(fs, dir).catch(() => undefined);
    const renderFs = generated === undefined ? fs : new GeneratedKustomizationFileSystem(fs, dir, generated.text);
    return this.pipeline.render(dir, { fs: renderFs, repoRoot: this.options.repoRoot, ...(env.definedAt ? { rootAt: env.definedAt } : {}) });
  }
}

function withNamespace(r: RenderedObject, namespace: string): RenderedObject {
  return { ...r, object: { ...r.object, metadata: { ...r.object.metadata, namespace } }, key: { ...r.key, namespace } };
}

/** `file:line:col: message` for a problem (or just the message when it has no location). */
export function formatProblem(problem: Problem): string {
  const loc = problem.location;
  // Problems quote repo text (file names, keys, values): control characters in it are shown as escapes, not sent.
  const message = plainText(problem.message, { visible: true });
  if (!loc) return message;
  return plainText(`${loc.line ? formatLocation(loc) : loc.file}: `, { visible: true }) + message;
}
