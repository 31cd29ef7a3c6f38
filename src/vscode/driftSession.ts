/**
 * The heavy half of the extension: the engine, the renderer, the cluster readers with their watches. Loaded on
 * first use (see extension.ts), so activation stays cheap. One session per repo and settings; rebuilt when the
 * settings change.
 */
import { WasmHelmEngine } from '../node/helmEngine';
import { chartCacheRoot, HttpChartSource } from '../node/chartSource';
import { HelmClientCredentials } from '../node/chartCredentials';
import { stringify } from 'yaml';
import { AuthoringTools } from '../core/authoringTools';
import { addIgnoreRule, type FieldIgnore } from '../core/editor/ignoreRuleEdit';
import { type LocatedValue, locatePointer } from '../core/editor/locatePointer';
import {
  type CheckOptions,
  DriftEngine,
  type EnvironmentReport,
  type RenderProgress,
  type LiveSource,
  uncheckedReport,
} from '../core/engine';
import { renderedYaml } from '../core/authoring/renderedText';
import { type ImageArrivalRow, type ImageEntry, imageArrivalRows, imageEntryAt } from '../core/editor/imageArrivals';
import type { HistoryOptions, RepoHistory } from '../core/history/types';
import { loadHistory } from '../core/historyService';
import { RevisionFileSystem } from '../core/promote/changeSummary';
import { LiveCache } from '../core/live/liveCache';
import { isClusterError } from '../core/live/clusterError';
import { keyString, type ResourceKey } from '../core/model/resource';
import { disabledChartSource, type Git, type Logger } from '../core/ports';
import { CONFIG_FILE, type RepoEnvironment } from '../core/repo/config';
import { statusInArgoCdCluster } from '../core/repo/argoDestinations';
import type { RepoModel } from '../core/repo/repository';
import { FileCacheStore } from '../node/fileCacheStore';
import { type KubeContexts, listKubeContexts } from '../node/kubeConfig';
import { createKubeApplier, type KubeApplier } from '../node/kubeApplier';
import { createKubeClusterReader, type KubeClusterReader } from '../node/kubeClusterReader';
import { argoApplicationsOf } from '../core/live/argoApplication';
import { ArgoCdSession } from '../core/live/argoCdReader';
import { createArgoCdClient } from '../node/argoCdClient';
import { argoCdTlsFromConfig } from '../node/argoCdConfig';
import { NodeFileSystem } from '../node/nodeFileSystem';
import { digestInputs, type InputDigests } from '../node/repoInputs';
import { loadSecretKey } from '../node/secretKey';
import { SimpleGitAdapter } from '../node/simpleGit';
import type { Settings } from './settings';

/** How long Argo CD's answers serve the checks of one refresh. */
const ARGO_CD_TTL_MS = 5_000;

/** The normalised pair a diff editor shows, as YAML. */
export interface DiffTexts {
  desired: string;
  live: string;
}

interface Cluster {
  reader: KubeClusterReader;
  /** Present when watch is on. */
  cache?: LiveCache;
  source: LiveSource;
}

/** Options for {@link DriftSession}. */
export interface SessionOptions {
  repoRoot: string;
  settings: Settings;
  logger: Logger;
  /** The context chosen in the status bar for environments that name none; undefined = kubeconfig's current. */
  context: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Exact mode may send server-side apply dry runs (never in an untrusted workspace). */
  trusted: boolean;
  /** Argo CD's API server and the token kept for it: Argo CD environments are read through it. */
  argocd?: { server: string; token: string };
  /** Where downloaded charts are kept; default chartCacheRoot(env). */
  chartCacheDir?: string;
}

/** The engine plus one watched cluster connection per kube context. */
export class DriftSession {
  readonly engine: DriftEngine;
  /** Lint, effective values, previews and comparisons over the same engine (no cluster needed). */
  readonly authoring: AuthoringTools;
  private readonly clusters = new Map<string, Promise<Cluster>>();
  /** Contexts that could not be reached in this refresh: the failed connection and why, until the next refresh. */
  private readonly failedConnections = new Map<string, { connection?: Promise<Cluster>; cause: string }>();
  private readonly liveListeners = new Set<(context: string) => void>();
  private disposed = false;
  private gitAdapter: Git | undefined;
  /** Argo CD's answers for the checks of one refresh (see argoLive). */
  private argoCd: { at: number; session: ArgoCdSession } | undefined;
  private helm: WasmHelmEngine | undefined;

