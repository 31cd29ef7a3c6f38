/**
 * kustomize's HelmChartInflationGenerator (`helmCharts:` with `helmGlobals:`, kustomize v5.7.1
 * `api/internal/builtins/HelmChartInflationGenerator.go`) as `kustomize build --enable-helm` runs it, with Helm's
 * engine (the HelmEngine port) where kustomize shells out to `helm template`:
 *
 * - the chart is `CHARTHOME/NAME` (`chartHome` from `helmGlobals`, default `charts`, relative to the kustomization;
 *   `CHARTHOME/NAME-VERSION/NAME` when both `repo` and `version` are set). One that is not there and has a `repo` is
 *   what kustomize `helm pull`s: it comes through the ChartSource port (into its cache, never into the repo), and
 *   when it cannot be had (downloads off, offline) the entry is skipped with that state at its line;
 * - values: `valuesFile` (default the chart's own `values.yaml`, read through kustomize's load restrictor), with
 *   `valuesInline` over it (`valuesMerge`: `override`, the default, inline wins; `merge`, the file wins; `replace`,
 *   inline alone), then each `additionalValuesFiles` entry, merged as `helm template -f … -f …` merges;
 * - release name `releaseName`, else `nameTemplate`, else Helm's `release-name`; namespace `namespace`, else Helm's
 *   `default` (no kube context is read); `includeCRDs`, `apiVersions`, `kubeVersion`;
 * - the output is every manifest, then the hooks (as `helm template` prints them) unless `skipHooks`, test hooks
 *   dropped with `skipTests`. Each object's origin is its template file, related to the `helmCharts` entry.
 */
