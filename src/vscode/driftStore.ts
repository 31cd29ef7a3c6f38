import * as vscode from 'vscode';
import { decodeLastKnownTree, encodeLastKnownTree } from '../core/editor/lastKnownTree';
import type { EnvironmentReport, RenderProgress } from '../core/engine';
import { environmentsStartOpen, FEW_ENVIRONMENTS } from '../core/editor/treeLayout';
import type { Problem } from '../core/model/problem';
import type { CacheStore } from '../core/ports';
import { countParts, countStates } from '../core/model/verdictState';
import type { RepoEnvironment } from '../core/repo/config';
import {
  argoApplicationCount,
  fleetRead,
  type FleetRead,
  joinApplicationChecks,
  openedTogether,
  opensByApplication,
  readsStatusOnly,
} from '../core/editor/fleetShape';
import { OpenedApplications } from '../core/editor/openedApplications';
import { digestSettings, inputsUnchanged } from '../node/repoInputs';
import type { DriftSession, SessionOptions } from './driftSession';
import { afterRendersDrawn } from './afterRendersDrawn';
import { Disposable } from './lifecycle';
import type { Settings } from './settings';

/** One environment as the editor knows it: its definition and its last check. */
export interface EnvironmentEntry {
  env: RepoEnvironment;
  /**
   * Undefined until the first render (objects not checked) or check finishes. While `lastKnown` is set, it is the
   * last session's tree (every object not checked), shown until this session's render replaces it. While `rendering`
   * is set on it, it is the first render in progress of an environment of several applications (those done so far).
   */
  report?: EnvironmentReport;
  checking: boolean;
  lastChecked?: Date;
  /**
   * When the last session saved the tree `report` shows; undefined once this session rendered it, or when the saved
   * tree was made from the files and settings this session has (then it is this session's render, shown at once).
   */
  lastKnown?: Date;
  /** The applications whose objects the check in flight reads (a destination opened one Application at a time). */
  reading?: ReadonlySet<string>;
  /**
   * Applications of a destination opened one Application at a time whose first read did not end (cancelled), with
   * why: their objects are not read, and opening the row again reads them.
   */
  notRead?: ReadonlyMap<string, string>;
}

/** What the store needs from the outside; extension.ts wires the real ones. */
export interface DriftStoreDeps {
  /** Absolute repo root (`/` separators), undefined without a workspace folder. */
  repoRoot: string | undefined;
  /** Loads the heavy session module on first use. */
  createSession(options: SessionOptions): Promise<DriftSession>;
  settings(): Settings;
  /** Whether the user trusts the workspace (exact mode's dry runs need it). */
  trusted(): boolean;
  log: vscode.LogOutputChannel;
  /** Remembers the chosen kube context per workspace. */
  state: vscode.Memento;
  /** Where the last-known tree is kept between sessions (the workspace's storage); none: not kept. */
  lastKnown?: CacheStore;
  /** Where downloaded charts are kept (the extension's global storage). */
  chartCacheDir?: string;
  /**
   * When activate() was called (ms since the epoch): the first load's log lines say how long after it they came (the
   * log's own stamps of early lines are when the log file opened, not when they were written).
   */
  activatedAt?: number;
  /**
   * Resolves when the view has drawn what the store just showed (the saved tree, before the engine loads; a first
   * render), once it has asked for no rows for `quietMs` (EnvironmentsTreeProvider.whenDrawn's default when absent).
   */
  whenTreeDrawn?(quietMs?: number): Promise<void>;
  /** Where Argo CD tokens are kept (VS Code's SecretStorage: the OS keychain), never in settings or logs. */
  secrets: Pick<vscode.SecretStorage, 'get' | 'store'>;
}

/** A queued refresh (DriftStore.refresh): what to load again and which environments (and applications) to check. */
interface RefreshJob {
  reload: boolean;
  reread: boolean;
  all: boolean;
  names: Set<string>;
  /** Environments of `names` of which only these opened applications are read again. */
  only: Map<string, Set<string>>;
  /** Environments whose check in this job was cancelled on its own (cancelEnvironment): their results are dropped. */
  cancelled: Set<string>;
}

/** Of the opened `applications` of destination `name`, those `job` reads the objects of: all, or those it names. */
function readNow(applications: readonly string[], job: RefreshJob, name: string): readonly string[] {
  const only = job.all || job.reload ? undefined : job.only.get(name);
  return only ? applications.filter((a) => only.has(a)) : applications;
}

/** The SecretStorage key of an Argo CD server's token. */
export function argoCdTokenKey(server: string): string {
  return `gitopsDrift.argocd.token:${server.replace(/^https?:\/\//i, '').replace(/\/+$/, '')}`;
}