  constructor(private readonly options: SessionOptions) {
    const fs = new NodeFileSystem({ root: options.repoRoot });
    this.engine = new DriftEngine({
      fs,
      repoRoot: options.repoRoot,
      git: this.git(),
      logger: options.logger,
      environmentSettings: options.settings.environments,
      ignore: options.settings.ignore,
      // Made on the first HelmRelease with a chart in this repo; its worker starts on the first render.
      helmEngine: () => (this.helm ??= new WasmHelmEngine()),
      // Charts of Helm and OCI repositories only when the user turned downloads on (never untrusted: settings.ts).
      chartSource:
        options.settings.chartDownloads && options.trusted
          ? new HttpChartSource({
              cacheDir: options.chartCacheDir ?? chartCacheRoot(options.env),
              // The user's own `helm repo add` / `helm registry login` / `docker login` (docs/helm.md#credentials).
              userCredentials: new HelmClientCredentials(options.env),
            })
          : disabledChartSource(
              options.trusted
                ? 'enable the setting gitopsDrift.helm.chartDownloads to download it (quick fix, or the command GitOps: Enable Chart Downloads)'
                : 'this workspace is not trusted: trust it first (Manage Workspace Trust), then enable the setting gitopsDrift.helm.chartDownloads (quick fix, or GitOps: Enable Chart Downloads)',
            ),
      // Argo CD destinations become kube contexts as in the CLI (`argocd.clusters`, `argocd.inClusterContext`).
      kubeContexts: () => this.contexts().then((c) => c.contexts),
    });
    this.authoring = new AuthoringTools(this.engine, fs, options.repoRoot);
  }

  load(): Promise<RepoModel> {
    return this.engine.load();
  }

  /** The context an environment is checked against ('' = the kubeconfig's current context). */
  contextFor(env: RepoEnvironment): string {
    return env.context ?? this.options.context ?? '';
  }

  /**
   * Checks one environment (with `applications`, only those applications' objects: the others by their Argo CD
   * status, DriftEngine.check); an unreachable cluster is the environment's error, never a throw.
   */
  async check(env: RepoEnvironment, applications?: readonly string[]): Promise<EnvironmentReport> {
    const options: CheckOptions = { ...this.checkOptions(), ...(applications ? { applications } : {}) };
    const argo = this.argoLive(env, applications);
    if (argo) {
      const report = await this.engine.check(env, argo, options);
      // Argo CD could not be reached or refused the token: the objects still show, not checked.
      if (report.noCluster) this.argoCd = undefined;
      return report;
    }
    const context = this.contextFor(env);
    // Render needs no cluster: the environment's objects still show, not checked.
    const failed = this.failedConnections.get(context);
    if (failed) return this.engine.checkWithoutCluster(env, context || '(current context)', failed.cause);
    let source: LiveSource;
    try {
      source = await this.clusterSource(env);
    } catch (e) {
      if (!isClusterError(e)) throw e;
      this.connectionFailed(context, e.message);
      return this.engine.checkWithoutCluster(env, context || '(current context)', e.message);
    }
    const report = await this.engine.check(env, source, options);
    // The cluster went away or refused the credentials: so it is for this refresh's other environments.
    if (report.noCluster && report.error) this.connectionFailed(context, report.error);
    else if (report.error) this.clusters.delete(context);
    return report;
  }

  /**
   * An Argo CD environment's render with its Applications' status (one LIST, or one request to Argo CD's API for
   * all), no live object read: the tree's row of an application not opened, at fleet shape. `check` reads the rest.
   */
  async controllerStatus(env: RepoEnvironment): Promise<EnvironmentReport> {
    const argo = this.argoLive(env);
    if (argo) return this.engine.controllerStatus(env, argo);
    const context = this.contextFor(env);
    const failed = this.failedConnections.get(context);
    if (failed) return this.engine.checkWithoutCluster(env, context || '(current context)', failed.cause);
    let source: LiveSource;
    try {
      source = await this.clusterSource(env);
    } catch (e) {
      if (!isClusterError(e)) throw e;
      this.connectionFailed(context, e.message);
      return this.engine.checkWithoutCluster(env, context || '(current context)', e.message);
    }
    return this.engine.controllerStatus(env, source);
  }

