/**
 * File reads kept between renders, for callers that know when files change (the editor sees every save, the
 * engine every watcher event): a warm render then reads, lists and stats nothing. Entries stay until the caller
 * invalidates them, so a caller that cannot tell what changed must not use it.
 */
import type { DirEntry, FileSystem } from '../ports';

type Stat = { isDirectory: boolean; isFile: boolean } | undefined;

/** Promises of earlier reads, by absolute path (concurrent reads of one file share one read). */
export class FileCache {
  private readonly texts = new Map<string, Promise<string>>();
  private readonly bytes = new Map<string, Promise<Uint8Array>>();
  private readonly listings = new Map<string, Promise<DirEntry[]>>();
  private readonly stats = new Map<string, Promise<Stat>>();
  private readonly reals = new Map<string, Promise<string>>();

  /**
   * Forgets `path` (absolute): its text, bytes, stat, real path and listing, and its parent directory's listing (the file
   * may have been created or deleted). Call it for every file or directory saved, created or deleted.
   */
  invalidate(path: string): void {
    this.texts.delete(path);
    this.bytes.delete(path);
    this.stats.delete(path);
    this.reals.delete(path);
    this.listings.delete(path);
    this.listings.delete(path.slice(0, Math.max(1, path.lastIndexOf('/'))));
  }

  /** Forgets everything (a branch switch, or changes the caller cannot name). */
  clear(): void {
    this.texts.clear();
    this.bytes.clear();
    this.listings.clear();
    this.stats.clear();
    this.reals.clear();
  }

  /** `fs` with reads answered from this cache where possible. */
  over(fs: FileSystem): FileSystem {
    const readFileBytes = fs.readFileBytes?.bind(fs);
    const realPath = fs.realPath?.bind(fs);
    return {
      readFile: (path) => remember(this.texts, path, () => fs.readFile(path)),
      readFileBytes: readFileBytes && ((path) => remember(this.bytes, path, () => readFileBytes(path))),
      readDir: (path) => remember(this.listings, path, () => fs.readDir(path)),
      stat: (path) => remember(this.stats, path, () => fs.stat(path)),
      realPath: realPath && ((path) => remember(this.reals, path, () => realPath(path))),
    };
  }
}

/** The kept promise for `key`, or a new read kept unless it fails (a failure is retried on the next render). */
function remember<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (p === undefined) {
    p = read();
    map.set(key, p);
    p.catch(() => {
      if (map.get(key) === p) map.delete(key);
    });
  }
  return p;
}
