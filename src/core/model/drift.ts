import type { ApplicationParent, RendererKind } from './environment';
import type { Origin, SourceLocation } from './location';
import type { ResourceKey } from './resource';

/**
 * The verdict for one object: how it compared. `NotChecked`: rendered, its live state not read (no cluster). What
 * the views call each (and a controller's states beside it) is src/core/model/verdictState.ts.
 */
/**
 * `Hook`: an Argo CD hook (`argocd.argoproj.io/hook`, or a Helm hook Argo CD runs as one): run around a sync, often
 * deleted after it (`HookSucceeded`), never part of the comparison; neither missing nor extra.
 */
export type Verdict =
  'InSync' | 'Drifted' | 'Missing' | 'Extra' | 'UnknownKind' | 'Forbidden' | 'Error' | 'NotChecked' | 'Hook';

/** Who last changed a field in the cluster, from `managedFields`. */
export interface FieldChange {
  manager: string;
  operation: string;
  /** RFC 3339 time, when the server recorded one. */
  time?: string;
}

/** One field that differs. */
export interface FieldDrift {
  /** JSON pointer into the desired (rendered) object. */
  path: string;
  /** Desired value (undefined when git does not set it); Secret values are replaced by a masked form. */
  desired: unknown;
  /** Live value (undefined when absent in the cluster); Secret values are masked. */
  live: unknown;
  /** The line in git that set the desired value (or the nearest enclosing one). */
  origin?: Origin;
  changedBy?: FieldChange;
  /** True when the values are Secret data: never show them. */
  secret?: boolean;
  /** A short human path, e.g. `spec.template.spec.containers[web].image`. */
  label?: string;
  /** JSON pointer into the live object, when it differs from `path` (list items pair by key, not index). */
  livePath?: string;
  /**
   * For a field git does not set: `removal` when git's applier set it at its last apply (git dropped it since),
   * `outOfBand` when a hand-run manager (kubectl edit/patch/…) set it.
   */
  cause?: 'removal' | 'outOfBand';
}

/** A difference an ignore rule hides: not drift, but said where it is explained, with the rule's place. */
export interface IgnoredField {
  /** JSON pointer into the desired object (or the live one, for a field git does not set). */
  path: string;
  /** A short human path, e.g. `spec.replicas`. */
  label?: string;
  /** Where the rule that hides it is declared (config entry, Application `ignoreDifferences` entry, argocd-cm key). */
  rule?: SourceLocation;
}

/** The reconcile result for one object. */
export interface ResourceDrift {
  apiVersion: string;
  key: ResourceKey;
  verdict: Verdict;
  fields: FieldDrift[];
  /** Differences ignore rules hide (absent when none). */
  ignored?: IgnoredField[];
  /** For Forbidden/Error/UnknownKind: why. */
  message?: string;
  /** Where the object is declared in git (absent for Extra). */
  source?: SourceLocation;
  /** The application of its environment that renders it (absent for Extra, except a Flux object pending prune). */
  application?: string;
  /**
   * An Extra found by a check of some applications (CheckOptions.applications): the application whose tracking marks
   * found it, so the editor knows which opened Application's latest read it follows.
   */
  foundBy?: string;
  /** What its controller's status says of it (Flux: pending prune, not yet applied, whether it will revert it). */
  controller?: ResourceControllerState;
  /** For an object of a Helm release: the chart template it came from, e.g. `podinfo/templates/deployment.yaml`. */
  template?: string;
}

/**
 * Where an object stands with the controller that applies it, beside its verdict (which keeps its meaning):
 * `pendingPrune`, the controller applied it and git no longer renders it; `notYetApplied`, git renders it and the
 * controller has not applied it yet. Neither is a hand-made change.
 */
export interface ResourceControllerState {
  state?: 'pendingPrune' | 'notYetApplied';
  /** What the controller will do about the difference, e.g. `Flux will revert this at its next reconcile (interval 10m)`. */
  note?: string;
  /** Argo CD's own verdict on the object (`.status.resources[]` of its Application). */
  argo?: { status: string; health?: string; requiresPruning?: boolean };
  /**
   * Where the controller's verdict and this check's disagree, with the likely cause: `Argo CD says Synced, here
   * drifted: likely a mutating webhook (…)`.
   */
  disagreement?: string;
}

