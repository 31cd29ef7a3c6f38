/**
 * The walk: commits of the branch, oldest first, with the tree moved along; at each commit, the environments whose
 * render read a changed file (or listed a folder that gained or lost one) are rendered again from git objects, and a
 * render whose output differs from the last one is a deployment. What each environment's walk holds is plain data
 * (`EnvironmentTrack`), kept in the history cache so the next run walks only the new commits.
 */
import type { SourceLocation } from '../model/location';
import type { DirEntry, FileSystem, LoggedCommit } from '../ports';
import { RecordingFileSystem } from '../recordingFileSystem';
import type { RenderedObject } from '../render/types';
import { movesBetween } from './moves';
import { artifactOf, objectId, type SnapshotObject } from './snapshot';
import type { Arrival, HistoryCommit, Movement, RenderGap } from './types';

/** A deployment as the walk records it (the undo is worked out later, over the whole list). */
export interface TrackedDeployment {
  commit: HistoryCommit;
  moved: Movement[];
  /** The commit it says it reverts (`This reverts commit SHA.`). */
  reverts?: string;
}

/** One environment's walk so far. */
export interface EnvironmentTrack {
  /** The environment's definition and everything else a render depends on: a different one starts again. */
  fingerprint: string;
  /** The last render that succeeded, undefined before the first. */
  last?: SnapshotObject[];
  /** The last render's error, when it failed. */
  lastError?: string;
  /** Files the last render read; those it looked for and missed; folders it listed. */
  reads: string[];
  missing: string[];
  listings: string[];
  /** Oldest first. */
  deployments: TrackedDeployment[];
  renderErrors: RenderGap[];
  /** Each artifact's first arrival (the walk's first render counts as arrivals without a commit). */
  arrivals: Arrival[];
  /** Commits that touched what the render reads (deployments or not). */
  candidates: number;
  /** The last render may be retagged (retag.ts): a plain kustomize render that read no vars, replacements, newName. */
  retaggable?: boolean;
}

/** How the walk renders an environment: from a FileSystem over the commit's tree, its objects or a thrown error. */
export type RenderAt = (environment: string, fs: FileSystem) => Promise<readonly RenderedObject[]>;

export interface WalkCounters {
  rendered: number;
  /** Commits whose render was the last one retagged (retag.ts), not rendered. */
  retagged: number;
}

/** The commit as history reports it. */
export function historyCommit(c: LoggedCommit): HistoryCommit {
  return { sha: c.sha, author: c.author, date: c.date, subject: c.subject };
}

/** A fresh track, before anything was rendered. */
export function emptyTrack(fingerprint: string): EnvironmentTrack {
  return {
    fingerprint,
    reads: [],
    missing: [],
    listings: [],
    deployments: [],
    renderErrors: [],
    arrivals: [],
    candidates: 0,
  };
}

/** Whether everything of the commit that reaches the render is a change of a file it read (no file added or removed). */
export function onlyChangesReads(commit: LoggedCommit, index: TrackIndex): boolean {
  const probe: TrackIndex = { reads: new Set(), missing: index.missing, listings: index.listings };
  return commit.changes.every((c) =>
    index.reads.has(c.path) ? c.status === 'M' : !touches({ ...commit, changes: [c] }, probe),
  );
}

/** Whether a commit's changes reach what the track's last render read. */
export function touches(commit: LoggedCommit, index: TrackIndex): boolean {
  for (const c of commit.changes) {
    if (index.reads.has(c.path)) return true;
    const slash = c.path.lastIndexOf('/');
    const folder = slash < 0 ? '' : c.path.slice(0, slash);
    if (c.status !== 'M' && index.listings.has(folder)) return true;
    // A file or folder looked for and missing: created now, at it or below it.
    for (const m of index.missing) if (c.path === m || c.path.startsWith(m + '/')) return true;
  }
  return false;
}

/** The sets a track's lists stand for, built once per render. */
export interface TrackIndex {
  reads: Set<string>;
  missing: string[];
  listings: Set<string>;
}

export function indexOf(track: EnvironmentTrack): TrackIndex {
  return { reads: new Set(track.reads), missing: track.missing, listings: new Set(track.listings) };
}

/**
 * Renders the environment at the tree's commit and moves the track on: a deployment when the output differs from
 * the last good render (`commit` undefined: the walk's starting point, whose objects count as already there), a
 * render error when it fails. `snapshot` makes the snapshot of a render; `trailerTime` reads a lead-time start from
 * the commit's message.
 */