const CONTEXT_KEY = 'gitopsDrift.context';
/** The workspace-state key of the Applications opened per destination (core/editor/openedApplications.ts). */
const OPENED_APPLICATIONS_KEY = 'gitopsDrift.openedApplications';
const LAST_KNOWN_KEY = 'last-known-tree';
/** How often the view redraws while a check of several environments runs. */
const PROGRESS_MS = 250;
/**
 * How many of an environment's applications fill the view's first screen (a Flux cluster's Kustomizations, each with
 * its kinds): an environment of more is drawn once these are rendered, before the rest (partialRenders).
 */
const FIRST_SCREEN = 6;
/** The view has drawn a first screen once it asked for no rows for this long (EnvironmentsTreeProvider.whenDrawn). */
const PARTIAL_DRAWN_QUIET_MS = 150;

/**
 * The editor's model: environments and their latest drift reports. Refreshes are queued and coalesced (a save
 * during a check re-checks afterwards, once), and every change fires `onDidChange` for the tree, diagnostics,
 * decorations and status bar.
 */
export class DriftStore extends Disposable {
  private session: Promise<DriftSession> | undefined;
  private readonly entryMap = new Map<string, EnvironmentEntry>();
  private repoProblemList: Problem[] = [];
  private loadedOnce = false;
  private pending: RefreshJob | undefined;
  private running: Promise<void> | undefined;
  /** Bumped by `cancel()`: results of checks started before are dropped. */
  private generation = 0;
  private cancelRunning: (() => void) | undefined;
  /** The job `drain` runs now. */
  private runningJob: RefreshJob | undefined;
  private lastKnownRead = false;
  /** Argo CD environments opened in the tree (or checked on request): their objects are read, not only their status. */
  private readonly opened = new Set<string>();
  /**
   * Applications opened in the tree, per environment, in a destination opened one Application at a time (fleet
   * shape: core/editor/fleetShape.ts opensByApplication): only their objects are read. Kept in the workspace's state,
   * so a reopened window reads them again at once.
   */
  private readonly openedApplications: OpenedApplications;
  /** Per environment, the opened Applications a check has read the objects of (in this window). */
  private readonly readApplications = new Map<string, Set<string>>();
  /** How many Argo CD Applications the loaded environments hold (counted on first use after each load). */
  private argoApplications: number | undefined;
  /** The last session's tree is shown and this session has not loaded the repo yet. */
  private showingLastKnown = false;
  private lastKnownSaved = 0;
  /**
   * Environments whose saved tree was found current and whose cluster was found unreachable before this session's
   * first render: already final ("not checked: no cluster"), so the renders that confirm them run without "checking…".
   */
  private readonly settledFromSaved = new Set<string>();
  /** Whether the saved tree shown was found to be this session's render (false until known, or when it is not). */
  private savedTreeCurrent: Promise<boolean> = Promise.resolve(false);
  private firstRenderDone!: () => void;
  private readonly firstRender = new Promise<void>((resolve) => (this.firstRenderDone = resolve));
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  private readonly busyChanged = this._register(new vscode.EventEmitter<boolean>());
  /** Fires when environments or reports change. */
  readonly onDidChange = this.changed.event;
  /** Fires with true when a refresh starts, false when the queue is empty. */
  readonly onDidChangeBusy = this.busyChanged.event;
  private readonly sourcesChanged = this._register(new vscode.EventEmitter<void>());
  /**
   * Fires once the engine has taken in changed repo files (or reloaded the environments), before the checks
   * run: what reads only the repo (authoring diagnostics, previews) refreshes without waiting for the cluster.
   */
  readonly onDidChangeSources = this.sourcesChanged.event;

  constructor(private readonly deps: DriftStoreDeps) {
    super();
    this.openedApplications = new OpenedApplications(deps.state.get(OPENED_APPLICATIONS_KEY), deps.repoRoot ?? '');
  }

  get repoRoot(): string | undefined {
    return this.deps.repoRoot;
  }

  /** Environments in the repo's order. */
  get entries(): EnvironmentEntry[] {
    return [...this.entryMap.values()];
  }

  entry(name: string): EnvironmentEntry | undefined {
    return this.entryMap.get(name);
  }

  /** Config and discovery problems. */
  get repoProblems(): readonly Problem[] {
    return this.repoProblemList;
  }

  /** Whether environments have been loaded at least once (or the last session's are shown meanwhile). */
  get loaded(): boolean {
    return this.loadedOnce || this.showingLastKnown;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no refresh is queued or running. */
  async whenIdle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Resolves when the first refresh has every environment's render in the tree (or failed, or the store was
   * disposed): what can wait for the tree (the whole-repo lint) waits for this, so it never delays it, and never waits
   * for a slow or unreachable cluster.
   */
  whenFirstRendered(): Promise<void> {
    return this.firstRender;
  }

  /** The kube context chosen for environments that name none; undefined = the kubeconfig's current context. */
  get selectedContext(): string | undefined {
    return this.deps.state.get<string>(CONTEXT_KEY) || undefined;
  }

  /** Switches the default context: a new session (new connections), then everything is checked again. */
  async selectContext(context: string | undefined): Promise<void> {
    await this.deps.state.update(CONTEXT_KEY, context);
    this.resetSession();
    await this.refresh({ reload: true });
  }