  /** Whether `env`'s objects are read through Argo CD's API (signed in, an Argo CD environment), not a kube context. */
  readsThroughArgoCdApi(env: RepoEnvironment): boolean {
    return this.options.argocd !== undefined && argoApplicationsOf(env) !== undefined;
  }

  /**
   * The kube context of the cluster that runs Argo CD: `argocd.inClusterContext` of the config, else the one the
   * status bar selected, else the kubeconfig's current ('').
   */
  async argoCdContext(): Promise<string> {
    return (await this.engine.repo()).config.argocd.inClusterContext ?? this.options.context ?? '';
  }

  /**
   * A connection to `context` failed: the environments checked in the rest of this refresh get the same failure (one
   * attempt per context, not one per environment: `bench/ui/firstLoad.mjs --refused`, 100 environments against a
   * server that hangs up, made 540 connections and spent 1.8 s of CPU in the renders, against 6 and 1.1 s), and the
   * next refresh tries again (`retryFailedConnections`).
   */
  private connectionFailed(context: string, cause: string): void {
    this.failedConnections.set(context, { connection: this.clusters.get(context), cause });
  }

  /** Called as a refresh starts: contexts whose connection failed are connected again when next used. */
  retryFailedConnections(): void {
    // Only the failed connection itself: one made since (after `unreachable` dropped it) stays.
    for (const [context, failed] of this.failedConnections)
      if (this.clusters.get(context) === failed.connection) this.clusters.delete(context);
    this.failedConnections.clear();
  }

  /**
   * The environment's watched connection; for an Argo CD Application deploying to another cluster, with the cluster
   * that runs Argo CD to read the Application from (connected when first read).
   */
  private async clusterSource(env: RepoEnvironment): Promise<LiveSource> {
    const context = this.contextFor(env);
    const cluster = await this.cluster(context);
    if (!statusInArgoCdCluster(env)) return cluster.source;
    const argoCdContext = await this.argoCdContext();
    if (argoCdContext === context) return cluster.source;
    return {
      ...cluster.source,
      argoCd: {
        context: argoCdContext || '(current context)',
        source: () =>
          this.cluster(argoCdContext).then(
            (c) => c.source,
            (e: unknown) => {
              this.connectionFailed(argoCdContext, e instanceof Error ? e.message : String(e));
              throw e;
            },
          ),
      },
    };
  }

  /**
   * Why the environment's cluster cannot be reached, as its check would report it; undefined when it can be (or is
   * read through Argo CD's API). A reopened window with an unchanged saved tree says so at once, before the renders.
   */
  async unreachable(env: RepoEnvironment): Promise<string | undefined> {
    if (this.argoLive(env)) return undefined;
    try {
      // Its own cluster first, as check connects (an Argo CD status read elsewhere comes after, in the check).
      await this.cluster(this.contextFor(env));
      return undefined;
    } catch (e) {
      if (!isClusterError(e)) return undefined;
      this.clusters.delete(this.contextFor(env)); // the check that follows tries again
      return e.message;
    }
  }

  /**
   * Digests of what the kept renders of `envs` read, and of the config file discovery read: what the saved tree keeps
   * to know, in the next window, that it is still the repo's render. Undefined when the engine cannot say
   * (DriftEngine.renderInputs).
   */
  async savedInputs(envs: readonly RepoEnvironment[]): Promise<InputDigests | undefined> {
    const inputs = this.engine.renderInputs(envs);
    if (!inputs) return undefined;
    if (!inputs.files.has(CONFIG_FILE))
      inputs.files.set(
        CONFIG_FILE,
        await new NodeFileSystem({ root: this.options.repoRoot })
          .readFile(`${this.options.repoRoot}/${CONFIG_FILE}`)
          .catch(() => undefined),
      );
    return digestInputs(inputs);
  }

  /**
   * The environment's render with every object not checked: what the tree shows while the check reads the cluster.
   * Starts connecting to its cluster meanwhile (the check that follows reuses the connection and the render).
   * `onProgress`: see Engine.renderedReport (the applications rendered so far, for an environment of several).
   */
  async preview(
    env: RepoEnvironment,
    onProgress?: (progress: RenderProgress, partial: () => EnvironmentReport) => Promise<void> | void,
  ): Promise<EnvironmentReport> {
    const context = this.contextFor(env);
    // A failed connection is the check's to report; here it only must not be unhandled.
    this.cluster(context).catch(() => undefined);
    return this.engine.renderedReport(env, context, onProgress);
  }

