import { ClusterError } from '../core/live/clusterError';
import type { KubeTransportOptions } from './kubeTransport';

/** The limits a user may change for one run, from environment variables (CLI and editor alike). */
export type ClusterLimits = Pick<KubeTransportOptions, 'requestTimeoutMs' | 'maxResponseBytes' | 'maxConnections'> & {
  execTimeoutMs?: number;
};

/** Variable → option and unit. Documented in docs/security.md ("Cluster limits") and docs/configuration.md. */
const VARIABLES = [
  { name: 'GITOPS_DRIFT_REQUEST_TIMEOUT', option: 'requestTimeoutMs', unit: 'seconds', scale: 1000 },
  { name: 'GITOPS_DRIFT_MAX_RESPONSE_MB', option: 'maxResponseBytes', unit: 'megabytes', scale: 1024 * 1024 },
  { name: 'GITOPS_DRIFT_MAX_CONNECTIONS', option: 'maxConnections', unit: 'connections', scale: 1 },
  { name: 'GITOPS_DRIFT_EXEC_TIMEOUT', option: 'execTimeoutMs', unit: 'seconds', scale: 1000 },
] as const;

/**
 * The limits set in `env`; unset variables are left out (the defaults apply). A value that is not a positive
 * number is an error naming the variable, not a silent default.
 */
export function clusterLimitsFromEnv(env: NodeJS.ProcessEnv): ClusterLimits {
  const limits: ClusterLimits = {};
  for (const v of VARIABLES) {
    const text = env[v.name]?.trim();
    if (!text) continue;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (v.option === 'maxConnections' && !Number.isInteger(value))) {
      throw new ClusterError('kubeconfig', `${v.name} must be a positive number of ${v.unit}, not "${text}"`);
    }
    // A body is parsed from one string, and V8's strings end just under 512 MB (a bigger page could not be parsed).
    if (v.option === 'maxResponseBytes' && value > 500)
      throw new ClusterError(
        'kubeconfig',
        `${v.name} can be at most 500 (MB): a response is read as one string, and V8's strings end just under 512 MB`,
      );
    limits[v.option] = Math.round(value * v.scale);
  }
  return limits;
}

/** `options` over the limits from its environment: what a caller sets explicitly wins. */
export function withClusterLimits<T extends ClusterLimits & { env?: NodeJS.ProcessEnv }>(options: T): T {
  const fromEnv = clusterLimitsFromEnv(options.env ?? process.env);
  const explicit = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
  return { ...fromEnv, ...explicit };
}