  /** Settings changed: rebuild the session and check everything again. */
  async settingsChanged(): Promise<void> {
    this.resetSession();
    await this.refresh({ reload: true });
  }

  /** The session, created on first use. */
  getSession(): Promise<DriftSession> {
    if (!this.session) {
      const root = this.deps.repoRoot;
      if (!root) return Promise.reject(new Error('open a folder with a GitOps config repo first'));
      const settings = this.deps.settings();
      this.session = this.argoCdToken(settings.argocdServer)
        .then((token) =>
          this.deps.createSession({
            repoRoot: root,
            settings,
            logger: this.deps.log,
            context: this.selectedContext,
            env: process.env,
            trusted: this.deps.trusted(),
            ...(this.deps.chartCacheDir ? { chartCacheDir: this.deps.chartCacheDir } : {}),
            ...(token ? { argocd: { server: settings.argocdServer, token } } : {}),
          }),
        )
        .then((s) => {
          s.onLiveChange((context) => this.liveChanged(context));
          return s;
        });
      // A session that failed to load is not kept: the next refresh tries again.
      this.session.catch(() => (this.session = undefined));
    }
    return this.session;
  }

  /** The token kept for an Argo CD server, if signed in (none for no server). */
  private async argoCdToken(server: string): Promise<string | undefined> {
    if (!server) return undefined;
    const token = await this.deps.secrets.get(argoCdTokenKey(server));
    if (!token)
      this.deps.log.warn(
        `gitopsDrift.argocd.server is ${server}, but no token is kept for it: run Sign In to Argo CD…`,
      );
    return token || undefined;
  }

  /**
   * Keeps `token` for `server` in SecretStorage, makes `server` the user's gitopsDrift.argocd.server, and starts a new
   * session that reads Argo CD environments through it.
   */
  async signInToArgoCd(server: string, token: string): Promise<void> {
    await this.deps.secrets.store(argoCdTokenKey(server), token);
    await vscode.workspace
      .getConfiguration('gitopsDrift')
      .update('argocd.server', server, vscode.ConfigurationTarget.Global);
    this.resetSession();
    await this.refresh({ reload: true });
  }

  /**
   * Queues a refresh: `reload` re-reads the environment list; `environments` limits the check (all when absent).
   * Resolves when the queue has run it.
   */
  refresh(
    request: {
      reload?: boolean;
      reread?: boolean;
      environments?: string[];
      open?: boolean;
      /**
       * Of a destination opened one Application at a time, which opened applications to read again (the others keep
       * their last check); absent for an environment: all its opened ones.
       */
      applications?: Record<string, readonly string[]>;
    } = {},
  ): Promise<void> {
    if (request.open) for (const n of request.environments ?? []) this.opened.add(n);
    const p = (this.pending ??= {
      reload: false,
      reread: false,
      all: false,
      names: new Set(),
      only: new Map(),
      cancelled: new Set(),
    });
    p.reload ||= request.reload === true || request.reread === true || !this.loadedOnce;
    p.reread ||= request.reread === true;
    if (request.environments)
      for (const n of request.environments) {
        const only = request.applications?.[n];
        // A request for the whole environment, now or queued before, wins over one for some of its applications.
        if (!only) p.only.delete(n);
        else if (!p.names.has(n) || p.only.has(n)) p.only.set(n, new Set([...(p.only.get(n) ?? []), ...only]));
        p.names.add(n);
      }
    else p.all = true;
    if (!this.running) {
      this.busyChanged.fire(true);
      this.running = this.drain().finally(() => {
        this.running = undefined;
        this.busyChanged.fire(false);
      });
    }
    return this.running;
  }

  /**
   * Stops waiting for the checks in flight and drops what is queued: the view keeps the previous results. (A
   * request already sent to the API server still completes; its answer is ignored.)
   */
  cancel(): void {
    if (!this.running) return;
    this.generation++;
    this.pending = undefined;
    let forgotten = false;
    for (const e of this.entryMap.values()) {
      forgotten = this.readCancelled(e) || forgotten;
      e.checking = false;
      // A first screen drawn while the rest rendered is no result to keep.
      if (e.report?.rendering) e.report = undefined;
    }
    if (forgotten) this.saveOpenedApplications();
    this.cancelRunning?.();
    this.deps.log.info('refresh cancelled');
    this.changed.fire();
  }

  /**
   * Stops the check of one environment, in flight or queued (Read All Applications' Cancel), and nothing else: its
   * results are dropped, its Applications never read say so, those read before keep their last check. A queued
   * refresh of the whole repo still checks it (what it reads then is what is opened).
   */
  cancelEnvironment(name: string): void {
    const entry = this.entryMap.get(name);
    const job = this.runningJob;
    const inRun = job !== undefined && (job.all || job.reload || job.names.has(name));
    if (inRun) job.cancelled.add(name);
    const queued = this.pending;
    const dequeued = queued !== undefined && !queued.all && !queued.reload && queued.names.delete(name);
    if (dequeued) {
      queued.only.delete(name);
      if (!queued.names.size) this.pending = undefined;
    }
    if (!entry || (!inRun && !dequeued)) return;
    entry.checking = false;
    if (entry.report?.rendering) entry.report = undefined;
    entry.reading = undefined;
    if (this.readCancelled(entry)) this.saveOpenedApplications();
    this.deps.log.info(`check of ${name} cancelled`);
    this.changed.fire();
  }

