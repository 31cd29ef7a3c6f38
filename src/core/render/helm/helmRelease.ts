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
import { keyOf, type KubeObject } from '../../model/resource';
import type { FileSystem, HelmChartFile, HelmEngine } from '../../ports';
import type { RenderedObject } from '../types';

/** Where a HelmRelease's chart is: a folder of this repo, or somewhere rendering cannot reach offline. */
export type HelmChartLocation =
  | { type: 'folder'; path: string }
  /** `reason` is the application's state, e.g. "chart not available offline (downloads disabled)". */
  | { type: 'unavailable'; reason: string };

/**
 * Where `hr`'s chart comes from. `isThisRepo(namespace, name)` says whether a GitRepository is this repo (the caller
 * decides it as discovery did for Flux Kustomizations). Paths in a GitRepository's artifact are from its root, as
 * source-controller reads `spec.chart.spec.chart` there.
 */
export function helmChartLocation(
  hr: KubeObject,
  namespace: string,
  isThisRepo: (namespace: string, name: string) => boolean,
): HelmChartLocation {
  const spec = rec(hr.spec);
  const chartRef = rec(spec.chartRef);
  if (Object.keys(chartRef).length)
    return {
      type: 'unavailable',
      reason: `chart not available offline (downloads disabled): ${str(chartRef.kind) ?? 'chartRef'} ${str(chartRef.namespace) ?? namespace}/${str(chartRef.name) ?? ''}`,
    };
  const chartSpec = rec(rec(spec.chart).spec);
  const ref = rec(chartSpec.sourceRef);
  const kind = str(ref.kind) ?? '';
  const refText = `${kind} ${str(ref.namespace) ?? namespace}/${str(ref.name) ?? ''}`;
  if (kind !== 'GitRepository')
    return { type: 'unavailable', reason: `chart not available offline (downloads disabled): ${refText}` };
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
  /** The HelmRelease as git renders it, with its document's location. */
  helmRelease: { object: KubeObject; source: SourceLocation };
  /** Repo-relative chart folder. */
  chartPath: string;
  releaseName: string;
  /** Where the HelmRelease itself is (its `valuesFrom` are read there). */
  helmReleaseNamespace: string;
  /** Where its objects go (`targetNamespace`, else the HelmRelease's). */
  namespace: string;
  fs: FileSystem;
  repoRoot: string;
  engine: HelmEngine;
  /** A ConfigMap of the environment's render (for `valuesFrom`), undefined when git has none. */
  findConfigMap?: (namespace: string, name: string) => Promise<KubeObject | undefined>;
}

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
    }
  | { ok: false; message: string; stage: string };

/** Renders the release's chart from the repo, as `helm template` with helm-controller's values and names would. */
export async function renderHelmRelease(input: HelmReleaseRenderInput): Promise<HelmReleaseRender> {
  const values = await releaseValues(input);
  if ('message' in values) return { ok: false, message: values.message, stage: 'values' };
  const root = input.repoRoot.replace(/\/+$/, '');
  const dir = input.chartPath ? `${root}/${input.chartPath}` : root;
  if (!(await input.fs.stat(`${dir}/Chart.yaml`))?.isFile)
    return { ok: false, stage: 'load', message: `${input.chartPath || '.'}/Chart.yaml: no chart in this folder` };
  const files = await chartFiles(input.fs, dir);
  const spec = rec(input.helmRelease.object.spec);
  // helm-controller's install CRD policy defaults to Create: CRDs of the chart are applied with the release.
  const crds = str(rec(spec.install).crds);
  const result = await input.engine.render({
    files,
    values: values.values,
    releaseName: input.releaseName,
    namespace: input.namespace,
    includeCRDs: crds !== 'Skip',
  });
  if (!result.ok) return { ok: false, message: result.message, stage: result.stage };
  const objects: RenderedObject[] = [];
  const errors: string[] = [];
  for (const manifest of result.manifests) {
    const file = templateFile(input.chartPath, manifest.source);
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
      const object = o as KubeObject;
      // Git holds no line of a rendered object: its origin is its template, related to the HelmRelease that released it.
      const origin: Origin = {
        file,
        line: 1,
        column: 1,
        kind: 'resource',
        related: [{ location: input.helmRelease.source, message: `released by this HelmRelease` }],
      };
      objects.push({
        object,
        key: keyOf(object),
        origins: new Map([['', origin]]),
        source: input.helmRelease.source,
        template: manifest.source,
      });
    }
  }
  return {
    ok: true,
    chart: result.chart,
    objects,
    hooks: result.hooks.length,
    files: files.map((f) => (input.chartPath ? `${input.chartPath}/${f.name}` : f.name)),
    errors,
  };
}