/** An application's controller object as the cluster reports it: a Flux Kustomization or an Argo CD Application. */
export interface ControllerStatus {
  kind: 'Kustomization' | 'Application';
  name: string;
  namespace: string;
  /** False when the cluster has no such object (or does not serve the kind): `message` says which. */
  found: boolean;
  /** The `Ready` condition; absent when the controller has written none yet. */
  ready?: { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string };
  suspended: boolean;
  /** `spec.prune`: whether the controller deletes what git no longer renders. */
  prune: boolean;
  /** `spec.interval`, e.g. `10m`. */
  interval?: string;
  /** `status.lastAppliedRevision` as written, e.g. `main@sha1:0123…`. */
  appliedRevision?: string;
  /** `status.lastAttemptedRevision`, when it differs from the applied one (a failing apply). */
  attemptedRevision?: string;
  /** The repo's HEAD commit. */
  headRevision?: string;
  /** Commits from the applied revision to HEAD (0: up to date); absent when unknown (`revision` says why). */
  behind?: number;
  /** One line: `applied abc1234, git is at def5678 (3 commits behind)`. */
  revision?: string;
  /** Objects of its inventory that git no longer renders, and rendered objects not in its inventory. */
  pendingPrune: number;
  notYetApplied: number;
  message?: string;
  /** For an Argo CD Application: what its status says, and where it and this check disagree. */
  argo?: ArgoStatus;
}

/** An Argo CD Application's status (`.status`), in Argo CD's own words, beside this check's verdicts. */
export interface ArgoStatus {
  /** Read from the cluster that runs Argo CD, or from Argo CD's API server. */
  via: 'cluster' | 'api';
  /**
   * The kube context the Application was read in when that is not the environment's: the cluster that runs Argo CD,
   * for an Application deploying to another cluster.
   */
  context?: string;
  /** `.status.sync.status`: `Synced`, `OutOfSync`, `Unknown`. */
  sync: string;
  /** `.status.health`: `Healthy`, `Progressing`, `Degraded`, `Suspended`, `Missing`, `Unknown`. */
  health?: { status: string; message?: string };
  /** `.status.operationState`: the last sync's phase (`Succeeded`, `Failed`, `Error`, `Running`) and message. */
  operation?: { phase: string; message?: string; finishedAt?: string };
  /** `.status.conditions` (`ComparisonError`, `SyncError`, `OrphanedResourceWarning`, …). */
  conditions: { type: string; message?: string }[];
  /** `.status.resources[]`: how many objects, how many Argo CD calls OutOfSync, how many it would prune. */
  resources: { total: number; outOfSync: number; requiresPruning: number };
  /** `.spec.syncPolicy.automated`; absent: Argo CD syncs only when asked. */
  automated?: { prune: boolean; selfHeal: boolean };
  /** `.status.reconciledAt`: when Argo CD last compared. */
  reconciledAt?: string;
  /** Where Argo CD and this check disagree: on the application as a whole, and per object. */
  disagreements: ArgoDisagreement[];
}

/** One place Argo CD's verdict and this check's differ, with the likely cause. */
export interface ArgoDisagreement {
  /** The object; absent for the application as a whole. */
  key?: ResourceKey;
  /** What Argo CD says (`Synced`, `OutOfSync`, `requires pruning`). */
  argo: string;
  /** What this check says, in the state vocabulary (`drifted`, `in sync`, …). */
  here: string;
  /** The likely cause, in words. */
  cause: string;
}

/** The reconcile result for one environment. */
export interface EnvironmentDrift {
  name: string;
  path: string;
  context: string;
  namespace?: string;
  /** An environment-level error (cluster unreachable, expired credentials, render failure), else null. */
  error: string | null;
  /**
   * True when `error` is about reaching the cluster (no kubeconfig, unknown context, unreachable server, refused
   * credentials), not the repo: the rendered objects are then listed with the verdict `NotChecked`.
   */
  noCluster?: boolean;
  resources: ResourceDrift[];
  /**
   * Content the render skipped (remote resources and components, Helm charts, generator and transformer plugins),
   * each at the line that asks for it. The verdicts cover only what was rendered, so the environment as a whole is
   * not checked (see src/core/drift/incomplete.ts). Absent or empty: nothing was skipped.
   */
  skipped?: SkippedContent[];
  /** The environment's applications as checked; absent from results made before applications existed (snapshots). */
  applications?: ApplicationSummary[];
}

/** What a check says of one application of an environment. */
export interface ApplicationSummary {
  name: string;
  /** Its renderer kind (`kustomize`, `plain-directory`, …). */
  kind: RendererKind;
  /** Its source: a repo folder, `chart FOLDER`, or the outside source as its manifest names it. */
  source: string;
  /** The controller's manifest (or config entry) that declares it. */
  declaredAt?: SourceLocation;
  /**
   * `rendered`; `failed` (its render failed: `message` says why); `outside` (its source is not in this repo);
   * `rendering`: not rendered yet, only in the report of an environment's render in progress (Engine.renderedReport's
   * `onProgress`), never in a finished report.
   */
  state: 'rendered' | 'failed' | 'outside' | 'rendering';
  message?: string;
  /**
   * Rendered, but its live objects could not be read (Argo CD's API refused this Application's managed resources):
   * the verdict its objects got, `message` saying why once for all of them. The environment's other applications are
   * checked as usual.
   */
  unread?: 'Forbidden' | 'NotChecked';
  /**
   * Its live objects were not read in this check (a check of some of the environment's applications: the editor's
   * Argo CD destination at fleet shape, an Application not opened): its objects are `NotChecked`, its controller's
   * status is read.
   */
  statusOnly?: true;
  /** The app-of-apps Application whose render declares it (Argo CD applies it from there), and that parent's source line. */
  parent?: ApplicationParent;
  /** Its controller's status, read from the cluster (a Flux Kustomization); absent when none was read. */
  controller?: ControllerStatus;
  /** For a Helm release (kind `helm`): the release Helm stored, and how git's HelmRelease compares with it. */
  release?: ReleaseStatus;
}

