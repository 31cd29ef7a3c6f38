/**
 * The one facade the CLI and the editor use: load a repo's environments, render them (cached by file content),
 * read their live state from a cluster or a snapshot, and reconcile. Pure core: all I/O goes through ports.
 */
import { createHash } from 'node:crypto';
import { argoApplicationsTracked, isTracked, trackedByArgoCd } from './drift/tracking';
import type { DriftOptions, IgnoreRule, TrackingOptions } from './drift/options';
import { isClusterError } from './live/clusterError';
import { DiffMemo, reconcile, reconcileDetailed, type ReconcileDetail } from './drift/reconcile';
import type { LiveCache } from './live/liveCache';
import { readLiveState, startLiveReads } from './live/readLiveState';
import type { ApplicationSummary, EnvironmentDrift, ResourceDrift } from './model/drift';
import { type Application, describeSource, rendersHere, sourcePath } from './model/environment';
import { type LiveState, scopeKey } from './model/live';
import { keyOf, type KubeObject, type ResourceKey } from './model/resource';
import { formatLocation, type SourceLocation } from './model/location';
import type { Problem } from './model/problem';
import { ProblemError, SKIPPED_CONTENT } from './model/problem';
import { keyString } from './model/resource';
import { plainText } from './model/untrustedText';
import {
  disabledChartSource,
  type ChartSource,
  type ClusterReader,
  type ClusterWriter,
  type FileSystem,
  type Git,
  type HelmEngine,
  type Logger,
} from './ports';
import {
  helmChartLocation,
  maskSecretValues,
  renderHelmRelease,
  type HelmReleaseRender,
  type ValuesTraceSummary,
} from './render/helm/helmRelease';
import { CHART_DOWNLOADS_HOW_TO, CHART_NOT_DOWNLOADED } from './render/helm/remoteChart';
import { downloadedChartFile } from './render/helm/chartFiles';
import { nextUpgradeChanges } from './drift/nextUpgrade';
import { silentLogger } from './ports';
import { renderApplication } from './render/application';
import { joinApplicationRenders, type RenderedApplication, type RenderedEnvironment } from './render/environmentRender';
import { afterPendingIo } from './render/ioTurns';
import type { RenderedObject, RenderOptions, RenderResult } from './render/types';
import { CONFIG_FILE, joinPath, type RepoEnvironment } from './repo/config';
import { driftOptionsFor, narrowToApplications } from './repo/driftSettings';
import { refineWithDryRun } from './drift/exactMode';
import { RenderCache } from './repo/renderCache';
import { RecordingFileSystem } from './recordingFileSystem';
import { FileCache, REPO_TEXTS } from './fileCache';
import { createParseCache } from './yaml/parseYaml';
import { type EnvironmentSetting, loadRepository, type RepoModel } from './repo/repository';
import { mayDeclareEnvironments } from './repo/discover';
import { isSecret } from './drift/secrets';
import { hashSecretValues, type SnapshotKey } from './drift/snapshotSecrets';
import { canonicalJson } from './yaml/pointer';
import {
  applyFluxStatus,
  gitPosition,
  type GitPosition,
  type ObjectsOf,
  pendingPruneObjects,
  recentHistory,
} from './drift/fluxStatus';
import { applyArgoStatus, argoPruneObjects } from './drift/argoStatus';
import { argoApplicationOf, parseArgoApplication, readArgoApplication } from './live/argoApplication';
import type { KubeContextServer } from './repo/argoDestinations';
import { maskDesiredSecret, type UnreadApplication } from './live/argoCdReader';
import { fluxKustomizationOf, parseFluxKustomization, readFluxKustomization } from './live/fluxKustomization';
import { type FluxHelmReleaseRead, helmReleaseTarget, parseFluxHelmRelease } from './live/fluxHelmRelease';
import { isReleaseRecord, latestDeployed, releaseHistory, storageFailure, storageRequest } from './live/helmRelease';
import {
  compareGitWithRelease,
  configScrubber,
  helmControllerStatus,
  helmReleasesIn,
  releaseDriftOptions,
  releaseObjects,
  releaseStatus,
  withTracedOrigins,
} from './drift/helmRelease';

/** The renderer and the drift engine, injectable so tests (and future alternatives) can swap them. */
export interface EnginePipeline {
  /** Renders one application whose source is in this repo, whatever its renderer kind (the one render port). */
  render(app: Application, options: RenderOptions): Promise<RenderResult>;
  /** `memo`: diffs kept from earlier reconciles of the same objects (src/core/drift/reconcile.ts). */
  reconcile(desired: RenderedObject[], live: LiveState, options: DriftOptions, memo?: DiffMemo): ResourceDrift[];
  /** Like `reconcile`, with the normalised desired/live pair of each compared object (for `diff`). */
  reconcileDetailed?(desired: RenderedObject[], live: LiveState, options: DriftOptions): ObjectComparison[];
}

/** One object's verdict with the normalised objects behind it (Secret values masked). */
export type ObjectComparison = ReconcileDetail;

/** The in-process renderers (Kustomize keeping parsed files between renders) and the drift engine's reconcile. */
export function createDefaultPipeline(): EnginePipeline {
  const cache = createParseCache();
  return { render: (app, options) => renderApplication(app, { ...options, cache }), reconcile, reconcileDetailed };
}

/** How long HEAD's history read for one check is reused by the next ones (a whole `check` run falls within it). */
const HISTORY_TTL_MS = 2000;

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
  /**
   * `api` when `reader` is Argo CD's API server (the objects it manages and their live state, for a cluster without
   * kube credentials: src/core/live/argoCdApi.ts); default: a cluster.
   */
  via?: 'cluster' | 'api';
  /**
   * With `via: 'api'`: the Applications whose objects Argo CD's API would not give (by `namespace/name`; a 403 for
   * this token, a 404): only those applications' objects are forbidden or not checked, with the cause said once on
   * each, and the environment's other applications are compared (core/live/argoCdReader.ts `liveSource`).
   */
  unreadApplications?: () => Promise<ReadonlyMap<string, UnreadApplication>>;
  /**
   * Where Argo CD's Applications are read when not from `reader`: the cluster that runs Argo CD, for an Application
   * deploying to another cluster (core/repo/argoDestinations.ts `statusInArgoCdCluster`). Connected on first use; a
   * failure to connect is a warning on the application, never the check's error.
   */
  argoCd?: ArgoCdCluster;
  /**
   * Set when `reader` keeps every LIST for its life (the CLI's SharedListReader): a check then starts the LISTs of
   * each application as soon as it is rendered, so the cluster answers while the others render.
   */
  listsKept?: boolean;
}

/** The cluster that runs Argo CD, as a check reads its Applications from it. */
export interface ArgoCdCluster {
  /** Its kube context, for the report (`(current context)` when the kubeconfig's current one). */
  context: string;
  source(): Promise<Pick<LiveSource, 'reader' | 'cache'>>;
}

/** Per-check options. */
export interface CheckOptions {
  /** Exact mode (server-side apply dry run) for this check; default: the environment's, else the config's. */
  exact?: boolean;
  /**
   * Compare only these applications' objects (by name): only their scopes are read, only their tracking marks find
   * `Extra` objects, and the environment's other applications are reported as `controllerStatus` reports them (their
   * objects `NotChecked`, their controller's status read, `statusOnly` on their summaries). Default: every application.
   * The editor's Argo CD destination at fleet shape checks the Applications opened in the tree so.
   */
  applications?: readonly string[];
}

/** The outcome of checking one environment: the drift result plus the problems met on the way. */
export interface EnvironmentReport extends EnvironmentDrift {
  /** Render warnings and errors with their file:line. */
  problems: Problem[];
  /** Milliseconds spent per phase. */
  timings: { render: number; live: number; reconcile: number };
  applications: ApplicationSummary[];
  /**
   * Set by `controllerStatus`: no live object was read, every object is not checked, and each application has its
   * controller's status (an Argo CD environment at fleet shape, before it is opened).
   */
  statusOnly?: true;
  /**
   * Set on the report of a render in progress (Engine.renderedReport's `onProgress`): how many of the environment's
   * applications have rendered. Its objects are theirs; the others' summaries say `rendering`; it has no problems yet.
   */
  rendering?: { rendered: number; total: number };
}

/** How far an environment's render is (Engine.renderedReport's `onProgress`). */
export interface RenderProgress {
  /** Applications rendered (or failed) so far. */
  rendered: number;
  /** How many of the first applications, in the environment's order (the tree's), are all rendered. */
  leading: number;
  total: number;
}

/** What a file change means. */
export interface FileChange {
  /** Environments whose render read the file and must be checked again. */
  environments: string[];
  /** For each of `environments`, its applications whose render read the file. */
  applications: Record<string, string[]>;
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
  /** The repo's git: a controller's applied revision is compared with HEAD through it. */
  git?: Git;
  /**
   * Helm's engine, asked for only when a chart of this repo is rendered (a HelmRelease's, an Argo CD Helm source, a
   * kustomization's `helmCharts:`), so a repo without Helm content never loads it. Undefined, or returning undefined:
   * such renders say the engine is not available.
   */
  helmEngine?: () => HelmEngine | undefined;
  /**
   * Charts of Helm and OCI repositories (HelmRepository, OCIRepository sources). Default: downloads off, every such
   * release saying how to enable them.
   */
  chartSource?: ChartSource;
  /**
   * The kubeconfig's contexts with their servers: Argo CD destinations become kube contexts at load
   * (core/repo/argoDestinations.ts). Asked only when an Application names a destination; absent, destinations are
   * not resolved (every environment runs in its own or the current context).
   */
  kubeContexts?: () => Promise<readonly KubeContextServer[]>;
  /**
   * The repo's files do not change while this engine lives (one `check` run): a kept text is used without comparing
   * its modification stamp again, a stat per read (a Flux child reads its parent's files again: 16,800 reads in a
   * home-ops check of 120 Kustomizations), and listings, stats and real paths are kept too. Default false: the
   * editor's files change under it.
   */
  filesFixed?: boolean;
  /**
   * Keep each object's diff for the next check of the same objects (default true: the editor re-checks after every
   * save). A run that checks each environment once (the CLI) passes false: a kept diff holds its live object and
   * that object's decoded managedFields until the process ends, 30,000 of them in a large check.
   */
  keepDiffs?: boolean;
  /**
   * How many renders run at once; default {@link RENDER_SLOTS}. One when reads are synchronous (the CLI): a render
   * is then CPU-bound, and in turn the first environment reads its cluster while the next renders.
   */
  renderSlots?: number;
}

/**
 * Renders at once with asynchronous reads (the editor). One after another, each waited for every file it had not
 * read yet, one thread-pool turn at a time: a Flux cluster of 120 Kustomizations made about 1,300 such turns in a row
 * (docs/benchmarks.md, "the first opening's reads").
 */
export const RENDER_SLOTS = 8;

/** Flux's source-controller API group (HelmRepository, OCIRepository, Bucket). */
const FLUX_SOURCE_GROUP = 'source.toolkit.fluxcd.io';

/** What a release with a remote chart says while chart downloads are off. */
export const CHART_DOWNLOADS_OFF = CHART_DOWNLOADS_HOW_TO;

/** The largest file of a downloaded chart kept for showing (values files are far smaller). */
const MAX_KEPT_CHART_FILE = 1024 * 1024;

