/**
 * The drift engine's options: every knob the reconcile diff has, as plain data so `.gitops-drift.yaml`, the
 * `gitopsDrift.*` settings and the CLI can drive it. Documented in docs/drift-engine.md.
 */
import type { SourceLocation } from '../model/location';

/** Like one entry of Argo CD's `ignoreDifferences`: which objects (globs, `*` and `?`) and which fields. */
export interface IgnoreRule {
  /** API group glob (`` for core, `apps`, `*`); omitted = any. */
  group?: string;
  /** Kind glob; omitted = any. */
  kind?: string;
  /** Name glob; omitted = any. */
  name?: string;
  /** Namespace glob; omitted = any. */
  namespace?: string;
  /**
   * JSON pointers (RFC 6901) whose subtree is ignored, e.g. `/spec/replicas`. A `*` segment matches any one
   * segment, so `/metadata/labels/*` covers every label. Matched against the pointer
   * into the desired object and against the pointer into the live object.
   */
  jsonPointers?: string[];
  /** Differences on fields whose live owner (from `managedFields`) is one of these managers are ignored. */
  managers?: string[];
  /**
   * Argo CD's reading of `jsonPointers`: each is a JSON patch `remove` path, so `*` is a literal key, not a wildcard.
   */
  literalPointers?: boolean;
  /** Paths from Argo CD `jqPathExpressions` (repo/argoIgnore.ts): segments, `null` for jq's `[]` (any one). */
  paths?: (string | null)[][];
  /** Where the rule is declared (a config entry, an Application's `ignoreDifferences`, an `argocd-cm` key). */
  definedAt?: SourceLocation;
  /**
   * Only the objects of these applications of the environment (an Argo CD Application's `ignoreDifferences` in an
   * environment of several Applications). The engine narrows it to their objects before comparing.
   */
  applications?: string[];
}

/** How to recognise live objects that belong to this environment (for the `Extra` verdict). */
export interface TrackingOptions {
  /**
   * Argo CD application name. A live object is tracked when its `argocd.argoproj.io/tracking-id` annotation names
   * this app *and this object* (copies made by controllers name another object), or when its `argocdLabel` label
   * equals the app name.
   */
  argocdApp?: string;
  /**
   * An Argo CD destination's Applications (an environment of several, repo/argoEnvironments.ts): an object tracked
   * by any one of them is tracked, as `argocdApp` says for one.
   */
  argocdApps?: string[];
  /** Argo CD's tracking label (`application.instanceLabelKey`); default `app.kubernetes.io/instance`. */
  argocdLabel?: string;
  /** Flux Kustomization: `kustomize.toolkit.fluxcd.io/name` + `kustomize.toolkit.fluxcd.io/namespace` labels. */
  fluxKustomization?: { name: string; namespace: string };
  /**
   * A Flux cluster's Kustomizations: an object labelled by any one of them is tracked (each application of the
   * cluster is one of them, and an object left behind by any is Extra).
   */
  fluxKustomizations?: { name: string; namespace: string }[];
  /** Our own marks: every label here must match, e.g. `{ "gitops-drift.io/environment": "prod" }`. */
  labels?: Record<string, string>;
}

/** Options of `reconcile` and `diffObject`. */
export interface DriftOptions {
  /**
   * Field managers that apply git's desired state. Their server-side `Apply` entries in `managedFields` say which
   * fields git set at the last sync, so a field they own that git no longer sets is drift (a pending removal).
   * Client-side apply records the same through the `kubectl.kubernetes.io/last-applied-configuration` annotation,
   * which is always read.
   */
  appliers: string[];
  /**
   * Hand-run managers. A field git does not set that one of these owns is drift (e.g. `kubectl patch … suspend: true`).
   * An entry that is also an applier counts as hand-run only for its non-`Apply` (Update) entries.
   * `kubectl-client-side-apply` counts only when an applier manages the object with server-side apply, and then
   * only for the fields in its last-applied annotation (not the API defaults it was credited with at create).
   */
  outOfBandManagers: string[];
  /**
   * Controllers allowed to own fields git sets (an HPA owns `spec.replicas` through the scale subresource): a
   * difference on a field one of these owns in the live object is not drift.
   */
  controllerManagers: string[];
  /** Differences to ignore. */
  ignore: IgnoreRule[];
  /** Marks of this environment's objects; without any, `Extra` is never reported. */
  tracking: TrackingOptions;
  /**
   * Label and annotation keys (globs) that deployment tools add at apply time and git never holds: never drift
   * when git does not set them.
   */
  injectedMetadata: string[];
}

/** The defaults: Argo CD, Flux, kubectl and ourselves as appliers; kubectl's imperative commands as hand edits. */
export const defaultDriftOptions: Readonly<DriftOptions> = Object.freeze({
  appliers: ['argocd-controller', 'kustomize-controller', 'kubectl', 'gitops-drift'],
  outOfBandManagers: [
    // kubectl ≤ 1.27 records `kubectl scale` (scale subresource) as plain `kubectl`; its server-side Apply entries
    // still count as an applier's, since appliers are asked first.
    'kubectl',
    'kubectl-edit',
    'kubectl-patch',
    'kubectl-scale',
    'kubectl-set',
    'kubectl-label',
    'kubectl-annotate',
    'kubectl-client-side-apply',
  ],
  // The HPA (scale subresource), ClusterRole aggregation, cert-manager's CA bundle injection.
  controllerManagers: ['kube-controller-manager', 'clusterrole-aggregation-controller', 'cainjector'],
  ignore: [],
  tracking: {},
  injectedMetadata: [
    'kubectl.kubernetes.io/last-applied-configuration',
    'argocd.argoproj.io/tracking-id',
    // Argo CD's default tracking label; compared like any label when git sets it.
    'app.kubernetes.io/instance',
    'argocd.argoproj.io/compare-options',
    'kustomize.toolkit.fluxcd.io/*',
    // Flux builds a kustomization with no `resources:` with buildMetadata [originAnnotations], which we do not render.
    'config.kubernetes.io/origin',
    'deployment.kubernetes.io/revision',
  ],
});

/** Fills what `partial` leaves out from the defaults (lists are replaced, not merged). */
export function driftOptions(partial: Partial<DriftOptions> = {}): DriftOptions {
  return {
    appliers: partial.appliers ?? [...defaultDriftOptions.appliers],
    outOfBandManagers: partial.outOfBandManagers ?? [...defaultDriftOptions.outOfBandManagers],
    controllerManagers: partial.controllerManagers ?? [...defaultDriftOptions.controllerManagers],
    ignore: partial.ignore ?? [],
    tracking: partial.tracking ?? {},
    injectedMetadata: partial.injectedMetadata ?? [...defaultDriftOptions.injectedMetadata],
  };
}