/**
 * helm-controller's values (chartutil.ChartValuesFromReferences): each `valuesFrom` entry in order, merged deeply,
 * then `spec.values` on top. Values from Secrets are never read here: the render says it cannot be made.
 */
async function releaseValues(
  input: HelmReleaseRenderInput,
): Promise<{ values: Record<string, unknown> } | { message: string }> {
  const spec = rec(input.helmRelease.object.spec);
  const hrNamespace = input.helmReleaseNamespace;
  let values: Record<string, unknown> = {};
  const from = Array.isArray(spec.valuesFrom) ? spec.valuesFrom : [];
  for (const [i, entry] of from.entries()) {
    const ref = rec(entry);
    const kind = str(ref.kind);
    const name = str(ref.name) ?? '';
    const optional = ref.optional === true;
    if (kind === 'Secret')
      return { message: `values from Secret ${hrNamespace}/${name} (valuesFrom[${i}]) are not read: not rendered` };
    if (kind !== 'ConfigMap') return { message: `valuesFrom[${i}]: unknown kind ${kind ?? '(none)'}` };
    if (str(ref.targetPath) !== undefined)
      return { message: `valuesFrom[${i}]: targetPath is not supported yet: not rendered` };
    const configMap = await input.findConfigMap?.(hrNamespace, name);
    const key = str(ref.valuesKey) ?? 'values.yaml';
    const text = str(rec(configMap?.data)[key]);
    if (text === undefined) {
      if (optional) continue;
      return {
        message: configMap
          ? `ConfigMap ${hrNamespace}/${name} has no key ${key} (valuesFrom[${i}])`
          : `ConfigMap ${hrNamespace}/${name} (valuesFrom[${i}]) is not in this repo's render of the cluster: not rendered`,
      };
    }
    let parsed: unknown;
    try {
      parsed = loadAll(text)[0] ?? {};
    } catch (e) {
      return {
        message: `ConfigMap ${hrNamespace}/${name} key ${key}: ${(e as Error).message.split('\n')[0]} (valuesFrom[${i}])`,
      };
    }
    values = mergeMaps(values, rec(parsed));
  }
  return { values: mergeMaps(values, rec(spec.values)) };
}

/** Helm's chartutil MergeMaps (helm-controller's merge): maps merge key by key, anything else replaces. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isMap(v) && isMap(prev) ? mergeMaps(prev, v) : v;
  }
  return out;
}

/** Every file under the chart folder, names relative to it (`.helmignore` is the engine's to apply). */
async function chartFiles(fs: FileSystem, dir: string): Promise<HelmChartFile[]> {
  const out: HelmChartFile[] = [];
  const walk = async (sub: string) => {
    const here = sub ? `${dir}/${sub}` : dir;
    const entries = [...(await fs.readDir(here))].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const name = sub ? `${sub}/${entry.name}` : entry.name;
      const stat = await fs.stat(`${dir}/${name}`);
      if (stat?.isDirectory) await walk(name);
      else if (stat?.isFile) {
        const data = fs.readFileBytes
          ? await fs.readFileBytes(`${dir}/${name}`)
          : new TextEncoder().encode(await fs.readFile(`${dir}/${name}`));
        out.push({ name, data });
      }
    }
  };
  await walk('');
  return out;
}

/** `mychart/templates/x.yaml` (Helm's `# Source:`, the chart's name first) → the repo file under the chart folder. */
export function templateFile(chartPath: string, source: string): string {
  const inChart = source.includes('/') ? source.slice(source.indexOf('/') + 1) : source;
  return chartPath ? `${chartPath}/${inChart}` : inChart;
}

function normalizeRepoPath(path: string): string | undefined {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) return undefined;
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
