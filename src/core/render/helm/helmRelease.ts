/**
 * A Flux HelmRelease whose chart is a folder of this repo, rendered as helm-controller renders it (issue #16): the
 * chart's files read through the FileSystem port and handed to Helm's own engine (the HelmEngine port), with the
 * values helm-controller merges (`valuesFrom` in order, then `spec.values`) and the release name and namespace it
 * computes (the caller passes them: live/fluxHelmRelease.ts works them out). Hooks are left out, as the controllers
 * leave them out of drift. A chart this repo does not hold (HelmRepository, OCIRepository, another git repo) is an
 * application state, never an error.
 */
import { loadAll } from 'js-yaml';
import type { Origin, SourceLocation } from '../../model/location';
import { keyOf, keyString, type KubeObject } from '../../model/resource';
import { secretStrings } from '../../model/secretData';
import type {
  ChartRequest,
  ClusterCapabilities,
  FileSystem,
  HelmChartFile,
  HelmEngine,
  HelmManifest,
  HelmRenderRequest,
} from '../../ports';
import { parseYaml } from '../../yaml/parseYaml';
import { collectOrigins } from '../../yaml/tree';
import { canonicalJson, valueAt } from '../../yaml/pointer';
import { chartFiles, downloadedChartFile, mergeMaps, templateFile } from './chartFiles';
import { isExactChartVersion } from './chartVersion';
import { HELM_CHART_LAYER_MEDIA_TYPE } from './remoteChart';
import { sourceCredentials, sourceTls, withoutUserinfo } from './sourceCredentials';
import { bucketChartRequest } from './bucketChart';
import { setPathValue } from './setValues';
import { loadValuesText, StrvalsError } from './helmValues';
import { postRender } from './postRender';
import type { RenderedObject } from '../types';
import { traceRender, tracedOrigin, type ValueSite, type ValuesTraceSummary } from './valuesTrace';

/**
 * A HelmChart's `valuesFiles` (a HelmRelease's `chart.spec.valuesFiles` make one): source-controller merges them into
 * the chart's `values.yaml` before helm-controller's values go over them (chartValuesFiles below).
 */
export interface ChartValuesFiles {
  paths: string[];
  ignoreMissing: boolean;
  /** Where the list is written: the HelmRelease's `spec.chart.spec`, or a HelmChart its `chartRef` names. */
  declaredIn: { kind: 'HelmRelease' } | { kind: 'HelmChart'; namespace: string; name: string };
}

/** Where a HelmRelease's chart is: a folder of this repo, a Helm or OCI repository, or out of reach. */
export type HelmChartLocation =
  | { type: 'folder'; path: string; valuesFiles?: ChartValuesFiles }
  /** `source` names the Flux source for messages, e.g. `HelmRepository flux-system/podinfo`. */
  | { type: 'remote'; request: ChartRequest; source: string; valuesFiles?: ChartValuesFiles }
  /** `reason` is the application's state, e.g. "chart in another repository (GitRepository …): not rendered". */
  | { type: 'unavailable'; reason: string };

/**
 * Where `hr`'s chart comes from. `isThisRepo(namespace, name)` says whether a GitRepository is this repo (the caller
 * decides it as discovery did for Flux Kustomizations). Paths in a GitRepository's artifact are from its root, as
 * source-controller reads `spec.chart.spec.chart` there. `findSource(kind, namespace, name)` finds a Flux source
 * (HelmRepository, OCIRepository, Bucket) among the objects the environment renders; `findSecret(namespace, name)` a
 * Secret there (a Bucket's credentials).
 */
