import { gzipSync } from 'node:zlib';
import type { KubeObject } from '../../../src/core/model/resource';

/**
 * A release record as Helm's storage drivers write one (pkg/storage/driver: JSON, gzip, base64; a Secret's data is
 * base64 again, as the API serves it), for a release given as Helm's JSON.
 */
export function releaseRecord(
  release: {
    name: string;
    namespace: string;
    version: number;
    info: { status: string } & Record<string, unknown>;
  } & Record<string, unknown>,
  driver: 'Secret' | 'ConfigMap',
  options: { gzip?: boolean } = {},
): KubeObject {
  const json = Buffer.from(JSON.stringify(release));
  const helmText = (options.gzip === false ? json : gzipSync(json, { level: 9 })).toString('base64');
  const metadata = {
    name: `sh.helm.release.v1.${release.name}.v${release.version}`,
    namespace: release.namespace,
    labels: {
      name: release.name,
      owner: 'helm',
      status: release.info.status,
      version: String(release.version),
    },
  };
  return driver === 'Secret'
    ? {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        type: 'helm.sh/release.v1',
        data: { release: Buffer.from(helmText).toString('base64') },
      }
    : { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { release: helmText } };
}