import type { Origin, SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import type { HelmChartFile } from '../../ports';
import { renderChartFiles, renderChartFolder, isTestHook } from '../helm/chartRender';
import { CHART_NOT_DOWNLOADED, fetchRemoteChart } from '../helm/remoteChart';
import { mergeMaps } from '../helm/chartFiles';
import { kyamlMerge, loadValuesText } from '../helm/helmValues';
import { fail, maps, stringValue } from './kustomizationFields';
import type { Loader } from './loader';
import { fromPlain, getMap, toPlain, type TMap, type TNode } from '../../yaml/tree';
import type { RenderOptions } from '../types';

/** One object a chart rendered, as a tree whose every node points at its template. */
export interface InflatedObject {
  node: TNode;
  template: string;
  /** The `helmCharts` entry that inflated it. */
  entry: SourceLocation;
}

const MERGE_OPTIONS = ['merge', 'override', 'replace'];

/** A `helmCharts` entry not inflated here (its chart needs a download, or there is no engine): said at its line. */
export interface SkippedChart {
  skipped: string;
  at: SourceLocation;
}

/**
 * Inflates each `helmCharts:` entry of the kustomization at `dir`, in order. An entry whose chart is not in this repo
 * (kustomize would pull it) or that no engine can render is skipped and said: the rest of the render goes on, marked
 * incomplete. Anything kustomize or Helm would fail on throws at its line.
 */
export async function inflateHelmCharts(
  k: TMap,
  dir: string,
  loader: Loader,
  helmEngine: RenderOptions['helmEngine'],
  chartSource?: RenderOptions['chartSource'],
): Promise<(InflatedObject | SkippedChart)[]> {
  const entries = maps(k, 'helmCharts');
  if (!entries.length) return [];
  const globals = getMap(k, 'helmGlobals');
  const out: (InflatedObject | SkippedChart)[] = [];
  for (const entry of entries) out.push(...(await inflate(entry, dir, globals, loader, helmEngine, chartSource)));
  return out;
}

async function inflate(
  entry: TMap,
  dir: string,
  globals: TMap | undefined,
  loader: Loader,
  helmEngine: RenderOptions['helmEngine'],
  chartSource: RenderOptions['chartSource'],
): Promise<(InflatedObject | SkippedChart)[]> {
  const at = { file: entry.origin.file, line: entry.origin.line, column: entry.origin.column };
  const field = (name: string) => entry.entries.get(name);
  const text = (name: string) => stringValue(field(name), name);
  const flag = (name: string) => {
    const v = field(name);
    return v?.kind === 'scalar' && v.value === true;
  };
  const fieldAt = (name: string): SourceLocation => {
    const o = (field(name) ?? entry).origin;
    return { file: o.file, line: o.line, column: o.column };
  };
  const name = text('name');
  if (!name) fail('chart name cannot be empty (helmCharts entry)', at);
  const version = text('version');
  const repo = text('repo');
  const chartHomeText = stringValue(globals?.entries.get('chartHome'), 'chartHome') || 'charts';
  const chartHomeAt = globals?.entries.get('chartHome')?.origin ?? at;
  let chartHome = loader.resolve(dir, chartHomeText, chartHomeAt);
  if (version && repo) chartHome = `${chartHome}/${name}-${version}`;
  const chartDir = loader.resolve(chartHome, name, at);
  const merge = text('valuesMerge') || 'override';
  if (!MERGE_OPTIONS.includes(merge))
    fail(`valuesMerge must be one of [${MERGE_OPTIONS.join(' ')}]`, fieldAt('valuesMerge'));
  // validateArgs first: every additional values file must load (inside the kustomization, as kustomize's loader).
  const additional = (() => {
    const v = field('additionalValuesFiles');
    if (v === undefined || (v.kind === 'scalar' && v.value === null)) return [];
    if (v.kind !== 'seq') fail("'additionalValuesFiles' must be a list", v.origin);
    return (v as { items: TNode[] }).items.map((i) => ({
      path: stringValue(i, 'additionalValuesFiles'),
      at: i.origin,
    }));
  })();
  const additionalFiles: { abs: string; at: SourceLocation }[] = [];
  for (const a of additional) additionalFiles.push({ abs: await loader.resolveFile(dir, a.path, a.at), at: a.at });

  const chartStat = await loader.stat(chartDir, at);
  const what = `helmCharts '${name}'`;
  let pulled: { files: HelmChartFile[]; name: string; version: string } | undefined;
  if (!chartStat?.isDirectory) {
    if (!repo) fail(`no repo specified for pull, no chart found at '${loader.rel(chartDir)}' (${what})`, at);
    try {
      // kustomize's pullCommand: `helm pull --repo REPO NAME --version V`, or `helm pull REPO/NAME` for oci://.
      pulled = await fetchRemoteChart(
        chartSource,
        repo.startsWith('oci://')
          ? { kind: 'oci', url: `${repo.replace(/\/+$/, '')}/${name}`, chart: name, version, devel: flag('devel') }
          : { kind: 'helm-repository', url: repo, chart: name, version, devel: flag('devel') },
        at,
        what,
      );
    } catch (e) {
      if (!(e instanceof ProblemError) || e.problem.code !== CHART_NOT_DOWNLOADED) throw e;
      return [
        {
          skipped: `${e.problem.message} (kustomize would pull it into ${loader.rel(chartDir)}); the chart's objects are missing from this render`,
          at,
        },
      ];
    }
  }
  const engine = helmEngine?.();
  if (!engine)
    return [
      {
        skipped: `helmCharts '${name}': the Helm engine is not available (not built): the chart's objects are missing from this render`,
        at,
      },
    ];

  // Values: the values file (with valuesInline over or under it), then the additional files, as `-f` files.
  const inlineNode = field('valuesInline');
  const inline =
    inlineNode?.kind === 'map' ? (toPlain(inlineNode) as Record<string, unknown>) : ({} as Record<string, unknown>);
  const valuesFileAt = fieldAt('valuesFile');
  // Read through kustomize's loader: inside the kustomization's folder (a chart home outside it fails there too).
  const valuesFile = () =>
    loader.resolveFile(dir, text('valuesFile') || `${chartDir}/values.yaml`, text('valuesFile') ? valuesFileAt : at);
  // A pulled chart's own values.yaml is read from the download (kustomize reads it where `helm pull` untarred it).
  const pulledValues = pulled && !text('valuesFile') ? chartText(pulled.files, 'values.yaml') : undefined;
  const readValues = async (abs: string, where: SourceLocation) => {
    const body = pulledValues !== undefined && abs === PULLED_VALUES ? pulledValues : await loader.readText(abs, where);
    try {
      return loadValuesText(body);
    } catch (e) {
      return fail(`failed to parse ${loader.rel(abs)}: ${(e as Error).message.split('\n')[0]}`, where);
    }
  };
  const valuesPath = async () => (pulledValues !== undefined ? PULLED_VALUES : await valuesFile());
  let values: Record<string, unknown>;
  if (Object.keys(inline).length) {
    if (merge === 'replace') values = inline;
    else {
      const fromFile = await readValues(await valuesPath(), valuesFileAt);
      values = (merge === 'override' ? kyamlMerge(inline, fromFile) : kyamlMerge(fromFile, inline)) as Record<
        string,
        unknown
      >;
    }
  } else values = await readValues(await valuesPath(), valuesFileAt);
  for (const f of additionalFiles) values = mergeMaps(values, await readValues(f.abs, f.at));

  // `helm template RELEASE CHART --name-template X` is refused by Helm; without a release name, Helm's own default.
  const releaseName = text('releaseName');
  const nameTemplate = text('nameTemplate');
  if (releaseName && nameTemplate)
    fail('cannot set --name-template and also specify a name (Helm refuses both)', fieldAt('nameTemplate'));
  if (nameTemplate.includes('{{'))
    fail('nameTemplate with template actions is not rendered here: give releaseName instead', fieldAt('nameTemplate'));
  const apiVersionsNode = field('apiVersions');
  const apiVersions =
    apiVersionsNode?.kind === 'seq'
      ? apiVersionsNode.items.map((i) => stringValue(i, 'apiVersions')).filter((v) => v !== '')
      : [];
  const kubeVersion = text('kubeVersion');
  const chartPath = loader.rel(chartDir);
  const request = {
    values,
    releaseName: releaseName || nameTemplate || 'release-name',
    namespace: text('namespace') || 'default',
    includeCRDs: flag('includeCRDs'),
    ...(kubeVersion ? { kubeVersion } : {}),
    ...(apiVersions.length ? { apiVersions } : {}),
  };
  const render = pulled
    ? await renderChartFiles({
        files: pulled.files,
        chart: { downloaded: `${pulled.name} ${pulled.version}` },
        request,
        engine: () => engine,
        at,
        what,
      })
    : await renderChartFolder({
        fs: {
          // The chart's files are read through the loader, so they are among the render's files.
          stat: (p) => loader.stat(p, at),
          readDir: (p) => loader.entries(p),
          readFile: (p) => loader.readText(p, at),
          readFileBytes: (p) => loader.readBytes(p, at),
        } as Parameters<typeof renderChartFolder>[0]['fs'],
        repoRoot: loader.repoRoot,
        chartPath: chartPath === '.' ? '' : chartPath,
        request,
        engine: () => engine,
        at,
        what,
      });
  const skipHooks = flag('skipHooks');
  const skipTests = flag('skipTests');
  const out: InflatedObject[] = [];
  for (const doc of render.documents) {
    if (doc.hook && (skipHooks || (skipTests && isTestHook(doc.object)))) continue;
    const origin: Origin = {
      file: doc.file,
      // A downloaded template is in no file of the repo: its objects point at the entry.
      line: pulled ? at.line : 1,
      column: pulled ? at.column : 1,
      kind: 'resource',
      related: [
        {
          location: at,
          message: pulled
            ? `inflated by this helmCharts entry through the template ${doc.template} of ${render.chart.name} ${render.chart.version} (downloaded)`
            : `inflated by this helmCharts entry (chart ${render.chart.name} ${render.chart.version})`,
        },
      ],
    };
    out.push({ node: fromPlain(doc.object, origin), template: doc.template, entry: at });
  }
  return out;
}

/** Stands for a pulled chart's own values.yaml among the paths values are read from. */
const PULLED_VALUES = '\u0000pulled/values.yaml';

/** A file of a downloaded chart as text (undefined when it has none). */
function chartText(files: readonly HelmChartFile[], name: string): string | undefined {
  const file = files.find((f) => f.name === name);
  if (!file) return undefined;
  return new TextDecoder().decode(file.data);
}
