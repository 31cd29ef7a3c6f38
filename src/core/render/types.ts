/**
 * src/core/render/: desired state. One folder per renderer (kustomize/: kustomize build in TypeScript; plain/:
 * folders without a kustomization), and here what every renderer returns (this file) and shares (ioTurns.ts). It may
 * import the base layers only; live is its sibling and is not imported.
 */
import type { Origin, SourceLocation } from '../model/location';
import type { Problem } from '../model/problem';
import type { KubeObject, ResourceKey } from '../model/resource';
import type { ChartSource, FileSystem, HelmEngine } from '../ports';
import type { ParseCache } from '../yaml/parseYaml';
import type { TMap } from '../yaml/tree';

/** One object as `kustomize build` would print it, with where each of its values came from. */
export interface RenderedObject {
  object: KubeObject;
  key: ResourceKey;
  /**
   * JSON pointer (RFC 6901, arrays by index, '' for the object itself) → origin of the YAML node that last set
   * the value at that path. Every path present in `object` has an entry: maps, lists and scalars.
   */
  origins: Map<string, Origin>;
  /**
   * JSON pointer → exact value of each integer beyond ±2^53 (`object` holds the nearest double, as JSON would).
   * Absent when there are none. Printers use it to keep every digit, as kustomize does.
   */
  exactIntegers?: Map<string, bigint>;
  /** Where the object's document was first declared (the resource file or generator entry). */
  source: SourceLocation;
  /** For an object of a Helm release: the chart template it came from (`podinfo/templates/deployment.yaml`). */
  template?: string;
}

/** The result of rendering one kustomization root. */
export interface RenderResult {
  /** The rendered root, relative to the repo root. */
  root: string;
  /** In `kustomize build` output order. */
  objects: RenderedObject[];
  /** Warnings that did not stop the render (e.g. an unsupported field that was skipped, with its file and line). */
  problems: Problem[];
  /** Every repo-relative file the render read: lets a file save re-render only the roots that include it. */
  files: string[];
  /**
   * How the render depends on the cluster, beyond the repo's files (Flux's postBuild `substituteFrom` of a ConfigMap or
   * Secret this repo does not render): `asked`, it read the cluster (or asked and found nothing), so it holds until
   * the cluster changes; `unasked`, a source was not in this repo and no cluster was there to ask (an optional one
   * skipped), so a render with a cluster may differ. Absent: the repo's files alone decide it.
   */
  cluster?: 'asked' | 'unasked';
}

/** A ConfigMap or Secret read from the live cluster, for a renderer that reads values from one. */
export type LiveObjectLookup =
  | { status: 'found'; object: KubeObject }
  | { status: 'absent' }
  /** The cluster could not be asked (unreachable, forbidden): `message` says why. */
  | { status: 'unreadable'; message: string };

export interface RenderOptions {
  fs: FileSystem;
  /** Absolute path of the repo root. Nothing outside it is ever read (kustomize's load restrictor). */
  repoRoot: string;
  /**
   * Parses kept between renders (createParseCache): a warm render re-parses only changed files. To keep file reads
   * too, pass a FileCache as `fs`.
   */
  cache?: ParseCache;
  /**
   * Where the root was named (an environment's `.gitops-drift.yaml` entry, an Argo CD or Flux path): errors about the
   * root folder itself (a link out of the repo, no kustomization file) point there. Default: the folder.
   */
  rootAt?: SourceLocation;
  /**
   * Rewrites the root kustomization (as parsed, never to be mutated: return a copy) before it is built: how a
   * controller writes its own fields into it (Flux's targetNamespace, patches, images, components).
   */
  amendRoot?: (kustomization: TMap) => TMap;
  /**
   * A ConfigMap or Secret as the rest of the environment renders it (the other applications, never the one being
   * rendered), for a renderer that reads values from one (Flux's postBuild `substituteFrom`). `namespace` is where
   * the controller looks; objects naming none count as in their application's namespace. Undefined when not found.
   */
  findObject?: (
    kind: 'ConfigMap' | 'Secret',
    namespace: string | undefined,
    name: string,
  ) => Promise<RenderedObject | undefined>;
  /**
   * Flux's `StrictPostBuildSubstitutions` feature gate: a postBuild variable used without a default that nothing sets
   * fails the build instead of becoming empty. Default false, as kustomize-controller's.
   */
  strictSubstitution?: boolean;
  /**
   * Helm's engine, asked for only when a render meets a chart (an Argo CD Helm source, a kustomization's
   * `helmCharts:`), so that a repo without one never loads it. Absent, or returning undefined: such a render fails
   * with "the Helm engine is not available" at the line that names the chart.
   */
  helmEngine?: () => HelmEngine | undefined;
  /**
   * Charts of Helm repositories and OCI registries that a render names (an Argo CD `chart:` source, a `helmCharts`
   * entry with `repo`). Absent: such a chart is not downloaded, and says that chart downloads are off.
   */
  chartSource?: ChartSource;
  /**
   * Why a kustomization's `helmCharts:` may not inflate here: kustomize-controller builds without `--enable-helm`, so
   * a Flux Kustomization's build fails on them as kustomize does. Absent: they inflate (`kustomize build --enable-helm`).
   */
  helmChartsRefused?: string;
  /**
   * Trace the fields an Argo CD Helm source renders to the values lines that set them (render/helm/valuesTrace.ts):
   * one more render of the chart, with markers. Traced fields get an origin of kind `helmValue` at that line.
   */
  traceHelmValues?: boolean;
  /**
   * The same object read from the live cluster, asked when `findObject` finds none (Flux reads substituteFrom from the
   * cluster, where another Kustomization, a person or an operator put it). A Secret comes with each value replaced by
   * a stand-in of the same emptiness: its values are compared by presence only. `context` names the cluster in
   * messages. Absent when not connected.
   */
  findLiveObject?: {
    context: string;
    find(kind: 'ConfigMap' | 'Secret', namespace: string, name: string): Promise<LiveObjectLookup>;
  };
}
