/**
 * Charts a render names outside this repo, fetched through the ChartSource port the way the tool that renders them
 * pulls them (`helm pull`): an Argo CD `chart:` source (a Helm repository, or an OCI registry named `host/path`) or
 * `oci://` source, and a kustomize `helmCharts` entry with `repo`. A chart that cannot be had (downloads off,
 * offline, not found, credentials) is a ProblemError with code CHART_NOT_DOWNLOADED at the line naming it, which the
 * caller turns into that application's (or entry's) state, never an error for the environment.
 */
import { describeSource, type RemoteChart } from '../../model/environment';
import type { SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import type { ChartCredentials, ChartRequest, ChartSource, ChartTls, HelmChartFile } from '../../ports';
import { isExactChartVersion } from './chartVersion';

/** Helm's media type of a chart's layer (`helm push`), which source-controller's OCIRepository selects for charts. */
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/** Problem.code of a chart that could not be downloaded: a state of what names it, not a render failure. */
export const CHART_NOT_DOWNLOADED = 'chart-not-downloaded';

/**
 * How to turn chart downloads on, where the caller does not know which front end it is in (the CLI's default, a
 * render without a ChartSource). The editor says its own (src/vscode/driftSession.ts), trust included.
 */
export const CHART_DOWNLOADS_HOW_TO =
  'enable the setting gitopsDrift.helm.chartDownloads in the editor (a trusted workspace only: trust it first), or pass --chart-downloads to the CLI (check, diff, render, lint) to download and render it';

/**
 * The request `helm pull` makes of the chart: a Helm repository's `index.yaml` picks the version (Helm's
 * IndexFile.Get: the exact text first, else the newest the constraint accepts); an OCI registry takes an exact
 * version as its tag (`+` read as `_` by the port), a digest as is, anything else as a constraint over its tags.
 */
export function chartRequestOf(remote: RemoteChart, credentials?: ChartCredentials, tls?: ChartTls): ChartRequest {
  const version = remote.version.trim() || (remote.devel ? '>0.0.0-0' : '*');
  const withCredentials = { ...(credentials ? { credentials } : {}), ...(tls ? { tls } : {}) };
  if (remote.kind === 'helm-repository')
    return { type: 'helm-repository', url: remote.url, chart: remote.chart, version, ...withCredentials };
  return {
    ...withCredentials,
    type: 'oci',
    url: remote.url,
    layerMediaType: HELM_CHART_LAYER_MEDIA_TYPE,
    ...(/^sha256:[0-9a-f]{64}$/.test(version)
      ? { digest: version }
      : isExactChartVersion(version)
        ? { tag: version }
        : { semver: version }),
  };
}

/**
 * The chart's files from `source` (absent: downloads are off). Throws a ProblemError with code
 * CHART_NOT_DOWNLOADED, `WHAT: chart DESCRIPTION not downloaded: WHY`, at `at` when it cannot be had.
 */
export async function fetchRemoteChart(
  source: ChartSource | undefined,
  remote: RemoteChart,
  at: SourceLocation,
  what: string,
  /** Said after the reason (what else stays unknown without the chart). */
  consequence = '',
  /** The controller's credentials for it (an Argo CD repository Secret of the repo); absent: the user's config. */
  credentials?: ChartCredentials,
  /** Its TLS settings from the same place. */
  tls?: ChartTls,
): Promise<{ files: HelmChartFile[]; name: string; version: string }> {
  const fetched = source
    ? await source.fetch(chartRequestOf(remote, credentials, tls))
    : ({ ok: false, reason: 'disabled', message: `chart downloads are off: ${CHART_DOWNLOADS_HOW_TO}` } as const);
  if (fetched.ok) return { files: fetched.files, name: fetched.name, version: fetched.version };
  throw new ProblemError({
    severity: 'warning',
    code: CHART_NOT_DOWNLOADED,
    // Only "off" is fixed by turning them on; offline, not found or credentials are not.
    ...(fetched.reason === 'disabled' ? { fix: 'enable-chart-downloads' as const } : {}),
    message: `${what}: ${describeSource({ type: 'remote-chart', ...remote })} not downloaded: ${fetched.message}${consequence}`,
    location: at,
  });
}
