/**
 * Regenerates src/core/k8s/listTypes.json, the one table of how the built-in Kubernetes types' lists merge and pair,
 * from two schemas of the test bed:
 * - the OpenAPI v3 document of its kube-apiserver (the pinned Kubernetes version): `x-kubernetes-list-type` /
 *   `x-kubernetes-list-map-keys` and the patch extensions, i.e. how the cluster pairs list items (drift);
 * - the OpenAPI schema kustomize embeds (dumped by test/testbed/kustomizeSchema): the
 *   `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy` kustomize's strategic merge patches use. It is
 *   older than the cluster's (Kubernetes v1.21.2 for kustomize v5.7.1), so a newer list (a Pod's resourceClaims) is
 *   merged by the cluster and replaced by kustomize; the renderer must do as kustomize does.
 *
 *   npx tsx scripts/generate-k8s-list-types.ts
 *
 * Only the types on a path from a kind's root to a list with one of those extensions are kept.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { testbedBin } from '../test/testbed/bins';
import { startTestCluster, type TestCluster } from '../test/testbed/cluster';

/** One field of a definition, the same from either source. */
interface SourceField {
  ref?: string;
  array?: boolean;
  map?: boolean;
  mergeKey?: string;
  strategy?: string;
  listType?: string;
  mapKeys?: string[];
}
interface Definition {
  gvk?: { group: string; version: string; kind: string }[];
  fields: Record<string, SourceField>;
}

type Schema = {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
};

/** One field of a kept type in the table. */
interface Field {
  /** The type of the value (of the items, for a list; of the values, for a map). */
  type?: string;
  map?: true;
  /** How the cluster pairs and merges the list (the API server's schema). */
  list?: { mergeKey?: string; strategy?: string; listType?: string; mapKeys?: string[] };
  /** How kustomize's strategic merge patches merge it (kustomize's embedded schema), when they merge it. */
  smp?: { mergeKey?: string; strategy: string };
}

const out = join(resolve(__dirname, '..'), 'src', 'core', 'k8s', 'listTypes.json');

async function clusterDefinitions(cluster: Pick<TestCluster, 'adminRequest'>): Promise<{ version: string; defs: Record<string, Definition> }> {
  {
    const version = (await cluster.adminRequest('GET', '/version')).body.gitVersion as string;
    const index = (await cluster.adminRequest('GET', '/openapi/v3')).body as { paths: Record<string, { serverRelativeURL: string }> };
    const defs: Record<string, Definition> = {};
    const refName = (s: Schema | undefined): string | undefined => (s?.$ref ?? s?.allOf?.find((a) => a.$ref)?.$ref)?.replace('#/components/schemas/', '');
    for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
      if (!/^(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path)) continue;
      const doc = (await cluster.adminRequest('GET', serverRelativeURL)).body as { components: { schemas: Record<string, Schema> } };
      for (const [name, schema] of Object.entries(doc.components.schemas)) {
        // Built-in types only: a CRD installed in the cluster publishes its schema here too.
        if (!name.startsWith('io.k8s.')) continue;
        const fields: Record<string, SourceField> = {};
        for (const [field, p] of Object.entries(schema.properties ?? {})) {
          const map = typeof p.additionalProperties === 'object';
          fields[field] = {
            ref: p.type === 'array' ? refName(p.items) : map ? refName(p.additionalProperties as Schema) : refName(p),
            ...(p.type === 'array' ? { array: true } : {}),
            ...(map ? { map: true } : {}),
            mergeKey: p['x-kubernetes-patch-merge-key'],
            strategy: p['x-kubernetes-patch-strategy'],
            listType: p['x-kubernetes-list-type'],
            mapKeys: p['x-kubernetes-list-map-keys'],
          };
        }
        defs[name] = { gvk: schema['x-kubernetes-group-version-kind'], fields };
      }
    }
    return { version, defs };
  }
}

