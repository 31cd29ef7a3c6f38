/**
 * src/core/: the product, pure TypeScript: engine.ts (the facade), authoringTools.ts, putBackService.ts and
 * revertService.ts over the rooms authoring/, editor/, promote/, repo/, drift/, render/, live/, and the base k8s/,
 * yaml/, model/ with the other loose files here (the ports, the file cache and read recorder, the pool, globs,
 * paths). Layers import only downwards (docs/architecture.md; test/unit/architecture/layers.test.ts checks it), and
 * nothing in core imports vscode, fs, child_process or the cluster client: I/O goes through these ports.
 *
 * The interfaces the core needs from the outside world. Adapters live in src/node (and tests use the
 * in-memory ones in src/core/memoryFileSystem.ts).
 */
import type { KubeObject } from './model/resource';

/** A directory entry. */
export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

/**
 * Read-only file access. Paths are absolute, with `/` separators. Adapters over a disk read only regular files within
 * a size limit and decode text strictly (src/core/fileErrors.ts lists the codes of refused reads).
 */
export interface FileSystem {
  /** Throws an error with `code: 'ENOENT'` when the file does not exist. */
  readFile(path: string): Promise<string>;
  /** The file's raw bytes (generators keep non-UTF-8 files byte-exact). Optional: callers fall back to readFile. */
  readFileBytes?(path: string): Promise<Uint8Array>;
  readDir(path: string): Promise<DirEntry[]>;
  /**
   * Undefined when nothing exists at the path. `mtimeMs` and `size`, where the file system has them, let caches
   * notice a change they were not told about.
   */
  stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean; mtimeMs?: number; size?: number } | undefined>;
  /**
   * The absolute path with every symbolic link resolved (throws ENOENT, or ELOOP for a link loop). Optional: without
   * it the renderer checks kustomize's load restrictor on the paths as written (docs/security.md, "Files read").
   */
  realPath?(path: string): Promise<string>;
}

/** Where core code logs. The editor passes its LogOutputChannel; the CLI logs to stderr when asked. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** A logger that drops everything. */
export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** How the API server serves a kind. */
export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

/** A cluster as Helm's `.Capabilities` describe it. */
export interface ClusterCapabilities {
  /** `/version`'s gitVersion, e.g. `v1.35.4`. */
  kubeVersion: string;
  /** Served group versions and `group/version/Kind`s (Helm's action.GetVersionSet). */
  apiVersions: string[];
}

/** What a LIST of one kind in one namespace (or cluster-wide, namespace '') returned. */
export type ListOutcome =
  | { status: 'ok'; items: KubeObject[]; resourceVersion: string }
  | { status: 'unknownKind' }
  | { status: 'forbidden'; verb: string; resource: string; message: string }
  | { status: 'error'; message: string };

/** One change seen by a watch. */
export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  /** Only moves the resourceVersion on: nothing changed in this scope up to it. */
  | { type: 'BOOKMARK'; resourceVersion: string };

/** Why a watch stream ended. */
export type WatchEnd =
  /** The server ended the stream (its timeout) or the signal aborted: resume from the last resourceVersion. */
  | { status: 'closed' }
  /** 410 Gone: the resourceVersion is too old; list again. */
  | { status: 'gone' }
  | { status: 'forbidden'; verb: string; resource: string; message: string }
  /** Connection lost or the server failed: retry with backoff. */
  | { status: 'error'; message: string };

/**
 * Read access to a cluster. The client-node adapter lives in src/node; tests fake it.
 * Environment-level failures (unreachable, TLS, rejected credentials) reject with a `ClusterError`
 * (src/core/live/clusterError.ts); everything scoped to one kind or namespace is a `ListOutcome`.
 */
