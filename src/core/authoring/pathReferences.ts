/**
 * The paths a kustomization file names (resources, patch files, generator inputs...), with their exact spans: what
 * document links, go to definition and path completion work on.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Scalar } from 'yaml';
import type { FileSystem } from '../ports';
import { isRemote, KUSTOMIZATION_FILES } from '../render/kustomize/kustomizationFields';
import { joinPath, normalizeRepoPath } from '../repo/config';

/** One kind of place where a kustomization names paths. */
export interface PathField {
  /** The top-level field. */
  field: string;
  /** The key inside each entry (a map) that holds the path; absent when each entry is a path itself. */
  key?: string;
  /** The key holds a list of paths (generator `files`, `envs`) rather than one. */
  list?: boolean;
  /** Entries may be `name=path` (generator `files`): the path is what follows the first `=`. */
  keyed?: boolean;
  /** What it names: a resource (folder, or a YAML or JSON file), a folder, or any file. */
  names: 'resource' | 'folder' | 'file';
  /** What one entry is called in messages (`patch file`); absent for fields the renderer never reads (`crds`). */
  what?: string;
  /** The build parses the file as YAML (patches, replacements, configurations; resources named .yaml/.yml/.json). */
  parsed?: boolean;
}

/** Every place a kustomization names paths, one row per shape. */
export const PATH_FIELDS: readonly PathField[] = [
  { field: 'resources', names: 'resource', what: 'resource', parsed: true },
  { field: 'bases', names: 'folder', what: 'base' },
  { field: 'components', names: 'folder', what: 'component' },
  // A patchesStrategicMerge entry that spans lines is an inline patch, not a path.
  { field: 'patchesStrategicMerge', names: 'file', what: 'patch file', parsed: true },
  { field: 'patches', key: 'path', names: 'file', what: 'patch file', parsed: true },
  { field: 'patchesJson6902', key: 'path', names: 'file', what: 'patch file', parsed: true },
  { field: 'replacements', key: 'path', names: 'file', what: 'replacements file', parsed: true },
  ...['configMapGenerator', 'secretGenerator'].flatMap((field): PathField[] => [
    { field, key: 'files', list: true, keyed: true, names: 'file', what: 'file' },
    { field, key: 'envs', list: true, names: 'file', what: 'env file' },
    { field, key: 'env', names: 'file', what: 'env file' },
  ]),
  { field: 'configurations', names: 'file', what: 'configurations file', parsed: true },
  { field: 'crds', names: 'file' },
];

/** One path-valued entry of a kustomization file. */
export interface PathReference {
  /** 0-based offsets of the path in the text, without quotes (for `name=path`, of the path part only). */
  start: number;
  end: number;
  /** Repo-relative target ('' for the repo root); for a remote entry, the entry as written. */
  target: string;
  /** The top-level field (`resources`, `patches`, `configMapGenerator`...). */
  field: string;
  /** A URL or git reference: never resolved. */
  remote: boolean;
}

/** The value of a top-level or entry field, matched case-insensitively as kustomize matches field names. */
function fieldValue(map: unknown, field: string): unknown {
  if (!isMap(map)) return undefined;
  const lower = field.toLowerCase();
  return map.items.find((p) => isScalar(p.key) && String(p.key.value).toLowerCase() === lower)?.value;
}

/** The nodes that hold a row's paths (scalars or not: callers keep the string scalars). */
export function pathNodes(root: unknown, row: PathField): unknown[] {
  const value = fieldValue(root, row.field);
  const entries = isSeq(value) ? value.items : [];
  if (!row.key) return entries;
  return entries.flatMap((entry) => {
    const v = fieldValue(entry, row.key!);
    return row.list ? (isSeq(v) ? v.items : []) : [v];
  });
}

/** The directory of a repo-relative file ('' at the root). */
export function directoryOf(file: string): string {
  const slash = file.lastIndexOf('/');
  return slash < 0 ? '' : file.slice(0, slash);
}

/**
 * Every path-valued entry of a kustomization file (`file` is its repo-relative path), in text order. Paths that
 * leave the repo, block scalars and multi-line values (inline patches) are left out. The text may have errors:
 * whatever the parser recovers is used.
 */
export function pathReferences(text: string, file: string): PathReference[] {
  const docs = parseAllDocuments(text);
  const root = Array.isArray(docs) ? docs[0]?.contents : undefined;
  const dir = directoryOf(file);
  const out: PathReference[] = [];
  for (const row of PATH_FIELDS) {
    for (const node of pathNodes(root, row)) {
      const ref = reference(text, node, row, dir);
      if (ref) out.push(ref);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function reference(text: string, node: unknown, row: PathField, dir: string): PathReference | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const scalar = node as Scalar<string>;
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED' || scalar.value.includes('\n'))
    return undefined;
  const quoted = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE';
  let start = scalar.range![0] + (quoted ? 1 : 0);
  const end = scalar.range![1] - (quoted ? 1 : 0);
  // Offsets follow the source; a value with escapes is spanned whole.
  const exact = text.slice(start, end) === scalar.value;
  let path = scalar.value;
  const eq = row.keyed ? path.indexOf('=') : -1;
  if (eq >= 0) {
    path = path.slice(eq + 1);
    if (exact) start += eq + 1;
  }
  if (path === '') return undefined;
  if (isRemote(path)) return { start, end, target: path, field: row.field, remote: true };
  const target = normalizeRepoPath(dir ? `${dir}/${path}` : path);
  return target === undefined ? undefined : { start, end, target, field: row.field, remote: false };
}

/**
 * The file to open for a reference: the file itself, or a directory's kustomization file (kustomization.yaml,
 * .yml or Kustomization, in kustomize's order). Undefined for remote references, a missing target and a directory
 * without a kustomization. `path` is repo-relative.
 */
export async function resolveReference(
  ref: PathReference,
  fs: FileSystem,
  repoRoot: string,
): Promise<{ path: string; isDirectory: boolean } | undefined> {
  if (ref.remote) return undefined;
  const abs = joinPath(repoRoot, ref.target);
  const stat = await fs.stat(abs).catch(() => undefined);
  if (!stat) return undefined;
  if (!stat.isDirectory) return { path: ref.target, isDirectory: false };
  const entries = await fs.readDir(abs).catch(() => []);
  const name = KUSTOMIZATION_FILES.find((n) => entries.some((e) => e.name === n && e.isFile));
  return name === undefined ? undefined : { path: ref.target ? `${ref.target}/${name}` : name, isDirectory: true };
}