/** The table, from a running test-bed API server and kustomize's schema (the integration suite checks it is current). */
export async function generateListTypes(server: Pick<TestCluster, 'adminRequest'>): Promise<object> {
  const cluster = await clusterDefinitions(server);
  const kustomize = JSON.parse(execFileSync(testbedBin('kustomize-schema'), { encoding: 'utf8', maxBuffer: 64 << 20 })) as Record<string, Definition>;
  const kinds = new Map<string, { type: string; cluster?: true; kustomize?: true }>();
  const addKinds = (defs: Record<string, Definition>, source: 'cluster' | 'kustomize') => {
    for (const [name, def] of Object.entries(defs)) {
      for (const gvk of def.gvk ?? []) {
        // Only the type that is the kind itself (not e.g. DeleteOptions, which names every group).
        if (!name.endsWith(`.${gvk.kind}`) || name.startsWith('io.k8s.apimachinery')) continue;
        // By apiVersion and kind: each version has its own type (autoscaling/v1 and v2 differ), as kustomize looks up.
        const id = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;
        const entry = kinds.get(id) ?? { type: name };
        entry[source] = true;
        kinds.set(id, entry);
      }
    }
  };
  addKinds(cluster.defs, 'cluster');
  addKinds(kustomize, 'kustomize');

  const types: Record<string, Record<string, Field>> = {};
  const done = new Map<string, boolean>();
  const visiting = new Set<string>();
  // Whether a type leads to a list with merge or pairing information in either schema; fills `types` for those.
  const visit = (name: string): boolean => {
    if (done.has(name)) return done.get(name)!;
    if (visiting.has(name)) return false;
    visiting.add(name);
    const fields: Record<string, Field> = {};
    const c = cluster.defs[name]?.fields ?? {};
    const k = kustomize[name]?.fields ?? {};
    for (const field of new Set([...Object.keys(c), ...Object.keys(k)])) {
      const cf = c[field];
      const kf = k[field];
      const f: Field = {};
      if (cf?.array && (cf.mergeKey || cf.strategy || cf.listType || cf.mapKeys)) {
        f.list = Object.fromEntries(Object.entries({ mergeKey: cf.mergeKey, strategy: cf.strategy, listType: cf.listType, mapKeys: cf.mapKeys }).filter(([, v]) => v !== undefined));
      }
      if (kf?.array && kf.strategy) f.smp = { ...(kf.mergeKey ? { mergeKey: kf.mergeKey } : {}), strategy: kf.strategy };
      if (cf?.map || kf?.map) f.map = true;
      const inner = cf?.ref || kf?.ref;
      if (inner && visit(inner)) f.type = inner;
      if (f.list || f.smp || f.type) fields[field] = f;
    }
    visiting.delete(name);
    const keep = Object.keys(fields).length > 0;
    // A type on a cycle may be judged before its cycle closes: remember only answers reached outside any cycle, or yes.
    if (!visiting.size || keep) done.set(name, keep);
    if (keep) types[name] = fields;
    return keep;
  };
  const sorted = [...kinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [, entry] of sorted) visit(entry.type);
  const sortKeys = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  const table = {
    kubernetes: cluster.version,
    kustomizeSchema: 'kyaml v0.20.1 (Kubernetes v1.21.2)',
    generatedBy: 'scripts/generate-k8s-list-types.ts',
    kinds: Object.fromEntries(sorted),
    types: sortKeys(types),
  };
  return table;
}

async function main(): Promise<void> {
  const cluster = await startTestCluster();
  try {
    const table = (await generateListTypes(cluster)) as { kinds: object; types: object; kubernetes: string };
    writeFileSync(out, JSON.stringify(table, null, 1) + '\n');
    console.log(`wrote ${out}: ${Object.keys(table.kinds).length} kinds, ${Object.keys(table.types).length} types (Kubernetes ${table.kubernetes}; kustomize's schema)`);
  } finally {
    await cluster.stop();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  });
}
