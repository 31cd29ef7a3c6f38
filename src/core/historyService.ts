/**
 * Environment history and the DORA four, for the CLI (`gitops-drift history`, `gitops-drift dora`) and the editor
 * alike: walks the branch's first-parent history once (one git call), renders each environment at the commits that
 * touch what its render reads, from git objects (never the working tree), and keeps the walk in a cache outside
 * the repo, so the next run walks only the new commits. The pure parts are in core/history/ (docs/history.md).
 */
import type { DriftEngine } from './engine';
import { ProblemError } from './model/problem';
import type { CacheStore, FileSystem, Git, LoggedCommit, Logger } from './ports';
import { silentLogger } from './ports';
import type { SnapshotKey } from './drift/snapshotSecrets';
import { snapshotObject, type SnapshotObject } from './history/snapshot';
import {
  emptyTrack,
  type EnvironmentTrack,
  indexOf,
  onlyChangesReads,
  step,
  type StepResult,
  touches,
  type TrackIndex,
  type WalkCounters,
} from './history/timeline';
import { retag, retaggable } from './history/retag';
import type { RenderedObject } from './render/types';
import { MovingTree, TreeFileSystem } from './history/treeFileSystem';
import type { Arrival, CurrentState, EnvironmentHistory, HistoryOptions, RepoHistory } from './history/types';
import { earlierStages } from './promote/promotionOrder';
import { findUndos } from './history/undo';
import type { RepoEnvironment } from './repo/config';

/** What history works with. */
export interface HistoryDeps {
  engine: DriftEngine;
  git: Git;
  /** The repo's absolute root, as the engine has it. */
  repoRoot: string;
  /** Where the walk is kept between runs; without it every run starts cold. */
  cache?: CacheStore;
  /** Hashes Secret values in what is compared and cached (the user's snapshot key). */
  secretKey: SnapshotKey;
  /** The product's version: a cache written by another version is not used (renders may differ). */
  toolVersion: string;
  logger?: Logger;
}

/** Bump when the cache's shape or meaning changes. */
const CACHE_FORMAT = 1;
const DAY = 86_400_000;

/** The history cache as stored (JSON). */
interface StoredHistory {
  format: number;
  toolVersion: string;
  secretKeyId: string;
  branch: string;
  /** The last commit walked. */
  head: string;
  /** Deployments are known from this time on (the window the walk started with); null: from the first commit. */
  coversFrom: number | null;
  /** The commit the walk started at (its renders are the state the window began with); null: the empty tree. */
  startedAt: string | null;
  /** What git said of versions before the walk: `env NUL tag-or-digest` → whether the env's files ever named it. */
  before: Record<string, boolean>;
  tracks: Record<string, EnvironmentTrack>;
}

/**
 * The deployments of every environment (or `options.environments`) in the window, with what the metrics need.
 * Throws a ProblemError for an unknown environment or branch; a commit at which an environment does not render is
 * listed in its `renderErrors` and never hides the other commits or environments.
 */
