/** What the envs/check/diff/snapshot commands share: finding the repo, opening the engine, connecting to clusters. */
import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { type CliIO, UsageError } from '../command';
import {
  type CheckOptions,
  DriftEngine,
  type EnvironmentReport,
  formatProblem,
  type LiveSource,
  uncheckedReport,
} from '../../core/engine';
import { ClusterError, isClusterError } from '../../core/live/clusterError';
import { isIncomplete } from '../../core/drift/incomplete';
import { SharedListReader } from '../../core/live/sharedLists';
import { ProblemError } from '../../core/model/problem';
import { argoApplicationsOf } from '../../core/live/argoApplication';
import { ArgoCdSession } from '../../core/live/argoCdReader';
import { createArgoCdClient } from '../../node/argoCdClient';
import { argoCdServerFromConfig } from '../../node/argoCdConfig';
import type { Problem } from '../../core/model/problem';
import { keyLabel } from '../../core/model/resource';
import { objectState, UNREAD } from '../../core/model/verdictState';
import { plainText } from '../../core/model/untrustedText';
import type { Logger } from '../../core/ports';
import { RefusedError } from '../../core/promote/refusal';
import { WasmHelmEngine } from '../../node/helmEngine';
import { cliChartSource } from './cliChartSource';
import type { RepoEnvironment } from '../../core/repo/config';
import type { RepoModel } from '../../core/repo/repository';
import {
  type LiveSnapshot,
  parseSnapshot,
  type SnapshotSection,
  snapshotSectionFor,
  SnapshotReader,
} from '../../core/repo/snapshot';
import type { SnapshotKey } from '../../core/drift/snapshotSecrets';
import { BatchFileSystem } from '../../node/batchFileSystem';
import { SimpleGitAdapter } from '../../node/simpleGit';
import { NodeFileSystem } from '../../node/nodeFileSystem';
import { repoReadOptions } from '../../node/regularFile';
import { createKubeClusterReader } from '../../node/kubeClusterReader';
import { listKubeContexts } from '../../node/kubeConfig';
import { statusInArgoCdCluster } from '../../core/repo/argoDestinations';
import { createKubeApplier } from '../../node/kubeApplier';
import { loadSecretKey, secretKeyPath } from '../../node/secretKey';

/** The repo root from the optional REPO argument (default: the working directory), as an absolute `/` path. */
export async function repoRootArg(arg: string | undefined, io: CliIO): Promise<string> {
  const root = path.resolve(io.cwd, arg ?? '.');
  const stat = await new NodeFileSystem().stat(root);
  if (!stat?.isDirectory) throw new UsageError(`${arg ?? root} is not a folder`);
  return root.split(path.sep).join('/');
}

