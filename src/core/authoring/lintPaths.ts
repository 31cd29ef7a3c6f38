/** Where the paths a kustomization names lead: inside the repo or not, and what is there. */
import type { SourceLocation } from '../model/location';
import { ProblemError } from '../model/problem';
import { describeReadError } from '../fileErrors';
import type { FileSystem } from '../ports';
import { joinPath } from '../repo/config';
import { editDistance } from '../repo/didYouMean';
import { Loader } from '../render/kustomize/loader';
import type { KustomizationSource, PathEntry } from './lintKustomization';

/** A path entry with what it resolves to. */
export interface ResolvedPath {
  entry: PathEntry;
  /** Repo-relative target; undefined when the path leaves the repo root. */
  target: string | undefined;
  /** What exists there; undefined when nothing does (or the path leaves the repo). */
  stat: { isDirectory: boolean; isFile: boolean } | undefined;
  /** For a missing path: the entry as written with its last segment replaced by a near name that exists there. */
  suggestion?: string;
  /** Why a path that is there cannot be followed (a symbolic link loop), instead of "not found". */
  unreadable?: string;
}

/**
 * What is known to exist without asking the file system: the files successful renders read, and their folders.
 * A kustomization of 1,000 resources names 1,000 paths the environment's render has just read.
 */
export class KnownPaths {
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();

  constructor(files: Iterable<string>) {
    for (const file of files) {
      this.files.add(file);
      for (let slash = file.lastIndexOf('/'); slash > 0; slash = file.lastIndexOf('/', slash - 1)) {
        const dir = file.slice(0, slash);
        if (this.dirs.has(dir)) break;
        this.dirs.add(dir);
      }
    }
  }

  /** What is at a repo-relative path, when known. */
  stat(path: string): { isDirectory: boolean; isFile: boolean } | undefined {
    if (this.files.has(path)) return { isDirectory: false, isFile: true };
    if (this.dirs.has(path) || path === '') return { isDirectory: true, isFile: false };
    return undefined;
  }

  /** Whether a render read this file (and so parsed it, if it is YAML the build parses). */
  has(file: string): boolean {
    return this.files.has(file);
  }
}

/**
 * Resolves each entry against the kustomization's directory with the renderer's own rule (kustomize's load
 * restrictor: nothing outside `repoRoot`), and stats what it names (`known` first, then the file system).
 */
export async function resolvePaths(
  fs: FileSystem,
  repoRoot: string,
  k: KustomizationSource,
  entries: PathEntry[],
  known: KnownPaths = new KnownPaths([]),
): Promise<ResolvedPath[]> {
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
      const target = abs === loader.repoRoot ? '' : loader.rel(abs);
      let unreadable: string | undefined;
      const stat =
        known.stat(target) ??
        (await fs.stat(abs).catch((e: unknown) => {
          unreadable = describeReadError(e);
          return undefined;
        }));
      if (stat) return { entry, target, stat: { isDirectory: stat.isDirectory, isFile: stat.isFile } };
      if (unreadable) return { entry, target, stat: undefined, unreadable };
      const suggestion = await nearName(fs, abs, entry.path);
      return { entry, target, stat: undefined, ...(suggestion ? { suggestion } : {}) };
    }),
  );
}

/**
 * A typo's likely fix: a name in the missing path's folder within two edits of its last segment (or differing only in
 * case), spliced into the path as written. Undefined when the folder is missing too, or nothing is that close.
 */
async function nearName(fs: FileSystem, abs: string, written: string): Promise<string | undefined> {
  const slash = abs.lastIndexOf('/');
  const wanted = abs.slice(slash + 1);
  const names = await fs.readDir(abs.slice(0, slash) || '/').catch(() => []);
  // The name itself is no fix: it is there but cannot be followed (a symbolic link loop or a dangling link).
  const scored = names
    .filter((e) => e.name !== wanted)
    .map((e) => ({
      name: e.name,
      distance: e.name.toLowerCase() === wanted.toLowerCase() ? 0 : editDistance(e.name, wanted),
    }))
    .filter((c) => c.distance <= 2);
  const best = scored.sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))[0];
  if (!best || !written.endsWith(wanted)) return undefined;
  return written.slice(0, written.length - wanted.length) + best.name;
}
