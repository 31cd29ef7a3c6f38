/**
 * Regenerates the committed tables of Kubernetes type knowledge in src/core/k8s/ from the test bed:
 *
 * listTypes.json, the one table of how the built-in Kubernetes types' lists merge and pair, from two schemas:
 * - the OpenAPI v3 document of its kube-apiserver (the pinned Kubernetes version): `x-kubernetes-list-type` /
 *   `x-kubernetes-list-map-keys` and the patch extensions, i.e. how the cluster pairs list items (drift);
 * - the OpenAPI schema kustomize embeds (dumped by test/testbed/kustomizeSchema): the
 *   `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy` kustomize's strategic merge patches use. It is
 *   older than the cluster's (Kubernetes v1.21.2 for kustomize v5.7.1), so a newer list (a Pod's resourceClaims) is
 *   merged by the cluster and replaced by kustomize; the renderer must do as kustomize does.
 *
 * apiFields.json, the API defaults, deprecated fields and quantity fields the same OpenAPI v3 document states (see
 * generateApiFields).
 *
 *   npx tsx scripts/generate-k8s-list-types.ts
 *
 * Only the types on a path from a kind's root to a field with one of those facts are kept.
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
  description?: string;
  default?: unknown;
  deprecated?: boolean;
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
const apiFieldsOut = join(resolve(__dirname, '..'), 'src', 'core', 'k8s', 'apiFields.json');

/** The built-in types' schemas the API server publishes in its OpenAPI v3 document, by name, and its version. */
async function clusterSchemas(
  cluster: Pick<TestCluster, 'adminRequest'>,
): Promise<{ version: string; schemas: Record<string, Schema> }> {
  const version = (await cluster.adminRequest('GET', '/version')).body.gitVersion as string;
  const index = (await cluster.adminRequest('GET', '/openapi/v3')).body as {
    paths: Record<string, { serverRelativeURL: string }>;
  };
  const schemas: Record<string, Schema> = {};
  for (const [path, { serverRelativeURL }] of Object.entries(index.paths)) {
    if (!/^(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path)) continue;
    const doc = (await cluster.adminRequest('GET', serverRelativeURL)).body as {
      components: { schemas: Record<string, Schema> };
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      // Built-in types only: a CRD installed in the cluster publishes its schema here too.
      if (name.startsWith('io.k8s.')) schemas[name] = schema;
    }
  }
  return { version, schemas };
}

const refName = (s: Schema | undefined): string | undefined =>
  (s?.$ref ?? s?.allOf?.find((a) => a.$ref)?.$ref)?.replace('#/components/schemas/', '');

