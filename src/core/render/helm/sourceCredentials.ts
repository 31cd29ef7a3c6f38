/**
 * The credentials a Flux source's `spec.secretRef` gives source-controller for a chart (HelmRepository, OCIRepository),
 * read from a Secret of this repo's render. Secrets are never read from the cluster for this: a Secret only the
 * cluster holds is not used (the user's own Helm config may still answer, node/chartCredentials.ts). The values are
 * carried to the ChartSource port and nowhere else; messages name the Secret only.
 */
import type { SourceLocation } from '../../model/location';
import type { KubeObject } from '../../model/resource';
import { isSopsEncrypted, secretStrings } from '../../model/secretData';
import type { ChartCredentials, ChartTls } from '../../ports';

/**
 * `source`'s credentials, or undefined when it names no `secretRef`. `findSecret` looks the Secret up in the
 * environment's render (in the source's namespace, as source-controller does). Keys as source-controller reads them:
 * `username` and `password`, or `.dockerconfigjson` (for OCI). A Secret that is not in the render is `elsewhere`.
 */
export function sourceCredentials(
  source: KubeObject,
  namespace: string,
  findSecret: (namespace: string, name: string) => KubeObject | undefined,
): ChartCredentials | undefined {
  const spec = rec(source.spec);
  const name = typeof rec(spec.secretRef).name === 'string' ? (rec(spec.secretRef).name as string) : undefined;
  if (!name) return undefined;
  const from = `Secret ${namespace}/${name} (${source.kind} ${namespace}/${source.metadata?.name ?? ''} spec.secretRef)`;
  const secret = findSecret(namespace, name);
  if (!secret)
    return {
      type: 'elsewhere',
      from,
      reason: `${from} is not in this repo's render (Secrets are not read from the cluster for this)`,
    };
  // A SOPS-encrypted Secret holds ciphertext: Flux decrypts it in the cluster, we do not.
  if (isSopsEncrypted(secret)) return { type: 'unusable', from, reason: `credentials are encrypted (SOPS): ${from}` };
  const values = secretStrings(secret);
  const dockerConfig = values.get('.dockerconfigjson');
  if (dockerConfig !== undefined) return { type: 'docker-config', from, json: dockerConfig };
  const username = values.get('username');
  const password = values.get('password');
  if (username === undefined || password === undefined)
    return { type: 'unusable', from, reason: `${from} has no username and password (nor .dockerconfigjson)` };
  return {
    type: 'basic',
    from,
    username,
    password,
    ...(spec.passCredentials === true ? { passCredentials: true } : {}),
  };
}

/**
 * `source`'s TLS client settings as source-controller v1.7 builds them (fluxcd/pkg/runtime secrets.TLSConfigFromSecret),
 * or undefined when it has none:
 * - `spec.certSecretRef` first: `ca.crt`, `tls.crt`, `tls.key` (each else its deprecated key `caFile`, `certFile`,
 *   `keyFile`); a certificate without its key (or the reverse), or neither a pair nor a CA, is the chart's state;
 * - else a HelmRepository's `spec.secretRef` when it holds those keys (deprecated; an incomplete set is ignored there,
 *   as the controller ignores it);
 * - else an OCIRepository's `spec.insecure`: the registry's certificate is not verified (the one place Flux allows it).
 * The CA is trusted beside the system's roots (`WithSystemCertPool`).
 */
export function sourceTls(
  source: KubeObject,
  namespace: string,
  findSecret: (namespace: string, name: string) => KubeObject | undefined,
  /** Where a Secret of the render is (its file and line, for states about it). */
  locate?: (object: KubeObject) => SourceLocation | undefined,
): ChartTls | undefined {
  const spec = rec(source.spec);
  const refName = (field: string) => {
    const name = rec(spec[field]).name;
    return typeof name === 'string' && name ? name : undefined;
  };
  const what = `${source.kind} ${namespace}/${source.metadata?.name ?? ''}`;
  const certSecret = refName('certSecretRef');
  if (certSecret) {
    const secret = findSecret(namespace, certSecret);
    const at = secret && locate?.(secret);
    const from = `Secret ${namespace}/${certSecret}${at ? ` at ${at.file}:${at.line}` : ''} (${what} spec.certSecretRef)`;
    if (!secret)
      return {
        type: 'elsewhere',
        from,
        reason: `${from} is not in this repo's render (Secrets are not read from the cluster for this)`,
      };
    if (isSopsEncrypted(secret))
      return { type: 'unusable', from, reason: `TLS settings are encrypted (SOPS): ${from}` };
    return tlsOfSecret(secretStrings(secret), from, true);
  }
  const authSecret = source.kind === 'HelmRepository' ? refName('secretRef') : undefined;
  if (authSecret) {
    const secret = findSecret(namespace, authSecret);
    const at = secret && locate?.(secret);
    const from = `Secret ${namespace}/${authSecret}${at ? ` at ${at.file}:${at.line}` : ''} (${what} spec.secretRef, deprecated TLS keys)`;
    if (secret && !isSopsEncrypted(secret)) {
      const read = tlsOfSecret(secretStrings(secret), from, false);
      if (read) return read;
    }
  }
  if (source.kind === 'OCIRepository' && spec.insecure === true)
    return { type: 'tls', from: `${what} spec.insecure`, insecureSkipVerify: true };
  return undefined;
}

/** A Secret's TLS keys; `strict`: an incomplete set is a state (certSecretRef), else it is no TLS (secretRef). */
function tlsOfSecret(values: Map<string, string>, from: string, strict: boolean): ChartTls | undefined {
  const get = (key: string, legacy: string) => values.get(key) ?? values.get(legacy);
  const caPem = get('ca.crt', 'caFile');
  const certPem = get('tls.crt', 'certFile');
  const keyPem = get('tls.key', 'keyFile');
  const problem =
    (certPem !== undefined) !== (keyPem !== undefined)
      ? certPem !== undefined
        ? 'has tls.crt but no tls.key'
        : 'has tls.key but no tls.crt'
      : certPem === undefined && caPem === undefined
        ? 'has no ca.crt and no tls.crt/tls.key'
        : undefined;
  if (problem) return strict ? { type: 'unusable', from, reason: `${from} ${problem}` } : undefined;
  return {
    type: 'tls',
    from,
    addSystemCAs: true,
    ...(caPem !== undefined ? { caPem } : {}),
    ...(certPem !== undefined && keyPem !== undefined ? { certPem, keyPem } : {}),
  };
}

/** `scheme://user:password@host/…` → `scheme://host/…`: a URL with credentials in it is never repeated whole. */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