  /**
   * An environment with no objects and `error` as its state: what the tree shows when its check threw. (Here, so the
   * activation bundle does not take in the engine for it.)
   */
  uncheckedReport(env: RepoEnvironment, context: string, error: string): EnvironmentReport {
    return uncheckedReport(env, context, error);
  }

  /**
   * Whether an Argo CD environment's status is read in the cluster that runs Argo CD (core/repo/argoDestinations.ts;
   * here, so the activation bundle does not take in the YAML library with it).
   */
  statusInArgoCdCluster(env: RepoEnvironment): boolean {
    return statusInArgoCdCluster(env);
  }

  /** Called with the context whose watched objects changed. */
  onLiveChange(listener: (context: string) => void): { dispose(): void } {
    this.liveListeners.add(listener);
    return { dispose: () => this.liveListeners.delete(listener) };
  }

  /** The kubeconfig's contexts, for the context picker. */
  contexts(): Promise<KubeContexts> {
    return listKubeContexts({ kubeconfigPath: this.options.settings.kubeconfig || undefined, env: this.options.env });
  }

  /** The normalised desired and live YAML of one object: the pair the engine compared, Secret values masked. */
  async diffTexts(env: RepoEnvironment, key: ResourceKey): Promise<DiffTexts> {
    const { objects } = await this.engine.compareObjects(env, await this.clusterSource(env), this.checkOptions());
    const detail = objects.find((d) => keyString(d.result.key) === keyString(key));
    // Only the engine's normalised, masked pair: the raw objects hold Secret values.
    const desiredObj = detail?.diff?.desired;
    const liveObj = detail?.diff?.live;
    return {
      desired: desiredObj ? stringify(desiredObj) : `# ${key.kind} ${key.name} is not in git\n`,
      live: liveObj
        ? stringify(liveObj)
        : `# ${key.kind} ${key.name} is not in the cluster${detail?.result.message ? `: ${detail.result.message}` : ''}\n`,
    };
  }

  /**
   * The repo's deployments and what the DORA metrics need (core/historyService.ts), read from git objects only (so
   * fine in an untrusted workspace). The walk is cached in `cacheFolder` (the extension's storage), so a reload
   * reads only new commits. Secret values are compared as HMACs under the user's snapshot key (made on first use).
   */
  async history(cacheFolder: string, toolVersion: string, options: HistoryOptions = {}): Promise<RepoHistory> {
    const { repoRoot, logger, env } = this.options;
    return loadHistory(
      {
        engine: this.engine,
        git: this.git(),
        repoRoot,
        cache: new FileCacheStore(cacheFolder, repoRoot),
        secretKey: await loadSecretKey(env, repoRoot, { create: true }),
        toolVersion,
        logger,
      },
      options,
    );
  }

  /**
   * An environment rendered from git objects at `rev` (never the working tree), as `kustomize build` prints it with
   * Secret values masked: one side of a deployment's diff. A render error is the document's text.
   */
  async renderedAt(envName: string, rev: string): Promise<string> {
    const env = await this.engine.environment(envName);
    const fs = new RevisionFileSystem(this.git(), rev, this.options.repoRoot);
    try {
      const result = await this.engine.renderFrom(env, fs);
      return renderedYaml(result, { header: `${envName} at ${rev}: rendered from git (Secret values masked)` });
    } catch (e) {
      return `# ${envName} does not render at ${rev}\n# ${(e instanceof Error ? e.message : String(e)).split('\n').join('\n# ')}\n`;
    }
  }

  /** The `images:` entry of a kustomization's text at 0-based `line`, and when its version reached each environment. */
  imageArrivals(
    text: string,
    line: number,
    history: () => Promise<RepoHistory>,
  ): Promise<{ entry: ImageEntry; rows: ImageArrivalRow[] } | undefined> {
    const entry = imageEntryAt(text, line);
    if (!entry) return Promise.resolve(undefined);
    return history().then((h) => ({ entry, rows: imageArrivalRows(h, entry) }));
  }

  /** The repo's git (made on first use): the commands that read history or commit get it here. */
  git(): Git {
    return (this.gitAdapter ??= new SimpleGitAdapter(this.options.repoRoot));
  }

  /**
   * What `check` reads `env` from (the same watched connection) and the options it checks with: a put-back plans
   * from the state the user sees. A cluster that cannot be reached throws its ClusterError.
   */
  async liveFor(env: RepoEnvironment): Promise<{ source: LiveSource; options: CheckOptions }> {
    const argo = this.argoLive(env);
    if (argo) return { source: argo, options: this.checkOptions() };
    return { source: await this.clusterSource(env), options: this.checkOptions() };
  }

