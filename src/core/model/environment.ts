import type { Origin, SourceLocation } from './location';
import type { KubeObject } from './resource';
import type { ChartCredentials, ChartTls } from '../ports';

/**
 * How an application's objects are rendered: `kustomize` (a folder with a kustomization file), `plain-directory`
 * (a folder of manifests, given the kustomization Flux generates for one), `flux-kustomization`, `argo-directory` (a
 * folder as Argo CD's directory source reads it: recurse, include/exclude); `helm` joins with the Helm engine.
 */
export type RendererKind = 'kustomize' | 'plain-directory' | 'flux-kustomization' | 'helm' | 'argo-directory';

/** Where an application's manifests come from. */
export type ApplicationSource =
  /** A folder of this repo (repo-relative, '' for the root). */
  | { type: 'folder'; path: string }
  /** A Helm chart in a folder of this repo. */
  | { type: 'chart'; path: string }
  /**
   * A chart of a Helm repository or an OCI registry (an Argo CD `chart:` or `oci://` source): nothing of it is in
   * this repo, it is downloaded through the ChartSource port when the user enabled chart downloads.
   */
  | ({ type: 'remote-chart' } & RemoteChart)
  /**
   * Another git repo, an OCI artifact, a bucket: nothing here to render. `description` is the source as the
   * controller's manifest names it (`OCIRepository flux-system/podinfo`, `https://github.com/acme/apps`).
   */
  | { type: 'outside'; description: string };

/** A chart of a Helm repository (`url` the repository's) or an OCI registry (`url` the chart's own `oci://…`). */
export interface RemoteChart {
  kind: 'helm-repository' | 'oci';
  url: string;
  chart: string;
  /** As written: a version, a Masterminds constraint, an OCI tag or `sha256:` digest; empty: the newest stable. */
  version: string;
  /** kustomize's `devel`: an empty version may pick a prerelease (`helm pull --devel`). */
  devel?: boolean;
}

/** One thing a controller applies to an environment: an overlay, a Flux Kustomization, an Argo CD Application. */
export interface Application {
  name: string;
  /** The controller's manifest (or config entry) that declares it; absent for a plain overlay. */
  declaredAt?: SourceLocation;
  source: ApplicationSource;
  renderer: RendererKind;
  /** Namespace for its objects that name none; default: the environment's. */
  namespace?: string;
  /**
   * The controller's own object behind the application (a Flux Kustomization, an Argo CD Application), as its
   * manifest declares it: what its renderer applies on top of the source (patches, substitutions) and what its status
   * is read by. Absent for an overlay or a config entry.
   */
  controller?: ControllerObject;
  /** For an Argo CD Application's source: what Argo CD reads of it beyond its path. */
  argo?: ArgoSource;
  /**
   * The app-of-apps Argo CD Application whose render declares this one (Argo CD creates and updates it from there),
   * whichever environment each is in.
   */
  parent?: ApplicationParent;
}

/** An app-of-apps parent as its children carry it: its name, and the line of its source (where its render is declared). */
export interface ApplicationParent {
  name: string;
  at: SourceLocation;
  /**
   * Why Argo CD may not be applying this child as the repo has it: the parent's render failed (this child is then read
   * from its own file), as the parent's state says at `at`.
   */
  problem?: string;
}

/**
 * `from app-of-apps NAME (AT)`, and, when the parent failed to render, why Argo CD may not apply the child from it.
 * `formatAt` writes the parent's source line; a root found by folder has none, and its folder is written instead.
 */
export function describeParent(
  parent: ApplicationParent,
  formatAt: (at: SourceLocation) => string = (at) => `${at.file}:${at.line}`,
): string {
  const at = parent.at.line > 0 ? formatAt(parent.at) : parent.at.file;
  return `from app-of-apps ${parent.name} (${at})${parent.problem ? `: ${parent.problem}` : ''}`;
}

/** What an Argo CD Application's source says about how its folder is read (`spec.source.directory`, `.plugin`). */
export interface ArgoSource {
  /** `directory:` was given: Argo CD reads the folder as plain manifests whatever else it holds. */
  directory?: {
    /** Also the subfolders' files. */
    recurse: boolean;
    /** Argo CD globs over paths relative to the folder (`*` crosses `/`, `{a,b}` alternatives). */
    include?: string;
    exclude?: string;
    /** `directory.jsonnet` sets TLAs, ext vars or libraries. */
    jsonnet: boolean;
  };
  /** `plugin:` was given: a config management plugin renders it. */
  plugin?: boolean;
  /**
   * The `kustomize:` overrides it sets (`namePrefix`, `images`, ...): their values, where each field is, and the
   * Application's name and destination namespace (Argo CD's `$ARGOCD_APP_NAME`, `$ARGOCD_APP_NAMESPACE`). Written
   * into the root kustomization as Argo CD writes them (render/argo/kustomizeOverrides.ts).
   */
  kustomizeOverrides?: {
    fields: string[];
    at: SourceLocation;
    values: Record<string, unknown>;
    fieldsAt: Record<string, SourceLocation>;
    appName: string;
    appNamespace?: string;
  };
  /** Where the source is declared. */
  at: SourceLocation;
  /** `helm:` of a Helm source (a chart folder of this repo), as the Application declares it. */
  helm?: ArgoHelm;
  /**
   * A remote chart's credentials from the repo's Argo CD repository Secrets (repo/argoRepositories.ts), asked for only
   * when it is downloaded; a function, so that no copy or JSON of the model holds them.
   */
  chartCredentials?: () => ChartCredentials | undefined;
  /** Its TLS settings from the same Secrets and `argocd-tls-certs-cm`, asked for the same way. */
  chartTls?: () => ChartTls | undefined;
  /**
   * The Application's `sources[].ref` entries (multi-source): `$NAME` → the folder of this repo it names ('' for its
   * root), or `outside` with its repoURL when that source is another repo.
   */
  refs?: Record<string, { path: string } | { outside: string }>;
  /** `metadata.name` of the Application: Helm's release name by default. */
  applicationName?: string;
  /** `spec.project` (ARGOCD_APP_PROJECT_NAME), `repoURL`, `targetRevision` and `path` as written (Argo CD's build environment). */
  project?: string;
  repoURL?: string;
  targetRevision?: string;
  rawPath?: string;
  /** The Application that declares the source (its status is read by these); namespace absent: Argo CD's own. */
  application?: { name: string; namespace?: string };
}

