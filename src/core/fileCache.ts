/**
 * The one cache of file reads kept between renders: a FileSystem over another that answers repeated reads from
 * memory. The engine keeps the YAML/JSON texts of the repo (checked against modification stamps); the CLI's lint run
 * keeps every read. Entries stay until the caller invalidates them, so a caller that cannot tell what changed must
 * either check stamps or not use it.
 */
import type { DirEntry, FileSystem } from './ports';

type Stat = { isDirectory: boolean; isFile: boolean; mtimeMs?: number; size?: number } | undefined;

/** The stamp of a text read without asking for one: it never equals a file's, so the next check reads it again. */
const NO_STAMP = '';

/** The files the engine keeps the texts of: the YAML and JSON the renderer parses (and the editor watches). */
export const REPO_TEXTS = /\.(ya?ml|json)$/;

/** What a FileCache keeps, for what its caller can report changed. */
export interface FileCacheOptions {
  /**
   * Keep only the texts of files whose path matches (listings, stats, bytes and real paths are asked for every
   * time): for a caller whose change reports cover only those files, as the editor's watcher covers YAML and JSON.
   * Default: keep every read.
   */
  keepOnly?: RegExp;
  /**
   * Before answering from a kept text, compare the file's modification stamp (stat's mtimeMs and size) with the one it
   * had when read, where the file system has stamps: a change whose report was lost (events coalesced or dropped while
   * git rewrites a file and puts it back) is still seen. Costs a stat per read.
   */
  checkStamps?: boolean;
  /**
   * With `keepOnly`, still keep listings, stats and real paths: for a caller that takes the files as fixed for its
   * life (one CLI run), where every render of a shared base would otherwise ask for them again.
   */
  keepPaths?: boolean;
  /**
   * With `keepOnly` and `checkStamps`: a kept text's stamp, and listings, stats and real paths, are asked for once per
   * pass (`beginPass`) instead of on every call. Within a pass the files are taken as they were when first asked for,
   * except those reported changed (`invalidate` drops them): a change whose report was lost is seen in the next pass.
   * The engine begins a pass with the first render asked for while none is under way (or a load), so the 120 renders
   * of a home-ops cluster's first opening stat each file once, where a Flux child's re-reads of its parent's files cost
   * a stat each (16,800).
   */
  perPass?: boolean;
}

/** A read kept: the pending or finished promise (concurrent reads share it) and the stamp when it started. */
interface Kept<T> {
  stamp: string | undefined;
  value: Promise<T>;
}

/** `inner` with reads answered from memory until invalidated; paths are absolute. */
export class FileCache implements FileSystem {
  private readonly texts = new Map<string, Kept<string>>();
  private readonly bytes = new Map<string, Kept<Uint8Array>>();
  private readonly listings = new Map<string, Kept<DirEntry[]>>();
  private readonly stats = new Map<string, Kept<Stat>>();
  private readonly reals = new Map<string, Kept<string>>();

  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  /** Whether what is not a kept text is kept until the next pass (see FileCacheOptions.perPass). */
  private readonly passes: boolean;
  /** The texts read or checked against their stamps in this pass. */
  private readonly checkedInPass = new Set<string>();
  /**
   * Reads that failed in this pass (a file looked for and not there): not kept as texts, so that a file created later
   * is seen without a report, but answered again within the pass. A Flux child's render reads its parent's files, the
   * generated kustomization a cluster folder does not have among them: 120 children looked for it 120 times.
   */
  private readonly failedInPass = new Map<string, Promise<string>>();
  readonly realPath?: (path: string) => Promise<string>;

  constructor(
    private readonly inner: FileSystem,
    private readonly options: FileCacheOptions = {},
  ) {
    this.passes =
      options.perPass === true && options.checkStamps === true && options.keepOnly !== undefined && !options.keepPaths;
    const bytes = inner.readFileBytes?.bind(inner);
    const realPath = inner.realPath?.bind(inner);
    const keepAll = options.keepOnly === undefined || options.keepPaths === true || this.passes;
    if (bytes)
      this.readFileBytes = keepAll ? (path) => remember(this.bytes, path, undefined, () => bytes(path)) : bytes;
    if (realPath)
      this.realPath = keepAll ? (path) => remember(this.reals, path, undefined, () => realPath(path)) : realPath;
  }

