/**
 * A chart from a Flux `Bucket` (source.toolkit.fluxcd.io/v1): the request the ChartSource port fetches, read from the
 * Bucket as source-controller reads it (endpoint, bucketName, prefix, insecure, region, provider, ignore) and from
 * the HelmChart's `chart` (a folder in the bucket's artifact). Credentials come from the Bucket's `secretRef` Secret
 * (`accesskey`, `secretkey`) when this repo's render holds it unencrypted; otherwise the release's state says the
 * bucket needs them. Secret values go into the request only, never into a message.
 */
import type { KubeObject } from '../../model/resource';
import { isSopsEncrypted, secretStrings } from '../../model/secretData';
import type { BucketChartRequest } from '../../ports';

/**
 * The request for `chart` (the HelmChart's path) in `bucket` (its Secret in `bucketNamespace`), or why it cannot be
 * made (the release's state).
 */
export function bucketChartRequest(
  bucket: KubeObject,
  bucketNamespace: string,
  chart: string,
  refText: string,
  findSecret: (namespace: string, name: string) => KubeObject | undefined,
): { request: BucketChartRequest; source: string } | { reason: string } {
  const spec = rec(bucket.spec);
  const provider = str(spec.provider) ?? 'generic';
  if (provider !== 'generic' && provider !== 'aws')
    return { reason: `${refText}: provider ${provider} is not supported (generic and aws are): not rendered` };
  const endpoint = str(spec.endpoint) ?? '';
  const bucketName = str(spec.bucketName) ?? '';
  if (!endpoint || !bucketName) return { reason: `${refText}: spec.endpoint and spec.bucketName are required` };
  // source-controller's S3 client takes HOST[:PORT]; a scheme or a path is its error too.
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(endpoint))
    return { reason: `${refText}: spec.endpoint ${endpoint} is not HOST[:PORT] (no scheme, no path)` };
  const chartPath = cleanArtifactPath(chart);
  const source = `${refText} (${endpoint}/${bucketName})`;
  const request: BucketChartRequest = {
    type: 'bucket',
    endpoint,
    bucketName,
    provider,
    chartPath,
    ...(str(spec.prefix) ? { prefix: str(spec.prefix) } : {}),
    ...(spec.insecure === true ? { insecure: true } : {}),
    ...(str(spec.region) ? { region: str(spec.region) } : {}),
    ...(typeof spec.ignore === 'string' ? { ignore: spec.ignore } : {}),
  };
  const secretName = str(rec(spec.secretRef).name);
  if (secretName === undefined) return { request, source };
  const secret = findSecret(bucketNamespace, secretName);
  const needs = `${refText}: bucket needs credentials (secretRef ${secretName})`;
  if (!secret) return { reason: `${needs}: no such Secret in this repo's render` };
  if (isSopsEncrypted(secret)) return { reason: `${needs}: the Secret is encrypted in this repo` };
  const values = secretStrings(secret);
  const accessKey = values.get('accesskey');
  const secretKey = values.get('secretkey');
  // source-controller: "invalid '<name>' secret data: required fields 'accesskey' and 'secretkey'".
  if (accessKey === undefined || secretKey === undefined)
    return { reason: `${needs}: the Secret lacks the fields accesskey and secretkey` };
  return { request: { ...request, credentials: { accessKey, secretKey } }, source };
}

/**
 * A path in the artifact as source-controller joins it (securejoin: `..` never climbs above the root), without
 * leading `./` or `/`: `./charts/web/` → `charts/web`, `../x` → `x`.
 */
export function cleanArtifactPath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