export async function loadHistory(deps: HistoryDeps, options: HistoryOptions = {}): Promise<RepoHistory> {
  const started = Date.now();
  const logger = deps.logger ?? silentLogger;
  const { git } = deps;
  if (!git.firstParentLog || !git.resolve) throw new Error('history needs a Git adapter that reads first-parent logs');
  const repo = await deps.engine.repo();
  const envs = selectEnvironments(repo.environments, options.environments);
  const now = options.now ?? new Date();
  const since = options.since ?? new Date(now.getTime() - 90 * DAY);
  const failureWindowDays = options.failureWindowDays ?? 7;
  const branch = options.branch ?? (await defaultBranch(git));
  const head = await git.resolve(branch);
  if (!head)
    throw new ProblemError({ severity: 'error', message: `no branch or commit '${branch}' in this repository` });

  const fingerprints = new Map(envs.map((e) => [e.name, fingerprint(e, deps)]));
  const cacheKey = `history-${branch.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const stored = await readCache(deps.cache, cacheKey, logger);
  let tracks: Record<string, EnvironmentTrack>;
  let commits: LoggedCommit[];
  let tree: MovingTree;
  let coversFrom: number | null;
  let startedAt: string | null = null;
  let before: Record<string, boolean> = {};
  let fromCache = false;
  const usable =
    stored &&
    stored.format === CACHE_FORMAT &&
    stored.toolVersion === deps.toolVersion &&
    stored.secretKeyId === deps.secretKey.id &&
    (stored.coversFrom === null || stored.coversFrom <= since.getTime()) &&
    envs.every((e) => stored.tracks[e.name]?.fingerprint === fingerprints.get(e.name));
  if (stored && !usable)
    logger.debug(`history cache for ${branch} not usable (${staleReason(stored, deps, since, envs, fingerprints)})`);
  let newCommits: LoggedCommit[] | undefined;
  if (usable) {
    newCommits = stored.head === head ? [] : await git.firstParentLog(head, stored.head);
    // The cached head must be the new commits' first parent: a rewritten branch starts again.
    if (newCommits.length && newCommits[0].parents[0] !== stored.head) newCommits = undefined;
  }
  const counters: WalkCounters = { rendered: 0, retagged: 0 };
  // Whether each environment's last render may be retagged (retag.ts): only plain kustomize renders that copy no
  // values around. Kept in the track, so a run from the cache can retag too.
  const remember = (env: RepoEnvironment, result: StepResult) => {
    if (!result.reads) return;
    tracks[env.name].retaggable =
      result.objects !== undefined &&
      env.applications.every((a) => a.renderer === 'kustomize') &&
      retaggable(result.reads);
  };
  const blobs = blobSource(git);
  let candidates = 0;
  try {
    const render = (name: string, fs: FileSystem) =>
      deps.engine
        .renderFrom(
          envs.find((e) => e.name === name)!,
          fs,
        )
        .then((r) => r.objects);
    const snapshot = (objects: readonly RenderedObject[]) =>
      objects.map((r) => snapshotObject(r, deps.secretKey)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let indexes: Map<string, TrackIndex>;
    if (usable && newCommits) {
      fromCache = true;
      tracks = stored.tracks;
      coversFrom = stored.coversFrom;
      startedAt = stored.startedAt;
      before = stored.before;
      commits = newCommits;
      tree = commits.length ? new MovingTree(await git.treeAt(stored.head)) : new MovingTree();
      indexes = new Map(envs.map((e) => [e.name, indexOf(tracks[e.name])]));
    } else {
      commits = await git.firstParentLog(head);
      tree = new MovingTree();
      // The walk starts at the last commit before the window: its renders are the state the window begins with.
      let start = -1;
      for (let i = 0; i < commits.length; i++) if (Date.parse(commits[i].date) < since.getTime()) start = i;
      for (let i = 0; i <= start; i++) tree.apply(commits[i].changes);
      coversFrom = start >= 0 ? since.getTime() : null;
      startedAt = start >= 0 ? commits[start].sha : null;
      tracks = {};
      indexes = new Map();
      const fs = new TreeFileSystem(tree, deps.repoRoot, blobs.read);
      for (const env of envs) {
        const track = emptyTrack(fingerprints.get(env.name)!);
        tracks[env.name] = track;
        const result = await step(track, env.name, undefined, {
          fs,
          repoRoot: deps.repoRoot,
          render,
          snapshot,
          counters,
        });
        indexes.set(env.name, result.index);
        remember(env, result);
      }
      commits = commits.slice(start + 1);
    }
    const fs = new TreeFileSystem(tree, deps.repoRoot, blobs.read);
    // Ask for every blob the walk's commits bring at once: the reader answers in order while the walk renders, so
    // no render waits for a round trip to git. (Failures surface where a render reads the blob.)
    if (blobs.batched)
      for (const commit of commits)
        for (const c of commit.changes) if (c.blob) blobs.read(c.blob).catch(() => undefined);
    for (const commit of commits) {
      const blobsBefore = new Map(commit.changes.map((c) => [c.path, tree.files.get(c.path)]));
      tree.apply(commit.changes);
      for (const env of envs) {
        const index = indexes.get(env.name)!;
        if (!touches(commit, index)) continue;
        const track = tracks[env.name];
        track.candidates++;
        candidates++;
        let retagged: SnapshotObject[] | undefined;
        if (track.retaggable && track.last && options.retag !== false && onlyChangesReads(commit, index)) {
          const changed = await Promise.all(
            commit.changes
              .filter((c) => index.reads.has(c.path))
              .map(async (c) => ({
                path: c.path,
                before: await blobs.read(blobsBefore.get(c.path)!),
                after: await blobs.read(c.blob!),
              })),
          );
          retagged = retag(track.last, changed);
        }
        const result = await step(
          track,
          env.name,
          commit,
          { fs, repoRoot: deps.repoRoot, render, snapshot, counters },
          retagged,
        );
        indexes.set(env.name, result.index);
        remember(env, result);
      }
    }
  } finally {
    blobs.close();
  }
  const asked = startedAt ? await addEarlierRuns(git, startedAt, repo.promotion, tracks, before) : 0;
  if (deps.cache && (commits.length || !fromCache || asked)) {
    const toStore: StoredHistory = {
      format: CACHE_FORMAT,
      toolVersion: deps.toolVersion,
      secretKeyId: deps.secretKey.id,
      branch,
      head,
      coversFrom,
      startedAt,
      before,
      tracks,
    };
    await deps.cache.write(cacheKey, JSON.stringify(toStore)).catch((e: unknown) => {
      logger.warn(`could not write the history cache: ${e instanceof Error ? e.message : String(e)}`);
    });
  }
  return assemble({
    envs,
    tracks,
    branch,
    head,
    since,
    now,
    failureWindowDays,
    promotion: repo.promotion,
    stats: {
      commits: commits.length,
      candidates,
      rendered: counters.rendered,
      retagged: counters.retagged,
      fromCache: fromCache ? 1 : 0,
      milliseconds: Date.now() - started,
    },
  });
}

function assemble(input: {
  envs: RepoEnvironment[];
  tracks: Record<string, EnvironmentTrack>;
  branch: string;
  head: string;
  since: Date;
  now: Date;
  failureWindowDays: number;
  promotion: string[][];
  stats: RepoHistory['stats'];
}): RepoHistory {
  const since = input.since.getTime();
  const windowSeconds = input.failureWindowDays * 86_400;
  const names = new Set(input.envs.map((e) => e.name));
  const environments: EnvironmentHistory[] = input.envs.map((env) => {
    const track = input.tracks[env.name];
    const undos = findUndos(track.deployments);
    const deployments = track.deployments
      .map((d, i) => ({
        environment: env.name,
        commit: d.commit,
        moved: d.moved,
        ...(undos[i] ? { undone: undos[i] } : {}),
        failed: undos[i] !== undefined && undos[i]!.afterSeconds <= windowSeconds,
      }))
      .filter((d) => Date.parse(d.commit.date) >= since)
      .reverse();
    const renderErrors = track.renderErrors.filter((g) => Date.parse(g.commit.date) >= since).reverse();
    return { environment: env.name, deployments, renderErrors };
  });
  const current: CurrentState[] = input.envs.map((env) => {
    const track = input.tracks[env.name];
    const objects = track.last ?? [];
    return {
      environment: env.name,
      objects: objects.map((o) => ({ ref: o.ref, at: o.source })),
      images: objects.flatMap((o) =>
        o.images.map((i) => ({
          object: o.ref,
          container: i.container,
          image: i.image,
          version: i.version,
          ...(i.at ? { at: i.at } : {}),
        })),
      ),
      ...(track.lastError !== undefined ? { error: track.lastError } : {}),
    };
  });
  return {
    branch: input.branch,
    head: input.head,
    since: input.since.toISOString(),
    now: input.now.toISOString(),
    failureWindowDays: input.failureWindowDays,
    environments,
    promotion: input.promotion.map((chain) => chain.filter((n) => names.has(n))).filter((chain) => chain.length > 1),
    arrivals: input.envs.flatMap((e) => input.tracks[e.name].arrivals),
    current,
    stats: input.stats,
  };
}

/**
 * The walk knows what each environment ran from where it started; an artifact reaching a later stage that the walk
 * never saw in an earlier one may still have run there before. Git says whether the earlier stage's files ever
 * named its tag (or digest) up to the walk's start (one call per stage, answers kept in the cache); if so, it counts
 * as having run there before the window. Returns how many stages git was asked about.
 */
async function addEarlierRuns(
  git: Git,
  startedAt: string,
  promotion: string[][],
  tracks: Record<string, EnvironmentTrack>,
  before: Record<string, boolean>,
): Promise<number> {
  if (!git.addedLines) return 0;
  const questions = new Map<string, { stage: string; text: string; arrival: Arrival }[]>();
  for (const [env, track] of Object.entries(tracks))
    for (const a of track.arrivals) {
      if (!a.commit) continue;
      for (const stage of earlierStages(promotion, env)) {
        const earlier = tracks[stage];
        if (!earlier || earlier.arrivals.some((b) => b.artifact === a.artifact)) continue;
        if (!earlier.arrivals.some((b) => b.image === a.image)) continue;
        const text = a.version.digest ?? a.version.tag;
        if (!text) continue;
        const list = questions.get(stage) ?? [];
        list.push({ stage, text, arrival: a });
        questions.set(stage, list);
      }
    }
  let asked = 0;
  for (const [stage, list] of questions) {
    const open = list.filter((q) => before[`${stage}\0${q.text}`] === undefined);
    if (open.length) {
      asked++;
      const lines = await git.addedLines(startedAt, tracks[stage].reads);
      for (const q of open) before[`${stage}\0${q.text}`] = containsWord(lines, q.text);
    }
    for (const q of list) {
      if (!before[`${stage}\0${q.text}`]) continue;
      if (tracks[stage].arrivals.some((b) => b.artifact === q.arrival.artifact)) continue;
      const { artifact, image, version } = q.arrival;
      tracks[stage].arrivals.push({ artifact, image, version, environment: stage });
    }
  }
  return asked;
}

/** `text` in `lines` not as part of a longer version (`1.2.0` is not in `11.2.0` nor `1.2.0-rc1`). */
function containsWord(lines: string, text: string): boolean {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w.-])${escaped}($|[^\\w.-])`, 'm').test(lines);
}

