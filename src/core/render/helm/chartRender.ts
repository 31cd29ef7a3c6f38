/**
 * What the renderers that meet a chart folder of this repo share (Argo CD Helm sources, kustomize `helmCharts:`):
 * reading the chart's files, asking the HelmEngine port, and turning its documents into objects that name their
 * template file. Nothing here decides values or names: each caller passes them as its controller would.
 */
import { loadAll } from 'js-yaml';
import type { SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import type { KubeObject } from '../../model/resource';
import type { FileSystem, HelmChartFile, HelmEngine, HelmManifest, HelmRenderRequest } from '../../ports';
import { chartFiles, templateFile } from './chartFiles';

/** One document Helm rendered, parsed, with the repo file of its template. */
export interface ChartDocument {
  object: KubeObject;
  /** Helm's `# Source:` (`web/templates/deployment.yaml`). */
  template: string;
  /** The template's file in the repo (`charts/web/templates/deployment.yaml`); a downloaded chart's: the file naming it. */
  file: string;
  hook: boolean;
}

export interface ChartRender {
  chart: { name: string; version: string; appVersion?: string };
  /** Manifests in `helm template` order (CRDs first when asked), then the hooks in Helm's order. */
  documents: ChartDocument[];
  /** Repo-relative files of the chart (read, so a change to one renders again). */
  files: string[];
}

/**
 * Renders the chart folder `chartPath` (repo-relative) with `request` (values, names, capabilities). Failures are
 * ProblemErrors: at the template's line when Helm names one inside this chart, else at `at` (the line that names the
 * chart), prefixed by `what` (e.g. `application 'web'`).
 */
export async function renderChartFolder(input: {
  fs: FileSystem;
  repoRoot: string;
  chartPath: string;
  request: Omit<HelmRenderRequest, 'files'>;
  engine: (() => HelmEngine | undefined) | undefined;
  at: SourceLocation;
  what: string;
}): Promise<ChartRender> {
  const root = input.repoRoot.replace(/\/+$/, '');
  const dir = input.chartPath ? `${root}/${input.chartPath}` : root;
  if (!(await input.fs.stat(`${dir}/Chart.yaml`).catch(() => undefined))?.isFile)
    throw new ProblemError({
      severity: 'error',
      message: `${input.what}: no chart in ${input.chartPath || '.'} (no Chart.yaml)`,
      location: input.at,
    });
  const engine = input.engine?.();
  if (!engine)
    throw new ProblemError({
      severity: 'error',
      message: `${input.what}: the Helm engine is not available (not built): the chart is not rendered`,
      location: input.at,
    });
  const files = await chartFiles(input.fs, dir);
  const render = await renderChartFiles({ ...input, files, chart: { folder: input.chartPath } });
  return { ...render, files: files.map((f) => (input.chartPath ? `${input.chartPath}/${f.name}` : f.name)) };
}

/**
 * Renders a chart's files with `request`: a folder of this repo (`folder`, repo-relative: documents name their
 * template's file there) or a downloaded chart (`downloaded`, described as `NAME VERSION`: its templates are in no file
 * of the repo, so documents name `at`, the line that names the chart). Failures are ProblemErrors as for
 * renderChartFolder. `files` of the result is empty: the caller knows what it read.
 */
export async function renderChartFiles(input: {
  files: HelmChartFile[];
  chart: { folder: string } | { downloaded: string };
  request: Omit<HelmRenderRequest, 'files'>;
  engine: (() => HelmEngine | undefined) | undefined;
  at: SourceLocation;
  what: string;
}): Promise<ChartRender> {
  const fail = (message: string, location: SourceLocation = input.at): never => {
    throw new ProblemError({ severity: 'error', message: `${input.what}: ${message}`, location });
  };
  const folder = 'folder' in input.chart ? input.chart.folder : undefined;
  const named = folder !== undefined ? folder || '.' : (input.chart as { downloaded: string }).downloaded;
  const fileOf = (source: string) => (folder !== undefined ? templateFile(folder, source) : input.at.file);
  const engine = input.engine?.();
  if (!engine) fail('the Helm engine is not available (not built): the chart is not rendered');
  const result = await engine!.render({ ...input.request, files: input.files });
  if (!result.ok) {
    if (result.stage === 'unavailable') fail(`the Helm engine is not available: ${result.message}`);
    fail(
      `Helm could not render ${named} (${result.stage}): ${result.message}`,
      (folder !== undefined ? templateLine(result.message, folder) : undefined) ?? input.at,
    );
  }
  if (!result.ok) throw new Error('unreachable');
  const documents: ChartDocument[] = [];
  const add = (manifest: HelmManifest, hook: boolean) => {
    let docs: unknown[];
    try {
      docs = loadAll(manifest.content);
    } catch (e) {
      fail(
        `${manifest.source}: ${(e as Error).message.split('\n')[0]}`,
        folder !== undefined ? { file: fileOf(manifest.source), line: 1, column: 1 } : input.at,
      );
      return;
    }
    for (const doc of docs) {
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) continue;
      const o = doc as Record<string, unknown>;
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') continue;
      if (o.metadata === null || typeof o.metadata !== 'object') o.metadata = {};
      documents.push({ object: o as KubeObject, template: manifest.source, file: fileOf(manifest.source), hook });
    }
  };
  for (const m of result.manifests) add(m, false);
  for (const h of result.hooks) add(h, true);
  return { chart: result.chart, documents, files: [] };
}

/** Whether a hook is a test hook (`helm.sh/hook: test`, or the old `test-success`/`test-failure`). */
export function isTestHook(object: KubeObject): boolean {
  const hook = (object.metadata?.annotations as Record<string, string> | undefined)?.['helm.sh/hook'] ?? '';
  return hook
    .split(',')
    .map((e) => e.trim())
    .some((e) => e === 'test' || e === 'test-success' || e === 'test-failure');
}

/**
 * The template line Helm's message names (`template: web/templates/x.yaml:5:3: executing …`), as a repo location;
 * undefined when it names none of this chart's files.
 */
export function templateLine(message: string, chartPath: string): SourceLocation | undefined {
  const m = /(?:^|\s|")([\w.-]+\/(?:templates|charts)\/[^\s:"]+):(\d+)(?::(\d+))?/.exec(message);
  if (!m) return undefined;
  return { file: templateFile(chartPath, m[1]), line: Number(m[2]), column: m[3] ? Number(m[3]) : 1 };
}