/** `spec.source.helm` of an Argo CD Application, each field with the line that sets it. */
export interface ArgoHelm {
  valueFiles?: { value: string; at: SourceLocation }[];
  ignoreMissingValueFiles?: boolean;
  /** `valuesObject` as data (it wins over `values`), or the `values` text. */
  valuesObject?: Record<string, unknown>;
  values?: string;
  valuesAt?: SourceLocation;
  /**
   * The line of each leaf of `valuesObject` (or of the `values` text, when it is a literal block), by JSON pointer
   * inside the values: where a rendered field that value set points (values-line origins).
   */
  valuesOrigins?: Record<string, SourceLocation>;
  /** `valueAt`: the entry's `value:` line (a rendered field the parameter set points there). */
  parameters?: { name: string; value: string; forceString: boolean; at: SourceLocation; valueAt?: SourceLocation }[];
  fileParameters?: { name: string; path: string; at: SourceLocation }[];
  releaseName?: string;
  namespace?: string;
  skipCrds?: boolean;
  skipSchemaValidation?: boolean;
  skipTests?: boolean;
  kubeVersion?: string;
  apiVersions?: string[];
  /** `helm.version` (v2/v3): Argo CD renders every chart with Helm 3 today; kept only to say so. */
  version?: string;
}

/** A controller's object as declared in the repo. */
export interface ControllerObject {
  /** The manifest as parsed: apiVersion, kind, metadata, spec. */
  object: KubeObject;
  /** Where its document starts. */
  at: SourceLocation;
  /**
   * The application whose render applies this object (a Flux Kustomization listed in another one's folder): the
   * controller applies the object as that render holds it, patched and substituted, not as its file declares it.
   */
  appliedBy?: string;
  /**
   * Where each field of `object` was set (JSON pointer → origin), when `object` is the one another application's render
   * holds: a field a parent's patch set points at that patch's line. Absent: every field is where `at`'s file says.
   */
  origins?: ReadonlyMap<string, Origin>;
}

/** A deployable environment: where it runs and the applications a controller applies there. */
export interface Environment {
  name: string;
  /**
   * Repo-relative folder of the environment: its (first) application's folder, where promotion writes and the tree
   * opens. '' for the repo root.
   */
  path: string;
  /** Kube context; undefined = the kubeconfig's current context. */
  context?: string;
  /** Namespace for objects that name none. */
  namespace?: string;
  /** How the environment was found. */
  source: 'config' | 'setting' | 'discovered' | 'argocd' | 'flux';
  /** Where it is declared (config entry, Argo CD Application, Flux Kustomization), if anywhere. */
  definedAt?: SourceLocation;
  /**
   * What a controller applies there, in order; never empty once the repo is loaded. Most environments hold one
   * application; the views show the application level only when there are several.
   */
  applications: Application[];
}

/** An application whose manifests are a folder of this repo (repo/applications.ts settles its renderer on load). */
export function folderApplication(name: string, path: string, declaredAt?: SourceLocation): Application {
  return { name, source: { type: 'folder', path }, renderer: 'kustomize', ...(declaredAt ? { declaredAt } : {}) };
}

/** A folder or chart of this repo (what a renderer can read), or undefined for a source outside it or a remote chart. */
export function sourcePath(app: Application): string | undefined {
  return app.source.type === 'outside' || app.source.type === 'remote-chart' ? undefined : app.source.path;
}

/** Whether the application is rendered here: a folder or chart of this repo, or a chart downloaded to render it. */
export function rendersHere(app: Application): boolean {
  return app.source.type !== 'outside';
}

/** The source as one line of text: the folder, `chart FOLDER`, or what the manifest names. */
export function describeSource(source: ApplicationSource): string {
  if (source.type === 'folder') return source.path || '.';
  if (source.type === 'chart') return `chart ${source.path || '.'}`;
  if (source.type === 'remote-chart') {
    // Any `user:password@` is left out with the scheme: a URL's credentials are never repeated.
    const place = source.url.replace(/^[a-z][a-z0-9+.-]*:\/\/([^/@\s]*@)?/i, '').replace(/\/+$/, '');
    return `chart ${source.kind === 'oci' ? place : `${place}/${source.chart}`} ${source.version.trim() || 'latest'}`;
  }
  return source.description;
}
