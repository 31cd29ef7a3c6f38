/**
 * What an Argo CD Application's source says for Helm (`helm:`), and the `ref:` sources of a multi-source Application
 * that its value files name as `$ref/…`, read from the manifest with the line of each entry (render/argo/helm.ts
 * renders with them). Field meanings are Argo CD's (`ApplicationSourceHelm`, `pkg/apis/application/v1alpha1`).
 */
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { ArgoHelm } from '../model/environment';
import type { SourceLocation } from '../model/location';
import { parseYaml } from '../yaml/parseYaml';
import { childPointer } from '../yaml/pointer';
import { collectOrigins } from '../yaml/tree';
import { FixedLocator, type FileLocator } from '../yaml/yamlLocate';

/** The source's `helm:` block, or undefined without one. */
export function readArgoHelm(source: YAMLMap, loc: FileLocator): ArgoHelm | undefined {
  const helm = source.get('helm', true);
  if (!isMap(helm)) return undefined;
  const text = (key: string): string | undefined => {
    const v = helm.get(key);
    return v === undefined || v === null ? undefined : String(v);
  };
  const flag = (key: string) => helm.get(key) === true;
  const out: ArgoHelm = {};
  // An Application built in memory (an ApplicationSet's, an app-of-apps chart's) has one place for every node: its
  // values have no line of their own, so they are not traced (values-line origins).
  const inMemory = loc instanceof FixedLocator;
  const valueFiles = helm.get('valueFiles', true);
  if (isSeq(valueFiles))
    out.valueFiles = valueFiles.items.flatMap((item) =>
      isScalar(item) && item.value !== null ? [{ value: String(item.value), at: loc.of(item as Node) }] : [],
    );
  if (flag('ignoreMissingValueFiles')) out.ignoreMissingValueFiles = true;
  const valuesObject = helm.get('valuesObject', true);
  if (isMap(valuesObject)) {
    out.valuesObject = valuesObject.toJSON() as Record<string, unknown>;
    out.valuesAt = loc.of(valuesObject as Node);
    if (!inMemory) out.valuesOrigins = leafLines(valuesObject as Node, loc);
  } else {
    const values = helm.get('values', true);
    // `values` is a string; an object written there is read as Argo CD's API reads it, as YAML text.
    if (isScalar(values) && values.value !== null && String(values.value) !== '') {
      out.values = String(values.value);
      out.valuesAt = loc.of(values as Node);
      const lines = inMemory ? undefined : textLeafLines(values, loc);
      if (lines) out.valuesOrigins = lines;
    } else if (isMap(values)) {
      out.valuesObject = values.toJSON() as Record<string, unknown>;
      out.valuesAt = loc.of(values as Node);
      if (!inMemory) out.valuesOrigins = leafLines(values as Node, loc);
    }
  }
  const parameters = helm.get('parameters', true);
  if (isSeq(parameters))
    out.parameters = parameters.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      if (name === undefined || name === null) return [];
      const value = item.get('value');
      const valueNode = item.get('value', true) as Node | undefined;
      return [
        {
          name: String(name),
          value: value === undefined || value === null ? '' : String(value),
          forceString: item.get('forceString') === true,
          at: loc.of(item as Node),
          ...(valueNode && !inMemory ? { valueAt: loc.of(valueNode) } : {}),
        },
      ];
    });
  const fileParameters = helm.get('fileParameters', true);
  if (isSeq(fileParameters))
    out.fileParameters = fileParameters.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      const path = item.get('path');
      if (name === undefined || name === null || path === undefined || path === null) return [];
      return [{ name: String(name), path: String(path), at: loc.of(item as Node) }];
    });
  for (const key of ['releaseName', 'namespace', 'kubeVersion', 'version'] as const) {
    const v = text(key);
    if (v) out[key] = v;
  }
  if (flag('skipCrds')) out.skipCrds = true;
  if (flag('skipSchemaValidation')) out.skipSchemaValidation = true;
  if (flag('skipTests')) out.skipTests = true;
  const apiVersions = helm.get('apiVersions', true);
  if (isSeq(apiVersions))
    out.apiVersions = apiVersions.items.flatMap((i) => (isScalar(i) && i.value !== null ? [String(i.value)] : []));
  return out;
}

/**
 * The `ref:` sources of an Application's `sources:` (`$NAME` names them in value files): each a folder of this repo
 * (its root: Argo CD reads `$ref/x` from there, whatever the ref source's path) when `isThisRepo(repoURL)`, else `outside` with its repoURL.
 */
export function argoRefs(
  sources: readonly YAMLMap[],
  isThisRepo: (repoURL: string) => boolean,
): Record<string, { path: string } | { outside: string }> | undefined {
  const refs: Record<string, { path: string } | { outside: string }> = {};
  for (const s of sources) {
    const ref = s.get('ref');
    if (typeof ref !== 'string' || !ref) continue;
    const repoURL = typeof s.get('repoURL') === 'string' ? String(s.get('repoURL')) : '';
    // `$ref/x` is from the ref repo's root whatever the ref source's own path (getResolvedRefValueFile).
    refs[ref] = isThisRepo(repoURL) ? { path: '' } : { outside: repoURL || '(no repoURL)' };
  }
  return Object.keys(refs).length ? refs : undefined;
}

/** The line of each scalar under `node` (a `valuesObject`), by JSON pointer inside it. */
function leafLines(node: Node, loc: FileLocator): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  const walk = (n: unknown, at: string): void => {
    if (isMap(n)) {
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) walk(pair.value, childPointer(at, key));
      }
    } else if (isSeq(n)) n.items.forEach((item, i) => walk(item, `${at}/${i}`));
    else if (isScalar(n)) out[at] = loc.of(n);
  };
  walk(node, '');
  return out;
}

/**
 * The line of each leaf of a `values: |` text, by JSON pointer: its content starts on the line after the `|`. Other
 * scalar styles (quoted, folded) give none.
 */
function textLeafLines(node: Scalar, loc: FileLocator): Record<string, SourceLocation> | undefined {
  if (node.type !== 'BLOCK_LITERAL') return undefined;
  const first = loc.of(node);
  try {
    const tree = parseYaml(String(node.value), loc.file, 'resource', {
      lineOffset: first.line,
      firstColumnOffset: 0,
      columnOffset: 0,
    })[0];
    if (!tree) return undefined;
    const out: Record<string, SourceLocation> = {};
    for (const [pointer, origin] of collectOrigins(tree))
      out[pointer] = { file: origin.file, line: origin.line, column: origin.column };
    return out;
  } catch {
    // A values text that does not parse is reported by the render; it has no lines to point at.
    return undefined;
  }
}