  /**
   * An environment was opened in the tree: when only its Argo CD status was read (fleet shape), its objects are read
   * now. Nothing happens for one already read in full.
   */
  open(name: string): Promise<void> {
    const entry = this.entryMap.get(name);
    if (this.opened.has(name) || !entry) return Promise.resolve();
    this.opened.add(name);
    // A destination of several Applications shows their rows, each read when it is opened (openApplication).
    if (this.opensByApplication(name)) return Promise.resolve();
    if (!entry.report?.statusOnly && !entry.checking) return Promise.resolve();
    return this.refresh({ environments: [name] });
  }

  /**
   * An application row was opened in the tree: in a destination opened one Application at a time, that Application's
   * objects are read now (with the other sources of a multi-source one), the rest of the destination as it was.
   * Nothing happens for one already opened, or in any other environment (its objects are read with it).
   */
  openApplication(name: string, app: string): Promise<void> {
    const entry = this.entryMap.get(name);
    if (!entry || !this.opensByApplication(name)) return Promise.resolve();
    const together = openedTogether(entry.env, app);
    const added = this.openedApplications.add(name, together);
    // Opened before: read already, or being read; read again only when the last check failed (the row says why).
    if (!added.length && (entry.checking || !entry.report?.error)) return Promise.resolve();
    this.readAgain(entry, together);
    return this.refresh({ environments: [name], applications: { [name]: together } });
  }

  /**
   * Every Application of a destination opened one Application at a time is opened and read (those opened before
   * are read again). Nothing happens in any other environment.
   */
  openAllApplications(name: string): Promise<void> {
    const entry = this.entryMap.get(name);
    if (!entry || !this.opensByApplication(name)) return Promise.resolve();
    const all = entry.env.applications.map((a) => a.name);
    this.openedApplications.add(name, all);
    this.readAgain(entry, all);
    return this.refresh({ environments: [name], applications: { [name]: all } });
  }

  /**
   * Whether the environment is read as its Argo CD status only until it is opened (fleet shape; not a destination
   * opened one Application at a time, whose rows are opened instead), and is not opened yet.
   */
  readsWhenOpened(name: string): boolean {
    const entry = this.entryMap.get(name);
    return (
      entry !== undefined &&
      !this.opensByApplication(name) &&
      readsStatusOnly(
        entry.env,
        this.argoApplicationTotal(),
        this.opened.has(name),
        this.deps.settings().argocdFleetThreshold,
      )
    );
  }

  /** Whether `app` of `name` is opened (a destination opened one Application at a time), or being read. */
  applicationOpened(name: string, app: string): boolean {
    return this.openedApplications.of(name).has(app);
  }

  /** The applications of a destination opened one Application at a time not opened yet (none in any other). */
  unopenedApplications(name: string): string[] {
    const entry = this.entryMap.get(name);
    if (!entry || !this.opensByApplication(name)) return [];
    const opened = this.openedApplications.of(name);
    return entry.env.applications.map((a) => a.name).filter((a) => !opened.has(a));
  }

  /**
   * The first render of an environment of many applications (a Flux cluster's Kustomizations) whose row starts open,
   * drawn once the first screen of them is in: the first FIRST_SCREEN applications (the tree's order) with their
   * objects, the others "rendering…". No render starts until the view has drawn it (it asks this thread for every
   * level of rows; renders would keep it waiting), then the rest render and the whole render replaces it. `drop` when
   * its job is cancelled: the environment goes back to no report (nothing half-rendered stays in the tree), unless
   * something else replaced it meanwhile.
   */
  private partialRenders(entry: EnvironmentEntry, live: () => boolean, since: () => string) {
    // Only where the environment's row starts open: folded, its applications are not on screen.
    if (entry.env.applications.length <= FIRST_SCREEN || !environmentsStartOpen(this.entryMap.size)) return undefined;
    let shown: EnvironmentReport | undefined;
    let over = false;
    return {
      onProgress: (progress: RenderProgress, partial: () => EnvironmentReport): Promise<void> | undefined => {
        if (over || shown || progress.leading < FIRST_SCREEN || !live() || this.isDisposed) return;
        // Only in place of nothing, or of an earlier job's first screen (a reload while it rendered).
        if (entry.report && !entry.report.rendering) return;
        entry.report = shown = partial();
        this.deps.log.info(
          `rendered ${entry.env.name}'s first ${progress.leading} of ${progress.total} applications, drawing them${since()}`,
        );
        this.changed.fire();
        return this.deps.whenTreeDrawn?.(PARTIAL_DRAWN_QUIET_MS);
      },
      end: () => {
        over = true;
      },
      drop: () => {
        over = true;
        if (shown && entry.report === shown) entry.report = undefined;
      },
    };
  }

