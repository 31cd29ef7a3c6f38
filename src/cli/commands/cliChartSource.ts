import type { CliIO } from '../command';
import { disabledChartSource, type ChartSource } from '../../core/ports';
import { HelmClientCredentials } from '../../node/chartCredentials';
import { chartCacheRoot, HttpChartSource } from '../../node/chartSource';

/**
 * Charts of Helm and OCI repositories only with --chart-downloads (docs/helm.md): nothing is fetched otherwise. With
 * the user's Helm and Docker config for credentials and TLS, after the controllers' own. A module of its own so that
 * `lint` can use it without loading the cluster clients `driftCommon` brings.
 */
export function cliChartSource(io: CliIO, chartDownloads: boolean, verb = 'download it'): ChartSource {
  return chartDownloads
    ? new HttpChartSource({ cacheDir: chartCacheRoot(io.env), userCredentials: new HelmClientCredentials(io.env) })
    : disabledChartSource(`pass --chart-downloads to ${verb} (docs/helm.md)`);
}
