/**
 * What every Helm renderer of the repo shares (HelmReleases, Argo CD Helm sources, kustomize `helmCharts`): a chart
 * folder's files, a template's repo file, and Helm's values merge. A leaf module: the renderers import it, never the
 * other way round (kustomize's `helmCharts` and helm-controller's kustomize post-renderers would otherwise be a cycle).
 */
import type { FileSystem, HelmChartFile } from '../../ports';
import { isMap } from '../../yaml/pointer';

/**
 * How origins name a file of a downloaded chart (no file of the repo): `gitops-drift-chart:NAME/VERSION/FILE`. The
 * CLI prints it as it is; the editor opens it as a read-only document of that scheme, its text from the chart the
 * engine downloaded (DriftEngine.downloadedChartText).
 */
export const DOWNLOADED_CHART_SCHEME = 'gitops-drift-chart';

/** The origin file name of `file` (chart-relative) in the downloaded chart `name` `version`. */
export function downloadedChartFile(name: string, version: string, file: string): string {
  return `${DOWNLOADED_CHART_SCHEME}:${name}/${version}/${file}`;
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
export async function chartFiles(fs: FileSystem, dir: string): Promise<HelmChartFile[]> {
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
