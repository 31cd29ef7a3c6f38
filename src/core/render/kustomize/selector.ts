/** Patch and replacement target selection (kustomize's resmap.Select over types.Selector). */
import { effectiveNamespace, gvkOf, nameOf, namespaceOf, type Resource } from './resource';
import { getMap, getString, type TNode } from '../../yaml/tree';

/** A `target:` / `select:` block. */
export interface Selector {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

/** Reads a selector from its YAML map. */
export function readSelector(node: TNode | undefined): Selector {
  const out: Selector = {};
  for (const k of ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'] as const) {
    const v = getString(node, k);
    if (v) out[k] = v;
  }
  return out;
}

const regexCache = new Map<string, RegExp>();

function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) regexCache.set(pattern, (re = new RegExp('^(?:' + pattern + ')$')));
  return re;
}

function matchRegex(pattern: string | undefined, value: string): boolean {
  return !pattern || anchored(pattern).test(value);
}

/** Whether a Kubernetes label selector (`a=b,c!=d,e in (x,y),!f,g`) matches a label map. */
export function matchesLabelSelector(selector: string, labels: Map<string, string>): boolean {
  const terms = selector.match(/([^,(]+(\([^)]*\))?)/g) ?? [];
  for (const raw of terms) {
    const term = raw.trim();
    if (!term) continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const values = m[3].split(',').map((s) => s.trim());
      const has = labels.has(m[1]) && values.includes(labels.get(m[1])!);
      if (m[2] === 'in' ? !has : has) return false;
    } else if ((m = /^(.+?)\s*(==|!=|=)\s*(.*)$/.exec(term))) {
      const eq = labels.get(m[1].trim()) === m[3].trim();
      if (m[2] === '!=' ? eq : !eq) return false;
    } else if (term.startsWith('!')) {
      if (labels.has(term.slice(1).trim())) return false;
    } else if (!labels.has(term)) return false;
  }
  return true;
}

function stringMap(node: TNode | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (node?.kind === 'map')
    for (const [k, v] of node.entries) if (v.kind === 'scalar') out.set(k, v.value === null ? '' : String(v.value));
  return out;
}

/** Whether the selector picks the resource (original or current name and namespace, as kustomize matches). */
export function selects(sel: Selector, res: Resource): boolean {
  const gvk = gvkOf(res);
  if (!matchRegex(sel.group, gvk.group) || !matchRegex(sel.version, gvk.version) || !matchRegex(sel.kind, gvk.kind))
    return false;
  const original = res.history[0] ?? { name: nameOf(res), namespace: namespaceOf(res) };
  if (
    sel.namespace &&
    !matchRegex(sel.namespace, effectiveNamespace(gvk, original.namespace)) &&
    !matchRegex(sel.namespace, effectiveNamespace(gvk, namespaceOf(res)))
  )
    return false;
  if (sel.name && !matchRegex(sel.name, original.name) && !matchRegex(sel.name, nameOf(res))) return false;
  const meta = getMap(res.node, 'metadata');
  if (sel.labelSelector && !matchesLabelSelector(sel.labelSelector, stringMap(meta?.entries.get('labels'))))
    return false;
  if (
    sel.annotationSelector &&
    !matchesLabelSelector(sel.annotationSelector, stringMap(meta?.entries.get('annotations')))
  )
    return false;
  return true;
}