/** A repo's environments and how they compare with the cluster. One per repo; cheap to keep around. */
export class DriftEngine {
  /** Top-level YAML files of the charts downloaded for HelmReleases, by their origin name (downloadedChartFile). */
  private readonly chartTexts = new Map<string, string>();
  private model: Promise<RepoModel> | undefined;
  private readonly cache = new RenderCache();
  /** The render key each environment's application was last rendered under (`env\0app` → key), for renderInputs. */
  private readonly renderedKeys = new Map<string, string>();
  /** File texts kept between renders (dropped by `fileChanged`): a re-render reads only what changed. */
  private readonly sources: FileCache;
  /** The last joined render of each environment (objects of a reloaded environment go with it). */
  private readonly joined = new WeakMap<RepoEnvironment, RenderedEnvironment>();
  /** Renders in flight, by root: concurrent checks of environments sharing a root render it once. */
  private readonly rendering = new Map<string, Promise<RenderResult>>();
  /** Renders run `renderSlots` at a time (EngineOptions.renderSlots); those waiting for a slot, in order. */
  private readonly renderSlots: number;
  private rendersRunning = 0;
  private readonly renderWaiting: (() => void)[] = [];
  /** While set, renders wait for it before they start (holdRenders). */
  private renderHold: Promise<void> | undefined;
  /**
   * Diffs of the last checks: a re-check compares again only the objects whose render or live state changed. Absent
   * when `keepDiffs` is false.
   */
  private readonly diffs: DiffMemo | undefined;
  /** Rendered objects given their application's namespace (see `compare`), kept so that the memo above sees them again. */
  private readonly placedObjects = new WeakMap<RenderedObject, RenderedObject>();
  /**
   * Chart renders (values traced) of the HelmReleases the editor's Helm features asked for, by HelmRelease as rendered:
   * dropped on every file change (a chart file, a valuesFrom ConfigMap), re-rendered when next asked.
   */
  private readonly helmRenders = new Map<RenderedObject, Promise<HelmReleaseRender>>();
  /**
   * Calls of renderApp under way (a Flux child waiting for its parent's render included): the first of a burst begins
   * the file cache's pass, so one refresh's renders ask for each file's stamp, listing and real path once.
   */
  private renderCalls = 0;
  /**
   * A load began the current pass and no render has been asked for since (nor was a change reported): the first render
   * continues that pass instead of stat'ing every file discovery has just read again.
   */
  private passFromLoad = false;
  /** Every file reported changed, in order: a render that read one of them while in flight is not cached. */
  private readonly changes: string[] = [];
  private readonly logger: Logger;
  private readonly pipeline: EnginePipeline;
  /** Charts of Helm and OCI repositories; downloads off unless the caller gave a source. */
  private readonly chartSource: ChartSource;
  /** The loaded config's `flux.strictPostBuildSubstitutions`: read as a render starts, in its caller's turn. */
  private strictSubstitution = false;
  /**
   * HEAD's recent history for the controllers' applied revisions, shared by the checks of one moment (a `check` of
   * every environment asks once, not once per Kustomization); HEAD moves without telling the engine, so it is kept briefly.
   */
  private history: { at: number; commits: Promise<string[]> } | undefined;

  constructor(private readonly options: EngineOptions) {
    this.logger = options.logger ?? silentLogger;
    this.pipeline = options.pipeline ?? createDefaultPipeline();
    this.chartSource = options.chartSource ?? disabledChartSource(CHART_DOWNLOADS_OFF);
    this.sources = new FileCache(options.fs, {
      keepOnly: REPO_TEXTS,
      checkStamps: !options.filesFixed,
      // Fixed files: each render of a shared base asks again for the same folders, stats and real paths. Otherwise
      // they (and the stamps) are asked for once per pass of renders (see renderApp).
      ...(options.filesFixed ? { keepPaths: true } : { perPass: true }),
    });
    this.diffs = options.keepDiffs === false ? undefined : new DiffMemo();
    this.renderSlots = Math.max(1, options.renderSlots ?? RENDER_SLOTS);
  }

  /**
   * What a render of this repo is given besides its files (Helm's engine, still made only when a render meets a chart;
   * the chart source), for renders made outside the engine: a promotion's verify render of the edited files.
   */
  renderPorts(): Pick<RenderOptions, 'helmEngine' | 'chartSource'> {
    return {
      ...(this.options.helmEngine ? { helmEngine: this.options.helmEngine } : {}),
      chartSource: this.chartSource,
    };
  }

  /**
   * The text of a downloaded chart's file that origins name (`gitops-drift-chart:NAME/VERSION/values.yaml`), once a
   * HelmRelease's chart was rendered in this engine; undefined otherwise. For the editor's read-only chart documents.
   */
  downloadedChartText(file: string): string | undefined {
    return this.chartTexts.get(file);
  }

  /** (Re)loads config and environments. Never throws for bad input: problems are in the result. */
  async load(): Promise<RepoModel> {
    // Discovery's texts are the render's: a file is read once (for the editor, its stamp checked once per pass, and a
    // load with no render in flight begins a pass, so what changed unreported since the last one is read again).
    if (this.renderCalls === 0) {
      this.sources.beginPass();
      this.passFromLoad = true;
    }
    const fs = this.sources;
    const list = this.options.kubeContexts;
    const loading = loadRepository(fs, this.options.repoRoot, this.options.environmentSettings, {
      ...(this.options.helmEngine ? { helmEngine: this.options.helmEngine } : {}),
      // Destinations resolve inside the load (so the CLI and the editor resolve alike, before Applications are
      // grouped by destination cluster); an unreadable kubeconfig matches nothing.
      ...(list
        ? {
            kubeContexts: () =>
              list().catch((e: unknown) => {
                this.logger.warn(
                  `reading the kubeconfig's contexts failed: ${e instanceof Error ? e.message : String(e)}`,
                );
                return [];
              }),
          }
        : {}),
      // A remote-chart Argo CD app-of-apps is expanded only when downloads are on (the disabled source says no).
      chartSource: this.chartSource,
    });
    this.model = loading;
    const model = await loading;
    if (this.model === loading) this.strictSubstitution = model.config.flux.strictPostBuildSubstitutions;
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
    if (!env)
      throw new ProblemError({
        severity: 'error',
        message: `no environment '${name}' (known: ${repo.environments.map((e) => e.name).join(', ') || 'none'})`,
      });
    return env;
  }

  /**
   * Renders an environment: the union of its applications' renders, each from cache when none of the files it read
   * has changed. An application that fails (or whose source is outside this repo) is reported and left out, so it
   * never hides the others; when no application renders, the first failure is thrown (ProblemError on bad input).
   */
  async render(
    env: RepoEnvironment,
    live?: LiveSource,
    onPart?: (part: RenderedApplication) => void,
  ): Promise<RenderedEnvironment> {
    const parts = await Promise.all(
      env.applications.map((app) =>
        onPart
          ? this.renderPart(env, app, live).then((part) => {
              onPart(part);
              return part;
            })
          : this.renderPart(env, app, live),
      ),
    );
    const failed = parts.find((p): p is RenderedApplication & { thrown: unknown } => 'thrown' in p);
    if (failed && parts.every((p) => !p.result)) throw failed.thrown;
    // Callers ask again and again (hovers, lint, every check): the join is redone only when a part changed.
    const last = this.joined.get(env);
    if (
      last &&
      last.applications.length === parts.length &&
      last.applications.every((p, i) => p.result === parts[i].result && p.error === parts[i].error)
    )
      return last;
    const joined = joinApplicationRenders(env, parts);
    this.joined.set(env, joined);
    return joined;
  }

  /**
   * No render starts until `until` settles (those under way go on): the editor keeps this thread free to answer its
   * view while it draws a partial render (renderedReport's `onProgress`).
   */
  private holdRenders(until: Promise<void>): void {
    const held: Promise<void> = Promise.all([this.renderHold, until.catch(() => undefined)]).then(() => {
      if (this.renderHold === held) this.renderHold = undefined;
    });
    this.renderHold = held;
  }

  /**
   * One application's render (from cache when its files did not change). Throws like `render`. A Flux Kustomization
   * another application's render holds is rendered as that render holds it (see `applied`). With `live`, a Flux
   * postBuild source this repo does not render is read from that cluster (such a render is not cached).
   */
  async renderApplication(env: RepoEnvironment, app: Application, live?: LiveSource): Promise<RenderResult> {
    return this.renderApp(env, app, { resolve: true, chain: new Set(), live });
  }

  /**
   * `resolve`: take the application as its parent's render applies it (false: as its own file declares it, for the
   * renders a postBuild lookup reads). `chain`: the applications whose renders wait on this one (never rendered again
   * beneath it, so a Kustomization applying itself, or two applying each other, end).
   */
  private async renderApp(
    env: RepoEnvironment,
    declared: Application,
    how: { resolve: boolean; chain: ReadonlySet<Application>; live?: LiveSource },
  ): Promise<RenderResult> {
    // The first render asked for with none under way begins a pass: stamps, listings and real paths are asked for
    // again, once for every render until none is under way (unless a load has just begun one: discovery read them).
    if (this.renderCalls++ === 0 && !this.passFromLoad) this.sources.beginPass();
    this.passFromLoad = false;
    try {
      return await this.renderAppInPass(env, declared, how);
    } finally {
      this.renderCalls--;
    }
  }

  private async renderAppInPass(
    env: RepoEnvironment,
    declared: Application,
    how: { resolve: boolean; chain: ReadonlySet<Application>; live?: LiveSource },
  ): Promise<RenderResult> {
    if (!rendersHere(declared))
      throw new ProblemError({
        severity: 'error',
        message: `application '${declared.name}' of environment '${env.name}': its source is outside this repo (${describeSource(declared.source)}), so there is nothing here to render`,
        ...(declared.declaredAt ? { location: declared.declaredAt } : {}),
      });
    // Without a parent nothing is awaited: a render starts in the caller's turn, before a save it may race with.
    const { app, files: parentFiles } =
      how.resolve && declared.controller?.appliedBy
        ? await this.applied(env, declared, how.chain, how.live)
        : { app: declared, files: [] };
    const strict = this.strictSubstitution;
    const key = renderKey(app, strict);
    if (how.resolve) this.renderedKeys.set(`${env.name}\0${declared.name}`, key);
    // A render that skipped a source no cluster was there to ask is done again when there is one.
    const usable = (r: RenderResult | undefined) => (r && !(how.live && r.cluster === 'unasked') ? r : undefined);
    const cached = usable(this.cache.get(key));
    if (cached) return cached;
    // Renders that may ask a cluster are kept apart in flight: they may differ from those without.
    const flightKey = how.live && needsLookup(app) ? `${key}@${how.live.context}` : key;
    let inFlight = this.rendering.get(flightKey);
    let lookup: Lookup | undefined;
    if (!inFlight && needsLookup(app)) {
      // The renders of the environment's other applications that a postBuild substituteFrom may read: done first, so
      // a render never waits in the queue behind itself. Another caller may have started this one meanwhile.
      lookup = await this.lookupIn(env, declared, app);
      const done = usable(this.cache.get(key));
      if (done) return done;
      inFlight = this.rendering.get(flightKey);
    }
    if (!inFlight) {
      // With a slot free, a render starts at once (reading files now); otherwise when a running one ends and due I/O
      // had a turn (the cluster replies for the environments rendered before, and their next requests).
      const rootAt = rootAtOf(env, app);
      const render = () => this.renderUncached(app, key, rootAt, lookup, parentFiles, how.live, strict);
      const run = () => (this.renderHold ? this.renderHold.then(render) : render());
      const free = this.rendersRunning < this.renderSlots;
      if (free) this.rendersRunning++;
      inFlight = (
        free ? run() : new Promise<void>((start) => this.renderWaiting.push(start)).then(afterPendingIo).then(run)
      ).finally(() => {
        this.rendering.delete(flightKey);
        // The slot goes to the next render waiting, if any.
        const next = this.renderWaiting.shift();
        if (next) next();
        else this.rendersRunning--;
      });
      this.rendering.set(flightKey, inFlight);
    }
    return inFlight;
  }