  /** A check of `name` ended with `report`, having read the objects of `reading` (a destination's opened ones). */
  private noteRead(name: string, report: EnvironmentReport, reading: ReadonlySet<string> | undefined): void {
    if (report.statusOnly || report.error) this.readApplications.delete(name);
    if (!reading || report.statusOnly || report.error) return;
    const read = this.readApplications.get(name) ?? new Set<string>();
    for (const a of reading) read.add(a);
    this.readApplications.set(name, read);
  }

  /** `apps` of `entry` are opened now: kept for the next window, and no longer "not read". */
  private readAgain(entry: EnvironmentEntry, apps: readonly string[]): void {
    this.saveOpenedApplications();
    if (!entry.notRead) return;
    const notRead = new Map([...entry.notRead].filter(([a]) => !apps.includes(a)));
    entry.notRead = notRead.size ? notRead : undefined;
  }

  /**
   * The checks of `entry` were cancelled (in flight or queued): its opened Applications never read yet are forgotten
   * (opening their rows again reads them) and say why they are not read; those read before keep their last check.
   * Returns whether any was forgotten.
   */
  private readCancelled(entry: EnvironmentEntry): boolean {
    const read = this.readApplications.get(entry.env.name);
    const never = [...this.openedApplications.of(entry.env.name)].filter((a) => !read?.has(a));
    if (!never.length) return false;
    this.openedApplications.forget(entry.env.name, never);
    const notRead = new Map(entry.notRead);
    for (const a of never) notRead.set(a, 'read cancelled');
    entry.notRead = notRead;
    return true;
  }

  private saveOpenedApplications(): void {
    const saved = this.openedApplications.saved(this.deps.state.get(OPENED_APPLICATIONS_KEY));
    this.deps.state.update(OPENED_APPLICATIONS_KEY, saved).then(undefined, (e: unknown) => {
      this.deps.log.warn(
        `could not keep the opened Applications for the next window: ${e instanceof Error ? e.message : String(e)}`,
      );
    });
  }

  /**
   * What a refresh reads of the environment (core/editor/fleetShape.ts): everything, or, when the repo has more Argo CD
   * Applications than `gitopsDrift.argocd.fleetThreshold`, its Argo CD status until it is opened (a destination of
   * several Applications: the status and the Applications opened).
   */
  private fleetRead(name: string): FleetRead {
    const entry = this.entryMap.get(name);
    if (!entry) return { read: 'all' };
    return fleetRead(
      entry.env,
      this.argoApplicationTotal(),
      { environment: this.opened.has(name), applications: this.openedApplications.of(name) },
      this.deps.settings().argocdFleetThreshold,
    );
  }

  /** Whether the environment's Applications are opened one by one (a destination at fleet shape). */
  opensByApplication(name: string): boolean {
    const entry = this.entryMap.get(name);
    return (
      entry !== undefined &&
      opensByApplication(entry.env, this.argoApplicationTotal(), this.deps.settings().argocdFleetThreshold)
    );
  }

  private argoApplicationTotal(): number {
    return (this.argoApplications ??= argoApplicationCount([...this.entryMap.values()].map((e) => e.env)));
  }

