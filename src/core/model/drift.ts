import type { RendererKind } from './environment';
import type { Origin, SourceLocation } from './location';
import type { ResourceKey } from './resource';

/** The verdict for one object. */
export type Verdict = 'InSync' | 'Drifted' | 'Missing' | 'Extra' | 'UnknownKind' | 'Forbidden' | 'Error';

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

/** The reconcile result for one object. */
export interface ResourceDrift {
  apiVersion: string;
  key: ResourceKey;
  verdict: Verdict;
  fields: FieldDrift[];
  /** For Forbidden/Error/UnknownKind: why. */
  message?: string;
  /** Where the object is declared in git (absent for Extra). */
  source?: SourceLocation;
  /** The application of its environment that renders it (absent for Extra). */
  application?: string;
}

/** The reconcile result for one environment. */
export interface EnvironmentDrift {
  name: string;
  path: string;
  context: string;
  namespace?: string;
  /** An environment-level error (cluster unreachable, expired credentials, render failure), else null. */
  error: string | null;
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
  /** `rendered`; `failed` (its render failed: `message` says why); `outside` (its source is not in this repo). */
  state: 'rendered' | 'failed' | 'outside';
  message?: string;
}

/** One piece of content a render skipped: the renderer's warning and where it points. */
export interface SkippedContent {
  message: string;
  location?: SourceLocation;
}