  /**
   * The application as its controller applies it. A Flux Kustomization listed in another one's folder is applied as
   * that parent's render holds it: the parent's `patches` (home-ops repos add `postBuild.substituteFrom` or HelmRelease
   * patches to every child), its `targetNamespace` and its postBuild substitution all reach the child's spec, and each
   * field keeps the origin the parent's render gave it (a patched field points at the patch's line). Returns the
   * parent's files too: the child's render depends on them. When the parent cannot be rendered, or its render does
   * not hold the child, the child is taken as its file declares it (the parent's failure is reported on the parent).
   */
  private async applied(
    env: RepoEnvironment,
    app: Application,
    chain: ReadonlySet<Application>,
    live: LiveSource | undefined,
  ): Promise<{ app: Application; files: string[] }> {
    const controller = app.controller;
    const parent = controller?.appliedBy ? env.applications.find((a) => a.name === controller.appliedBy) : undefined;
    if (!controller || !parent || parent === app || chain.has(parent) || sourcePath(parent) === undefined)
      return { app, files: [] };
    let result: RenderResult;
    try {
      result = await this.renderApp(env, parent, { resolve: true, chain: new Set([...chain, app]), live });
    } catch {
      return { app, files: [] };
    }
    return { app: asApplied(app, result), files: result.files };
  }

  /** An application's part of its environment's render: its result, or why it has none. */
  private async renderPart(
    env: RepoEnvironment,
    app: Application,
    live: LiveSource | undefined,
  ): Promise<RenderedApplication & { thrown?: unknown }> {
    if (app.source.type === 'outside') return outsidePart(app);
    try {
      return { application: app, result: await this.renderApplication(env, app, live), problems: [] };
    } catch (e) {
      // A chart that could not be downloaded is the application's state (downloads off, offline), not a failure of the
      // environment: its objects are missing, which makes the environment incomplete.
      if (e instanceof ProblemError && e.problem.code === CHART_NOT_DOWNLOADED)
        return {
          application: app,
          error: e.problem.message,
          problems: [{ ...e.problem, severity: 'warning', code: SKIPPED_CONTENT }],
        };
      // A renderer bug is logged with its stack; it still sinks only this application.
      if (!(e instanceof ProblemError)) this.logger.error(e instanceof Error ? e : String(e));
      const message = e instanceof Error ? e.message : String(e);
      const problems = e instanceof ProblemError ? [e.problem] : [];
      // In an environment of several applications the others are still compared, but the environment is incomplete.
      if (env.applications.length > 1)
        problems.push({
          severity: 'error',
          code: SKIPPED_CONTENT,
          message: `application '${app.name}' is not compared: its render failed: ${message}`,
          ...(app.declaredAt ? { location: app.declaredAt } : {}),
        });
      return { application: app, error: `render failed: ${message}`, problems, thrown: e };
    }
  }

  /**
   * What `findObject` searches for an application's postBuild: renders of the environment's other applications, as
   * their own files declare them (a render that waited on this one's parent could wait on itself), until every
   * ConfigMap and Secret its substituteFrom names is found. The applications whose renders hold this one come first
   * (home-ops repos: the cluster Kustomization renders the cluster-settings its children substitute from), then those
   * that read nothing from others, then the rest. One that substitutes from others itself, often the very one asking,
   * is rendered without its substituteFrom (which reads nothing from others, so lookups never form a cycle): Flux reads
   * such a source from the cluster, where an earlier reconcile applied it. A failed render is left out.
   */
  private async lookupIn(env: RepoEnvironment, declared: Application, app: Application): Promise<Lookup> {
    const local = env.applications.map((o) => (o === declared ? app : o)).filter((o) => sourcePath(o) !== undefined);
    const ancestors: Application[] = [];
    for (let a = app.controller?.appliedBy; a !== undefined;) {
      const parent = local.find((o) => o.name === a);
      if (!parent || parent === app || ancestors.includes(parent)) break;
      ancestors.push(parent);
      a = parent.controller?.appliedBy;
    }
    const candidates = [
      ...ancestors,
      ...local.filter((o) => o !== app && !ancestors.includes(o) && !needsLookup(o)),
      ...local.filter((o) => !ancestors.includes(o) && needsLookup(o)),
    ];
    const wanted = substituteSources(app);
    const renders: Lookup['renders'] = [];
    const has = (ref: { kind: string; name: string }) =>
      renders.some((r) =>
        r.result.objects.some((o) => o.key.group === '' && o.key.kind === ref.kind && o.key.name === ref.name),
      );
    for (const o of candidates) {
      if (wanted.every(has)) break;
      const form = needsLookup(o) ? withoutSubstituteFrom(o) : o;
      try {
        renders.push({ app: form, result: await this.renderApp(env, form, { resolve: false, chain: new Set() }) });
      } catch {
        // A failed render is reported on its own application.
      }
    }
    return { renders, namespace: env.namespace };
  }

  private async renderUncached(
    app: Application,
    key: string,
    rootAt: SourceLocation | undefined,
    lookup: Lookup | undefined,
    parentFiles: readonly string[],
    live: LiveSource | undefined,
    strict: boolean,
  ): Promise<RenderResult> {
    const changesBefore = this.changes.length;
    const fs = new RecordingFileSystem(this.sources, this.options.repoRoot);
    // The files of the parent render this application's Kustomization came from: a change to them renders it again.
    await Promise.all(parentFiles.map((f) => fs.readFile(joinPath(this.options.repoRoot, f)).catch(() => undefined)));
    const started = Date.now();
    const findObject = lookup ? objectFinder(lookup, fs, this.options.repoRoot) : undefined;
    const result = await this.pipeline.render(app, {
      fs,
      repoRoot: this.options.repoRoot,
      ...(rootAt ? { rootAt } : {}),
      ...(findObject ? { findObject } : {}),
      ...(live && findObject ? { findLiveObject: this.liveObjectFinder(live) } : {}),
      ...(strict ? { strictSubstitution: true } : {}),
      // Asked for only when the render meets a chart: a repo without Helm content never loads the engine.
      ...(this.options.helmEngine ? { helmEngine: this.options.helmEngine } : {}),
      chartSource: this.chartSource,
      // Argo CD Helm sources' fields point at the values line that set them, as HelmReleases' do.
      traceHelmValues: true,
    });
    // A file saved while this render ran may have been read before or after the save: do not keep the result.
    const racing = this.changes
      .slice(changesBefore)
      .some((f) => fs.reads.has(f) || fs.listings.has(f.slice(0, Math.max(0, f.lastIndexOf('/')))));
    // One that read the cluster holds only until the cluster changes, which no file change tells: not kept.
    if (!racing && result.cluster !== 'asked') this.cache.set(key, result, fs.reads, fs.listings);
    this.logger.debug(
      `rendered ${key || '.'}: ${result.objects.length} objects from ${fs.reads.size} files in ${Date.now() - started} ms`,
    );
    return result;
  }

  /**
   * Reads a ConfigMap or Secret a Flux postBuild names from the live cluster, the way the environment's objects are
   * read (one LIST of its namespace, or the watch that already holds it). A Secret's values are replaced at once by
   * stand-ins of the same emptiness: they are only ever compared by presence, and are not kept.
   */
  private liveObjectFinder(live: LiveSource): NonNullable<RenderOptions['findLiveObject']> {
    return {
      context: live.context,
      find: async (kind, namespace, name) => {
        const wanted: KubeObject = { apiVersion: 'v1', kind, metadata: { name, namespace } };
        let state: LiveState;
        try {
          state = await this.readScopes([wanted], live, namespace);
        } catch (e) {
          return { status: 'unreadable', message: e instanceof Error ? e.message : String(e) };
        }
        const failure = state.failures.get(scopeKey('', kind, namespace));
        if (failure) return { status: 'unreadable', message: failure.message };
        const object = state.objects.get(keyString(keyOf(wanted)));
        if (!object) return { status: 'absent' };
        return { status: 'found', object: kind === 'Secret' ? presenceOnly(object) : object };
      },
    };
  }

  /**
   * What the kept renders of `environments` read: each file's text (undefined: it did not exist) and each listed
   * folder's files, repo-relative, so that a later session can tell, without rendering, that the repo is the same for
   * them (the editor's saved tree). Undefined when that cannot be said: an application with no kept render (not
   * rendered yet, changed since, or one whose render read the cluster), one rendered by Helm's engine (its objects are
   * left out of the saved tree), or two renders that read different texts of one file.
   */
  renderInputs(
    environments: readonly RepoEnvironment[],
  ): { files: Map<string, string | undefined>; listings: Map<string, Set<string>> } | undefined {
    const files = new Map<string, string | undefined>();
    const listings = new Map<string, Set<string>>();
    for (const env of environments)
      for (const app of env.applications) {
        if (!rendersHere(app)) continue;
        if (app.renderer === 'helm') return undefined;
        const key = this.renderedKeys.get(`${env.name}\0${app.name}`);
        const kept = key === undefined ? undefined : this.cache.inputsOf(key);
        if (!kept) return undefined;
        for (const [file, text] of kept.files) {
          if (files.has(file) && files.get(file) !== text) return undefined;
          files.set(file, text);
        }
        for (const [dir, names] of kept.listings) {
          const known = listings.get(dir);
          if (known && [...known].join('\0') !== [...names].sort().join('\0')) return undefined;
          listings.set(dir, new Set([...names].sort()));
        }
      }
    return { files, listings };
  }

  /**
   * Forgets every file text and render kept: the next renders read the repo again. For an explicit refresh, when
   * files may have changed without the engine being told (a branch checked out before the watcher reported it).
   */
  forgetFiles(): void {
    this.helmRenders.clear();
    this.cache.clear();
    this.sources.clear();
  }

  /**
   * Lets go of what the engine keeps of `env`'s last render once its report is made, for a run that checks each
   * environment once (the CLI): its joined render, and the cached render of each of its applications whose folder
   * none of `stillToCheck` renders (those are kept, so no render is done twice). Without this, a check of many
   * environments holds every rendered object until it ends.
   */
  releaseRenders(env: RepoEnvironment, stillToCheck: readonly RepoEnvironment[]): void {
    this.joined.delete(env);
    const folderOf = (key: string) => key.split(FLUX_KEY)[0];
    const stillRendered = new Set(
      stillToCheck.flatMap((e) => e.applications.filter(rendersHere).map((a) => folderOf(renderKey(a)))),
    );
    for (const app of env.applications) {
      const name = `${env.name}\0${app.name}`;
      const key = this.renderedKeys.get(name);
      if (key === undefined || stillRendered.has(folderOf(key))) continue;
      this.cache.delete(key);
      this.renderedKeys.delete(name);
    }
  }