/**
 * A Helm release as its records in the cluster say, and git's HelmRelease against it. Never holds values: the
 * release's `config` and git's `values` are compared, and only whether they differ is kept.
 */
/** Git's render of a release's chart, and what the next upgrade would change against the deployed revision. */
export interface ReleaseRender {
  state: 'rendered' | 'not-rendered';
  message?: string;
  /** Where the reason it was not rendered belongs (the HelmRelease's `chart:` or `chartRef:` line). */
  at?: SourceLocation;
  /** Objects rendered (hooks left out) and hooks (never compared). */
  objects?: number;
  hooks?: number;
  /** Git's render against the deployed revision's manifest; absent when either is missing. */
  nextUpgrade?: NextUpgradeChange[];
}

/** One object the next upgrade creates, deletes or changes. Field paths only: values are never shown. */
export interface NextUpgradeChange {
  key: ResourceKey;
  change: 'create' | 'delete' | 'update';
  /** The chart template it comes from. */
  template?: string;
  /** For `update`: JSON pointers of the fields that differ (at most 20). */
  paths?: string[];
}

export interface ReleaseStatus {
  releaseName: string;
  /** Where its objects go. */
  namespace: string;
  /** Where its records are (Secrets `sh.helm.release.v1.<name>.v<N>`). */
  storageNamespace: string;
  /** Whether a deployed revision was found (its objects are then compared); `message` says why not. */
  found: boolean;
  /** The deployed revision the objects are compared with. */
  revision?: number;
  /** Its Helm status (`deployed`). */
  status?: string;
  chart?: string;
  chartVersion?: string;
  appVersion?: string;
  /** RFC 3339. */
  lastDeployed?: string;
  description?: string;
  /** The newest revision when it is not the deployed one (a failed or pending upgrade). */
  latest?: { revision: number; status: string; description?: string; lastDeployed?: string };
  /** Question 2: git's HelmRelease against the deployed revision. */
  git?: ReleaseGitComparison;
  /** The HelmRelease as the cluster reports it (Flux's helm-controller). */
  controller?: HelmReleaseControllerStatus;
  /**
   * Git's chart render (issue #16, question 3): `rendered` when the chart is a folder of this repo and Helm's engine
   * rendered it; else `not-rendered` with the reason (a remote chart offline, values from a Secret, no engine).
   */
  render?: ReleaseRender;
  /** Why nothing was compared, or what else to know. */
  message?: string;
}

/** Git's chart version and values against the deployed release. */
export interface ReleaseGitComparison {
  /** `spec.chart.spec.version` in git, when it names one. */
  chartVersion?: string;
  /** `differs` when git names an exact version that is not the deployed one; `range` when git names a range. */
  chart: 'same' | 'differs' | 'range' | 'unknown';
  /**
   * `differs`: git's values are not the release's; `same`: they are (with valuesFrom: git's own values are all in
   * the release); `unknown`: not comparable (no deployed revision).
   */
  values: 'same' | 'differs' | 'unknown';
  /** Git's `spec.values` line (or the HelmRelease's), where the difference is shown. */
  valuesAt?: SourceLocation;
  /** One line: `values in git differ from the deployed release (since …, upgrade failed: …)`. */
  message?: string;
}

/** A Flux HelmRelease's status: the Ready condition, the release history, and what it does about drift. */
export interface HelmReleaseControllerStatus {
  kind: 'HelmRelease';
  name: string;
  namespace: string;
  found: boolean;
  ready?: { status: 'True' | 'False' | 'Unknown'; reason?: string; message?: string; since?: string };
  suspended: boolean;
  interval?: string;
  /** `spec.driftDetection.mode`: `enabled` corrects hand-made changes, `warn` only reports them, `disabled` neither. */
  driftDetection: 'enabled' | 'warn' | 'disabled';
  /** `status.history`, newest first: revision, Helm status, chart version, when. */
  history: { revision: number; status: string; chartVersion: string; lastDeployed?: string }[];
  /** False when helm-controller has not yet seen the current spec (a git change not reconciled yet). */
  observed: boolean;
  message?: string;
}

/** One piece of content a render skipped: the renderer's warning and where it points. */
export interface SkippedContent {
  message: string;
  location?: SourceLocation;
}