/** A logger to stderr when GITOPS_DRIFT_DEBUG is set, silent otherwise. */
export function cliLogger(io: CliIO): Logger {
  const on = Boolean(io.env.GITOPS_DRIFT_DEBUG);
  const log = (level: string) => (m: string | Error) =>
    on && io.stderr(`[${level}] ${m instanceof Error ? m.message : m}\n`);
  return { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * Opens the engine on a repo, prints config and discovery problems to stderr, and returns the environments
 * selected by `--env` (comma-separated names; all when absent). Config errors are reported but do not stop the valid entries.
 */
export async function openRepo(
  repoRoot: string,
  io: CliIO,
  envName?: string,
  options: { chartDownloads?: boolean; kubeconfig?: string; filesFixed?: boolean } = {},
): Promise<{ engine: DriftEngine; repo: RepoModel; selected: RepoEnvironment[] }> {
  let helm: WasmHelmEngine | undefined;
  // Synchronous reads: a tenth of the main thread's cost of promise reads per file. The renderer still gives I/O a
  // turn every few milliseconds, so the cluster connection opened meanwhile makes progress.
  const engine = new DriftEngine({
    fs: new BatchFileSystem(repoReadOptions(repoRoot, io.env)),
    // Synchronous reads: each render is CPU-bound, one at a time lets the first environment's reads overlap the next.
    renderSlots: 1,
    repoRoot,
    logger: cliLogger(io),
    git: new SimpleGitAdapter(repoRoot),
    // Made on the first HelmRelease with a chart in this repo; its worker starts on the first render.
    helmEngine: () => (helm ??= new WasmHelmEngine()),
    chartSource: cliChartSource(io, options.chartDownloads === true),
    // Argo CD destinations become kube contexts: the kubeconfig is read only when an Application names a cluster.
    kubeContexts: () => listKubeContexts({ env: io.env, kubeconfigPath: options.kubeconfig }).then((c) => c.contexts),
    ...(options.filesFixed ? { filesFixed: true } : {}),
    // A command checks each environment once: nothing would read a kept diff again.
    keepDiffs: false,
  });
  const repo = await engine.load();
  for (const p of repo.problems) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
  if (!repo.environments.length) {
    throw new UsageError(
      `no environments found in ${repoRoot}: add .gitops-drift.yaml or use a conventional layout (envs/*, overlays/*, ...); see docs/configuration.md`,
    );
  }
  // `--env dev,prod` selects several, in the order given.
  const names =
    envName === undefined
      ? undefined
      : [
          ...new Set(
            envName
              .split(',')
              .map((n) => n.trim())
              .filter(Boolean),
          ),
        ];
  const selected = names === undefined ? repo.environments : await Promise.all(names.map((n) => engine.environment(n)));
  return { engine, repo, selected };
}

/**
 * Refuses (exit 2, nothing done) when the repo's config has errors: printed already by openRepo, they may have
 * dropped an environment or changed the promotion order, so what `doing` would act on may not be what was meant.
 * For the commands that change or write something; the reporting commands go on and exit 2 at the end.
 */
export function refuseOnConfigErrors(repo: RepoModel, doing: string): void {
  const errors = repo.problems.filter((p) => p.severity === 'error');
  if (errors.length)
    throw new RefusedError(
      `not ${doing}: the repo's configuration has ${errors.length === 1 ? 'an error' : `${errors.length} errors`} (above); fix ${errors.length === 1 ? 'it' : 'them'} first. Nothing was changed.`,
    );
}

/** How to reach live state, from the command's options. */
export interface LiveOptions {
  liveFrom?: string;
  context?: string;
  kubeconfig?: string;
  allowExec?: boolean;
  /** Also open a writer per context, for exact mode's dry runs. */
  exact?: boolean;
  /**
   * Read Argo CD environments through Argo CD's API instead of a cluster (`--argocd`, `--argocd-server HOST`): the
   * server of the argocd CLI's config (its current context, or `server`), the token from there or ARGOCD_AUTH_TOKEN.
   */
  argocd?: { server?: string };
  /**
   * The context of the cluster that runs Argo CD (`argocd.inClusterContext`); default: `context`, else the current
   * one. An Application deploying to another cluster is read there (its objects where they are deployed).
   */
  argoCdContext?: string;
}

/**
 * The live source of an environment for a command that writes to its cluster (put-back, reconcile): exact mode, with
 * a writer, from the command's --context, --kubeconfig and --allow-exec. Refuses when the cluster cannot be reached.
 */
export async function writableLiveSource(
  env: RepoEnvironment,
  options: Record<string, unknown>,
  io: CliIO,
): Promise<LiveSource & { writer: NonNullable<LiveSource['writer']> }> {
  const sources = new LiveSources(
    {
      context: options.context as string | undefined,
      kubeconfig: options.kubeconfig as string | undefined,
      allowExec: Boolean(options['allow-exec']),
      exact: true,
    },
    io,
  );
  const live = await sources.forEnvironment(env);
  if ('error' in live) throw new RefusedError(live.error);
  if (!live.writer) throw new RefusedError(`no cluster writer for ${live.context}`);
  return live as LiveSource & { writer: NonNullable<LiveSource['writer']> };
}

/**
 * Hands out a LiveSource per environment: the snapshot file for all of them, or one reader per kube context
 * (reused across environments that share it). A context that cannot be reached is that environment's error.
 */
export class LiveSources {
  private snapshot: Promise<LiveSnapshot> | undefined;
  private readonly replays = new Map<SnapshotSection, LiveSource>();
  private readonly readers = new Map<string, Promise<LiveSource>>();
  private argocd: ArgoCdSession | undefined;

  constructor(
    private readonly options: LiveOptions,
    private readonly io: CliIO,
  ) {}

  /** The source for `env`, or the error message when its cluster cannot be reached at all. */
  async forEnvironment(
    env: RepoEnvironment,
  ): Promise<LiveSource | { error: string; context: string; noCluster?: boolean }> {
    const argoRefs = this.options.argocd ? argoApplicationsOf(env) : undefined;
    if (argoRefs) {
      let session: ArgoCdSession;
      try {
        session = this.argoSession();
      } catch (e) {
        return { error: (e as Error).message, context: 'argocd', noCluster: true };
      }
      // Its Applications' objects, as Argo CD sees them live (one it will not give is that application's state); the
      // Applications' statuses from one list of all.
      return { ...session.liveSource(argoRefs), context: `argocd:${session.api.server}`, via: 'api' };
    }
    if (this.options.liveFrom) {
      const file = this.options.liveFrom;
      const snap = await (this.snapshot ??= this.loadSnapshot(file));
      const section = snapshotSectionFor(snap, env.name, this.options.context ?? env.context);
      if (typeof section === 'string') return { error: `${file}: ${section}`, context: `snapshot:${file}` };
      let source = this.replays.get(section);
      if (!source)
        this.replays.set(
          section,
          (source = {
            reader: new SnapshotReader(section, file),
            context: `snapshot:${file}`,
            secretHashing: await this.secretHashing(snap, file),
          }),
        );
      return source;
    }
    const context = this.options.context ?? env.context ?? '';
    const source = await this.clusterSource(context);
    if ('error' in source || !statusInArgoCdCluster(env)) return source;
    const argoCdContext = this.options.argoCdContext ?? this.options.context ?? '';
    if (argoCdContext === context) return source;
    return {
      ...source,
      argoCd: {
        context: argoCdContext || '(current context)',
        source: async () => {
          const argo = await this.clusterSource(argoCdContext);
          if ('error' in argo) throw new ClusterError('unreachable', argo.error, argoCdContext || undefined);
          return argo;
        },
      },
    };
  }

  /** The kube context `env` is read from ('' for the current one); undefined when it is read from a snapshot or Argo CD. */
  clusterOf(env: RepoEnvironment): string | undefined {
    if (this.options.liveFrom || this.options.argocd) return undefined;
    return this.options.context ?? env.context ?? '';
  }

  /**
   * Once `env` is checked: lets go of the LISTs its cluster's reader keeps for the namespaces `env` owns (its own, its
   * applications') that none of `stillToCheck` on the same context owns. Other namespaces (a controller's, one an
   * object names itself) and cluster-scoped kinds stay kept for the run.
   */
  async release(env: RepoEnvironment, stillToCheck: readonly RepoEnvironment[]): Promise<void> {
    const context = this.clusterOf(env);
    if (context === undefined) return;
    let source: LiveSource;
    try {
      const kept = this.readers.get(context);
      if (!kept) return;
      source = await kept;
    } catch {
      return;
    }
    if (!(source.reader instanceof SharedListReader)) return;
    const sameContext = stillToCheck.filter((e) => this.clusterOf(e) === context);
    for (const namespace of namespacesToForget(env, sameContext, source.namespace)) source.reader.forget(namespace);
  }

  /** The connection to a kube context (one per context for the run), or why it cannot be had. */
  private async clusterSource(
    context: string,
  ): Promise<LiveSource | { error: string; context: string; noCluster?: boolean }> {
    let source = this.readers.get(context);
    if (!source) {
      const options = {
        context: context || undefined,
        kubeconfigPath: this.options.kubeconfig,
        env: this.io.env,
        allowExec: this.options.allowExec,
        logger: cliLogger(this.io),
      };
      source = Promise.all([
        createKubeClusterReader(options),
        this.options.exact ? createKubeApplier(options) : undefined,
      ]).then(([reader, writer]) => {
        // Discovery and the TLS handshake overlap the render instead of following it.
        reader.preload();
        // One LIST per kind and namespace for the whole run, however many environments need it.
        return {
          reader: new SharedListReader(reader),
          listsKept: true,
          context: reader.context,
          namespace: reader.namespace,
          ...(writer ? { writer } : {}),
        };
      });
      this.readers.set(context, source);
    }
    try {
      return await source;
    } catch (e) {
      if (!isClusterError(e)) throw e;
      const hint =
        e.reason === 'kubeconfig' ? ' (to check against a recorded snapshot instead, pass --live-from FILE)' : '';
      return { error: e.message + hint, context: context || '(current context)', noCluster: true };
    }
  }

  /** One Argo CD session for the run: the server and token from the argocd CLI's config (never printed). */
  private argoSession(): ArgoCdSession {
    return (this.argocd ??= new ArgoCdSession(
      createArgoCdClient(argoCdServerFromConfig(this.io.env, this.options.argocd?.server)),
    ));
  }

  /** The user's key when it took the snapshot; otherwise why its Secret values cannot be compared. */
  private async secretHashing(snap: LiveSnapshot, file: string): Promise<NonNullable<LiveSource['secretHashing']>> {
    let key: SnapshotKey;
    try {
      key = await loadSecretKey(this.io.env, this.io.cwd, { create: false });
    } catch (e) {
      return { unavailable: `${file}: cannot compare Secret values: ${(e as Error).message}` };
    }
    if (key.id === snap.secrets.keyId) return { key };
    return {
      unavailable: `${file}: cannot compare Secret values: the snapshot was taken with another secret key (key id ${snap.secrets.keyId}, yours is ${key.id} at ${secretKeyPath(this.io.env, this.io.cwd)}); set GITOPS_DRIFT_SECRET_KEY_FILE to the key that took it`,
    };
  }

  private async loadSnapshot(file: string): Promise<LiveSnapshot> {
    const abs = path.resolve(this.io.cwd, file);
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (e) {
      throw new UsageError(
        `cannot read --live-from ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
      );
    }
    const snap = parseSnapshot(text, file);
    // Say how old the live state is: a report from a snapshot describes the cluster as it was then.
    const contexts = snap.clusters ? snap.clusters.map((c) => c.context) : snap.context ? [snap.context] : [];
    this.io.stderr(
      `live state from ${file}, recorded ${snap.takenAt}${contexts.length ? ` through ${contexts.join(', ')}` : ''}\n`,
    );
    return snap;
  }
}

/** The namespaces an environment's objects land in when they name none: its own and its applications'. */
function ownNamespaces(env: RepoEnvironment, contextNamespace: string | undefined): string[] {
  const namespace = env.namespace ?? contextNamespace ?? 'default';
  return [namespace, ...env.applications.map((a) => a.namespace ?? namespace)];
}

/**
 * The namespaces whose kept LISTs can go once `env` is checked: those it owns that none of `stillToCheck` (on the
 * same cluster) owns. `contextNamespace`: the kube context's namespace, for environments that name none.
 */
export function namespacesToForget(
  env: RepoEnvironment,
  stillToCheck: readonly RepoEnvironment[],
  contextNamespace: string | undefined,
): string[] {
  const stillOwned = new Set(stillToCheck.flatMap((e) => ownNamespaces(e, contextNamespace)));
  return [...new Set(ownNamespaces(env, contextNamespace))].filter((ns) => ns !== '' && !stillOwned.has(ns));
}

/** Checks one environment with its live source; an unreachable cluster becomes the environment's error. */
export async function checkEnvironment(
  engine: Pick<DriftEngine, 'check' | 'checkWithoutCluster'>,
  env: RepoEnvironment,
  sources: Pick<LiveSources, 'forEnvironment'>,
  options: CheckOptions = {},
): Promise<EnvironmentReport> {
  const source = await sources.forEnvironment(env);
  if ('error' in source) {
    // Without a cluster the rendered objects are still listed, not checked.
    return source.noCluster
      ? engine.checkWithoutCluster(env, source.context, source.error)
      : uncheckedReport(env, source.context, source.error);
  }
  return engine.check(env, source, options);
}

/**
 * Environments `check` has in flight at once. Renders run one after another anyway (the engine queues them); two at
 * once let one read its cluster while the next renders, and the bound keeps the live and rendered objects of only
 * those two in memory instead of every environment's until the end. 30,000 objects over 10 environments: peak RSS
 * about 300 MiB with 2, 340 with 3 or 4, 410 with all 10 at once, at the same CPU time (docs/benchmarks.md).
 */
export const ENVIRONMENTS_IN_FLIGHT = 2;

/**
 * Checks `envs` with at most `limit` in flight, the reports in the order of `envs`. Once an environment's report is
 * made, what the engine and the cluster readers kept of it alone is let go (its render, the LISTs of namespaces no
 * environment still to check owns). A kube context no environment has been read from yet holds one slot at most: the
 * next environment on it waits outside the slots, so a cluster that never answers stalls one environment while the
 * other clusters' are checked. Once one environment finds its cluster unreachable (or its credentials refused), the
 * later ones on that context get the same error without asking it again. An environment whose check throws gets that
 * as its error and never hides the others; bad usage (a `--live-from` file that cannot be read) still ends the run.
 */
export async function checkEnvironments(
  engine: Pick<DriftEngine, 'check' | 'checkWithoutCluster' | 'releaseRenders'>,
  envs: readonly RepoEnvironment[],
  sources: Pick<LiveSources, 'forEnvironment' | 'release' | 'clusterOf'>,
  options: CheckOptions = {},
  limit = ENVIRONMENTS_IN_FLIGHT,
): Promise<EnvironmentReport[]> {
  const reports = new Array<EnvironmentReport>(envs.length);
  const unfinished = new Set(envs);
  const queue = envs.map((env, index) => ({ env, index, cluster: sources.clusterOf(env) }));
  // By kube context: the first report of a cluster that could not be reached, the clusters that answered, and those
  // an environment in flight is asking for the first time.
  const down = new Map<string, EnvironmentReport>();
  const answered = new Set<string>();
  const asking = new Set<string>();
  let checkEnded: (() => void) | undefined;
  let stopped = false;

  const checkOne = async (env: RepoEnvironment, cluster: string | undefined): Promise<EnvironmentReport> => {
    const known = cluster === undefined ? undefined : down.get(cluster);
    try {
      const report = known
        ? await engine.checkWithoutCluster(env, known.context, known.error ?? '')
        : await checkEnvironment(engine, env, cluster === undefined ? sources : heardFrom(cluster), options);
      if (cluster !== undefined && !known) {
        if (report.noCluster && report.error) down.set(cluster, report);
        else answered.add(cluster);
      }
      return report;
    } catch (e) {
      if (e instanceof UsageError || e instanceof ProblemError) throw e;
      return uncheckedReport(
        env,
        (cluster ?? env.context) || '(current context)',
        `checking failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  };
  const wakeWaitingSlots = () => {
    const ended = checkEnded;
    checkEnded = undefined;
    ended?.();
  };
  // The cluster counts as answering at its first LIST answered (forbidden or not), not at the end of the check, so
  // the next environment on it need not wait for the whole first one.
  const heardFrom = (cluster: string): Pick<LiveSources, 'forEnvironment'> => ({
    forEnvironment: async (env) => {
      const source = await sources.forEnvironment(env);
      if ('error' in source || answered.has(cluster)) return source;
      const reader = source.reader;
      const list: typeof reader.list = async (type, namespace) => {
        const outcome = await reader.list(type, namespace);
        if (!answered.has(cluster)) {
          answered.add(cluster);
          wakeWaitingSlots();
        }
        return outcome;
      };
      // A proxy keeps the reader's class (release() tells shared readers by it) and its other methods.
      return {
        ...source,
        reader: new Proxy(reader, { get: (target, p) => (p === 'list' ? list : Reflect.get(target, p, target)) }),
      };
    },
  });
  const next = () => {
    const at = queue.findIndex(
      ({ cluster }) => cluster === undefined || answered.has(cluster) || down.has(cluster) || !asking.has(cluster),
    );
    return at < 0 ? undefined : queue.splice(at, 1)[0];
  };
  const slot = async (): Promise<void> => {
    while (!stopped && queue.length > 0) {
      const item = next();
      if (!item) {
        // Every environment left waits on a cluster another slot is asking: wait for a check to end.
        await new Promise<void>((resolve) => {
          const earlier = checkEnded;
          checkEnded = () => {
            earlier?.();
            resolve();
          };
        });
        continue;
      }
      const { env, index, cluster } = item;
      const first = cluster !== undefined && !answered.has(cluster) && !down.has(cluster);
      if (first) asking.add(cluster);
      try {
        reports[index] = await checkOne(env, cluster);
      } catch (e) {
        stopped = true;
        throw e;
      } finally {
        if (first) asking.delete(cluster);
        wakeWaitingSlots();
      }
      unfinished.delete(env);
      const stillToCheck = [...unfinished];
      engine.releaseRenders(env, stillToCheck);
      await sources.release(env, stillToCheck);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, envs.length)) }, slot));
  return reports;
}

/**
 * 2 when anything could not be checked (including a config entry dropped for an error, and an environment whose
 * render skipped content, unless `allowIncomplete`), else 1 when anything drifted, else 0.
 */
export function exitCodeFor(
  reports: EnvironmentReport[],
  repoProblems: Problem[] = [],
  options: { allowIncomplete?: boolean } = {},
): number {
  const states = new Set(reports.flatMap((r) => r.resources.map(objectState)));
  if (repoProblems.some((p) => p.severity === 'error')) return 2;
  if (!options.allowIncomplete && reports.some(isIncomplete)) return 2;
  if (reports.some((r) => r.error !== null) || [...UNREAD].some((s) => states.has(s))) return 2;
  return [...states].some((s) => s !== 'inSync') ? 1 : 0;
}

/**
 * What could not be read for an environment, one line per cause (a forbidden LIST, a kind or version the cluster
 * does not serve, a failed LIST), each naming the objects it hid: the same cause is said once, however many
 * objects it covers.
 */
export function unreadLines(report: EnvironmentReport): string[] {
  const byCause = new Map<string, string[]>();
  for (const r of report.resources) {
    // Objects not checked for want of a cluster have the environment's error; the rest could not be read.
    const state = objectState(r);
    if (!UNREAD.has(state) || state === 'notChecked') continue;
    const cause = r.message ?? r.verdict;
    let objects = byCause.get(cause);
    if (!objects) byCause.set(cause, (objects = []));
    objects.push(keyLabel(r.key));
  }
  return [...byCause].map(([cause, objects]) => {
    const shown = objects.slice(0, 3).join(', ') + (objects.length > 3 ? ` and ${objects.length - 3} more` : '');
    return `${report.name}: could not read ${objects.length} object${objects.length === 1 ? '' : 's'} (${shown}): ${plainText(cause)}\n`;
  });
}