async function clusterDefinitions(
  cluster: Pick<TestCluster, 'adminRequest'>,
): Promise<{ version: string; defs: Record<string, Definition> }> {
  const { version, schemas } = await clusterSchemas(cluster);
  const defs: Record<string, Definition> = {};
  for (const [name, schema] of Object.entries(schemas)) {
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
  return { version, defs };
}

/** The table, from a running test-bed API server and kustomize's schema (the integration suite checks it is current). */
export async function generateListTypes(server: Pick<TestCluster, 'adminRequest'>): Promise<object> {
  const cluster = await clusterDefinitions(server);
  const kustomize = JSON.parse(
    execFileSync(testbedBin('kustomize-schema'), { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as Record<string, Definition>;
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
        f.list = Object.fromEntries(
          Object.entries({
            mergeKey: cf.mergeKey,
            strategy: cf.strategy,
            listType: cf.listType,
            mapKeys: cf.mapKeys,
          }).filter(([, v]) => v !== undefined),
        );
      }
      if (kf?.array && kf.strategy)
        f.smp = { ...(kf.mergeKey ? { mergeKey: kf.mergeKey } : {}), strategy: kf.strategy };
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
  const sortKeys = <T>(o: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
  const table = {
    kubernetes: cluster.version,
    kustomizeSchema: 'kyaml v0.20.1 (Kubernetes v1.21.2)',
    generatedBy: 'scripts/generate-k8s-list-types.ts',
    kinds: Object.fromEntries(sorted),
    types: sortKeys(types),
  };
  return table;
}

/** One field of a kept type in the API-field table. */
interface ApiFieldEntry {
  /** The type of the value (of the items, for a list; of the values, for a map), when it leads to a fact. */
  type?: string;
  array?: true;
  map?: true;
  /** The document's `default`, when it is a non-empty scalar. */
  default?: string | number | boolean;
  /** What the description says after its "Deprecated:" marker (or `true` for `deprecated: true` without one). */
  deprecated?: string | true;
  /** The value is a resource quantity (of the items, for a list; of the values, for a map). */
  quantity?: true;
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Go doc's deprecation paragraph, as the document's descriptions carry it: "Deprecated:" (or "Deprecated." /
 * "DEPRECATED:") starting the description or a sentence. Prose that only mentions deprecation ("should be
 * considered as deprecated", "the annotation is deprecated") marks no field.
 */
const DEPRECATED_MARKER = /(?:^|[.:]\s+|\n\s*)(?:Deprecated|DEPRECATED)[:.]\s*/;

/**
 * The API defaults and deprecated fields of the built-in kinds, as the test bed's OpenAPI v3 document states them:
 * - `default` on a field: what the server fills in (`+default=` markers: a container port's protocol `TCP`) or the
 *   zero value of a field Go cannot leave out (a number or boolean that is not a pointer), which is the same to the
 *   server as leaving it out. Empty strings, maps and lists are left out: an empty value is never drift. Most of
 *   what the server defaults (a Deployment's replicas, a pod's restartPolicy) is set by defaulting code the
 *   document does not show; src/core/drift/apiDefaults.ts keeps those by hand.
 * - deprecation: `deprecated: true`, or a description with Go doc's "Deprecated:" paragraph (Kubernetes v1.35
 *   marks its fields only the second way).
 * - quantities: fields (and lists and maps) of the type `Quantity`, which the server canonicalises (`1000m` → `1`).
 */
export async function generateApiFields(server: Pick<TestCluster, 'adminRequest'>): Promise<object> {
  const { version, schemas } = await clusterSchemas(server);
  const roots = new Set<string>();
  for (const [name, schema] of Object.entries(schemas)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
      if (name.endsWith(`.${gvk.kind}`) && !name.startsWith('io.k8s.apimachinery')) roots.add(name);
    }
  }
  const entryOf = (p: Schema): ApiFieldEntry => {
    const e: ApiFieldEntry = {};
    const ref =
      p.type === 'array'
        ? refName(p.items)
        : typeof p.additionalProperties === 'object'
          ? refName(p.additionalProperties)
          : refName(p);
    if (ref) {
      if (ref === QUANTITY) e.quantity = true;
      else e.type = ref;
      if (p.type === 'array') e.array = true;
      else if (typeof p.additionalProperties === 'object') e.map = true;
    }
    if (['string', 'number', 'boolean'].includes(typeof p.default) && p.default !== '')
      e.default = p.default as string | number | boolean;
    const marker = DEPRECATED_MARKER.exec(p.description ?? '');
    if (marker)
      e.deprecated =
        (p.description ?? '')
          .slice(marker.index + marker[0].length)
          .replace(/\s+/g, ' ')
          .trim() || true;
    else if (p.deprecated) e.deprecated = true;
    return e;
  };
  // Every type a kind reaches, with its fields.
  const reached = new Map<string, Record<string, ApiFieldEntry>>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (reached.has(name) || !schemas[name]) continue;
    const fields = Object.fromEntries(Object.entries(schemas[name].properties ?? {}).map(([f, p]) => [f, entryOf(p)]));
    reached.set(name, fields);
    for (const f of Object.values(fields)) if (f.type) queue.push(f.type);
  }
  // Keep the types that lead to a fact; a fixpoint, since types nest in cycles (JSONSchemaProps).
  const kept = new Set<string>();
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, fields] of reached) {
      if (kept.has(name)) continue;
      if (
        Object.values(fields).some(
          (f) => f.default !== undefined || f.deprecated !== undefined || f.quantity || (f.type && kept.has(f.type)),
        )
      ) {
        kept.add(name);
        grew = true;
      }
    }
  }
  const types: Record<string, Record<string, ApiFieldEntry>> = {};
  for (const name of [...kept].sort()) {
    const fields: Record<string, ApiFieldEntry> = {};
    for (const [field, f] of Object.entries(reached.get(name)!).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const leads = f.type !== undefined && kept.has(f.type);
      const entry: ApiFieldEntry = {
        ...(leads ? { type: f.type } : {}),
        ...(leads || f.quantity
          ? { ...(f.array ? { array: true as const } : {}), ...(f.map ? { map: true as const } : {}) }
          : {}),
        ...(f.quantity ? { quantity: true as const } : {}),
        ...(f.default !== undefined ? { default: f.default } : {}),
        ...(f.deprecated !== undefined ? { deprecated: f.deprecated } : {}),
      };
      if (Object.keys(entry).length) fields[field] = entry;
    }
    types[name] = fields;
  }
  return { kubernetes: version, generatedBy: 'scripts/generate-k8s-list-types.ts', types };
}

async function main(): Promise<void> {
  const cluster = await startTestCluster();
  try {
    const table = (await generateListTypes(cluster)) as { kinds: object; types: object; kubernetes: string };
    writeFileSync(out, JSON.stringify(table, null, 1) + '\n');
    console.log(
      `wrote ${out}: ${Object.keys(table.kinds).length} kinds, ${Object.keys(table.types).length} types (Kubernetes ${table.kubernetes}; kustomize's schema)`,
    );
    const fields = (await generateApiFields(cluster)) as { types: Record<string, Record<string, ApiFieldEntry>> };
    writeFileSync(apiFieldsOut, JSON.stringify(fields, null, 1) + '\n');
    const all = Object.values(fields.types).flatMap((t) => Object.values(t));
    const count = (has: (f: ApiFieldEntry) => boolean) => all.filter(has).length;
    const counts = [
      `${count((f) => f.default !== undefined)} defaults`,
      `${count((f) => f.deprecated !== undefined)} deprecated fields`,
      `${count((f) => !!f.quantity)} quantity fields`,
    ];
    console.log(`wrote ${apiFieldsOut}: ${counts.join(', ')}`);
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