export interface ClusterReader {
  /**
   * The API's type for a group/kind, undefined when the cluster does not serve it. With `version`, that
   * version when the cluster serves the kind in it, else the group's preferred version.
   */
  resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined>;
  /** All objects of a kind in a namespace ('' = all namespaces / cluster-scoped). Items carry apiVersion and kind. */
  list(type: ResourceType, namespace: string): Promise<ListOutcome>;
  /**
   * The server's version and what it serves, as Helm's Capabilities see a cluster (from discovery). Optional:
   * readers without a server (snapshots) leave it out, and Helm's defaults are used.
   */
  capabilities?(): Promise<ClusterCapabilities | undefined>;
  /**
   * Streams changes after `resourceVersion` (bookmarks requested) to `onEvent` until the stream ends or
   * `signal` aborts. Optional: readers that cannot watch (snapshots) leave it out.
   */
  watch?(
    type: ResourceType,
    namespace: string,
    resourceVersion: string,
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd>;
}

/** One commit as `git log` reports it. */
export interface GitCommit {
  sha: string;
  author: string;
  /** ISO 8601 author date. */
  date: string;
  subject: string;
  /** Repo-relative paths the commit touched. */
  files: string[];
  /** Parent commit ids (none for a root commit), when the adapter reports them. */
  parents?: string[];
}

/** One path a commit changed against its first parent (renames are a delete and an add). */
export interface ChangedPath {
  /** Repo-relative. */
  path: string;
  status: 'A' | 'M' | 'D';
  /** The new blob id; absent when deleted. */
  blob?: string;
}

/** A commit of a first-parent log, with what history needs of it. */
export interface LoggedCommit {
  sha: string;
  /** First parent first; none for a root commit. */
  parents: string[];
  author: string;
  /** ISO 8601 author date. */
  authorDate: string;
  /** ISO 8601 committer date: when it landed on the branch. */
  date: string;
  subject: string;
  /** The message after the subject (trailers, "This reverts commit …"). */
  body: string;
  /** What it changed against its first parent (a merge: what the merge brought in). */
  changes: ChangedPath[];
}

/** A long-lived reader of blob contents (one process for many reads). Close it when done. */
export interface BlobReader {
  read(id: string): Promise<string>;
  close(): void;
}

/** Text kept between runs, outside the repo (the history cache). The node adapter keeps it under the user's cache folder. */
export interface CacheStore {
  /** Undefined when nothing is stored under `key` (or it cannot be read). */
  read(key: string): Promise<string | undefined>;
  write(key: string, value: string): Promise<void>;
}

/** What `git revert` did: a new commit, or nothing at all because it conflicted (the repo is left as it was). */
export type RevertOutcome = { status: 'ok'; sha: string } | { status: 'conflict'; files: string[] };

/** Git operations the core needs, on one repository. Paths are repo-relative with `/` separators. The simple-git adapter lives in src/node. */
export interface Git {
  /** Files among `paths` with uncommitted changes of any kind (staged, unstaged, untracked, conflicted). */
  changedFiles(paths: string[]): Promise<string[]>;
  /** Files with staged (indexed, uncommitted) changes anywhere in the repository. */
  stagedFiles(): Promise<string[]>;
  /** A merge, rebase, cherry-pick, revert or bisect in progress, else undefined. */
  operationInProgress(): Promise<string | undefined>;
  /** The checked-out branch; undefined when HEAD is detached. */
  currentBranch(): Promise<string | undefined>;
  branchExists(name: string): Promise<boolean>;
  /**
   * Creates `branch` at HEAD, switches to it, writes `files` and commits exactly those paths (other staged or
   * unstaged work stays as it is, uncommitted). If any step fails, the files, the branch and HEAD are put back.
   */
  commitOnNewBranch(
    branch: string,
    files: { path: string; content: string }[],
    message: string,
  ): Promise<{ sha: string }>;
  /** `git push -u <remote> <branch>`; never forced. */
  push(branch: string, remote: string): Promise<void>;
  /** Newest first: commits reachable from HEAD that touch any of `paths`. */
  log(paths: string[], maxCount: number): Promise<GitCommit[]>;
  /** Whether a commit reachable from HEAD ever added or removed `text` in one of `paths` (`git log -S`). */
  historyMentions?(text: string, paths: string[]): Promise<boolean>;
  /**
   * Newest first: the ids of up to `maxCount` commits reachable from HEAD, all of them (merges too, whatever they
   * touch). Optional: callers fall back to `log`.
   */
  revList?(maxCount: number): Promise<string[]>;
  /** One commit, or undefined when `rev` names none. */
  commit(rev: string): Promise<GitCommit | undefined>;
  /** `git revert` of one commit into a new commit; on conflict it aborts and reports the conflicting files. */
  revert(sha: string): Promise<RevertOutcome>;
  /** Every file at a revision (under the repo folder): path → blob id. Empty when `rev` names no commit. */
  treeAt(rev: string): Promise<Map<string, string>>;
  /** A blob's content, by id. */
  blob(id: string): Promise<string>;
  /**
   * Oldest first: the first-parent history of `rev` with each commit's changed paths and their new blob ids, in one
   * git call; with `after`, only the commits after it (exclusive). Empty when `rev` names no commit.
   */
  firstParentLog?(rev: string, after?: string): Promise<LoggedCommit[]>;
  /** One process reading many blobs (`git cat-file --batch`); callers fall back to `blob`. */
  blobReader?(): BlobReader;
  /**
   * The lines commits reachable from `rev` added to `paths` (`git log -p -U0`, first parents), without their `+`:
   * what those files ever said, for history before the walk. One git call.
   */
  addedLines?(rev: string, paths: string[]): Promise<string>;
  /** The commit id `rev` names, undefined when none. */
  resolve?(rev: string): Promise<string | undefined>;
  /** `git show` of one commit as text (header, stat and patch, no colour), for reading it in the editor. */
  show?(sha: string): Promise<string>;
}

/** Why the API server refused a server-side apply: one field owned by another manager. */
export interface ApplyConflict {
  /** The other field manager, e.g. `kubectl-edit`. */
  manager: string;
  /** The field, as the server names it (e.g. `.spec.replicas`). */
  field: string;
  message: string;
}

/** The result of one apply or delete request. */
export type WriteOutcome =
  | { status: 'ok'; object: KubeObject | undefined; created: boolean }
  | { status: 'conflict'; message: string; conflicts: ApplyConflict[] }
  | { status: 'forbidden'; message: string }
  | { status: 'notFound'; message: string }
  | { status: 'invalid'; message: string }
  | { status: 'error'; message: string };

/** Write access to a cluster (server-side apply). The client-node adapter lives in src/node; tests fake it. */
export interface ClusterWriter {
  /** GET of one object; `ok` with `object` undefined never happens here (notFound instead). */
  get(apiVersion: string, kind: string, namespace: string, name: string): Promise<WriteOutcome>;
  /** Server-side apply of `obj` (its namespace must be set for namespaced kinds). */
  apply(obj: KubeObject, options: { fieldManager: string; dryRun: boolean; force: boolean }): Promise<WriteOutcome>;
  /** DELETE of one object (foreground propagation). */
  delete(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
    options: { dryRun: boolean },
  ): Promise<WriteOutcome>;
}

/** One file of a chart folder: its path relative to the chart root (`templates/deployment.yaml`) and bytes. */
export interface HelmChartFile {
  name: string;
  data: Uint8Array;
}

/** One `helm template` run: the chart, the user-supplied values (already merged) and the release. */
export interface HelmRenderRequest {
  files: HelmChartFile[];
  values: Record<string, unknown>;
  releaseName: string;
  namespace: string;
  /** Renders CRDs from the chart's `crds/` folders first (`--include-crds`). */
  includeCRDs?: boolean;
  isUpgrade?: boolean;
  /** `Capabilities.KubeVersion` (`--kube-version`); default: Helm's. */
  kubeVersion?: string;
  /** Added to Helm's default `Capabilities.APIVersions` (`--api-versions`). */
  apiVersions?: string[];
  /**
   * The cluster's own `Capabilities.APIVersions` (from its discovery), replacing Helm's defaults, as an install
   * against that cluster sees them.
   */
  clusterAPIVersions?: string[];
  skipSchemaValidation?: boolean;
}

/** A rendered document and the chart file it came from (`mychart/templates/deployment.yaml`, `mychart/crds/x.yaml`). */
export interface HelmManifest {
  source: string;
  content: string;
}

/** What Helm rendered: documents in `helm template` order; hooks apart (controllers never diff them). */
export type HelmRenderResult =
  | {
      ok: true;
      chart: { name: string; version: string; appVersion?: string };
      manifests: HelmManifest[];
      hooks: (HelmManifest & { kind: string; name: string; events: string[] })[];
    }
  | {
      ok: false;
      /** Helm's own message (template file and line inside it when a template failed). */
      message: string;
      /** The step that failed; `unavailable`: there is no engine (not built, or it could not start). */
      stage: 'unavailable' | 'request' | 'load' | 'dependencies' | 'values' | 'render' | 'manifests';
    };

/**
 * Helm's template engine (`helm template`, no cluster: `lookup` finds nothing). The adapter (src/node/helmEngine.ts)
 * runs Helm itself compiled to WebAssembly, loaded on the first render only.
 */
export interface HelmEngine {
  render(request: HelmRenderRequest): Promise<HelmRenderResult>;
}

/** One object an Argo CD Application manages, as `GET /api/v1/applications/{name}/managed-resources` returns it. */
export interface ArgoManagedResource {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  /** The object as Argo CD renders git (JSON text); absent when git no longer renders it. Secret values masked. */
  targetState?: string;
  /** The object in the cluster (JSON text); absent when it does not exist there. Secret values masked. */
  liveState?: string;
  /** The live object after Argo CD's normalisation (its ignore rules applied), JSON text. */
  normalizedLiveState?: string;
  hook?: boolean;
}

/**
 * Argo CD's API server (`/api/v1`, a bearer token): what it knows of its Applications and the objects they manage,
 * for clusters this machine holds no kube credentials for. The adapter is src/node/argoCdClient.ts. Failures to
 * reach it or refused tokens reject with a `ClusterError` (src/core/live/clusterError.ts); the token never appears
 * in a message.
 */
export interface ArgoCdApi {
  /** The server as the user named it (`argocd.example.com`), for reports. */
  readonly server: string;
  /** `GET /api/v1/applications`: every Application the token may read, in one request. */
  applications(): Promise<KubeObject[]>;
  /**
   * `GET /api/v1/applications/{name}/managed-resources?appNamespace=…`: target and live state per object. Any rejection
   * but a `ClusterError` is that Application's own (an error with `status` 403 when the token may not read it, 404
   * when Argo CD has none of that name): its objects are not read, the other Applications' are.
   */
  managedResources(name: string, appNamespace: string): Promise<ArgoManagedResource[]>;
}

/**
 * A chart outside this repo, as a Flux source names it: a Helm repository (`index.yaml` and `.tgz`, over HTTP), an
 * OCI registry (Helm's media types) or a folder in an S3-compatible bucket. Versions are constraints as Helm reads
 * them (core/render/helm/chartVersion.ts).
 */
export type ChartRequest =
  | {
      type: 'helm-repository';
      /** The repository's URL (its `index.yaml` is under it). */
      url: string;
      chart: string;
      /** A version or a constraint (`6.x`, `>=1.0.0 <2`); empty or `*`: the newest stable. */
      version?: string;
      /** The controller's credentials for it (its source's `secretRef`); absent: the user's Helm config, if any. */
      credentials?: ChartCredentials;
      /** The controller's TLS client settings for it; absent: the user's Helm config, if any. */
      tls?: ChartTls;
    }
  | {
      type: 'oci';
      /** `oci://HOST/REPOSITORY` of the chart itself (`oci://ghcr.io/stefanprodan/charts/podinfo`). */
      url: string;
      /** Exactly one of these picks the artifact (digest first, then semver, then tag; default tag `latest`). */
      digest?: string;
      semver?: string;
      tag?: string;
      /** The layer holding the chart; default Helm's `application/vnd.cncf.helm.chart.content.v1.tar+gzip`. */
      layerMediaType?: string;
      /** Plain HTTP (Flux's `spec.insecure`); loopback registries are always spoken to over plain HTTP. */
      insecure?: boolean;
      /** As for a Helm repository. */
      credentials?: ChartCredentials;
      tls?: ChartTls;
    }
  | BucketChartRequest;

/**
 * A chart folder inside a Flux `Bucket` (S3-compatible storage), as source-controller builds a HelmChart from the
 * bucket's artifact: the objects under `prefix` that `.sourceignore` and `ignore` leave in, then the folder `chart`.
 */
export interface BucketChartRequest {
  type: 'bucket';
  /** `spec.endpoint`: HOST[:PORT], no scheme (as source-controller's S3 client takes it). */
  endpoint: string;
  bucketName: string;
  /** `spec.prefix`: only objects whose key starts with it are listed. */
  prefix?: string;
  /** Plain HTTP (`spec.insecure`); otherwise HTTPS. */
  insecure?: boolean;
  /** `spec.region`; default `us-east-1`. */
  region?: string;
  provider: 'generic' | 'aws';
  /** `spec.ignore`: `.sourceignore` patterns applied after the bucket's own `.sourceignore` object. */
  ignore?: string;
  /** The chart's folder in the bucket's artifact (the HelmChart's `chart`), a clean relative path; '' the root. */
  chartPath: string;
  /**
   * From the Bucket's `secretRef` Secret (`accesskey`, `secretkey`): requests are signed with AWS Signature V4.
   * Secret values: never printed, logged, or part of a message or cache key.
   */
  credentials?: { accessKey: string; secretKey: string };
}

/**
 * Credentials a controller would use for a chart, read from a Secret of this repo's render (never from the cluster).
 * Never printed, logged or put into a message: only `from` (which Secret) is. `unusable`: the Secret exists but
 * cannot be used (SOPS-encrypted, no username), which is the chart's state rather than an anonymous attempt.
 */
export type ChartCredentials = { from: string } & (
  | {
      type: 'basic';
      username: string;
      password: string;
      /** Send them to chart URLs on other hosts too (Flux's `passCredentials`, Helm's `--pass-credentials`). */
      passCredentials?: boolean;
    }
  /** A `.dockerconfigjson` (its `auths` by registry host), for OCI. */
  | { type: 'docker-config'; json: string }
  | { type: 'unusable'; reason: string }
  /** The Secret is not in this repo's render: the user's Helm config is tried; `reason` explains a refusal. */
  | { type: 'elsewhere'; reason: string }
);

/**
 * TLS client settings a controller would use for a chart's repository (Flux `certSecretRef`, Argo CD repository Secret
 * and `argocd-tls-certs-cm`), read from the repo's render like ChartCredentials and as secret: PEM text is never
 * printed, logged or put into a message (a key least of all); only `from` is. `addSystemCAs`: `caPem` is trusted
 * beside the system's roots (Flux) rather than instead of them (Argo CD, Helm). `unusable` is the chart's state;
 * `elsewhere` (the Secret is not in the render) lets the user's Helm config answer.
 */
export type ChartTls = { from: string } & (
  | {
      type: 'tls';
      caPem?: string;
      certPem?: string;
      keyPem?: string;
      insecureSkipVerify?: boolean;
      addSystemCAs?: boolean;
    }
  | { type: 'unusable'; reason: string }
  | { type: 'elsewhere'; reason: string }
);

/** Why a chart could not be had; `message` names the repository and is safe to show. */
export type ChartFetchFailure = {
  ok: false;
  /** `disabled`: downloads are off (a setting); the others: what the repository or network answered. */
  reason: 'disabled' | 'unreachable' | 'not-found' | 'auth' | 'invalid';
  message: string;
};

/** A downloaded (or cached) chart: its files as `helm package` put them, under the chart's folder stripped off. */
export type ChartFetchResult =
  | { ok: true; name: string; version: string; digest: string; files: HelmChartFile[]; fromCache: boolean }
  | ChartFetchFailure;

/**
 * Charts from Helm and OCI repositories and Flux Buckets (issue #16). The node adapter (src/node/chartSource.ts) downloads them only
 * when the user enabled chart downloads, and keeps them in a cache outside the repo; never throws. Renderers of
 * HelmReleases, kustomize `helmCharts:` and Argo CD Helm sources share it.
 */
export interface ChartSource {
  fetch(request: ChartRequest): Promise<ChartFetchResult>;
}

/** A ChartSource with downloads off: every remote chart says how to turn them on. */
export function disabledChartSource(howToEnable: string): ChartSource {
  return {
    fetch: async () => ({ ok: false, reason: 'disabled', message: `chart downloads are off: ${howToEnable}` }),
  };
}
