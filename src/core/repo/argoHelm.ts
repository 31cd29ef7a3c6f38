/**
 * What an Argo CD Application's source says for Helm (`helm:`), and the `ref:` sources of a multi-source Application
 * that its value files name as `$ref/…`, read from the manifest with the line of each entry (render/argo/helm.ts
 * renders with them). Field meanings are Argo CD's (`ApplicationSourceHelm`, `pkg/apis/application/v1alpha1`).
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { ArgoHelm } from '../model/environment';
import type { FileLocator } from '../yaml/yamlLocate';

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
  } else {
    const values = helm.get('values', true);
    // `values` is a string; an object written there is read as Argo CD's API reads it, as YAML text.
    if (isScalar(values) && values.value !== null && String(values.value) !== '') {
      out.values = String(values.value);
      out.valuesAt = loc.of(values as Node);
    } else if (isMap(values)) {
      out.valuesObject = values.toJSON() as Record<string, unknown>;
      out.valuesAt = loc.of(values as Node);
    }
  }
  const parameters = helm.get('parameters', true);
  if (isSeq(parameters))
    out.parameters = parameters.items.flatMap((item) => {
      if (!isMap(item)) return [];
      const name = item.get('name');
      if (name === undefined || name === null) return [];
      const value = item.get('value');
      return [
        {
          name: String(name),
          value: value === undefined || value === null ? '' : String(value),
          forceString: item.get('forceString') === true,
          at: loc.of(item as Node),
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
