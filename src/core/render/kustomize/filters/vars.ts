/**
 * Legacy `vars:` (kustomize's var expansion, run once at the root after name fix-ups): `$(NAME)` in the fields of
 * kustomize's varReference config becomes the value of another object's field.
 */
import type { Origin } from '../../../model/location';
import { ProblemError } from '../../../model/problem';
import { visitFieldSpecs, type FieldSpec } from '../fieldSpec';
import { gvkOf, nameOf, namespaceOf, type Resource } from '../resource';
import { getMap, getString, tscalar, type TMap, type TNode } from '../../../yaml/tree';

/** One declared var, with the line that declares it. */
export interface Var {
  name: string;
  kind: string;
  objName: string;
  apiVersion: string;
  namespace: string;
  fieldPath: string;
  origin: Origin;
}

/** Reads a `vars:` entry. */
export function readVar(node: TMap): Var {
  const objref = getMap(node, 'objref');
  return {
    name: getString(node, 'name'),
    kind: getString(objref, 'kind'),
    objName: getString(objref, 'name'),
    apiVersion: getString(objref, 'apiVersion'),
    namespace: getString(objref, 'namespace'),
    fieldPath:
      getString(getMap(node, 'fieldref'), 'fieldpath') ||
      getString(getMap(node, 'fieldref'), 'fieldPath') ||
      'metadata.name',
    origin: node.origin,
  };
}

const pods: Array<[string, string]> = [
  ['CronJob', 'spec/jobTemplate/spec/template/'],
  ['DaemonSet', 'spec/template/'],
  ['Deployment', 'spec/template/'],
  ['Job', 'spec/template/'],
  ['Pod', ''],
  ['ReplicaSet', 'spec/template/'],
  ['StatefulSet', 'spec/template/'],
];

/** api/konfig/builtinpluginconsts/varreference.go. */
const varReferences: FieldSpec[] = [
  ...pods.flatMap(([kind, prefix]) =>
    ['containers', 'initContainers'].flatMap((c) =>
      ['args', 'command', 'env/value', 'volumeMounts/mountPath'].map((f) => ({
        kind,
        path: `${prefix}spec/${c}/${f}`,
      })),
    ),
  ),
  ...pods
    .filter(([kind]) => kind !== 'StatefulSet')
    .map(([kind, prefix]) => ({ kind, path: `${prefix}spec/volumes/nfs/server` })),
  { kind: 'StatefulSet', path: 'spec/volumeClaimTemplates/spec/nfs/server' },
  { kind: 'Ingress', path: 'spec/rules/host' },
  { kind: 'Ingress', path: 'spec/tls/hosts' },
  { kind: 'Ingress', path: 'spec/tls/secretName' },
  { kind: 'Service', path: 'spec/ports/port' },
  { kind: 'Service', path: 'spec/ports/targetPort' },
  { kind: 'PersistentVolume', path: 'spec/nfs/server' },
  { path: 'metadata/labels' },
  { path: 'metadata/annotations' },
];

function fieldValue(node: TNode, path: string): TNode | undefined {
  let cur: TNode | undefined = node;
  for (const part of path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)) {
    if (cur?.kind === 'map') cur = cur.entries.get(part);
    else if (cur?.kind === 'seq' && /^\d+$/.test(part)) cur = cur.items[Number(part)];
    else return undefined;
  }
  return cur;
}

/** Expands `$(NAME)`; `$$` is a literal `$`; unknown names stay as they are (Kubernetes' expansion rules). */
export function expand(text: string, values: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : (values.get(name!) ?? m),
  );
}

function expandNode(node: TNode, values: Map<string, string>): TNode {
  if (node.kind === 'scalar') {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return node;
    const next = expand(node.value, values);
    return next === node.value ? node : tscalar(next, node.origin);
  }
  if (node.kind === 'seq') node.items = node.items.map((i) => expandNode(i, values));
  else for (const [k, v] of node.entries) node.entries.set(k, expandNode(v, values));
  return node;
}

/** Resolves every var against the final objects and expands references (plus `varReference` from `configurations:`). */
export function applyVars(resources: Resource[], vars: Var[], extraReferences: readonly FieldSpec[] = []): void {
  if (vars.length === 0) return;
  const references = extraReferences.length > 0 ? [...varReferences, ...extraReferences] : varReferences;
  const values = new Map<string, string>();
  for (const v of vars) {
    if (values.has(v.name))
      throw new ProblemError({ severity: 'error', message: `var '${v.name}' is declared twice`, location: v.origin });
    const group = v.apiVersion.includes('/') ? v.apiVersion.split('/')[0] : '';
    const matches = resources.filter((r) => {
      const g = gvkOf(r);
      if (g.kind !== v.kind || (v.apiVersion && g.group !== group)) return false;
      if (v.namespace && namespaceOf(r) !== v.namespace && !r.history.some((h) => h.namespace === v.namespace))
        return false;
      return nameOf(r) === v.objName || r.history.some((h) => h.name === v.objName);
    });
    if (matches.length !== 1) {
      throw new ProblemError({
        severity: 'error',
        message: `var '${v.name}' refers to ${matches.length === 0 ? 'no object' : 'several objects'} (${v.kind} ${v.objName})`,
        location: v.origin,
      });
    }
    const found = fieldValue(matches[0].node, v.fieldPath);
    if (found?.kind !== 'scalar')
      throw new ProblemError({
        severity: 'error',
        message: `var '${v.name}': field '${v.fieldPath}' not found in ${v.kind} ${v.objName}`,
        location: v.origin,
      });
    values.set(v.name, found.value === null ? '' : String(found.value));
  }
  for (const res of resources) {
    visitFieldSpecs(res, references, res.node.origin, (parent, key) => {
      const value = parent.entries.get(key);
      if (value) parent.entries.set(key, expandNode(value, values));
    });
  }
}
