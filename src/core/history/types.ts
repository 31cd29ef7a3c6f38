/**
 * src/core/history/: an environment's history and the DORA four, measured from the config repo's own git history
 * (docs/history.md). A deployment of an environment is a commit on the main branch that changes that environment's
 * rendered output; what moved is read from renders of git objects (never the working tree), cached per commit and
 * environment. This file is the public shape of the results: plain data, JSON as it is (the CLI prints it as it is).
 *
 * The pure parts: snapshot.ts (a render → what history compares), moves.ts (two snapshots → what moved),
 * timeline.ts (commits → deployments), dora.ts (deployments → the four metrics and the promotion findings). The
 * wiring over the engine, git and the cache is core/historyService.ts.
 */
import type { SourceLocation } from '../model/location';

/** A commit as history reports it. */
export interface HistoryCommit {
  /** Full id. */
  sha: string;
  author: string;
  /** ISO 8601 committer date: when the commit landed on the branch, the deployment's time. */
  date: string;
  subject: string;
}

/** An object as history names it: kind, namespace and name without a generator hash suffix. */
export interface ObjectRef {
  kind: string;
  namespace: string;
  /** The name with kustomize's generator hash stripped (`web-config`, not `web-config-7gt4229c52`). */
  name: string;
}

/** An image version: the tag and/or the digest. */
export interface ImageVersion {
  tag?: string;
  digest?: string;
}

/**
 * One thing a deployment moved, with the line that set it at that commit (`at`; for something removed, the line
 * that had set it before). Secret values never appear: a Secret's config move says only that the key changed.
 */
export type Movement =
  | {
      kind: 'image';
      object: ObjectRef;
      container: string;
      /** Image name (registry and repository). */
      image: string;
      from?: ImageVersion;
      to?: ImageVersion;
      at?: SourceLocation;
    }
  | { kind: 'replicas'; object: ObjectRef; from?: number; to?: number; at?: SourceLocation }
  | {
      kind: 'config';
      object: ObjectRef;
      /** The ConfigMap or Secret key. */
      key: string;
      /** Absent for a Secret (`secret: true`) and for a key added (`from`) or removed (`to`). */
      from?: string;
      to?: string;
      secret?: true;
      at?: SourceLocation;
    }
  | { kind: 'added' | 'removed'; object: ObjectRef; at?: SourceLocation }
  /** Any other field of the object changed: the first few paths, as people read them (`containers[web].env[X]`). */
  | { kind: 'changed'; object: ObjectRef; paths: string[]; at?: SourceLocation };

/** How a deployment was undone. */
export interface Undo {
  /** `git-revert`: a later commit says "This reverts commit SHA"; `rollback`: what it moved went back. */
  how: 'git-revert' | 'rollback';
  /** The deployment that undid it. */
  by: HistoryCommit;
  /** Seconds from this deployment to the one that undid it (the time to restore). */
  afterSeconds: number;
}

/** One deployment of one environment. */
export interface Deployment {
  environment: string;
  commit: HistoryCommit;
  /** What moved in the environment's rendered objects; never empty. */
  moved: Movement[];
  /**
   * Set when a later deployment undid this one (any time later: `failed` says whether it was within the window).
   */
  undone?: Undo;
  /** Undone within the change-failure window (default 7 days). */
  failed: boolean;
}

/** A render that failed at a commit: the environment did not render from that commit until `until` (or HEAD). */
export interface RenderGap {
  environment: string;
  commit: HistoryCommit;
  message: string;
}

/** One environment's deployments. */
export interface EnvironmentHistory {
  environment: string;
  /** Newest first. */
  deployments: Deployment[];
  /** Commits whose render failed (a broken commit never hides the others), newest first. */
  renderErrors: RenderGap[];
}

/** What `loadHistory` was asked. */
export interface HistoryOptions {
  /** The branch whose first-parent history counts; default `main`, else `master`, else HEAD. */
  branch?: string;
  /** Deployments at or after this time count; default 90 days before `now`. */
  since?: Date;
  /** Default: the current time. Tests fix it. */
  now?: Date;
  /** Only these environments (default all). */
  environments?: string[];
  /** How long after a deployment an undo counts as a failure; default 7 days. */
  failureWindowDays?: number;
  /** Retag the last render for a commit that only changes `newTag:` lines (default true; false renders every one). */
  retag?: boolean;
}