  /** A server-side-apply writer for `env`'s context; the caller disposes it. Only after the user asked to write. */
  writerFor(env: RepoEnvironment): Promise<KubeApplier> {
    const { settings, logger, env: processEnv } = this.options;
    return createKubeApplier({
      context: this.contextFor(env) || undefined,
      kubeconfigPath: settings.kubeconfig || undefined,
      env: processEnv,
      allowExec: settings.allowExecCredentials,
      logger,
    });
  }

  /** Where the YAML document of `text` at `docLine` writes `pointer` (here, with the YAML library). */
  locate(text: string, docLine: number, pointer: string): LocatedValue | undefined {
    return locatePointer(text, docLine, pointer);
  }

  /** The repo-relative config file, `.gitops-drift.yaml`. */
  readonly configFile = CONFIG_FILE;

  /** The config file's text with an ignore rule added (here, with the YAML library, not in the activation bundle). */
  withIgnoreRule(configText: string | undefined, rule: FieldIgnore): string {
    return addIgnoreRule(configText, rule, CONFIG_FILE);
  }

  dispose(): void {
    this.disposed = true;
    this.helm?.dispose();
    for (const c of this.clusters.values())
      c.then(
        (x) => x.cache?.dispose(),
        () => undefined,
      );
    this.clusters.clear();
    this.liveListeners.clear();
  }

  private checkOptions(): CheckOptions {
    return this.options.settings.exactMode && this.options.trusted ? { exact: true } : {};
  }

  /**
   * An Argo CD environment's live source when signed in to Argo CD: its Applications' objects (or those of
   * `applications`) as Argo CD sees them live. The Applications' list and each one's managed resources are asked again after a few seconds (a refresh),
   * not on every re-check of one environment.
   */
  private argoLive(env: RepoEnvironment, applications?: readonly string[]): LiveSource | undefined {
    const argocd = this.options.argocd;
    // A check of some Applications asks for their managed resources only.
    const refs = argocd
      ? argoApplicationsOf(
          applications ? { ...env, applications: env.applications.filter((a) => applications.includes(a.name)) } : env,
        )
      : undefined;
    if (!argocd || !refs) return undefined;
    if (!this.argoCd || Date.now() - this.argoCd.at > ARGO_CD_TTL_MS) {
      const client = createArgoCdClient({
        ...argoCdTlsFromConfig(this.options.env, argocd.server),
        token: argocd.token,
      });
      this.argoCd = { at: Date.now(), session: new ArgoCdSession(client) };
    }
    return {
      ...this.argoCd.session.liveSource(refs),
      context: `argocd:${this.argoCd.session.api.server}`,
      via: 'api',
    };
  }

  private cluster(context: string): Promise<Cluster> {
    let c = this.clusters.get(context);
    if (!c) {
      c = this.connect(context);
      this.clusters.set(context, c);
    }
    return c;
  }

  private async connect(context: string): Promise<Cluster> {
    const { settings, logger, env, trusted } = this.options;
    const connection = {
      context: context || undefined,
      kubeconfigPath: settings.kubeconfig || undefined,
      env,
      allowExec: settings.allowExecCredentials,
      logger,
    };
    const reader = await createKubeClusterReader(connection);
    let cache: LiveCache | undefined;
    if (settings.watch && !this.disposed) {
      cache = new LiveCache(reader, { logger });
      cache.onDidChange(() => {
        for (const l of this.liveListeners) l(context);
      });
      cache.onWatchProblem((p) =>
        logger.warn(`watch ${p.scope}: ${p.message}; retrying in ${Math.round(p.retryInMs / 1000)} s`),
      );
    }
    // With watch, checks read the cache, which its watches keep current; without, every check lists again.
    const source: LiveSource = { reader, context: reader.context, namespace: reader.namespace };
    if (cache) source.cache = cache;
    // Exact mode compares with server-side apply dry runs (nothing is persisted).
    if (settings.exactMode && trusted) source.writer = await createKubeApplier(connection);
    logger.info(
      `connected to context ${reader.context} (${reader.server})${cache ? ', watching' : ''}${source.writer ? ', exact mode' : ''}`,
    );
    return { reader, cache, source };
  }
}