export async function step(
  track: EnvironmentTrack,
  environment: string,
  commit: LoggedCommit | undefined,
  deps: {
    fs: FileSystem;
    repoRoot: string;
    render: RenderAt;
    snapshot: (objects: readonly RenderedObject[]) => SnapshotObject[];
    counters: WalkCounters;
  },
  /** The snapshot after this commit, already made (a retag of the last one, retag.ts): nothing is rendered. */
  retagged?: SnapshotObject[],
): Promise<StepResult> {
  if (retagged && commit) {
    deps.counters.retagged++;
    const moved = movesBetween(track.last ?? [], retagged);
    if (moved.length) {
      const reverts = /This reverts commit ([0-9a-f]{40})/.exec(commit.body)?.[1];
      track.deployments.push({ commit: historyCommit(commit), moved, ...(reverts ? { reverts } : {}) });
    }
    addArrivals(track, environment, retagged, commit);
    track.last = retagged;
    return { index: indexOf(track) };
  }
  let objects: readonly RenderedObject[] | undefined;
  let error: string | undefined;
  let reads: ReadonlyMap<string, string | undefined> | undefined;
  {
    const misses = new MissRecorder(deps.fs);
    const recording = new RecordingFileSystem(misses, deps.repoRoot);
    deps.counters.rendered++;
    try {
      objects = await deps.render(environment, recording);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    reads = recording.reads;
    track.reads = [];
    track.missing = [];
    for (const [path, content] of recording.reads) (content === undefined ? track.missing : track.reads).push(path);
    for (const path of misses.missed) {
      const rel = relativeTo(deps.repoRoot, path);
      if (!recording.reads.has(rel)) track.missing.push(rel);
    }
    track.listings = [...recording.listings.keys()];
  }
  if (!objects) {
    if (commit) track.renderErrors.push({ environment, commit: historyCommit(commit), message: error ?? 'failed' });
    track.lastError = error;
    return { index: indexOf(track) };
  }
  delete track.lastError;
  const after = deps.snapshot(objects);
  if (commit) {
    let byId: Map<string, RenderedObject> | undefined;
    const originOf = (id: string, pointer: string): SourceLocation | undefined => {
      byId ??= new Map(objects!.map((r) => [objectId(r), r]));
      const o = byId.get(id)?.origins.get(pointer);
      return o ? { file: o.file, line: o.line, column: o.column } : undefined;
    };
    const moved = movesBetween(track.last ?? [], after, originOf);
    if (moved.length) {
      const reverts = /This reverts commit ([0-9a-f]{40})/.exec(commit.body)?.[1];
      track.deployments.push({ commit: historyCommit(commit), moved, ...(reverts ? { reverts } : {}) });
    }
  }
  addArrivals(track, environment, after, commit);
  track.last = after;
  return { index: indexOf(track), objects, ...(reads ? { reads } : {}) };
}

/** What a step leaves: the track's sets, and the render (with the texts it read, when it rendered) for a retag. */
export interface StepResult {
  index: TrackIndex;
  objects?: readonly RenderedObject[];
  reads?: ReadonlyMap<string, string | undefined>;
}

/** Trailers naming the app repo's commit time, in the order they are looked for. */
const TRAILERS = /^(?:App-Commit-Date|Source-Date|Source-Commit-Date):\s*(\S+)\s*$/im;

function addArrivals(
  track: EnvironmentTrack,
  environment: string,
  objects: readonly SnapshotObject[],
  commit: LoggedCommit | undefined,
): void {
  const known = new Set(track.arrivals.map((a) => a.artifact));
  const trailer = commit ? TRAILERS.exec(commit.body)?.[1] : undefined;
  const trailerTime = trailer && !Number.isNaN(Date.parse(trailer)) ? new Date(trailer).toISOString() : undefined;
  for (const o of objects) {
    for (const img of o.images) {
      const artifact = artifactOf(img.image, img.version);
      if (known.has(artifact)) continue;
      known.add(artifact);
      const created = o.created && !Number.isNaN(Date.parse(o.created)) ? new Date(o.created).toISOString() : undefined;
      track.arrivals.push({
        artifact,
        image: img.image,
        version: img.version,
        environment,
        ...(commit ? { commit: historyCommit(commit) } : {}),
        ...(img.at ? { at: img.at } : {}),
        ...(trailerTime
          ? { sourceTime: { time: trailerTime, from: 'commit-trailer' as const } }
          : created
            ? { sourceTime: { time: created, from: 'oci-label' as const } }
            : {}),
      });
    }
  }
}

/**
 * Notes the folders and links a render looked for and did not find (a failed listing or link resolution, which the
 * read recorder does not keep): creating one later must render again, e.g. an environment's folder before it exists.
 */
class MissRecorder implements FileSystem {
  readonly missed: string[] = [];
  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  readonly realPath?: (path: string) => Promise<string>;

  constructor(private readonly inner: FileSystem) {
    if (inner.readFileBytes) this.readFileBytes = inner.readFileBytes.bind(inner);
    const real = inner.realPath?.bind(inner);
    if (real) this.realPath = (path) => this.noting(path, real(path));
  }

  readFile(path: string): Promise<string> {
    return this.inner.readFile(path);
  }

  readDir(path: string): Promise<DirEntry[]> {
    return this.noting(path, this.inner.readDir(path));
  }

  stat(path: string): ReturnType<FileSystem['stat']> {
    return this.inner.stat(path);
  }

  private async noting<T>(path: string, result: Promise<T>): Promise<T> {
    try {
      return await result;
    } catch (e) {
      this.missed.push(path);
      throw e;
    }
  }
}

function relativeTo(repoRoot: string, path: string): string {
  const root = repoRoot.replace(/\/+$/, '');
  const p = path.replace(/\/+$/, '');
  return p === root ? '' : p.startsWith(root + '/') ? p.slice(root.length + 1) : p;
}
