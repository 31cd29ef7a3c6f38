/** Where the paths a kustomization names lead: inside the repo or not, and what is there. */
import type { SourceLocation } from '../model/location';
import { ProblemError } from '../model/problem';
import type { FileSystem } from '../ports';
import { joinPath } from '../repo/config';
import { Loader } from '../render/loader';
import type { KustomizationSource, PathEntry } from './lintKustomization';

/** A path entry with what it resolves to. */
export interface ResolvedPath {
  entry: PathEntry;
  /** Repo-relative target; undefined when the path leaves the repo root. */
  target: string | undefined;
  /** What exists there; undefined when nothing does (or the path leaves the repo). */
  stat: { isDirectory: boolean; isFile: boolean } | undefined;
}

/**
 * Resolves each entry against the kustomization's directory with the renderer's own rule (kustomize's load
 * restrictor: nothing outside `repoRoot`), and stats what it names.
 */
export async function resolvePaths(fs: FileSystem, repoRoot: string, k: KustomizationSource, entries: PathEntry[]): Promise<ResolvedPath[]> {
  const loader = new Loader(fs, repoRoot);
  const dir = joinPath(repoRoot, k.dir);
  return Promise.all(
    entries.map(async (entry): Promise<ResolvedPath> => {
      let abs: string;
      try {
        abs = loader.resolve(dir, entry.path, { file: k.file, line: 0, column: 0 } satisfies SourceLocation);
      } catch (e) {
        if (e instanceof ProblemError) return { entry, target: undefined, stat: undefined };
        throw e;
      }
      const stat = await fs.stat(abs).catch(() => undefined);
      return { entry, target: loader.rel(abs), stat: stat ? { isDirectory: stat.isDirectory, isFile: stat.isFile } : undefined };
    }),
  );
}