function staleReason(
  stored: StoredHistory,
  deps: HistoryDeps,
  since: Date,
  envs: RepoEnvironment[],
  fingerprints: Map<string, string>,
): string {
  if (stored.format !== CACHE_FORMAT || stored.toolVersion !== deps.toolVersion) return 'another version wrote it';
  if (stored.secretKeyId !== deps.secretKey.id) return 'another secret key';
  if (stored.coversFrom !== null && stored.coversFrom > since.getTime()) return 'the window reaches further back';
  const changed = envs.filter((e) => stored.tracks[e.name]?.fingerprint !== fingerprints.get(e.name));
  return `environments not walked or defined differently: ${changed.map((e) => e.name).join(', ')}`;
}

function selectEnvironments(all: RepoEnvironment[], names: string[] | undefined): RepoEnvironment[] {
  if (!names?.length) return all;
  return names.map((name) => {
    const env = all.find((e) => e.name === name);
    if (!env)
      throw new ProblemError({
        severity: 'error',
        message: `no environment '${name}' (known: ${all.map((e) => e.name).join(', ') || 'none'})`,
      });
    return env;
  });
}

/** `main`, else `master`, else whatever HEAD is. */
async function defaultBranch(git: Git): Promise<string> {
  for (const name of ['main', 'master']) if (await git.branchExists(name)) return name;
  return 'HEAD';
}

