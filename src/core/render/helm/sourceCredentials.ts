/**
 * The credentials a Flux source's `spec.secretRef` gives source-controller for a chart (HelmRepository, OCIRepository),
 * read from a Secret of this repo's render. Secrets are never read from the cluster for this: a Secret only the
 * cluster holds is not used (the user's own Helm config may still answer, node/chartCredentials.ts). The values are
 * carried to the ChartSource port and nowhere else; messages name the Secret only.
 */
import type { KubeObject } from '../../model/resource';
import { isSopsEncrypted, secretStrings } from '../../model/secretData';
import type { ChartCredentials } from '../../ports';

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

/** `scheme://user:password@host/…` → `scheme://host/…`: a URL with credentials in it is never repeated whole. */
export function withoutUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