  /**
   * Tells the engine a repo file was created, changed or deleted (repo-relative path). Re-reads it and drops the
   * cached renders that read different content; returns the environments to check again.
   */
  async fileChanged(file: string): Promise<FileChange> {
    if (this.rendering.size === 0) this.changes.length = 0; // only renders in flight look back at them
    this.passFromLoad = false; // the renders this change calls for begin a pass of their own
    this.changes.push(file);
    this.helmRenders.clear();
    // What the file said before, when a render read it: whether it declared environments is part of the answer.
    const before = await this.sources.keptText(joinPath(this.options.repoRoot, file))?.catch(() => undefined);
    this.sources.invalidate(joinPath(this.options.repoRoot, file));
    let content: string | undefined;
    try {
      content = await this.options.fs.readFile(joinPath(this.options.repoRoot, file));
    } catch {
      content = undefined;
    }
    const roots = new Set(this.cache.invalidate(file, content));
    const repo = await this.repo();
    const applications: Record<string, string[]> = {};
    for (const e of repo.environments) {
      const reading = applicationsReading(e, roots);
      if (reading.length) applications[e.name] = reading;
    }
    const environments = Object.keys(applications);
    const name = file.split('/').pop() ?? '';
    // A folder deleted or created (no extension, no text) may hold an environment or a kustomization: look again.
    const folder = content === undefined && !name.includes('.') && name !== 'Kustomization';
    const reload =
      file === CONFIG_FILE ||
      folder ||
      /^(kustomization\.ya?ml|Kustomization)$/.test(name) ||
      (repo.environments.some(
        (e) => e.source === 'argocd' || e.source === 'flux' || e.applications.some((app) => app.controller),
      ) &&
        /\.ya?ml$/.test(name) &&
        // Any YAML file may declare a controller's object, but a manifest that neither declared one before nor does
        // now (an app's HelmRelease, its ConfigMap) leaves the environments as they are: no rediscovery of the repo.
        (before === undefined ||
          mayDeclareEnvironments(before) ||
          (content !== undefined && mayDeclareEnvironments(content))));
    return { environments, applications, reload };
  }