  async readFile(path: string): Promise<string> {
    if (this.options.keepOnly && !this.options.keepOnly.test(path)) return this.inner.readFile(path);
    if (this.passes) return this.readInPass(path);
    const stamp = this.options.checkStamps ? await this.stampOf(path) : undefined;
    return remember(this.texts, path, stamp, () => this.inner.readFile(path));
  }

  /**
   * A text as this pass first had it. A path not kept is read without asking for its stamp (discovery reads every
   * YAML file of the repo: a stat each for nothing to compare with), and kept with none: the next pass that reads it
   * finds no stamp to compare, reads it again once and keeps its stamp from then on.
   */
  private async readInPass(path: string): Promise<string> {
    const kept = this.texts.get(path);
    if (this.checkedInPass.has(path)) {
      const known = kept?.value ?? this.failedInPass.get(path);
      if (known) return known;
    }
    this.checkedInPass.add(path);
    const stamp = kept ? await this.stampOf(path) : NO_STAMP;
    const read = remember(this.texts, path, stamp, () => this.inner.readFile(path));
    read.catch(() => this.failedInPass.set(path, read));
    return read;
  }

  readDir(path: string): Promise<DirEntry[]> {
    if (this.options.keepOnly && !this.options.keepPaths && !this.passes) return this.inner.readDir(path);
    return remember(this.listings, path, undefined, () => this.inner.readDir(path));
  }

  stat(path: string): Promise<Stat> {
    if (this.options.keepOnly && !this.options.keepPaths && !this.passes) return this.inner.stat(path);
    return remember(this.stats, path, undefined, () => this.inner.stat(path));
  }

  /** The text kept for `path`, without reading it (undefined when none is kept). */
  keptText(path: string): Promise<string> | undefined {
    return this.texts.get(path)?.value;
  }

  /**
   * Forgets `path` and, if it was a folder, everything under it (text, bytes, stat, real path, listing), and its
   * parent folder's listing (it may have been created or deleted). Call it for every file or folder saved, created
   * or deleted.
   */
  invalidate(path: string): void {
    const under = path.replace(/\/+$/, '') + '/';
    for (const map of this.keptMaps()) {
      for (const key of map.keys()) if (key === path || key.startsWith(under)) map.delete(key);
    }
    this.listings.delete(path.slice(0, Math.max(1, path.lastIndexOf('/'))));
  }

  /**
   * With `perPass`: forgets the stamps, listings, stats, real paths and bytes kept, so that the next calls ask the file
   * system again (the kept texts stay, checked against their stamps on their next read). Otherwise nothing.
   */
  beginPass(): void {
    if (!this.passes) return;
    for (const map of this.keptMaps()) if (map !== this.texts) map.clear();
    this.checkedInPass.clear();
  }

  /** Forgets everything (a branch switch, or changes the caller cannot name). */
  clear(): void {
    for (const map of this.keptMaps()) map.clear();
  }

  /** Everything kept by path. */
  private keptMaps(): Map<string, unknown>[] {
    return [this.texts, this.bytes, this.stats, this.reals, this.listings, this.failedInPass];
  }

  private async stampOf(path: string): Promise<string | undefined> {
    // Per pass, the stat kept for the pass (invalidate drops it with the text).
    const s = await (this.passes ? this.stat(path) : this.inner.stat(path)).catch(() => undefined);
    return s?.mtimeMs === undefined ? undefined : `${s.mtimeMs}:${s.size ?? ''}`;
  }
}

/**
 * The kept read for `key` unless its stamp differs from `stamp` (undefined: no stamp to compare), else a new read,
 * kept unless it fails (a missing file is not kept: creating it must be seen without a report).
 */
function remember<T>(
  map: Map<string, Kept<T>>,
  key: string,
  stamp: string | undefined,
  read: () => Promise<T>,
): Promise<T> {
  const kept = map.get(key);
  if (kept && (stamp === undefined || kept.stamp === stamp)) return kept.value;
  const entry = { stamp, value: read() };
  map.set(key, entry);
  entry.value.catch(() => {
    if (map.get(key) === entry) map.delete(key);
  });
  return entry.value;
}
