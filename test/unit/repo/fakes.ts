/**
 * Small stand-ins for the engine's collaborators: a renderer that reads `resources:` files only, a reconcile that
 * compares `spec`/`data` as JSON, and a cluster reader over a list of objects.
 */
import { parse } from 'yaml';
import type { EnginePipeline } from '../../../src/core/engine';
import type { ResourceDrift } from '../../../src/core/model/drift';
import { scopeKey } from '../../../src/core/model/live';
import { type KubeObject, keyOf, keyString, splitApiVersion } from '../../../src/core/model/resource';
import type { ClusterReader, ListOutcome, ResourceType } from '../../../src/core/ports';
import type { RenderedObject } from '../../../src/core/render/types';

export const fakePipeline = (calls: { render: number } = { render: 0 }): EnginePipeline => ({
  async render(app, { fs, repoRoot }) {
    calls.render++;
    const root = !('path' in app.source) || !app.source.path ? repoRoot : `${repoRoot}/${app.source.path}`;
    const rel = root.slice(repoRoot.length + 1);
    const k = parse(await fs.readFile(`${root}/kustomization.yaml`)) as { resources?: string[]; namespace?: string };
    const objects: RenderedObject[] = [];
    for (const file of k.resources ?? []) {
      const obj = parse(await fs.readFile(`${root}/${file}`)) as KubeObject;
      if (k.namespace) obj.metadata.namespace = k.namespace;
      objects.push({
        object: obj,
        key: keyOf(obj),
        origins: new Map([['', { file: `${rel}/${file}`, line: 1, column: 1, kind: 'resource' }]]),
        source: { file: `${rel}/${file}`, line: 1, column: 1 },
      });
    }
    return {
      root: rel,
      objects,
      problems: [],
      files: [`${rel}/kustomization.yaml`, ...(k.resources ?? []).map((f) => `${rel}/${f}`)],
    };
  },
  reconcile(desired, live) {
    return desired.map((d): ResourceDrift => {
      const key = d.key;
      const failure = live.failures.get(scopeKey(key.group, key.kind, key.namespace));
      if (failure)
        return { apiVersion: d.object.apiVersion, key, verdict: failure.verdict, fields: [], message: failure.message };
      const l = live.objects.get(keyString(key));
      if (!l) return { apiVersion: d.object.apiVersion, key, verdict: 'Missing', fields: [] };
      const field = d.object.spec !== undefined ? 'spec' : 'data';
      // Like the API server: stringData is stored base64-encoded in data.
      const stringData = d.object.stringData as Record<string, string> | undefined;
      const want = stringData
        ? Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))
        : d.object[field];
      const same = JSON.stringify(want) === JSON.stringify(l[field]);
      return {
        apiVersion: d.object.apiVersion,
        key,
        verdict: same ? 'InSync' : 'Drifted',
        fields: same ? [] : [{ path: `/${field}`, desired: want, live: l[field] }],
      };
    });
  },
});

/** A cluster holding `objects`; kinds in `forbidden` answer 403, kinds not in `types` are not served. */
export class FakeReader implements ClusterReader {
  lists = 0;
  /** Set by a test to make the reader watchable. */
  watch?: ClusterReader['watch'];
  constructor(
    readonly objects: KubeObject[],
    readonly types: ResourceType[],
    readonly forbidden: string[] = [],
  ) {}

  async resourceType(group: string, kind: string): Promise<ResourceType | undefined> {
    return this.types.find((t) => t.group === group && t.kind === kind);
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    this.lists++;
    if (this.forbidden.includes(type.kind))
      return {
        status: 'forbidden',
        verb: 'list',
        resource: type.resource,
        message: `user cannot list ${type.resource}`,
      };
    const items = this.objects.filter(
      (o) =>
        splitApiVersion(o.apiVersion).group === type.group &&
        o.kind === type.kind &&
        (!type.namespaced || o.metadata.namespace === namespace),
    );
    return { status: 'ok', items: structuredClone(items), resourceVersion: '1' };
  }
}

export const types: ResourceType[] = [
  { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, verbs: ['list'] },
  { group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true, verbs: ['list'] },
  { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, verbs: ['list'] },
];