/** The whole repo's history in the window, with what the metrics need. */
export interface RepoHistory {
  /** The branch and its head commit read. */
  branch: string;
  head: string;
  since: string;
  now: string;
  failureWindowDays: number;
  /** In the order the repo lists them. */
  environments: EnvironmentHistory[];
  /** The promotion chains (repo/promotion.ts), e.g. [['dev', 'staging', 'prod']]. */
  promotion: string[][];
  /** Each artifact's arrival per environment, oldest first (what lead time and the findings are computed from). */
  arrivals: Arrival[];
  /** The state at the head, per environment (topology and tag/digest findings). */
  current: CurrentState[];
  /** What the run cost: commits read, renders done and reused from the cache, milliseconds. */
  stats: HistoryStats;
}

/** The first time one artifact reached one environment (in the window, or in the state the window started with). */
export interface Arrival {
  /** `image@digest` when the image has a digest, else `image:tag`. */
  artifact: string;
  image: string;
  version: ImageVersion;
  environment: string;
  /** The deployment that brought it; absent when the environment already ran it when the window began. */
  commit?: HistoryCommit;
  /** Where the image was set at that commit. */
  at?: SourceLocation;
  /**
   * An earlier start for lead time, when the repo says one: the app repo's commit time from a commit trailer
   * (`App-Commit-Date:` / `Source-Date:`) of the deployment, or an `org.opencontainers.image.created` annotation
   * on the workload or its pod template.
   */
  sourceTime?: { time: string; from: 'commit-trailer' | 'oci-label' };
}

/** What an environment's objects are at the head. */
export interface CurrentState {
  environment: string;
  /** Objects as `Kind namespace/name` (hash suffix stripped) with where each is declared. */
  objects: { ref: ObjectRef; at: SourceLocation }[];
  images: { object: ObjectRef; container: string; image: string; version: ImageVersion; at?: SourceLocation }[];
  /** The head's render failed: nothing else is known of it. */
  error?: string;
}

export interface HistoryStats {
  commits: number;
  /** Commits that touched a file an environment's render reads (summed over environments). */
  candidates: number;
  rendered: number;
  /** Commits that only retagged images the last render set: that render retagged, not a new one (exact all the same). */
  retagged: number;
  fromCache: number;
  milliseconds: number;
}

/** The four metrics of one environment, with the figures behind them. */
export interface EnvironmentDora {
  environment: string;
  deploymentFrequency: {
    deployments: number;
    days: number;
    perDay: number;
    perWeek: number;
    /** Deployments per ISO week (Monday, UTC), oldest first, weeks without any included: for charts. */
    weekly: { weekStart: string; deployments: number }[];
  };
  /**
   * Lead time to this environment: per artifact that reached it, from its start (the first environment of its
   * chain, or the commit trailer / OCI label when present) to its arrival here. The first environment of a chain has
   * figures only for artifacts with a trailer or label.
   */
  leadTime: {
    artifacts: number;
    /** Seconds; undefined without artifacts. */
    medianSeconds?: number;
    p90Seconds?: number;
    /** Each artifact's figure, for distributions. */
    samples: { artifact: string; seconds: number; startFrom: 'first-environment' | 'commit-trailer' | 'oci-label' }[];
  };
  changeFailureRate: { deployments: number; failed: number; rate?: number };
  timeToRestore: { restored: number; medianSeconds?: number; p90Seconds?: number; samples: number[] };
}

/** A promotion finding: it points at the line in git (file:line at a commit). */
export interface PromotionFinding {
  kind: 'skipped-stage' | 'tag-digest-mismatch' | 'topology';
  environment: string;
  message: string;
  at?: SourceLocation;
  /** The commit the line is read at (the deployment that brought it, or the head). */
  commit?: string;
}

/** `doraMetrics`' result. */
export interface DoraReport {
  since: string;
  now: string;
  failureWindowDays: number;
  environments: EnvironmentDora[];
  /** Lead time from the first environment of each chain to its last (the "promotion lead time"). */
  promotionLeadTime: {
    chain: string[];
    artifacts: number;
    medianSeconds?: number;
    p90Seconds?: number;
    samples: { artifact: string; seconds: number; startFrom: 'first-environment' | 'commit-trailer' | 'oci-label' }[];
  }[];
  findings: PromotionFinding[];
}