export function helmChartLocation(
  hr: KubeObject,
  namespace: string,
  isThisRepo: (namespace: string, name: string) => boolean,
  findSource: (kind: string, namespace: string, name: string) => KubeObject | undefined = () => undefined,
  findSecret: (namespace: string, name: string) => KubeObject | undefined = () => undefined,
  /** Where a found object is in the repo: named in a state about a cert Secret (its PEM, never shown). */
  locate?: (object: KubeObject) => SourceLocation | undefined,
): HelmChartLocation {
  const spec = rec(hr.spec);
  const chartRef = rec(spec.chartRef);
  if (Object.keys(chartRef).length) {
    const kind = str(chartRef.kind) ?? 'chartRef';
    const refText = `${kind} ${str(chartRef.namespace) ?? namespace}/${str(chartRef.name) ?? ''}`;
    if (kind === 'HelmChart') {
      // A HelmChart is a chart.spec of its own (chart, version, sourceRef in its namespace), as source-controller
      // builds it for the HelmRelease.
      const chartNamespace = str(chartRef.namespace) ?? namespace;
      const helmChart = findSource(kind, chartNamespace, str(chartRef.name) ?? '');
      if (!helmChart) return { type: 'unavailable', reason: `${refText} is not in this repo's render: not rendered` };
      return chartSpecLocation(
        rec(helmChart.spec),
        chartNamespace,
        isThisRepo,
        findSource,
        findSecret,
        { kind: 'HelmChart', namespace: chartNamespace, name: str(chartRef.name) ?? '' },
        locate,
      );
    }
    if (kind !== 'OCIRepository')
      return { type: 'unavailable', reason: `${refText}: this kind of chartRef is not rendered` };
    const sourceNamespace = str(chartRef.namespace) ?? namespace;
    const source = findSource(kind, sourceNamespace, str(chartRef.name) ?? '');
    if (!source) return { type: 'unavailable', reason: `${refText} is not in this repo's render: not rendered` };
    const credentials = sourceCredentials(source, sourceNamespace, findSecret);
    const tls = sourceTls(source, sourceNamespace, findSecret, locate);
    const s = rec(source.spec);
    const url = str(s.url) ?? '';
    if (!url.startsWith('oci://')) return { type: 'unavailable', reason: `${refText}: spec.url is not an oci:// URL` };
    const ref = rec(s.ref);
    const request: ChartRequest = {
      type: 'oci',
      url,
      layerMediaType: str(rec(s.layerSelector).mediaType) ?? HELM_CHART_LAYER_MEDIA_TYPE,
      ...(s.insecure === true ? { insecure: true } : {}),
      // source-controller's precedence: digest, then semver, then tag, else `latest`.
      ...(str(ref.digest)
        ? { digest: str(ref.digest) }
        : str(ref.semver)
          ? { semver: str(ref.semver) }
          : { tag: str(ref.tag) ?? 'latest' }),
      ...(credentials ? { credentials } : {}),
      ...(tls ? { tls } : {}),
    };
    return { type: 'remote', request, source: `${refText} (${withoutUserinfo(url)})` };
  }
  return chartSpecLocation(
    rec(rec(spec.chart).spec),
    namespace,
    isThisRepo,
    findSource,
    findSecret,
    { kind: 'HelmRelease' },
    locate,
  );
}

/** A `chart.spec` (or a HelmChart's spec): its `sourceRef` is in `namespace` unless it names one. */
function chartSpecLocation(
  chartSpec: Record<string, unknown>,
  namespace: string,
  isThisRepo: (namespace: string, name: string) => boolean,
  findSource: (kind: string, namespace: string, name: string) => KubeObject | undefined,
  findSecret: (namespace: string, name: string) => KubeObject | undefined,
  declaredIn: ChartValuesFiles['declaredIn'],
  locate?: (object: KubeObject) => SourceLocation | undefined,
): HelmChartLocation {
  const located = chartSourceLocation(chartSpec, namespace, isThisRepo, findSource, findSecret, locate);
  // source-controller v1 reads `valuesFiles` (the deprecated singular `valuesFile` is gone from v1).
  const paths = Array.isArray(chartSpec.valuesFiles)
    ? chartSpec.valuesFiles.filter((p): p is string => typeof p === 'string')
    : [];
  if (located.type === 'unavailable' || !paths.length) return located;
  return { ...located, valuesFiles: { paths, ignoreMissing: chartSpec.ignoreMissingValuesFiles === true, declaredIn } };
}

