import type { FileSystem } from '../ports';
import { mapWithConcurrency } from '../pool';
import { KUSTOMIZATION_FILES } from '../render/kustomize/kustomizationFields';

/** Dependency folders, never worth descending into (`dist/` and `out/` stay: rendered-manifest repos use them). */
const SKIPPED_DIRS = new Set(['node_modules', 'vendor', '__pycache__']);

/** What a walk of the repo found: repo-relative paths with `/` separators. */
export interface RepoTree {
  /** Directories holding a kustomization file, with that file's repo-relative path. */
  kustomizations: Map<string, string>;
  /** Every `.yaml`/`.yml` file (kustomization files included). */
  yamlFiles: string[];
  /** Every `.json` file (what an ApplicationSet's git files generator may read). */
  jsonFiles: string[];
}

/**
 * Lists the repo's directories breadth-first with bounded concurrency, skipping dot-folders (.git, .github, ...)
 * and dependency folders. Reads directory entries only, never file contents.
 */
export async function walkRepo(fs: FileSystem, repoRoot: string, concurrency = 16): Promise<RepoTree> {
  const tree: RepoTree = { kustomizations: new Map(), yamlFiles: [], jsonFiles: [] };
  let level = [''];
  while (level.length) {
    const next: string[] = [];
    await mapWithConcurrency(level, concurrency, async (rel) => {
      let entries;
      try {
        entries = await fs.readDir(rel ? `${repoRoot.replace(/\/+$/, '')}/${rel}` : repoRoot);
      } catch {
        return; // vanished or unreadable folder: nothing to find there
      }
      // Anything that is not a folder counts (a symbolic link to a file, as kustomize follows it; a FIFO, which the
      // read then refuses by name instead of the folder looking empty).
      const names = new Set(entries.filter((e) => !e.isDirectory).map((e) => e.name));
      const kfile = KUSTOMIZATION_FILES.find((f) => names.has(f));
      if (kfile) tree.kustomizations.set(rel, rel ? `${rel}/${kfile}` : kfile);
      for (const e of entries) {
        const path = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory && !e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) next.push(path);
        else if (!e.isDirectory && /\.ya?ml$/i.test(e.name)) tree.yamlFiles.push(path);
        else if (!e.isDirectory && /\.json$/i.test(e.name)) tree.jsonFiles.push(path);
      }
    });
    level = next.sort();
  }
  tree.yamlFiles.sort();
  tree.jsonFiles.sort();
  return tree;
}