  /** Environments whose last render read `file`. */
  async environmentsReading(file: string): Promise<string[]> {
    const roots = new Set(this.cache.rootsReading(file));
    return (await this.repo()).environments.filter((e) => readsAny(e, roots)).map((e) => e.name);
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
  async compareObjects(
    env: RepoEnvironment,
    live: LiveSource,
    options: CheckOptions = {},
  ): Promise<{ report: EnvironmentReport; objects: ObjectComparison[] }> {
    return this.compare(env, live, true, options);
  }

  /**
   * What can be said of an environment without its cluster (no kubeconfig, an unknown context, an unreachable
   * server, refused credentials): its render, with every object `NotChecked` and `cause` as the environment's error
   * (`noCluster`). Render needs no cluster, so the environment's objects still show; a render failure is reported
   * as `check` reports it.
   */
  async checkWithoutCluster(env: RepoEnvironment, context: string, cause: string): Promise<EnvironmentReport> {
    const { report, rendered } = await this.renderForReport(env, context, env.namespace);
    if (!rendered) return report;
    report.error = cause;
    report.noCluster = true;
    report.resources = notCheckedResources(rendered);
    return report;
  }

  /**
   * An environment's render as a report whose objects are all `NotChecked`, without an error: what the views show
   * while its check is on the way (the check's live reads then reuse this render). A render failure is reported as
   * `check` reports it.
   */
  async renderedReport(
    env: RepoEnvironment,
    context: string,
    onProgress?: (progress: RenderProgress, partial: () => EnvironmentReport) => Promise<void> | void,
  ): Promise<EnvironmentReport> {
    const total = env.applications.length;
    const parts: (RenderedApplication | undefined)[] = new Array(total).fill(undefined);
    let renderedSoFar = 0;
    let leading = 0;
    // A partial report is built only when the caller asks for it (the editor draws one, once the first screen is in).
    const onPart =
      onProgress && total > 1
        ? (part: RenderedApplication) => {
            parts[env.applications.indexOf(part.application)] = part;
            while (leading < total && parts[leading]) leading++;
            const rendered = ++renderedSoFar;
            if (rendered === total) return;
            // What was done when offered, however late it is asked for.
            const done = parts.slice();
            const hold = onProgress({ rendered, leading, total }, () => partialReport(env, context, done, rendered));
            if (hold) this.holdRenders(hold);
          }
        : undefined;
    const { report, rendered } = await this.renderForReport(env, context, env.namespace, undefined, onPart);
    if (rendered) report.resources = notCheckedResources(rendered);
    return report;
  }

  /**
   * An environment's render, every object not checked, with each application's controller status (Argo CD's
   * Applications from one LIST of Argo CD's namespace, or one request to its API; Flux's Kustomizations likewise),
   * and no live object read: what the editor shows of an Argo CD environment at fleet shape until it is opened, when
   * `check` reads its objects (Argo CD's managed resources, or the live objects). Never fails for want of a cluster:
   * a status that cannot be read is a warning, as in `check`.
   */
  async controllerStatus(env: RepoEnvironment, live: LiveSource): Promise<EnvironmentReport> {
    const namespace = env.namespace ?? live.namespace ?? 'default';
    const { report, rendered } = await this.renderForReport(env, live.context, namespace);
    if (!rendered) return report;
    report.resources = notCheckedResources(rendered);
    report.statusOnly = true;
    const t = Date.now();
    await this.addControllerStatus(env, live, report, () => [], { readObjects: false });
    report.timings.live = Date.now() - t;
    return report;
  }

  /**
   * A fresh report with the environment rendered into it (its problems, what it skipped); no `rendered` on failure.
   * `live`, when connected, is what a Flux substituteFrom reads objects no application renders from.
   */
  private async renderForReport(
    env: RepoEnvironment,
    context: string,
    namespace: string | undefined,
    live?: LiveSource,
    onPart?: (part: RenderedApplication) => void,
  ): Promise<{ report: EnvironmentReport; rendered?: RenderedEnvironment }> {
    const report: EnvironmentReport = {
      name: env.name,
      path: env.path,
      context,
      error: null,
      resources: [],
      problems: [],
      timings: { render: 0, live: 0, reconcile: 0 },
      applications: applicationSummaries(env),
    };
    if (namespace !== undefined) report.namespace = namespace;
    // An app-of-apps parent that failed to render: Argo CD does not apply its children as the repo has them. Said on
    // the children's environment, at the parent's source line, once per parent.
    const parents = new Set<string>();
    for (const app of env.applications) {
      const parent = app.parent;
      if (!parent?.problem || parents.has(parent.name)) continue;
      parents.add(parent.name);
      const children = env.applications.filter((a) => a.parent?.name === parent.name).map((a) => `'${a.name}'`);
      report.problems.push({
        severity: 'warning',
        message: `${parent.problem}; Argo CD does not apply ${children.join(', ')} from it as the repo has ${children.length === 1 ? 'it' : 'them'}`,
        location: parent.at,
      });
    }
    const t = Date.now();
    let rendered: RenderedEnvironment;
    try {
      rendered = await this.render(env, live, onPart);
    } catch (e) {
      report.error = `render failed: ${e instanceof Error ? e.message : String(e)}`;
      report.applications = applicationSummaries(env, undefined, report.error);
      if (e instanceof ProblemError) report.problems.push(e.problem);
      return { report };
    }
    report.applications = applicationSummaries(env, rendered.applications);
    report.problems.push(...rendered.problems);
    const skipped = rendered.problems.filter((p) => p.code === SKIPPED_CONTENT);
    if (skipped.length)
      report.skipped = skipped.map((p) => ({ message: p.message, ...(p.location ? { location: p.location } : {}) }));
    report.timings.render = Date.now() - t;
    return { report, rendered };
  }

  private async compare(
    env: RepoEnvironment,
    live: LiveSource,
    detailed: boolean,
    options: CheckOptions,
  ): Promise<{ report: EnvironmentReport; objects: ObjectComparison[] }> {
    const namespace = env.namespace ?? live.namespace ?? 'default';
    // A check of some applications: only theirs are compared (and read); the others are reported by their status.
    const only = options.applications ? new Set(options.applications) : undefined;
    const compared = (app: string | undefined) => !only || (app !== undefined && only.has(app));
    // Each application's LISTs start when its render ends (not with a watch cache, nor when Secrets are compared
    // by hash or mask: then the objects read are not the objects rendered). Each lands in its namespace as below.
    const startReads =
      live.listsKept && !live.cache && !live.secretHashing && live.via !== 'api'
        ? ({ application, result }: RenderedApplication) => {
            if (result && compared(application.name))
              startLiveReads(
                result.objects.map((r) => r.object),
                live.reader,
                application.namespace ?? namespace,
              );
          }
        : undefined;
    const { report, rendered } = await this.renderForReport(env, live.context, namespace, live, startReads);
    if (!rendered) return { report, objects: [] };
    // Each object lands in its application's namespace when it names none (Flux's targetNamespace, Argo CD's
    // destination), else the environment's.
    const namespaceOf = (r: RenderedObject) => rendered.applicationOf.get(r)?.namespace ?? namespace;
    const applicationOf = (r: RenderedObject) => rendered.applicationOf.get(r)?.name;
    let desired = rendered.objects
      .filter((r) => compared(applicationOf(r)))
      .map((r) => ({ r, app: applicationOf(r), ns: namespaceOf(r) }));
    const notCompared = only ? notCheckedResources(rendered).filter((r) => !compared(r.application)) : [];
    if (only)
      report.applications = report.applications.map((a) =>
        only.has(a.name) ? a : { ...a, statusOnly: true as const },
      );
    const hashing = live.secretHashing;
    if (hashing && 'unavailable' in hashing && desired.some(({ r }) => isSecret(r.object))) {
      // Comparing hashes made with two keys would call every Secret drifted: say why nothing can be said instead.
      report.error = hashing.unavailable;
      return { report, objects: [] };
    }
    if (hashing && 'key' in hashing) {
      desired = desired.map((d) =>
        isSecret(d.r.object)
          ? {
              ...d,
              r: { ...d.r, object: hashSecretValues(d.r.object, hashing.key, d.r.object.metadata?.namespace || d.ns) },
            }
          : d,
      );
    }
    if (live.via === 'api') {
      // Argo CD's API masks Secret values: git's are masked alike, and compared as Argo CD's masks say (argoCdReader.ts).
      desired = desired.map((d) =>
        isSecret(d.r.object) ? { ...d, r: { ...d.r, object: maskDesiredSecret(d.r.object) } } : d,
      );
    }
    let t = Date.now();
    let state: LiveState;
    try {
      state = await this.readLive(desired, live, namespace);
    } catch (e) {
      if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
      report.error = isClusterError(e)
        ? e.message
        : `reading the cluster failed: ${e instanceof Error ? e.message : String(e)}`;
      if (isClusterError(e)) {
        // The cluster went away (or refused the credentials) mid-check: the objects still show, not checked.
        report.noCluster = true;
        report.resources = notCheckedResources(rendered);
      }
      return { report, objects: [] };
    }
    report.timings.live = Date.now() - t;
    // Like `kubectl apply -n`: namespaced objects naming no namespace go to their namespace, so they pair up
    // with live objects by key. Cluster-scoped ones (and kinds the cluster does not serve) are left alone.
    const placed = desired.map(({ r, ns, app }) => ({
      r: r.key.namespace || state.namespaced?.get(`${r.key.group}/${r.key.kind}`) !== true ? r : this.place(r, ns),
      app,
    }));
    const applicationByKey = new Map(placed.map(({ r, app }) => [keyString(r.key), app]));
    const objectsToCompare = placed.map(({ r }) => r);
    t = Date.now();
    const repo = await this.repo();
    const allOptions = driftOptionsFor(env, repo.config, this.options.ignore);
    const driftOptions = narrowToApplications(
      only ? { ...allOptions, tracking: trackingOfApplications(env, only) } : allOptions,
      placed.map(({ r, app }) => ({ key: r.key, ...(app !== undefined ? { application: app } : {}) })),
    );
    let objects: ObjectComparison[] = [];
    const exact = options.exact ?? env.exact ?? repo.config.exact;
    const withDetails = Boolean((detailed || (exact && live.writer)) && this.pipeline.reconcileDetailed);
    if (exact && !live.writer)
      report.problems.push({
        severity: 'warning',
        message: `exact mode needs a cluster to dry-run against (${live.context}); the local diff is shown`,
      });
    try {
      if (withDetails) {
        objects = this.pipeline.reconcileDetailed!(objectsToCompare, state, driftOptions);
        if (exact && live.writer) await refineWithDryRun(objects, live.writer);
        report.resources = objects.map((o) => o.result);
      } else report.resources = this.pipeline.reconcile(objectsToCompare, state, driftOptions, this.diffs);
    } catch (e) {
      this.logger.error(e instanceof Error ? e : String(e));
      report.error = `comparing failed: ${e instanceof Error ? e.message : String(e)}`;
      return { report, objects: [] };
    }
    for (const resource of report.resources) {
      const app = applicationByKey.get(keyString(resource.key));
      if (app !== undefined) resource.application = app;
    }
    if (only) markFinders(env, only, report.resources, state);
    report.resources.push(...notCompared);
    const unread = live.unreadApplications ? markUnreadApplications(env, report, await live.unreadApplications()) : [];
    // Flux's per-object marks are read on the git object and the live one.
    const desiredByKey = new Map(objectsToCompare.map((r) => [keyString(r.key), r.object]));
    const objectsOf = (key: ResourceKey) =>
      [desiredByKey.get(keyString(key)), state.objects.get(keyString(key))].filter(
        (o): o is KubeObject => o !== undefined,
      );
    const leftovers = await this.addControllerStatus(env, live, report, objectsOf, {
      readObjects: only ? (app) => only.has(app) : true,
      unread,
    });
    report.resources.push(...leftovers.map((d) => d.result));
    // Callers that asked for the objects behind the verdicts get one per verdict (put back relies on it).
    if (withDetails) objects.push(...leftovers);
    const released = await this.addHelmReleases(env, live, report, objectsToCompare, state, driftOptions);
    report.resources.push(...released.map((d) => d.result));
    if (withDetails) objects.push(...released);
    report.timings.reconcile = Date.now() - t;
    this.logger.debug(
      `checked ${env.name}: ${report.resources.length} objects, render ${report.timings.render} ms, live ${report.timings.live} ms, reconcile ${report.timings.reconcile} ms`,
    );
    return { report, objects };
  }

  /** `r` in namespace `ns`: the same object as last time for the same rendered object. */
  private place(r: RenderedObject, ns: string): RenderedObject {
    const kept = this.placedObjects.get(r);
    if (kept?.key.namespace === ns) return kept;
    const placed = withNamespace(r, ns);
    this.placedObjects.set(r, placed);
    return placed;
  }

  /**
   * Reads each application's Flux Kustomization (when it has one) and sets its status on the report: the
   * application's `controller`, and per object pending prune, not yet applied, and what Flux will do about drift
   * (src/core/drift/fluxStatus.ts). Returns the objects pending prune that no verdict covered yet. A snapshot holds
   * no controller objects, so nothing is read from one.
   */
  private async addControllerStatus(
    env: RepoEnvironment,
    live: LiveSource,
    report: EnvironmentReport,
    objectsOf: ObjectsOf,
    options: { readObjects: boolean | ((app: string) => boolean); unread?: readonly string[] } = { readObjects: true },
  ): Promise<ReconcileDetail[]> {
    const found: ReconcileDetail[] = [];
    const { readObjects } = options;
    const readsObjectsOf = (app: string) => (typeof readObjects === 'boolean' ? readObjects : readObjects(app));
    if (live.secretHashing) return found;
    const readLive = (objects: readonly KubeObject[], ns: string) => this.readScopes(objects, live, ns);
    // A cluster's Kustomizations share a namespace or a few: one LIST of each for the whole check, not one per
    // Kustomization (120 of them made 120 LISTs of the same scope).
    const kustomizationLists = new Map<string, Promise<LiveState>>();
    const readKustomizations = (objects: readonly KubeObject[], ns: string) => {
      let state = kustomizationLists.get(ns);
      if (!state) kustomizationLists.set(ns, (state = readLive(objects, ns)));
      return state;
    };
    // Every Argo CD Application of the check comes from one LIST of Argo CD's namespace (and of the whole run: the
    // CLI shares LISTs across environments, the editor's watch keeps it current): hundreds of apps, one request.
    const applicationLists = new Map<string, Promise<LiveState>>();
    // Connected on the first Application read, and only then: most environments' Applications are in their own cluster.
    let argoCdSource: Promise<Pick<LiveSource, 'reader' | 'cache'>> | undefined;
    const readApplications = (objects: readonly KubeObject[], ns: string) => {
      let state = applicationLists.get(ns);
      if (!state) {
        if (live.argoCd) {
          argoCdSource ??= live.argoCd.source();
          state = argoCdSource.then((source) => this.readScopes(objects, source, ns));
        } else state = readLive(objects, ns);
        applicationLists.set(ns, state);
      }
      return state;
    };
    for (const [i, app] of env.applications.entries()) {
      const argoRef = argoApplicationOf(app, env.tracking);
      // An Application Argo CD's API would not give is not listed either: its cause is said, not "no such Application".
      if (options.unread?.includes(app.name)) continue;
      if (argoRef) {
        try {
          const read = await readArgoApplication(readApplications, argoRef);
          const compared = read.status === 'ok' ? parseArgoApplication(read.object).revision : undefined;
          const position = await this.gitPositionOf(compared);
          const via = live.via ?? 'cluster';
          const { status, unreported } = applyArgoStatus(
            app.name,
            argoRef,
            read,
            report.resources,
            position,
            via,
            objectsOf,
          );
          if (live.argoCd && status.argo) status.argo.context = live.argoCd.context;
          // Objects Argo CD would prune are read where they are deployed, this environment's cluster.
          const leftovers = readsObjectsOf(app.name)
            ? await argoPruneObjects(readLive, app.name, unreported, read)
            : [];
          status.pendingPrune += leftovers.length;
          found.push(...leftovers);
          report.applications[i] = { ...report.applications[i], controller: status };
        } catch (e) {
          if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
          const where = live.argoCd ? ` in context ${live.argoCd.context}` : '';
          report.problems.push({
            severity: 'warning',
            message: `application '${app.name}': reading Argo CD Application ${argoRef.namespace}/${argoRef.name}${where} failed: ${e instanceof Error ? e.message : String(e)}`,
          });
        }
        continue;
      }
      // A child Kustomization is read where its parent applied it (the parent's targetNamespace or patches may have
      // moved it), from the parent's render this check already made.
      const asApplied = app.controller?.appliedBy ? (await this.applied(env, app, new Set(), live)).app : app;
      const ref = fluxKustomizationOf(asApplied, env.tracking);
      if (!ref) continue;
      try {
        const read = await readFluxKustomization(readKustomizations, ref);
        const applied = read.status === 'ok' ? parseFluxKustomization(read.object).lastAppliedRevision : undefined;
        const position = await this.gitPositionOf(applied);
        const { status, unreported } = applyFluxStatus(app.name, ref, read, report.resources, position, objectsOf);
        const leftovers = readsObjectsOf(app.name)
          ? await pendingPruneObjects(readLive, app.name, unreported, read)
          : [];
        status.pendingPrune += leftovers.length;
        found.push(...leftovers);
        report.applications[i] = { ...report.applications[i], controller: status };
      } catch (e) {
        // The controller's status is extra information: a failure to read it never fails the check.
        if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
        report.problems.push({
          severity: 'warning',
          message: `application '${app.name}': reading Flux Kustomization ${ref.namespace}/${ref.name} failed: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    }
    return found;
  }

  /** Where a controller's revision stands against HEAD (HEAD's recent history kept briefly, shared by the check). */
  private async gitPositionOf(revision: string | undefined): Promise<GitPosition> {
    const git = this.options.git;
    if (git && (!this.history || Date.now() - this.history.at > HISTORY_TTL_MS))
      this.history = { at: Date.now(), commits: recentHistory(git) };
    return git && this.history ? gitPosition(git, revision, this.history.commits) : { unknown: 'no git repository' };
  }

  /**
   * Each Flux HelmRelease git renders becomes an application of the report (kind `helm`): its Helm release records
   * (the storage namespace's Secrets, one LIST each, never logged) decoded, the newest deployed revision's objects
   * compared with the live ones (issue #16, question 1), and git's chart version and values compared with that
   * revision (question 2, a warning on the values line). One release failing to read never hides the others; a
   * snapshot holds no release records, so nothing is read from one. Returns the release objects' verdicts.
   */
  private async addHelmReleases(
    env: RepoEnvironment,
    live: LiveSource,
    report: EnvironmentReport,
    desired: readonly RenderedObject[],
    state: LiveState,
    driftOptions: DriftOptions,
  ): Promise<ReconcileDetail[]> {
    const out: ReconcileDetail[] = [];
    const helmReleases = helmReleasesIn(desired);
    if (live.secretHashing || !helmReleases.length) return out;
    const targets = helmReleases.map((r) => ({
      r,
      target: helmReleaseTarget(r.object, r.key.namespace || report.namespace || 'default'),
    }));
    let storage: LiveState;
    try {
      const namespaces = [...new Set(targets.map((t) => t.target.storageNamespace))];
      storage = await this.readScopes(
        namespaces.map((ns) => storageRequest(ns)),
        live,
        '',
      );
    } catch (e) {
      if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
      report.problems.push({
        severity: 'warning',
        message: `reading Helm release records failed: ${e instanceof Error ? e.message : String(e)}`,
      });
      return out;
    }
    const options = releaseDriftOptions(driftOptions);
    // Each release's records, by storage namespace and release name (a namespace may hold hundreds of releases).
    const recordsOf = new Map<string, KubeObject[]>();
    const index = (objects: Iterable<KubeObject>) => {
      for (const o of objects) {
        if (!isReleaseRecord(o)) continue;
        const id = `${o.metadata.namespace}/${o.metadata.labels?.name}`;
        const list = recordsOf.get(id);
        if (list) list.push(o);
        else recordsOf.set(id, [o]);
      }
    };
    index(storage.objects.values());
    // Helm's ConfigMap driver (HELM_DRIVER=configmap): looked for only where a release has no Secret records.
    const unfound = new Set(
      targets
        .filter(({ target: t }) => !recordsOf.has(`${t.storageNamespace}/${t.releaseName}`))
        .map(({ target: t }) => t.storageNamespace)
        .filter((ns) => !storageFailure(storage, ns)),
    );
    if (unfound.size) {
      try {
        const configMaps = await this.readScopes(
          [...unfound].map((ns) => storageRequest(ns, 'ConfigMap')),
          live,
          '',
        );
        index(configMaps.objects.values());
      } catch (e) {
        // The Secret driver is the default: a failure here only leaves those releases not found.
        if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
      }
    }
    const toCompare = new Map<string, { name: string; summary: ApplicationSummary; objects: RenderedObject[] }[]>();
    for (const { r, target } of targets) {
      const name = `HelmRelease ${target.namespace}/${target.name}`;
      const summary: ApplicationSummary = {
        name,
        kind: 'helm',
        source: `release ${target.releaseName}`,
        declaredAt: r.source,
        state: 'rendered',
      };
      report.applications.push(summary);
      const failure = storageFailure(storage, target.storageNamespace);
      if (failure) {
        summary.state = 'failed';
        summary.message = `cannot read Helm release records in ${target.storageNamespace}: ${failure.message}`;
        continue;
      }
      const history = releaseHistory(
        recordsOf.get(`${target.storageNamespace}/${target.releaseName}`) ?? [],
        target.releaseName,
      );
      for (const bad of history.undecodable)
        report.problems.push({ severity: 'warning', message: `${name}: ${bad.message}`, location: r.source });
      const deployed = latestDeployed(history.records);
      // The release's values never show, not even quoted in a message Helm or helm-controller wrote.
      const scrub = configScrubber(history.records);
      const release = releaseStatus(target, history.records, deployed, scrub);
      summary.release = release;
      if (deployed) summary.source = `chart ${deployed.chart.name} ${deployed.chart.version}`;
      const liveObject = state.objects.get(keyString(r.key));
      const read: FluxHelmReleaseRead = liveObject
        ? { status: 'ok', object: liveObject }
        : {
            status: 'absent',
            message:
              state.failures.get(scopeKey(r.key.group, r.key.kind, r.key.namespace))?.message ??
              `the cluster has no HelmRelease ${target.namespace}/${target.name}`,
          };
      release.controller = helmControllerStatus(target, read, scrub);
      release.git = compareGitWithRelease(
        r,
        history.records,
        deployed,
        liveObject ? parseFluxHelmRelease(liveObject) : undefined,
        scrub,
      );
      if (release.git.message)
        report.problems.push({
          severity: 'warning',
          code: 'helm-release-not-applied',
          message: `${name}: ${release.git.message}`,
          ...(release.git.valuesAt ? { location: release.git.valuesAt } : {}),
        });
      // Question 3 needs the chart: rendered from git when it is a folder of this repo.
      const chart = await this.renderReleaseChart(env, r, target, desired, report.namespace, live);
      release.render = chart.ok
        ? { state: 'rendered', objects: chart.objects.length, hooks: chart.hooks }
        : { state: 'not-rendered', message: chart.message, ...(chart.at ? { at: chart.at } : {}) };
      if (!deployed) {
        summary.state = 'failed';
        summary.message = release.message;
        continue;
      }
      let made = releaseObjects(deployed, r.source);
      for (const error of made.errors)
        report.problems.push({ severity: 'warning', message: `${name}: ${error}`, location: r.source });
      if (chart.ok) {
        const place = (o: RenderedObject) => (o.key.namespace ? o : withNamespace(o, target.releaseNamespace));
        // Cluster-scoped kinds are unknown here: both sides are placed alike, so pairing is unaffected.
        release.render.nextUpgrade = nextUpgradeChanges(chart.objects.map(place), made.objects.map(place));
        // A field git's render traced to a values line, and that Helm applied as git renders it, points at that line.
        made = { ...made, objects: withTracedOrigins(made.objects, chart.objects.map(place), place) };
        if (chart.trace?.message) this.logger.debug(`${name}: ${chart.trace.message}`);
      }
      const group = toCompare.get(target.releaseNamespace) ?? [];
      group.push({ name, summary, objects: made.objects });
      toCompare.set(target.releaseNamespace, group);
    }
    // The releases' objects are read together, one LIST per kind and release namespace, however many releases.
    for (const [namespace, releases] of toCompare) {
      let releaseState: LiveState;
      try {
        releaseState = await this.readScopes(
          releases.flatMap((rel) => rel.objects.map((o) => o.object)),
          live,
          namespace,
        );
      } catch (e) {
        if (!isClusterError(e)) this.logger.error(e instanceof Error ? e : String(e));
        for (const { summary } of releases) {
          summary.state = 'failed';
          summary.message = `reading the release's objects failed: ${e instanceof Error ? e.message : String(e)}`;
        }
        continue;
      }
      for (const { name, summary, objects } of releases) {
        try {
          // As Helm applies them: namespaced objects naming none go to the release namespace.
          const placed = objects.map((o) =>
            o.key.namespace || releaseState.namespaced?.get(`${o.key.group}/${o.key.kind}`) !== true
              ? o
              : withNamespace(o, namespace),
          );
          const details = this.pipeline.reconcileDetailed
            ? this.pipeline.reconcileDetailed(placed, releaseState, options)
            : this.pipeline.reconcile(placed, releaseState, options).map((result) => ({ result }));
          const templates = new Map(placed.map((o) => [keyString(o.key), o.template]));
          for (const d of details) {
            d.result.application = name;
            const template = templates.get(keyString(d.result.key));
            if (template) d.result.template = template;
          }
          out.push(...details);
        } catch (e) {
          // One release that cannot be compared never hides the others.
          this.logger.error(e instanceof Error ? e : String(e));
          summary.state = 'failed';
          summary.message = `comparing the release's objects failed: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
    }
    return out;
  }

  /**
   * A HelmRelease's chart rendered from this repo (issue #16): not rendered, with the reason as the state, when the
   * chart is elsewhere (a Helm or OCI repository: downloads are disabled), when values come from a Secret, or when
   * there is no engine. Never throws: one release's chart never hides the others.
   */
  private async renderReleaseChart(
    env: RepoEnvironment,
    hr: RenderedObject,
    target: { releaseName: string; releaseNamespace: string; namespace: string },
    desired: readonly RenderedObject[],
    defaultNamespace: string | undefined,
    live?: LiveSource,
  ): Promise<HelmReleaseRender> {
    const findSource = (kind: string, ns: string, name: string) =>
      desired.find(
        (o) =>
          o.key.group === FLUX_SOURCE_GROUP &&
          o.key.kind === kind &&
          o.key.name === name &&
          (o.key.namespace || defaultNamespace || 'default') === ns,
      )?.object;
    // A Bucket's secretRef: a Secret of this repo's render (its values go into the chart request only).
    const findSecret = (ns: string, name: string) =>
      desired.find(
        (o) =>
          o.key.group === '' &&
          o.key.kind === 'Secret' &&
          o.key.name === name &&
          (o.key.namespace || defaultNamespace || 'default') === ns,
      )?.object;
    const where = helmChartLocation(
      hr.object,
      target.namespace,
      (ns, name) => gitRepositoryIsThisRepo(env, ns, name),
      findSource,
      findSecret,
      // A cert Secret's line, for a state about it.
      (object) => desired.find((o) => o.object === object)?.source,
    );
    // The line that names the chart: where a chart that cannot be had is reported.
    const chartAt = hr.origins.get('/spec/chartRef') ?? hr.origins.get('/spec/chart') ?? hr.source;
    const at = { file: chartAt.file, line: chartAt.line, column: chartAt.column };
    if (where.type === 'unavailable') return { ok: false, stage: 'source', message: where.reason, at };
    const engine = this.options.helmEngine?.();
    if (!engine)
      return { ok: false, stage: 'unavailable', message: 'the Helm engine is not available (not built): not rendered' };
    try {
      let chart: Parameters<typeof renderHelmRelease>[0]['chart'];
      if (where.type === 'folder') chart = { folder: where.path };
      else {
        const fetched = await this.chartSource.fetch(where.request);
        if (!fetched.ok) return { ok: false, stage: 'source', message: `${where.source}: ${fetched.message}`, at };
        this.logger.debug(
          `chart ${fetched.name} ${fetched.version} (${fetched.digest}) ${fetched.fromCache ? 'from the cache' : 'downloaded'} for ${where.source}`,
        );
        chart = {
          downloaded: fetched.files,
          at,
          describe: `${fetched.name} ${fetched.version}`,
          name: fetched.name,
          version: fetched.version,
        };
        // Its values files are origins of what they set (downloadedChartFile): kept to be shown read-only.
        for (const f of fetched.files)
          if (!f.name.includes('/') && /\.ya?ml$/.test(f.name) && f.data.length <= MAX_KEPT_CHART_FILE)
            this.chartTexts.set(
              downloadedChartFile(fetched.name, fetched.version, f.name),
              new TextDecoder().decode(f.data),
            );
      }
      // Against a cluster, Helm's Capabilities are the cluster's (helm-controller installs with its discovery).
      const capabilities = live?.reader.capabilities
        ? await live.reader.capabilities().catch((e: unknown) => {
            this.logger.warn(
              `reading the cluster's version and APIs for Helm failed: ${String(e)}; Helm's defaults used`,
            );
            return undefined;
          })
        : undefined;
      const valuesFiles = where.valuesFiles;
      const declaredIn = valuesFiles?.declaredIn;
      // The line of each valuesFiles entry: in the HelmRelease's chart.spec, or in the HelmChart its chartRef names.
      const listOrigins =
        declaredIn?.kind === 'HelmChart'
          ? desired.find(
              (o) =>
                o.key.group === FLUX_SOURCE_GROUP &&
                o.key.kind === 'HelmChart' &&
                o.key.name === declaredIn.name &&
                (o.key.namespace || defaultNamespace || 'default') === declaredIn.namespace,
            )
          : hr;
      const listPointer = declaredIn?.kind === 'HelmChart' ? '/spec/valuesFiles' : '/spec/chart/spec/valuesFiles';
      const result = await renderHelmRelease({
        helmRelease: hr,
        chart,
        ...(valuesFiles
          ? {
              valuesFiles: {
                paths: valuesFiles.paths,
                ignoreMissing: valuesFiles.ignoreMissing,
                lineOf: (i: number) => {
                  const o = listOrigins?.origins.get(`${listPointer}/${i}`) ?? listOrigins?.source;
                  return o ? { file: o.file, line: o.line, column: o.column } : undefined;
                },
              },
            }
          : {}),
        ...(capabilities ? { capabilities } : {}),
        releaseName: target.releaseName,
        helmReleaseNamespace: target.namespace,
        namespace: target.releaseNamespace,
        fs: this.options.fs,
        repoRoot: this.options.repoRoot,
        engine,
        traceValues: true,
        findValuesObject: async (kind, ns, name) => {
          const inGit = desired.find(
            (o) =>
              o.key.kind === kind &&
              o.key.group === '' &&
              o.key.name === name &&
              (o.key.namespace || defaultNamespace || 'default') === ns,
          )?.object;
          if (inGit) return { object: inGit };
          if (!live) return undefined;
          // As helm-controller reads it: the cluster's object (a Secret's values stay in memory, never shown).
          const wanted: KubeObject = { apiVersion: 'v1', kind, metadata: { name, namespace: ns } };
          try {
            const state = await this.readScopes([wanted], live, ns);
            const failure = state.failures.get(scopeKey('', kind, ns));
            if (failure) return { unreadable: `cannot read ${kind}s in ${ns}: ${failure.message}` };
            const object = state.objects.get(keyString(keyOf(wanted)));
            return object ? { object } : undefined;
          } catch (e) {
            return { unreadable: e instanceof Error ? e.message : String(e) };
          }
        },
      });
      if (!result.ok && result.stage === 'unavailable')
        return { ...result, message: `the Helm engine is not available: ${result.message}` };
      return result;
    } catch (e) {
      this.logger.error(e instanceof Error ? e : String(e));
      return {
        ok: false,
        stage: 'load',
        message: `rendering the chart failed: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }

  /**
   * The applications of kind `helm` an environment holds: each Flux HelmRelease it renders (named `HelmRelease
   * NS/NAME`, declared at its document), with its chart's render (values traced, kept until a file changes) made on
   * first call of `render`. For the editor's CodeLens, hover and preview; `renderHelmApplication` renders one by name.
   */
  async helmApplications(
    env: RepoEnvironment,
  ): Promise<{ name: string; declaredAt: SourceLocation; render: () => Promise<HelmReleaseRender> }[]> {
    const rendered = await this.render(env);
    return helmReleasesIn(rendered.objects).map((hr) => {
      const target = helmReleaseTarget(hr.object, hr.key.namespace || env.namespace || 'default');
      return {
        name: `HelmRelease ${target.namespace}/${target.name}`,
        declaredAt: hr.source,
        render: () => {
          let kept = this.helmRenders.get(hr);
          if (!kept) {
            // The editor prints these (preview, values hover): values read from Secrets are masked here, once.
            kept = this.renderReleaseChart(env, hr, target, rendered.objects, env.namespace).then((chart) =>
              chart.ok ? { ...chart, objects: maskSecretValues(chart.objects, chart.secretValues) } : chart,
            );
            this.helmRenders.set(hr, kept);
          }
          return kept;
        },
      };
    });
  }

  /**
   * `render --env ENV --app "HelmRelease NS/NAME"` (or just NAME): the chart of a HelmRelease the environment renders,
   * as helm-controller would render it. Undefined when the environment renders no such HelmRelease.
   */
  async renderHelmRelease(
    env: RepoEnvironment,
    appName: string,
  ): Promise<(RenderResult & { trace?: ValuesTraceSummary }) | undefined> {
    const rendered = await this.render(env);
    const wanted = appName.replace(/^HelmRelease\s+/, '');
    const hr = helmReleasesIn(rendered.objects).find((r) => {
      const ns = r.key.namespace || env.namespace || 'default';
      return wanted === `${ns}/${r.key.name}` || wanted === r.key.name;
    });
    if (!hr) return undefined;
    const target = helmReleaseTarget(hr.object, hr.key.namespace || env.namespace || 'default');
    const chart = await this.renderReleaseChart(env, hr, target, rendered.objects, env.namespace);
    if (!chart.ok)
      throw new ProblemError({
        severity: 'error',
        message: `HelmRelease ${target.namespace}/${target.name}: ${chart.message}`,
        location: chart.at ?? hr.source,
      });
    return {
      root: chart.files[0]?.replace(/\/[^/]*$/, '') ?? '',
      // As `helm template` prints them: Helm places namespace-less objects when it applies them, by their kind.
      // Values read from Secrets are never printed: every string holding one is masked.
      objects: maskSecretValues(chart.objects, chart.secretValues),
      problems: [
        ...chart.errors.map((message) => ({ severity: 'warning' as const, message, location: hr.source })),
        ...(chart.secretValues.length
          ? [
              {
                severity: 'warning' as const,
                message: `HelmRelease ${target.namespace}/${target.name}: values from Secrets are masked in this output`,
                location: hr.source,
              },
            ]
          : []),
      ],
      files: chart.files,
      ...(chart.trace ? { trace: chart.trace } : {}),
    };
  }

  /**
   * Renders an environment as `render` does, but from another file system, such as a past git revision of the repo
   * (src/core/promote/changeSummary.ts): nothing is cached, since the files are not the working tree's. Throws the
   * first application's failure.
   */
  async renderFrom(env: RepoEnvironment, fs: FileSystem): Promise<RenderedEnvironment> {
    const renderOne = async (app: Application, lookup?: Lookup): Promise<RenderedApplication> => {
      if (!rendersHere(app)) return outsidePart(app);
      const rootAt = rootAtOf(env, app);
      const findObject = lookup ? objectFinder(lookup, fs, this.options.repoRoot) : undefined;
      return {
        application: app,
        result: await this.pipeline.render(app, {
          fs,
          repoRoot: this.options.repoRoot,
          ...(rootAt ? { rootAt } : {}),
          ...(findObject ? { findObject } : {}),
          ...(this.strictSubstitution ? { strictSubstitution: true } : {}),
          ...(this.options.helmEngine ? { helmEngine: this.options.helmEngine } : {}),
          chartSource: this.chartSource,
        }),
        problems: [],
      };
    };
    // Those reading nothing from the others first; then those whose postBuild reads from them.
    const first = await Promise.all(env.applications.map((app) => (needsLookup(app) ? undefined : renderOne(app))));
    // As lookupIn: then the others' renders without their own substituteFrom.
    const before = await Promise.all(
      env.applications.filter(needsLookup).map((app) => renderOne(withoutSubstituteFrom(app)).catch(() => undefined)),
    );
    const lookup: Lookup = {
      renders: [...first, ...before].flatMap((p) => (p?.result ? [{ app: p.application, result: p.result }] : [])),
      namespace: env.namespace,
    };
    // Each application as its parent's render applies it (as `applied` does), parents rendered once.
    const full = new Map<Application, Promise<RenderedApplication>>();
    const renderFull = (app: Application, chain: ReadonlySet<Application>): Promise<RenderedApplication> => {
      let part = full.get(app);
      if (!part) {
        part = (async () => {
          const parent = app.controller?.appliedBy
            ? env.applications.find((a) => a.name === app.controller?.appliedBy)
            : undefined;
          let applied = app;
          if (parent && parent !== app && !chain.has(parent) && sourcePath(parent) !== undefined) {
            const result = (await renderFull(parent, new Set([...chain, app])).catch(() => undefined))?.result;
            if (result) applied = asApplied(app, result);
          }
          const i = env.applications.indexOf(app);
          if (applied === app && first[i]) return first[i];
          return renderOne(applied, needsLookup(applied) ? lookup : undefined);
        })();
        full.set(app, part);
      }
      return part;
    };
    const parts = await Promise.all(env.applications.map((app) => renderFull(app, new Set())));
    return joinApplicationRenders(env, parts);
  }

  /**
   * Reads the live objects for the desired ones. Objects naming no namespace are looked for in theirs: one read when
   * every application shares one default namespace (the common case), else one per namespace, joined.
   */
  private async readLive(
    desired: readonly { r: RenderedObject; ns: string }[],
    live: LiveSource,
    namespace: string,
  ): Promise<LiveState> {
    const groups = new Map<string, KubeObject[]>();
    for (const { r, ns } of desired) {
      const group = groups.get(ns);
      if (group) group.push(r.object);
      else groups.set(ns, [r.object]);
    }
    if (groups.size === 0) groups.set(namespace, []);
    const states = await Promise.all([...groups].map(([ns, objects]) => this.readScopes(objects, live, ns)));
    return states.length === 1 ? states[0] : joinLiveStates(states);
  }

  /** The live state of the scopes `objects` touch: from the watch-backed cache when there is one. */
  private readScopes(
    objects: readonly KubeObject[],
    live: Pick<LiveSource, 'reader' | 'cache'>,
    defaultNamespace: string,
  ): Promise<LiveState> {
    return live.cache
      ? live.cache.read(objects, { defaultNamespace })
      : readLiveState(objects, live.reader, { defaultNamespace, logger: this.logger });
  }
}

/** The report of an environment that could not be checked at all (its cluster unreachable, a failure around the check). */
export function uncheckedReport(env: RepoEnvironment, context: string, error: string): EnvironmentReport {
  return {
    name: env.name,
    path: env.path,
    context,
    namespace: env.namespace,
    error,
    resources: [],
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    applications: applicationSummaries(env),
  };
}

/** An environment's rendered objects, each `NotChecked` (its live state was not read), with its application. */
function notCheckedResources(rendered: RenderedEnvironment): ResourceDrift[] {
  return rendered.objects.map((r) => {
    const app = rendered.applicationOf.get(r)?.name;
    return {
      apiVersion: r.object.apiVersion,
      key: r.key,
      verdict: 'NotChecked' as const,
      fields: [],
      source: r.source,
      ...(app !== undefined ? { application: app } : {}),
    };
  });
}

/**
 * Where errors about an application's root folder point: the environment's declaration when it is the environment's
 * one application (as before applications existed), else the application's own.
 */
function rootAtOf(env: RepoEnvironment, app: Application): SourceLocation | undefined {
  return env.applications.length === 1 && env.definedAt ? env.definedAt : (app.declaredAt ?? env.definedAt);
}

/** Another repo's desired state: nothing here to compare it with. Its state says so; the rest is complete. */
function outsidePart(app: Application): RenderedApplication {
  return { application: app, error: `its source is outside this repo (${describeSource(app.source)})`, problems: [] };
}

/**
 * Whether one of the environment's applications has its render cached under one of `roots` (see renderKey). A Flux
 * Kustomization's key holds a digest of its spec, which a parent's patches change: its folder is what is compared.
 */
function readsAny(env: RepoEnvironment, roots: ReadonlySet<string>): boolean {
  return applicationsReading(env, roots).length > 0;
}

/** The names of the environment's applications whose render is cached under one of `roots` (see readsAny). */
function applicationsReading(env: RepoEnvironment, roots: ReadonlySet<string>): string[] {
  const folders = new Set([...roots].map((r) => r.split(FLUX_KEY)[0]));
  return env.applications
    .filter((a) => rendersHere(a) && folders.has(renderKey(a).split(FLUX_KEY)[0]))
    .map((a) => a.name);
}

/** What separates a Flux Kustomization's folder from its spec's digest in a render key. */
const FLUX_KEY = '#flux:';

/**
 * The render cache's key for an application: its folder, and for a Flux Kustomization also a digest of its spec
 * and namespace (two Kustomizations of one folder with different patches or variables render differently).
 */
export function renderKey(app: Application, strictSubstitution = false): string {
  const path = sourcePath(app) ?? '';
  // An Argo CD source renders its folder its own way (recurse, include/exclude, overrides): its own cache entry.
  if (app.argo) {
    const { at: _at, ...argo } = app.argo;
    // A remote chart's source (its repository, chart and version) is what tells two such sources apart.
    const identity = canonicalJson({
      renderer: app.renderer,
      argo,
      ...(app.source.type === 'remote-chart' ? { source: app.source } : {}),
    } as unknown as Record<string, unknown>);
    return `${path}#argo:${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
  }
  if (app.renderer !== 'flux-kustomization' || !app.controller) return path;
  // Asked for on every render and file change: the digest is made once per application (applications are not changed).
  const cache = strictSubstitution ? strictFluxRenderKeys : fluxRenderKeys;
  const known = cache.get(app);
  if (known !== undefined) return known;
  const { spec, metadata } = app.controller.object as { spec?: unknown; metadata?: { namespace?: string } };
  // The namespace is where substituteFrom looks; strict substitution may fail what the default renders.
  const identity = canonicalJson({
    spec: spec ?? null,
    namespace: metadata?.namespace ?? null,
    ...(strictSubstitution ? { strict: true } : {}),
  });
  const key = `${path}${FLUX_KEY}${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
  cache.set(app, key);
  return key;
}

/** The application with its controller object as the parent's render holds it (unchanged when it holds none). */
function asApplied(app: Application, parent: RenderResult): Application {
  const controller = app.controller;
  const found = controller ? appliedObject(parent.objects, controller.object) : undefined;
  if (!controller || !found) return app;
  // The parent's render may leave the namespace to the apply (Flux's default): the declared one stays then.
  const metadata = { ...found.object.metadata };
  if (!metadata.namespace && controller.object.metadata?.namespace)
    metadata.namespace = controller.object.metadata.namespace;
  return { ...app, controller: { ...controller, object: { ...found.object, metadata }, origins: found.origins } };
}

/**
 * The Kustomization `declared` names as a parent's render holds it: same name, in the declared namespace (or naming
 * none), else the only one of that name (the parent's `targetNamespace` moved it).
 */
function appliedObject(objects: readonly RenderedObject[], declared: KubeObject): RenderedObject | undefined {
  const [group] = (declared.apiVersion ?? '').split('/');
  const same = objects.filter(
    (r) => r.key.group === group && r.key.kind === declared.kind && r.key.name === declared.metadata?.name,
  );
  const namespace = declared.metadata?.namespace;
  return (
    same.find((r) => !namespace || !r.key.namespace || r.key.namespace === namespace) ??
    (same.length === 1 ? same[0] : undefined)
  );
}

const fluxRenderKeys = new WeakMap<Application, string>();
const strictFluxRenderKeys = new WeakMap<Application, string>();

/** Renders of an environment's other applications, for a postBuild's substituteFrom. */
interface Lookup {
  renders: { app: Application; result: RenderResult }[];
  /** The environment's namespace: where objects naming none land when their application names none either. */
  namespace: string | undefined;
}

/** Whether the application's render reads objects of the others (a Flux postBuild.substituteFrom). */
function needsLookup(app: Application): boolean {
  return substituteSources(app).length > 0;
}

/** The ConfigMaps and Secrets a Flux Kustomization's postBuild.substituteFrom names. */
function substituteSources(app: Application): { kind: string; name: string }[] {
  if (app.renderer !== 'flux-kustomization') return [];
  const from = (app.controller?.object as { spec?: { postBuild?: { substituteFrom?: unknown } } } | undefined)?.spec
    ?.postBuild?.substituteFrom;
  return Array.isArray(from)
    ? from.filter(
        (r): r is { kind: string; name: string } => typeof r?.kind === 'string' && typeof r?.name === 'string',
      )
    : [];
}

/** The application as if its Kustomization had no postBuild.substituteFrom (its inline substitute kept). */
function withoutSubstituteFrom(app: Application): Application {
  const object = app.controller!.object as KubeObject & { spec: { postBuild: Record<string, unknown> } };
  const { substituteFrom: _dropped, ...postBuild } = object.spec.postBuild;
  return { ...app, controller: { ...app.controller!, object: { ...object, spec: { ...object.spec, postBuild } } } };
}

/**
 * `findObject` over the other applications' renders. The files behind a found object are read again through the
 * render's recording file system, so a change to them invalidates this render too.
 */
function objectFinder(lookup: Lookup, fs: FileSystem, repoRoot: string): NonNullable<RenderOptions['findObject']> {
  return async (kind, namespace, name) => {
    for (const { app, result } of lookup.renders) {
      const found = result.objects.find(
        (r) =>
          r.key.group === '' &&
          r.key.kind === kind &&
          r.key.name === name &&
          (namespace === undefined ||
            (r.key.namespace || app.namespace || lookup.namespace) === undefined ||
            (r.key.namespace || app.namespace || lookup.namespace) === namespace),
      );
      if (!found) continue;
      await Promise.all(result.files.map((f) => fs.readFile(joinPath(repoRoot, f)).catch(() => undefined)));
      return found;
    }
    return undefined;
  };
}

/**
 * The environment's tracking marks of only these applications (a check of some of them): the Argo CD Applications
 * they are, with Argo CD's label key. An object another Application of the environment tracks is that one's, not
 * `Extra` here; marks of no Application (Flux's, ours) find nothing in such a check.
 */
function trackingOfApplications(env: RepoEnvironment, names: ReadonlySet<string>): TrackingOptions {
  const tracking = env.tracking ?? {};
  const argoNames = new Set(
    env.applications.filter((a) => names.has(a.name)).map((a) => argoApplicationOf(a, env.tracking)?.name),
  );
  if (!trackedByArgoCd(tracking)) return {};
  // Still Argo CD's (its hooks and compare options apply) when none of these is tracked.
  return {
    ...(tracking.argocdLabel ? { argocdLabel: tracking.argocdLabel } : {}),
    argocdApps: argoApplicationsTracked(tracking).filter((n) => argoNames.has(n)),
  };
}

/**
 * In a check of some applications: each Extra of no application gets `foundBy`, the one of `names` whose tracking
 * marks found it (its live object's), so a later check of only that application replaces it.
 */
function markFinders(
  env: RepoEnvironment,
  names: ReadonlySet<string>,
  resources: readonly ResourceDrift[],
  state: LiveState,
): void {
  const finders = [...names].map((name) => ({ name, tracking: trackingOfApplications(env, new Set([name])) }));
  for (const r of resources) {
    if (r.verdict !== 'Extra' || r.application !== undefined) continue;
    const live = state.objects.get(keyString(r.key));
    const finder = live && finders.find((f) => isTracked(live, r.key, f.tracking));
    if (finder) r.foundBy = finder.name;
  }
}

/**
 * The applications whose Argo CD Application could not be read through Argo CD's API: each object of theirs gets
 * that verdict (forbidden, or not checked) instead of "missing", and the cause is set once on the application's
 * summary. Returns their names.
 */
function markUnreadApplications(
  env: RepoEnvironment,
  report: EnvironmentReport,
  unread: ReadonlyMap<string, UnreadApplication>,
): string[] {
  const names: string[] = [];
  for (const [i, app] of env.applications.entries()) {
    const ref = argoApplicationOf(app, env.tracking);
    const cause = ref ? unread.get(`${ref.namespace}/${ref.name}`) : undefined;
    if (!cause) continue;
    names.push(app.name);
    report.applications[i] = { ...report.applications[i], unread: cause.verdict, message: cause.message };
  }
  // New results, not changed ones: a reconcile's results share their diffs with the next check's (DiffMemo).
  const unreadNames = new Set(names);
  report.resources = report.resources.map((r) => {
    if (r.application === undefined || !unreadNames.has(r.application)) return r;
    const { ignored: _ignored, ...rest } = r;
    const cause = report.applications.find((a) => a.name === r.application)!;
    return { ...rest, verdict: cause.unread!, fields: [], message: cause.message! };
  });
  return names;
}

/**
 * The report of an environment whose applications are partly rendered (`parts`, in its applications' order; undefined:
 * not rendered yet): their objects, not checked, and no problems, since a partial join may name the wrong application
 * as an object's owner (environmentRender.ts) until every application is in.
 */
function partialReport(
  env: RepoEnvironment,
  context: string,
  parts: readonly (RenderedApplication | undefined)[],
  rendered: number,
): EnvironmentReport {
  const done = parts.filter((p): p is RenderedApplication => p !== undefined);
  return {
    name: env.name,
    path: env.path,
    context,
    error: null,
    ...(env.namespace !== undefined ? { namespace: env.namespace } : {}),
    resources: notCheckedResources(joinApplicationRenders(env, done)),
    problems: [],
    timings: { render: 0, live: 0, reconcile: 0 },
    applications: applicationSummaries(env, parts).map((summary, i) => {
      if (parts[i]) return summary;
      const { message: _none, ...rest } = summary;
      return { ...rest, state: 'rendering' as const };
    }),
    rendering: { rendered, total: parts.length },
  };
}

/** What a report says of each application: its kind, source, declaration, and why it was not compared. */
function applicationSummaries(
  env: RepoEnvironment,
  parts?: readonly (RenderedApplication | undefined)[],
  error?: string,
): ApplicationSummary[] {
  return env.applications.map((app, i) => {
    const part = parts?.[i];
    const state: ApplicationSummary['state'] =
      app.source.type === 'outside' ? 'outside' : (part?.error ?? error) ? 'failed' : 'rendered';
    const message =
      app.source.type === 'outside'
        ? `source outside this repo: ${describeSource(app.source)}`
        : (part?.error ?? error);
    return {
      name: app.name,
      kind: app.renderer,
      source: describeSource(app.source),
      ...(app.declaredAt ? { declaredAt: app.declaredAt } : {}),
      ...(app.parent ? { parent: app.parent } : {}),
      state,
      ...(message && state !== 'rendered' ? { message } : {}),
    };
  });
}

/** A Secret with each value replaced by a stand-in of the same emptiness (`stringData` dropped: the server folds it in). */
function presenceOnly(secret: KubeObject): KubeObject {
  const { stringData: _dropped, data, ...rest } = secret as KubeObject & { data?: unknown; stringData?: unknown };
  const stand = (v: unknown) => (typeof v === 'string' && v !== '' ? 'present' : '');
  return {
    ...rest,
    ...(data && typeof data === 'object'
      ? { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, stand(v)])) }
      : {}),
  } as KubeObject;
}

function joinLiveStates(states: readonly LiveState[]): LiveState {
  const joined: LiveState = { objects: new Map(), failures: new Map(), listed: new Set() };
  for (const s of states) {
    for (const [k, v] of s.objects) joined.objects.set(k, v);
    for (const [k, v] of s.failures) joined.failures.set(k, v);
    for (const k of s.listed) joined.listed.add(k);
    if (s.namespaced) for (const [k, v] of s.namespaced) (joined.namespaced ??= new Map()).set(k, v);
  }
  return joined;
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

/**
 * Whether a GitRepository is this repo, as discovery decided for the environment's Flux Kustomizations (core/repo/
 * flux.ts): bootstrap's `flux-system`, or one a Kustomization of this environment syncs a folder of this repo from.
 */
function gitRepositoryIsThisRepo(env: RepoEnvironment, namespace: string, name: string): boolean {
  if (name === 'flux-system') return true;
  return env.applications.some((app) => {
    const spec = app.controller?.object.spec as
      { sourceRef?: { kind?: string; name?: string; namespace?: string } } | undefined;
    const ref = spec?.sourceRef;
    if (!ref || app.source.type !== 'folder' || (ref.kind ?? 'GitRepository') !== 'GitRepository') return false;
    const refNamespace = ref.namespace ?? app.controller?.object.metadata?.namespace ?? 'flux-system';
    return ref.name === name && refNamespace === namespace;
  });
}
