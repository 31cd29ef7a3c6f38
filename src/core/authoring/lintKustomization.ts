/**
 * A kustomization file as the static checks read it: the `yaml` document (for exact spans) and its fields looked
 * up the way kustomize's Go decoder matches them, case-insensitively (`Resources:` is `resources:`).
 */
import { isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { YamlFile } from '../yaml/yamlText';
import { isRemote, KNOWN } from '../render/kustomize/kustomizationFields';
import { PATH_FIELDS, pathNodes } from './pathReferences';

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
  return isScalar(node) && typeof node.value === 'string' && node.value !== '' && node.range
    ? (node as Scalar<string>)
    : undefined;
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
 * Every local path the kustomization names, from the one table of path-valued fields ({@link PATH_FIELDS}) that
 * links and completion also use. Remote references (URLs, git) and multi-line values (inline patches) are left out:
 * nothing is fetched, and an inline patch is not a path. `crds` is not checked: the renderer never reads it.
 */
export function pathEntries(root: YAMLMap | undefined): PathEntry[] {
  const out: PathEntry[] = [];
  for (const row of PATH_FIELDS) {
    if (!row.what) continue;
    for (const node of pathNodes(root, row)) {
      const scalar = stringScalar(node);
      if (!scalar || scalar.value.includes('\n') || isRemote(scalar.value)) continue;
      const eq = row.keyed ? scalar.value.indexOf('=') : -1;
      const path = eq > 0 ? scalar.value.slice(eq + 1) : scalar.value;
      const resource = row.field === 'resources' || row.field === 'bases';
      // A resources entry is parsed when it names a file; a folder is built as a kustomization.
      const yaml = row.parsed === true && (row.field !== 'resources' || /\.(ya?ml|json)$/i.test(path));
      out.push({ field: row.field, what: row.what, path, node: scalar, resource, yaml });
    }
  }
  return out;
}
