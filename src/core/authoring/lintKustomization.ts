/**
 * A kustomization file as the static checks read it: the `yaml` document (for exact spans) and its fields looked
 * up the way kustomize's Go decoder matches them, case-insensitively (`Resources:` is `resources:`).
 */
import { isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { YamlFile } from '../promote/yamlText';
import { isRemote, KNOWN } from '../render/kustomizationFields';

/** One parsed kustomization file. */
export interface KustomizationSource {
  /** Repo-relative directory ('' for the repo root). */
  dir: string;
  /** Repo-relative path of the kustomization file. */
  file: string;
  yaml: YamlFile;
  /** The top-level map; undefined when the file is empty or not a map (the render reports that). */
  root: YAMLMap | undefined;
}

const KNOWN_BY_LOWER_CASE = new Map([...KNOWN].map((f) => [f.toLowerCase(), f]));

/** The kustomization field a top-level key means (`nameprefix` → `namePrefix`); undefined for unknown keys. */
export function canonicalField(key: string): string | undefined {
  return KNOWN_BY_LOWER_CASE.get(key.toLowerCase());
}

/** Reads the top-level map of a parsed kustomization file (its first document). */
export function kustomizationSource(dir: string, yaml: YamlFile): KustomizationSource {
  const contents = yaml.docs[0]?.contents;
  return { dir, file: yaml.file, yaml, root: isMap(contents) ? contents : undefined };
}

/** The text of a key node. */
export function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/** The pair of `map` whose key matches `field` case-insensitively. */
export function fieldPair(map: unknown, field: string): Pair | undefined {
  if (!isMap(map)) return undefined;
  const lower = field.toLowerCase();
  return map.items.find((p) => keyText(p).toLowerCase() === lower);
}

/** The items of a list field (none when absent or not a list). */
export function listItems(map: unknown, field: string): unknown[] {
  const value = fieldPair(map, field)?.value;
  return isSeq(value) ? value.items : [];
}

/** A string scalar with a source range, else undefined. */
function stringScalar(node: unknown): Scalar<string> | undefined {
  return isScalar(node) && typeof node.value === 'string' && node.value !== '' && node.range ? (node as Scalar<string>) : undefined;
}

/** One path a kustomization names, with the scalar that names it. */
export interface PathEntry {
  /** The field, as kustomize names it (`resources`, `patches`, `configMapGenerator`...). */
  field: string;
  /** What the path names, for messages: `resource`, `patch file`, `env file`... */
  what: string;
  /** The path, relative to the kustomization's directory (for `files: key=path`, the part after `=`). */
  path: string;
  node: Scalar<string>;
  /** Also listed in `resources:` or `bases:` (duplicates are looked for there). */
  resource: boolean;
  /** A file that holds YAML the build parses (resources, patches, replacements, configurations). */
  yaml: boolean;
}

/**
 * Every local path the kustomization names: `resources`/`bases`/`components` entries, patch files,
 * `patchesStrategicMerge` entries that are paths, generator `files`/`envs`/`env`, `configurations` and replacement
 * files. Remote references (URLs, git) are left out: nothing is fetched.
 */
export function pathEntries(root: YAMLMap | undefined): PathEntry[] {
  const out: PathEntry[] = [];
  const add = (field: string, what: string, node: unknown, options: { resource?: boolean; yaml?: boolean; keyed?: boolean } = {}) => {
    const scalar = stringScalar(node);
    if (!scalar || isRemote(scalar.value)) return;
    const eq = options.keyed ? scalar.value.indexOf('=') : -1;
    out.push({ field, what, path: eq > 0 ? scalar.value.slice(eq + 1) : scalar.value, node: scalar, resource: options.resource ?? false, yaml: options.yaml ?? false });
  };
  const yamlFile = (path: unknown) => typeof path === 'string' && /\.(ya?ml|json)$/i.test(path);
  for (const item of listItems(root, 'resources')) add('resources', 'resource', item, { resource: true, yaml: yamlFile(stringScalar(item)?.value) });
  for (const item of listItems(root, 'bases')) add('bases', 'base', item, { resource: true });
  for (const item of listItems(root, 'components')) add('components', 'component', item);
  for (const field of ['patches', 'patchesJson6902', 'replacements']) {
    for (const item of listItems(root, field)) add(field, field === 'replacements' ? 'replacements file' : 'patch file', fieldPair(item, 'path')?.value, { yaml: true });
  }
  // An entry that spans lines is an inline patch, not a path.
  for (const item of listItems(root, 'patchesStrategicMerge')) if (!stringScalar(item)?.value.includes('\n')) add('patchesStrategicMerge', 'patch file', item, { yaml: true });
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    for (const entry of listItems(root, field)) {
      for (const item of listItems(entry, 'files')) add(field, 'file', item, { keyed: true });
      for (const item of listItems(entry, 'envs')) add(field, 'env file', item);
      const env = fieldPair(entry, 'env')?.value;
      for (const item of isSeq(env) ? env.items : [env]) add(field, 'env file', item);
    }
  }
  for (const item of listItems(root, 'configurations')) add('configurations', 'configurations file', item, { yaml: true });
  return out;
}