/** What a render depends on besides the files: the environment's definition, the version, the Secret key. */
function fingerprint(env: RepoEnvironment, deps: HistoryDeps): string {
  return JSON.stringify([
    env.name,
    env.path,
    env.namespace ?? '',
    env.applications.map((a) => [a.name, a.source, a.renderer, a.namespace ?? '', a.controller?.object ?? null]),
    deps.toolVersion,
  ]);
}

async function readCache(
  cache: CacheStore | undefined,
  key: string,
  logger: Logger,
): Promise<StoredHistory | undefined> {
  const text = await cache?.read(key);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as StoredHistory;
    return typeof parsed === 'object' && parsed && typeof parsed.tracks === 'object' ? parsed : undefined;
  } catch {
    logger.warn('the history cache could not be read; starting again');
    return undefined;
  }
}

/** Blob contents by id, each read once: through one long-lived reader when the adapter has one. */
function blobSource(git: Git): { read: (id: string) => Promise<string>; close: () => void; batched: boolean } {
  const reader = git.blobReader?.();
  const seen = new Map<string, Promise<string>>();
  return {
    read: (id) => {
      let text = seen.get(id);
      if (!text) seen.set(id, (text = reader ? reader.read(id) : git.blob(id)));
      return text;
    },
    close: () => reader?.close(),
    batched: reader !== undefined,
  };
}
