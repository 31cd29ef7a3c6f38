/**
 * A repo and a live snapshot for the snapshot bench: `envs/dev` declares `desired` ConfigMaps in namespace
 * `bench`, and the snapshot holds `live` ConfigMaps there (the desired ones, every tenth drifted, and the rest
 * other objects of the namespace), each with labels, annotations and managedFields as a real LIST returns them.
 * 100,000 live objects make a snapshot of about 76 MB, the size of the one in issue 12.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource';
import { buildSnapshot, serializeSnapshot } from '../../src/core/repo/snapshot';
import { SnapshotKey } from '../../src/core/drift/snapshotSecrets';

/** The bench's snapshot key (the CLI reads it from GITOPS_DRIFT_SECRET_KEY_FILE: see `keyFile`). */
export const BENCH_KEY_HEX = '07'.repeat(32);

export interface GeneratedSnapshot {
  repo: string;
  snapshot: string;
  /** The key file to pass as GITOPS_DRIFT_SECRET_KEY_FILE. */
  keyFile: string;
  liveObjects: KubeObject[];
}

/** One live ConfigMap as a LIST returns it (about 760 bytes of YAML). */
export function liveConfigMap(i: number, drifted: boolean): KubeObject {
  const name = `cm-${String(i).padStart(6, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'bench',
      uid: `0b5c${String(i).padStart(8, '0')}-4c1e-4d0a-9d3e-5f7a8b9c0d1e`,
      resourceVersion: String(100000 + i),
      creationTimestamp: '2026-12-01T10:00:00Z',
      labels: {
        'app.kubernetes.io/name': 'bench',
        'app.kubernetes.io/part-of': 'gitops-drift',
        tier: i % 2 ? 'web' : 'worker',
      },
      annotations: { 'example.com/owner': 'team-bench', 'example.com/ticket': `OPS-${i}` },
      managedFields: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          apiVersion: 'v1',
          time: '2026-12-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:data': { 'f:LOG_LEVEL': {}, 'f:REPLICAS': {}, 'f:URL': {} },
            'f:metadata': { 'f:labels': { 'f:tier': {} } },
          },
        },
      ],
    },
    data: {
      LOG_LEVEL: drifted ? 'debug' : 'info',
      REPLICAS: String(i % 7),
      URL: `https://svc-${i}.bench.svc.cluster.local:8443/api/v1/items`,
    },
  };
}

/** Writes the repo and snapshot under `dir`. */
export function generate(dir: string, options: { desired: number; live: number; yaml?: boolean }): GeneratedSnapshot {
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'envs', 'dev'), { recursive: true });
  const desired: string[] = [];
  for (let i = 0; i < options.desired; i++) {
    const cm = liveConfigMap(i, false);
    desired.push(
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${cm.metadata.name}\n  labels:\n    tier: ${cm.metadata.labels!.tier}\ndata:\n  LOG_LEVEL: info\n  REPLICAS: "${i % 7}"\n  URL: ${(cm as unknown as { data: Record<string, string> }).data.URL}\n`,
    );
  }
  writeFileSync(join(repo, 'envs', 'dev', 'kustomization.yaml'), 'namespace: bench\nresources:\n- configmaps.yaml\n');
  writeFileSync(join(repo, 'envs', 'dev', 'configmaps.yaml'), desired.join(''));
  const liveObjects = Array.from({ length: options.live }, (_, i) =>
    liveConfigMap(i, i < options.desired && i % 10 === 0),
  );
  const snap = buildSnapshot('2026-12-06T11:00:00Z', new SnapshotKey(Buffer.from(BENCH_KEY_HEX, 'hex')), [
    {
      context: 'bench',
      environments: ['dev'],
      resourceTypes: [
        {
          group: '',
          version: 'v1',
          kind: 'ConfigMap',
          resource: 'configmaps',
          namespaced: true,
          verbs: ['get', 'list', 'watch'],
        },
      ],
      scopes: [
        {
          group: '',
          kind: 'ConfigMap',
          namespace: 'bench',
          status: 'ok',
          resourceVersion: '200000',
          items: liveObjects,
        },
      ],
    },
  ]);
  // `yaml`: the form snapshots had before they were written as JSON (what older files still hold).
  const snapshot = join(dir, options.yaml ? 'snapshot-yaml.yaml' : 'snapshot.yaml');
  writeFileSync(
    snapshot,
    options.yaml
      ? `# Live objects recorded by \`gitops-drift snapshot\`.\n${stringify(snap, { lineWidth: 0 })}`
      : serializeSnapshot(snap),
  );
  const keyFile = join(dir, 'secret-key');
  writeFileSync(keyFile, BENCH_KEY_HEX + '\n', { mode: 0o600 });
  return { repo, snapshot, keyFile, liveObjects };
}