  /** A repo file was saved or changed on disk (repo-relative path): re-check only what read it. */
  async fileChanged(file: string): Promise<void> {
    if (!this.session) return;
    const session = await this.getSession();
    const change = await session.engine.fileChanged(file);
    this.sourcesChanged.fire();
    if (change.reload) await this.refresh({ reload: true });
    // A destination opened one Application at a time reads again only the opened Applications the file is read by.
    else if (change.environments.length)
      await this.refresh({ environments: change.environments, applications: change.applications });
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.isDisposed) {
      const job = this.pending;
      this.pending = undefined;
      const generation = this.generation;
      const cancelled = new Promise<void>((resolve) => (this.cancelRunning = resolve));
      this.runningJob = job;
      try {
        await Promise.race([this.run(job, generation), cancelled]);
      } catch (e) {
        this.deps.log.error('refresh failed:', e instanceof Error ? (e.stack ?? e.message) : String(e));
      } finally {
        if (this.runningJob === job) this.runningJob = undefined;
      }
      this.firstRenderDone();
    }
  }

  private async run(job: RefreshJob, generation: number): Promise<void> {
    // The first load's lines also say when they came after activation (bench/editorTimeline.mjs reads them).
    const first = !this.loadedOnce;
    const since = () =>
      first && this.deps.activatedAt !== undefined
        ? `, +${Date.now() - this.deps.activatedAt} ms after activation`
        : '';
    // The saved tree is drawn before the engine's load and renders take this thread.
    if (!this.lastKnownRead && (await this.showLastKnown(since))) await this.deps.whenTreeDrawn?.();
    const loading = Date.now();
    const firstSession = !this.session;
    const session = await this.getSession();
    if (firstSession) this.deps.log.info(`engine loaded (${Date.now() - loading} ms${since()})`);
    // A cluster that could not be reached in the last refresh is tried again now, once for all its environments.
    session.retryFailedConnections();
    const current = () => generation === this.generation;
    // Only the first load's environments can have settled from the saved tree (a cancelled first load may leave some).
    if (first) void this.settleUnreachable(session, current);
    else this.settledFromSaved.clear();
    if (job.reread) session.engine.forgetFiles();
    if (job.reload) {
      const discovering = Date.now();
      const repo = await session.load();
      if (!current()) return;
      this.deps.log.info(`found ${repo.environments.length} environments (${Date.now() - discovering} ms${since()})`);
      const next = new Map<string, EnvironmentEntry>();
      for (const env of repo.environments)
        next.set(env.name, { ...(this.entryMap.get(env.name) ?? { checking: false }), env });
      this.entryMap.clear();
      for (const [k, v] of next) this.entryMap.set(k, v);
      this.argoApplications = undefined;
      // Applications opened in an earlier window (or before this reload) that the repo no longer has are forgotten.
      if (this.openedApplications.prune(repo.environments)) this.saveOpenedApplications();
      this.repoProblemList = repo.problems;
      this.loadedOnce = true;
      this.showingLastKnown = false;
      this.sourcesChanged.fire();
      for (const p of repo.problems)
        this.deps.log.warn(`${p.location ? `${p.location.file}:${p.location.line}: ` : ''}${p.message}`);
    }
    // Cancelled while the engine loaded: nothing of this job is marked checking (nothing would clear it).
    if (!current()) return;
    const targets = this.entries.filter(
      (e) => (job.all || job.reload || job.names.has(e.env.name)) && !job.cancelled.has(e.env.name),
    );
    // An opened Application's row says "reading…" from now, its render included, until its check ends.
    const readings = new Map(targets.map((t) => [t, this.applicationsReadNow(t.env.name, job)]));
    for (const t of targets) {
      if (!this.settledFromSaved.has(t.env.name)) t.checking = true;
      t.reading = readings.get(t);
    }
    this.changed.fire();
    const rendering = Date.now();
    // With many environments the view fills as they finish, not when the slowest has: at most one change per
    // PROGRESS_MS while renders and checks run (the tree, markers and status bar each redraw once per change, on the
    // thread the renders run on). With a few, each render at once and one change for the checks at the end.
    const many = targets.length > FEW_ENVIRONMENTS;
    let progress: ReturnType<typeof setTimeout> | undefined;
    const progressed = () =>
      (progress ??= setTimeout(() => {
        progress = undefined;
        if (current() && !this.isDisposed) this.changed.fire();
      }, PROGRESS_MS));
    const changedNow = () => {
      clearTimeout(progress);
      progress = undefined;
      this.changed.fire();
    };
    let unrendered = targets.length;
    let previewShown = false;
    // A single environment's first render is drawn before its check starts (below).
    let drawnAfterLast = false;
    // On a first load, what waits for the renders starts once the tree that shows them is drawn (afterRendersDrawn).
    const renderedAndDrawn = () =>
      afterRendersDrawn({ firstLoad: first, drawnAlready: drawnAfterLast, whenTreeDrawn: this.deps.whenTreeDrawn });
    const rendered = () => {
      if (--unrendered) return;
      if (targets.length > 1)
        this.deps.log.info(`rendered ${targets.length} environments (${Date.now() - rendering} ms${since()})`);
      // The last render is drawn now, not at the next progress tick.
      if (many && current()) changedNow();
      void renderedAndDrawn().then(() => this.firstRenderDone());
    };
    if (!targets.length) this.firstRenderDone();
    await Promise.all(
      targets.map(async (entry) => {
        const started = Date.now();
        let previewed = false;
        // Whether this check's results still count: not after Cancel Refresh, nor after its own cancel.
        const live = () => current() && !job.cancelled.has(entry.env.name);
        // An open environment of many applications shown for the first time draws its first screen early.
        const partials = entry.report && !entry.report.rendering ? undefined : this.partialRenders(entry, live, since);
        // A check cancelled on its own drops its results; the job's render count still goes on for the others.
        const dropped = () => {
          partials?.drop();
          if (current() && !previewed) rendered();
        };
        try {
          // An environment shown for the first time (or from the last session) fills with its rendered objects, not
          // checked, as soon as they are there; re-checks keep the previous verdicts until the new ones arrive. (A first
          // screen an earlier job left, cancelled by a reload, is no verdict: rendered again.)
          if (!entry.report || entry.lastKnown || entry.report.rendering) {
            const preview = await session.preview(entry.env, partials?.onProgress);
            partials?.end();
            if (!live()) return dropped();
            entry.report = preview;
            entry.lastKnown = undefined;
            // The first render is drawn at once; with many environments the others join it at the progress ticks.
            // (A first screen drawn before does not count: the whole render is drawn before the check takes the thread.)
            const firstShown = !previewShown;
            if (many && previewShown) progressed();
            else changedNow();
            previewShown = true;
            this.deps.log.info(
              `rendered ${entry.env.name}: ${preview.resources.length} objects, checking (${Date.now() - started} ms${since()})`,
            );
            // On the first load, the first render is drawn before its check (and the lint, which waits for the
            // renders) take this thread; the other environments' renders go on meanwhile.
            if (first && firstShown) {
              await this.deps.whenTreeDrawn?.();
              drawnAfterLast = targets.length === 1;
            }
          }
          previewed = true;
          rendered();
          const read = this.fleetRead(entry.env.name);
          const report =
            read.read === 'status'
              ? await session.controllerStatus(entry.env)
              : read.read === 'all'
                ? await session.check(entry.env)
                : await this.checkApplications(
                    session,
                    entry,
                    read.applications,
                    readNow(read.applications, job, entry.env.name),
                  );
          if (!live()) return dropped();
          entry.report = report;
          this.noteRead(entry.env.name, report, readings.get(entry));
          const counts = countStates(report.resources);
          const line = report.statusOnly
            ? `read ${entry.env.name}'s Argo CD status: ${counts.total} objects not read until it is opened`
            : `checked ${entry.env.name}${read.read === 'applications' ? ` (opened: ${read.applications.join(', ')})` : ''}: ${counts.total} objects${counts.total ? ` (${countParts(counts).join(', ')})` : ''}`;
          const took = `(${Date.now() - started} ms)`;
          // Why a cluster cannot be reached is what the user must act on: a warning, not an info line.
          if (report.error)
            this.deps.log.warn(`${line}, ${report.noCluster ? 'no cluster' : 'error'}: ${report.error} ${took}`);
          else this.deps.log.info(`${line} ${took}`);
        } catch (e) {
          partials?.end();
          if (!live()) return dropped();
          this.deps.log.error(
            `checking ${entry.env.name} failed:`,
            e instanceof Error ? (e.stack ?? e.message) : String(e),
          );
          this.readApplications.delete(entry.env.name);
          entry.report = session.uncheckedReport(
            entry.env,
            entry.report?.context ?? '',
            e instanceof Error ? e.message : String(e),
          );
        }
        if (!previewed) rendered();
        if (entry.reading === readings.get(entry)) entry.reading = undefined;
        entry.checking = false;
        entry.lastChecked = new Date();
        if (targets.length > FEW_ENVIRONMENTS) progressed();
      }),
    );
    clearTimeout(progress);
    if (!current()) return;
    this.changed.fire();
    if (targets.length > 1)
      this.deps.log.info(`checked ${targets.length} environments (${Date.now() - rendering} ms${since()})`);
    // Kept after a reload, and at most twice a minute after re-checks (a save changes the tree seldom). Its digests
    // read every file the renders read: on a first load, after the tree with the checks is drawn.
    if (job.reload || Date.now() - this.lastKnownSaved > 30_000) {
      await renderedAndDrawn();
      if (!current()) return;
      await this.saveLastKnown();
    }
  }

  /**
   * A destination opened one Application at a time: `now` of its opened `applications` checked, the other opened ones
   * as their last check left them, the rest by their Argo CD status.
   */
  private async checkApplications(
    session: DriftSession,
    entry: EnvironmentEntry,
    applications: readonly string[],
    now: readonly string[],
  ): Promise<EnvironmentReport> {
    const next = now.length ? await session.check(entry.env, now) : await session.controllerStatus(entry.env);
    return joinApplicationChecks(
      entry.report,
      next,
      applications.filter((a) => !now.includes(a)),
    );
  }

  /** The applications a run of `job` reads the objects of in `name` (a destination opened one Application at a time). */
  private applicationsReadNow(name: string, job: RefreshJob): ReadonlySet<string> | undefined {
    const read = this.fleetRead(name);
    if (read.read !== 'applications') return undefined;
    const now = readNow(read.applications, job, name);
    return now.length ? new Set(now) : undefined;
  }

  /**
   * Before the first load: the tree the last session saved, each environment marked as such and every object not
   * checked, until this session's render replaces it. Anything unreadable shows nothing.
   */
  private async showLastKnown(since: () => string): Promise<boolean> {
    this.lastKnownRead = true;
    const reading = Date.now();
    const tree = decodeLastKnownTree(await this.deps.lastKnown?.read(LAST_KNOWN_KEY).catch(() => undefined));
    if (!tree?.environments.length || this.loadedOnce) return false;
    this.argoApplications = undefined;
    const shown = new Map<string, EnvironmentEntry>();
    for (const { env, drift } of tree.environments) {
      const entry: EnvironmentEntry = {
        env,
        report: { ...drift, problems: [], timings: { render: 0, live: 0, reconcile: 0 } },
        checking: true,
        lastKnown: tree.savedAt,
      };
      shown.set(env.name, entry);
      this.entryMap.set(env.name, entry);
    }
    // Applications opened in the last window are read again at once: their rows say so meanwhile.
    for (const entry of shown.values()) {
      const opened = this.openedApplications.of(entry.env.name);
      if (opened.size && this.opensByApplication(entry.env.name)) entry.reading = new Set(opened);
    }
    this.showingLastKnown = true;
    this.changed.fire();
    this.deps.log.info(
      `showing the tree saved ${tree.savedAt.toISOString()} until this session's render (read in ${Date.now() - reading} ms${since()})`,
    );
    // Made from the files and settings this session has, it is this session's render: unmarked once that is known
    // (while the engine loads; the renders that follow confirm it, and discovery adds environments created since).
    const root = this.deps.repoRoot;
    const inputs = tree.inputs;
    if (root !== undefined && inputs !== undefined && inputs.settings === this.settingsDigest()) {
      const verifying = Date.now();
      this.savedTreeCurrent = inputsUnchanged(root, inputs).then((unchanged) => {
        if (this.isDisposed) return false;
        if (!unchanged) {
          this.deps.log.info(
            `files the saved tree was rendered from changed since (checked in ${Date.now() - verifying} ms)`,
          );
          return false;
        }
        let unmarked = 0;
        for (const [name, saved] of shown) {
          // Only rows still showing the saved tree (discovery keeps the report when it replaces the entry).
          const entry = this.entryMap.get(name);
          if (!entry?.lastKnown || entry.report !== saved.report) continue;
          entry.lastKnown = undefined;
          unmarked++;
        }
        if (unmarked) this.changed.fire();
        this.deps.log.info(
          `the saved tree's ${Object.keys(inputs.files).length} files are unchanged: it is this session's render (checked in ${Date.now() - verifying} ms${since()})`,
        );
        return true;
      });
    }
    return true;
  }

  /** What a saved tree's renders depend on besides the repo's files: the settings and the chosen context. */
  private settingsDigest(): string {
    return digestSettings({ settings: this.deps.settings(), context: this.selectedContext ?? null });
  }

  /**
   * On the first load, for environments showing a current saved tree: asks (without waiting) whether their clusters
   * can be reached. One that cannot is final at once, its objects "not checked" with the cause, as its check would
   * say after rendering the same files again.
   */
  private async settleUnreachable(session: DriftSession, current: () => boolean): Promise<void> {
    if (!(await this.savedTreeCurrent)) return;
    let redraw: ReturnType<typeof setImmediate> | undefined;
    for (const { env, report: saved, lastKnown, checking } of this.entries) {
      if (!saved || lastKnown || !checking) continue;
      void session.unreachable(env).then((cause) => {
        // Discovery may have replaced the entry (same report); a check that ended first has said it already.
        const entry = this.entryMap.get(env.name);
        if (!cause || !entry || entry.report !== saved || !current() || this.isDisposed) return;
        entry.report = { ...saved, error: cause, noCluster: true };
        entry.checking = false;
        this.settledFromSaved.add(env.name);
        // Environments of one context settle together: one redraw for them.
        redraw ??= setImmediate(() => {
          redraw = undefined;
          if (!this.isDisposed) this.changed.fire();
        });
      });
    }
  }

  /** Keeps the tree for the next session, once every environment has this session's render. */
  private async saveLastKnown(): Promise<void> {
    const store = this.deps.lastKnown;
    const entries = this.entries;
    if (!store || entries.some((e) => !e.report || e.lastKnown)) return;
    this.lastKnownSaved = Date.now();
    const settings = this.settingsDigest();
    const inputs = await this.session?.then((s) => s.savedInputs(entries.map((e) => e.env))).catch(() => undefined);
    const text = encodeLastKnownTree(
      entries.map((e) => ({ env: e.env, drift: e.report! })),
      new Date(),
      inputs ? { ...inputs, settings } : undefined,
    );
    await store.write(LAST_KNOWN_KEY, text).catch((e: unknown) => {
      this.deps.log.warn(`could not keep the tree for the next session: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** Watched objects changed in a context: re-check the environments that use it. */
  private liveChanged(context: string): void {
    void this.session?.then(async (s) => {
      // Applications deploying to other clusters are read where Argo CD runs: a change there is theirs too.
      const argoCdContext = await s.argoCdContext();
      const names = this.entries
        .filter((e) => s.contextFor(e.env) === context || (argoCdContext === context && s.statusInArgoCdCluster(e.env)))
        .map((e) => e.env.name);
      if (names.length) void this.refresh({ environments: names });
    });
  }

  private resetSession(): void {
    const old = this.session;
    this.session = undefined;
    void old?.then(
      (s) => s.dispose(),
      () => undefined,
    );
  }

  override dispose(): void {
    this.firstRenderDone();
    this.resetSession();
    super.dispose();
  }
}