function chartSourceLocation(
  chartSpec: Record<string, unknown>,
  namespace: string,
  isThisRepo: (namespace: string, name: string) => boolean,
  findSource: (kind: string, namespace: string, name: string) => KubeObject | undefined,
  findSecret: (namespace: string, name: string) => KubeObject | undefined,
  locate?: (object: KubeObject) => SourceLocation | undefined,
): HelmChartLocation {
  const ref = rec(chartSpec.sourceRef);
  const kind = str(ref.kind) ?? '';
  const refText = `${kind} ${str(ref.namespace) ?? namespace}/${str(ref.name) ?? ''}`;
  if (kind === 'HelmRepository') {
    const chart = str(chartSpec.chart);
    if (!chart) return { type: 'unavailable', reason: 'spec.chart.spec.chart is not set' };
    const sourceNamespace = str(ref.namespace) ?? namespace;
    const source = findSource(kind, sourceNamespace, str(ref.name) ?? '');
    if (!source) return { type: 'unavailable', reason: `${refText} is not in this repo's render: not rendered` };
    const s = rec(source.spec);
    const credentials = sourceCredentials(source, sourceNamespace, findSecret);
    const tls = sourceTls(source, sourceNamespace, findSecret, locate);
    const withCredentials = { ...(credentials ? { credentials } : {}), ...(tls ? { tls } : {}) };
    const url = str(s.url) ?? '';
    // HelmChart's version defaults to `*` (the newest stable).
    const version = str(chartSpec.version) ?? '*';
    if (str(s.type) === 'oci' || url.startsWith('oci://')) {
      const chartUrl = `${url.replace(/\/+$/, '')}/${chart}`;
      return {
        type: 'remote',
        request: {
          type: 'oci',
          url: chartUrl,
          ...(isExactChartVersion(version) ? { tag: version } : { semver: version }),
          ...(s.insecure === true ? { insecure: true } : {}),
          ...withCredentials,
        },
        source: `${refText} (${withoutUserinfo(url)})`,
      };
    }
    if (!/^https?:\/\//.test(url))
      return { type: 'unavailable', reason: `${refText}: spec.url is not an http(s) or oci:// URL` };
    return {
      type: 'remote',
      request: { type: 'helm-repository', url, chart, version, ...withCredentials },
      source: `${refText} (${withoutUserinfo(url)})`,
    };
  }
  if (kind === 'Bucket') {
    // source-controller packages the folder `chart` of the bucket's artifact (spec.version is not used).
    const chart = str(chartSpec.chart);
    if (chart === undefined) return { type: 'unavailable', reason: 'spec.chart.spec.chart is not set' };
    const bucketNamespace = str(ref.namespace) ?? namespace;
    const bucket = findSource(kind, bucketNamespace, str(ref.name) ?? '');
    if (!bucket) return { type: 'unavailable', reason: `${refText} is not in this repo's render: not rendered` };
    const made = bucketChartRequest(bucket, bucketNamespace, chart, refText, findSecret);
    return 'reason' in made ? { type: 'unavailable', reason: made.reason } : { type: 'remote', ...made };
  }
  if (kind !== 'GitRepository') return { type: 'unavailable', reason: `chart source ${refText} is not rendered` };
  if (!isThisRepo(str(ref.namespace) ?? namespace, str(ref.name) ?? ''))
    return { type: 'unavailable', reason: `chart in another repository (${refText}): not rendered` };
  const chart = str(chartSpec.chart);
  if (chart === undefined) return { type: 'unavailable', reason: 'spec.chart.spec.chart is not set' };
  const path = normalizeRepoPath(chart);
  if (path === undefined) return { type: 'unavailable', reason: `chart path ${chart} climbs out of the repo` };
  return { type: 'folder', path };
}

/** What the release needs that the caller knows: names (helm-controller's) and the repo's other objects. */
export interface HelmReleaseRenderInput {
  /** The HelmRelease as git renders it, with its document's location (and its fields' origins, for tracing). */
  helmRelease: { object: KubeObject; source: SourceLocation; origins?: ReadonlyMap<string, Origin> };
  /**
   * The chart: a repo-relative folder, or a chart downloaded from a Helm or OCI repository (its files, and the
   * HelmRelease line that names it: git holds no line of such a chart, so its objects point there).
   */
  chart:
    | { folder: string }
    | {
        downloaded: HelmChartFile[];
        at: SourceLocation;
        describe: string;
        /** The downloaded chart's name and version: its values.yaml lines are origins (downloadedChartFile). */
        name?: string;
        version?: string;
      };
  /**
   * The HelmChart's `valuesFiles` (helmChartLocation), with the line of each entry when known: merged into the chart's
   * `values.yaml` as source-controller does, under the release's own values.
   */
  valuesFiles?: { paths: string[]; ignoreMissing: boolean; lineOf?: (index: number) => SourceLocation | undefined };
  releaseName: string;
  /** Where the HelmRelease itself is (its `valuesFrom` are read there). */
  helmReleaseNamespace: string;
  /** Where its objects go (`targetNamespace`, else the HelmRelease's). */
  namespace: string;
  fs: FileSystem;
  repoRoot: string;
  engine: HelmEngine;
  /** The live cluster's version and APIs (Helm's Capabilities when installing there); default Helm's. */
  capabilities?: ClusterCapabilities;
  /**
   * A ConfigMap or Secret for `valuesFrom`: the environment's render first, else the live cluster when checking
   * against one; undefined when neither has it, `unreadable` when the cluster would not say.
   */
  findValuesObject?: (
    kind: 'ConfigMap' | 'Secret',
    namespace: string,
    name: string,
  ) => Promise<{ object: KubeObject } | { unreadable: string } | undefined>;
  /**
   * Trace rendered fields to the values lines that set them (valuesTrace.ts): one more render, with markers. Traced
   * fields get an origin of kind `helmValue` at that line; the others keep their template's.
   */
  traceValues?: boolean;
}

export type { ValuesTraceSummary } from './valuesTrace';

export type HelmReleaseRender =
  | {
      ok: true;
      chart: { name: string; version: string; appVersion?: string };
      /** In `helm template` order, each with its template; hooks left out. */
      objects: RenderedObject[];
      /** How many hooks the chart rendered (never compared). */
      hooks: number;
      /** Repo-relative files read (the chart's). */
      files: string[];
      /** Documents that could not be read. */
      errors: string[];
      /** With `traceValues`. */
      trace?: ValuesTraceSummary;
      /**
       * The texts of values read from Secrets (never shown): whoever prints the objects masks them. Empty without
       * Secret values.
       */
      secretValues: string[];
    }
  /** `at`: the line to report it on (the HelmRelease's `chart:` line when the chart cannot be had). */
  | { ok: false; message: string; stage: string; at?: SourceLocation };

/** Renders the release's chart from the repo, as `helm template` with helm-controller's values and names would. */
export async function renderHelmRelease(input: HelmReleaseRenderInput): Promise<HelmReleaseRender> {
  const values = await releaseValues(input);
  if ('message' in values) return { ok: false, message: values.message, stage: 'values' };
  const chartPath = 'folder' in input.chart ? input.chart.folder : undefined;
  let files: HelmChartFile[];
  if ('downloaded' in input.chart) files = input.chart.downloaded;
  else {
    const root = input.repoRoot.replace(/\/+$/, '');
    const dir = chartPath ? `${root}/${chartPath}` : root;
    if (!(await input.fs.stat(`${dir}/Chart.yaml`))?.isFile)
      return { ok: false, stage: 'load', message: `${chartPath || '.'}/Chart.yaml: no chart in this folder` };
    files = await chartFiles(input.fs, dir);
  }
  let defaults: ChartDefaults | undefined;
  if (input.valuesFiles?.paths.length) {
    const merged = await chartValuesFiles(input, files);
    if ('message' in merged) return { ok: false, stage: 'values', message: merged.message, at: merged.at };
    defaults = merged;
    // As OverwriteChartDefaultValues: the merged map replaces the chart's values.yaml (JSON is YAML to Helm).
    const text = Object.keys(merged.values).length ? JSON.stringify(merged.values) : '';
    files = files.map((f) => (f.name === 'values.yaml' ? { name: f.name, data: new TextEncoder().encode(text) } : f));
  }
  const spec = rec(input.helmRelease.object.spec);
  // helm-controller's install CRD policy defaults to Create: CRDs of the chart are applied with the release.
  const crds = str(rec(spec.install).crds);
  const request: HelmRenderRequest = {
    files,
    values: values.values,
    releaseName: input.releaseName,
    namespace: input.namespace,
    includeCRDs: crds !== 'Skip',
    // The live cluster's Capabilities when checking against one; the marked render (tracing) gets the same.
    ...(input.capabilities
      ? { kubeVersion: input.capabilities.kubeVersion, clusterAPIVersions: input.capabilities.apiVersions }
      : {}),
  };
  const result = await input.engine.render(request);
  if (!result.ok) return { ok: false, message: result.message, stage: result.stage };
  const errors: string[] = [];
  const documents = manifestObjects(result.manifests, errors);
  const at = 'at' in input.chart ? input.chart.at : undefined;
  const describe = 'describe' in input.chart ? input.chart.describe : '';
  const traced = input.traceValues ? await traceValues(input, request, files, documents, defaults) : undefined;
  const objects: RenderedObject[] = documents.map(({ object, source }, i) => {
    const file = chartPath !== undefined ? templateFile(chartPath, source) : undefined;
    const released = { location: input.helmRelease.source, message: `released by this HelmRelease` };
    // Git holds no line of a rendered object: its origin is its template, related to the HelmRelease that released
    // it; a downloaded chart's template is in no file of the repo, so its origin is the line naming the chart.
    const origin: Origin = file
      ? { file, line: 1, column: 1, kind: 'resource', related: [released] }
      : { ...(at ?? input.helmRelease.source), kind: 'resource' };
    const through = file
      ? { location: { file, line: 1, column: 1 }, message: `through the template ${source}` }
      : {
          location: locationOf(at ?? input.helmRelease.source),
          message: `through the template ${source} of ${describe}`,
        };
    const origins = new Map([['', origin]]);
    for (const [pointer, sites] of traced?.byDocument.get(i) ?? [])
      origins.set(pointer, tracedOrigin(sites, [through, released]));
    return { object, key: keyOf(object), origins, source: input.helmRelease.source, template: source };
  });
  // helm-controller's post-renderers and origin labels: what it hands Helm to apply. Values were traced on Helm's
  // own render (the marked render has no post-renderers); a field a post-renderer changed is no longer the value's.
  let applied: RenderedObject[];
  try {
    applied = await postRender(objects, {
      name: input.helmRelease.object.metadata?.name ?? '',
      namespace: input.helmReleaseNamespace,
      spec,
    });
  } catch (e) {
    return { ok: false, stage: 'post-render', message: (e as Error).message, at: input.helmRelease.source };
  }
  if (traced) applied = withoutPostRenderedTraces(applied, objects);
  return {
    ok: true,
    chart: result.chart,
    objects: applied,
    hooks: result.hooks.length,
    // Repo files read: a downloaded chart's are none of the repo's.
    files: [
      ...(chartPath === undefined ? [] : files.map((f) => (chartPath ? `${chartPath}/${f.name}` : f.name))),
      ...(defaults?.read ?? []),
    ],
    errors,
    secretValues: values.secret,
    ...(traced ? { trace: traced.summary } : {}),
  };
}

/**
 * `applied` with the values-line origins (kind `helmValue`) of fields whose value differs from Helm's own render
 * (`rendered`) left out: a post-renderer's patch or image set them, so they keep the template's origin.
 */
function withoutPostRenderedTraces(applied: RenderedObject[], rendered: readonly RenderedObject[]): RenderedObject[] {
  const before = new Map(rendered.map((o) => [keyString(o.key), o.object]));
  return applied.map((o) => {
    const was = before.get(keyString(o.key));
    const stale = [...o.origins].filter(
      ([pointer, origin]) =>
        origin.kind === 'helmValue' &&
        (!was || canonicalJson(valueAt(was, pointer)) !== canonicalJson(valueAt(o.object, pointer))),
    );
    if (!stale.length) return o;
    const origins = new Map(o.origins);
    for (const [pointer] of stale) origins.delete(pointer);
    return { ...o, origins };
  });
}

/** The objects of the engine's documents, in order, each with its template (`chart/templates/x.yaml`). */
function manifestObjects(
  manifests: readonly HelmManifest[],
  errors: string[],
): { object: KubeObject; source: string }[] {
  const out: { object: KubeObject; source: string }[] = [];
  for (const manifest of manifests) {
    let docs: unknown[];
    try {
      docs = loadAll(manifest.content);
    } catch (e) {
      errors.push(`${manifest.source}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const doc of docs) {
      const o = rec(doc);
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') continue;
      if (o.metadata === null || typeof o.metadata !== 'object') o.metadata = {};
      out.push({ object: o as KubeObject, source: manifest.source });
    }
  }
  return out;
}

/**
 * The values lines behind the render's fields (valuesTrace.ts traceRender): the release's values over the chart's
 * defaults, rendered again with markers.
 */
async function traceValues(
  input: HelmReleaseRenderInput,
  request: HelmRenderRequest,
  files: readonly HelmChartFile[],
  documents: readonly { object: KubeObject; source: string }[],
  defaults: ChartDefaults | undefined,
): Promise<{ byDocument: Map<number, Map<string, ValueSite[]>>; summary: ValuesTraceSummary }> {
  const sites = valueSites(input, request.values, files, defaults);
  // Chart defaults are given as user values too, so that each default can carry a marker; Helm's coalescing of the
  // same values over the same defaults changes nothing else.
  const all = mergeMaps(sites.chartValues, request.values);
  const asTemplates = (docs: readonly { object: KubeObject; source: string }[]) =>
    docs.map((d) => ({ object: d.object, template: d.source }));
  return traceRender(all, sites.siteOf, asTemplates(documents), async (values) => {
    const result = await input.engine.render({ ...request, values, skipSchemaValidation: true });
    return result.ok ? { documents: asTemplates(manifestObjects(result.manifests, [])) } : { message: result.message };
  });
}

/**
 * Where each value git sets is written: the HelmRelease's `spec.values` leaves at their lines (as the render of the
 * HelmRelease recorded them, a patch's line included), else the chart's own values.yaml. Values from `valuesFrom`
 * have no site (not traced).
 */
function valueSites(
  input: HelmReleaseRenderInput,
  userValues: Record<string, unknown>,
  files: readonly HelmChartFile[],
  defaults: ChartDefaults | undefined,
): { chartValues: Record<string, unknown>; siteOf: (pointer: string) => Omit<ValueSite, 'value'> | undefined } {
  const spec = rec(input.helmRelease.object.spec);
  const releaseValues = rec(spec.values);
  const hrOrigins = input.helmRelease.origins;
  let chartValues: Record<string, unknown> = defaults?.values ?? {};
  let chartOrigins = defaults?.origins ?? new Map<string, Origin>();
  const file = files.find((f) => f.name === 'values.yaml');
  // A downloaded chart's values.yaml is no file of the repo: its lines are named in the chart (downloadedChartFile).
  const chartPath = 'folder' in input.chart ? input.chart.folder : undefined;
  const downloaded = 'downloaded' in input.chart && input.chart.name ? input.chart : undefined;
  if (file && (chartPath !== undefined || downloaded) && !defaults) {
    const path =
      chartPath !== undefined
        ? chartPath
          ? `${chartPath}/values.yaml`
          : 'values.yaml'
        : downloadedChartFile(downloaded!.name!, downloaded!.version ?? '', 'values.yaml');
    try {
      const text = new TextDecoder().decode(file.data);
      chartValues = rec(loadAll(text)[0]);
      const tree = parseYaml(text, path, 'resource')[0];
      if (tree) chartOrigins = collectOrigins(tree);
    } catch {
      // The engine reports a broken values.yaml; nothing of it is traced.
    }
  }
  return {
    chartValues,
    siteOf: (pointer) => {
      const inRelease = valueAt(releaseValues, pointer);
      if (inRelease !== undefined) {
        const origin = hrOrigins?.get(`/spec/values${pointer}`);
        return origin && !isMap(inRelease) && !Array.isArray(inRelease) ? { origin, layer: 'release' } : undefined;
      }
      // A value of a valuesFrom ConfigMap (not traced), over the chart's default.
      if (valueAt(userValues, pointer) !== undefined) return undefined;
      const origin = chartOrigins.get(pointer);
      return origin ? { origin, layer: 'chart' } : undefined;
    },
  };
}

/** The chart's default values made of a HelmChart's `valuesFiles`, with each leaf's line where the file is git's. */
interface ChartDefaults {
  values: Record<string, unknown>;
  origins: Map<string, Origin>;
  /** The repo files read (a render that read them is stale when they change). */
  read: string[];
}

/**
 * source-controller's merge of a HelmChart's `valuesFiles` (internal/helm/chart builder_local.go mergeFileValues,
 * builder_remote.go mergeChartValues): each file read as sigs.k8s.io/yaml reads it (YAML 1.1, the first document) and
 * merged in order by transform.MergeMaps, the last winning. For a chart of this repo (a GitRepository) the paths are
 * from the repo's root, `..` held at the root as securejoin holds it; for a downloaded chart they are in the chart,
 * `values.yaml` being the chart's own values. A missing file is an error unless `ignoreMissing`; the result replaces
 * the chart's `values.yaml` (nothing of it stays unless listed), and a chart without one is source-controller's error.
 */
async function chartValuesFiles(
  input: HelmReleaseRenderInput,
  files: readonly HelmChartFile[],
): Promise<ChartDefaults | { message: string; at?: SourceLocation }> {
  const list = input.valuesFiles!;
  const inRepo = 'folder' in input.chart;
  const root = input.repoRoot.replace(/\/+$/, '');
  let values: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  const read: string[] = [];
  for (const [i, path] of list.paths.entries()) {
    const at = list.lineOf?.(i);
    const fail = (message: string) => ({ message: `valuesFiles[${i}]: ${message}`, ...(at ? { at } : {}) });
    let text: string | undefined;
    let repoFile: string | undefined;
    if (inRepo) {
      repoFile = normalizeRepoPath(path.replace(/^\/+/, ''), true)!;
      const stat = await input.fs.stat(`${root}/${repoFile}`);
      if (stat?.isFile) {
        text = await input.fs.readFile(`${root}/${repoFile}`);
        read.push(repoFile);
      } else if (!(list.ignoreMissing && !stat))
        return fail(`no values file found at path '/${repoFile}' (reference '${path}')`);
      else continue;
    } else {
      // filepath.Clean: a path climbing out of the chart names no file of it.
      const name = normalizeRepoPath(path);
      const file = files.find((f) => f.name === name && (name === 'values.yaml' || isChartFile(name)));
      if (!file) {
        if (list.ignoreMissing) continue;
        return fail(`failed to merge chart values: no values file found at path '${path}'`);
      }
      text = new TextDecoder().decode(file.data);
    }
    // A downloaded chart's file is named in the chart (downloadedChartFile) for its lines.
    if (repoFile === undefined && 'downloaded' in input.chart && input.chart.name)
      repoFile = downloadedChartFile(input.chart.name, input.chart.version ?? '', normalizeRepoPath(path) ?? path);
    let parsed: Record<string, unknown>;
    try {
      parsed = loadValuesText(text, { firstDocumentOnly: true });
    } catch (e) {
      return fail(`unmarshaling values from '${path}' failed: ${(e as Error).message.split('\n')[0]}`);
    }
    values = mergeMaps(values, parsed);
    if (repoFile !== undefined) {
      try {
        const tree = parseYaml(text, repoFile, 'resource')[0];
        // Later files win: their lines replace the earlier ones' at the same values pointer.
        if (tree) for (const [pointer, origin] of collectOrigins(tree)) origins.set(pointer, origin);
      } catch {
        // Read above; a file the line reader refuses is merged and not traced.
      }
    }
  }
  if (!files.some((f) => f.name === 'values.yaml'))
    return { message: 'valuesFiles: failed to locate values file: values.yaml (the chart has none to replace)' };
  return { values, origins, read };
}

/** A file Helm's loader keeps in a chart's `Files` (where source-controller looks for a downloaded chart's values files). */
function isChartFile(name: string): boolean {
  return !/^(templates|charts)\//.test(name) && !['Chart.yaml', 'Chart.lock', 'values.schema.json'].includes(name);
}

function locationOf(at: SourceLocation): SourceLocation {
  return { file: at.file, line: at.line, column: at.column };
}

/** releaseValues for renderHelmRelease's input. */
function releaseValues(
  input: HelmReleaseRenderInput,
): Promise<{ values: Record<string, unknown>; secret: string[] } | { message: string }> {
  return helmReleaseValues(input.helmRelease.object, input.helmReleaseNamespace, input.findValuesObject);
}

/**
 * helm-controller's values (fluxcd/pkg chartutil.ChartValuesFromReferences): each `valuesFrom` entry in order, its
 * `valuesKey` (default `values.yaml`) read as YAML and merged deeply, or, with `targetPath`, its text set at that
 * path with Helm's --set syntax (setValues.ts) after `spec.values` is merged in; then `spec.values` on top. As in
 * Go, a merge shares `spec.values`' lists, and its maps where the other side has none, and the --set parser changes
 * them in place: such a targetPath changes `spec.values` itself and so survives the last merge (`list[0]`; `a.b` when
 * only `spec.values` has `a`), where one at a key `spec.values` sets otherwise does not. A missing object or key is
 * skipped when `optional`. Values read from
 * Secrets are listed in `secret` (their leaves), so that what is printed can be masked; they are never put in a
 * message.
 */
export async function helmReleaseValues(
  helmRelease: KubeObject,
  hrNamespace: string,
  findValuesObject: HelmReleaseRenderInput['findValuesObject'],
): Promise<{ values: Record<string, unknown>; secret: string[] } | { message: string }> {
  const spec = rec(helmRelease.spec);
  // A copy, as HelmRelease.GetValues unmarshals a fresh one: the parser changes it in place.
  const specValues = structuredClone(rec(spec.values));
  let values: Record<string, unknown> = {};
  const secret: string[] = [];
  const from = Array.isArray(spec.valuesFrom) ? spec.valuesFrom : [];
  for (const [i, entry] of from.entries()) {
    const ref = rec(entry);
    const kind = str(ref.kind);
    const name = str(ref.name) ?? '';
    const optional = ref.optional === true;
    const what = `${kind} ${hrNamespace}/${name} (valuesFrom[${i}])`;
    if (kind !== 'ConfigMap' && kind !== 'Secret')
      return { message: `valuesFrom[${i}]: unknown kind ${kind ?? '(none)'}` };
    const found = await findValuesObject?.(kind, hrNamespace, name);
    if (found && 'unreadable' in found) return { message: `${what}: ${found.unreadable}` };
    const object = found?.object;
    const key = str(ref.valuesKey) ?? 'values.yaml';
    const text = object ? dataValue(object, key) : undefined;
    if (text === undefined) {
      if (optional) continue;
      return {
        message: object
          ? `${kind} ${hrNamespace}/${name} has no key ${key} (valuesFrom[${i}])`
          : `${what} is not in this repo's render${findValuesObject ? ' nor in the cluster' : ''}: not rendered`,
      };
    }
    const targetPath = str(ref.targetPath);
    if (targetPath !== undefined && targetPath !== '') {
      values = mergeMaps(values, specValues);
      try {
        const parsed = setPathValue(values, targetPath, text);
        if (kind === 'Secret') secret.push(...leaves(text), ...parsed.flatMap(leaves));
      } catch (e) {
        // Helm's reason; for a Secret without the text it quotes (which may be the value's).
        const reason = e instanceof StrvalsError && kind === 'Secret' ? e.withoutText : (e as Error).message;
        return { message: `${what}: targetPath ${targetPath}: ${reason}` };
      }
      continue;
    }
    let parsed: unknown;
    try {
      // chartutil.ReadValues: the first document, read as YAML 1.1 (`n:` is the key "false").
      parsed = loadValuesText(text, { firstDocumentOnly: true });
    } catch (e) {
      return {
        message:
          kind === 'Secret'
            ? `${what}: key ${key} is not YAML`
            : `${what}: key ${key}: ${(e as Error).message.split('\n')[0]}`,
      };
    }
    if (kind === 'Secret') secret.push(...leaves(parsed));
    values = mergeMaps(values, rec(parsed));
  }
  return { values: mergeMaps(values, specValues), secret };
}

/**
 * A ConfigMap's `data` key, or a Secret's as the API server stores it: `stringData` written over `data` (decoded),
 * read by the one reader of Secret data (model/secretData.ts).
 */
function dataValue(object: KubeObject, key: string): string | undefined {
  if (object.kind !== 'Secret') return str(rec(object.data)[key]);
  return secretStrings(object).get(key);
}

/** The scalar leaves of values read from a Secret, as text (what a template may print of them). */
function leaves(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

/** `a/./b/../c` → `a/c`; a path climbing out is undefined, or held at the root with `clamp` (as securejoin does). */
function normalizeRepoPath(path: string, clamp = false): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) {
        if (clamp) continue;
        return undefined;
      }
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function rec(v: unknown): Record<string, unknown> {
  return isMap(v) ? v : {};
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** What a value taken from a Secret is printed as. */
export const SECRET_VALUE_MASK = '(value from a Secret)';

/**
 * Copies of `objects` with every string that holds one of `secretTexts` masked (equal to a short one, or
 * containing one of four characters or more): a chart may print a Secret's value anywhere, and the render of a
 * release must not show it. Objects holding none are returned as they are.
 */
export function maskSecretValues(objects: RenderedObject[], secretTexts: readonly string[]): RenderedObject[] {
  if (!secretTexts.length) return objects;
  const long = secretTexts.filter((t) => t.length >= 4);
  const short = new Set(secretTexts.filter((t) => t.length < 4));
  let changed = false;
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') {
      if (short.has(value.trim()) || long.some((t) => value.includes(t))) {
        changed = true;
        return SECRET_VALUE_MASK;
      }
      return value;
    }
    if ((typeof value === 'number' || typeof value === 'boolean') && short.has(String(value))) {
      changed = true;
      return SECRET_VALUE_MASK;
    }
    if (Array.isArray(value)) return value.map(mask);
    if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
    return value;
  };
  return objects.map((o) => {
    changed = false;
    const object = mask(o.object) as KubeObject;
    return changed ? { ...o, object } : o;
  });
}
