/** Why a whole environment could not be read. */
export type ClusterErrorReason =
  /** No connection: refused, DNS, no route, timed out. */
  | 'unreachable'
  /** The TLS handshake failed: unknown CA, wrong host name, expired server certificate. */
  | 'tls'
  /** 401: the server rejected the credentials (expired or revoked token, wrong client certificate). */
  | 'unauthorized'
  /** The kubeconfig is missing, malformed, or names a context/cluster/user it does not define. */
  | 'kubeconfig'
  /** The kubeconfig asks to run a credential plugin and the user has not allowed it. */
  | 'execNotAllowed'
  /** A request or a credential plugin did not finish within its limit (a stalled server, proxy or plugin). */
  | 'timeout';

/**
 * An environment-level failure: every request to this cluster would fail the same way, so it is reported
 * once (CLI: the environment's `error`; editor: one message), never per object.
 */
export class ClusterError extends Error {
  constructor(
    readonly reason: ClusterErrorReason,
    message: string,
    /** The kube context involved, when known. */
    readonly context?: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

/** True for a ClusterError, also across bundles (checks the name, not the prototype). */
export function isClusterError(e: unknown): e is ClusterError {
  return e instanceof ClusterError || (e instanceof Error && e.name === 'ClusterError' && 'reason' in e);
}
