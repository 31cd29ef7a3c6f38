import { decodeText } from '../decodeText';
import type { RenderResult } from '../render/types';
import type { DirEntry, FileSystem } from '../ports';

/** A FileSystem that remembers the content of every file read through it, by repo-relative path. */
export class RecordingFileSystem implements FileSystem {
  /** Repo-relative path → content read (undefined: the read failed, e.g. the file did not exist). */
  readonly reads = new Map<string, string | undefined>();
  /** Repo-relative folder → names of the files it listed (a file added to or removed from it changes the render). */
  readonly listings = new Map<string, Set<string>>();

  /** Bytes (generator inputs), recorded as their text, or as a marker no text equals when they are not text. */
  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  readonly realPath?: (path: string) => Promise<string>;

  constructor(
    private readonly inner: FileSystem,
    private readonly repoRoot: string,
  ) {
    const bytes = inner.readFileBytes?.bind(inner);
    if (bytes) {
      this.readFileBytes = async (path) => {
        try {
          const content = await bytes(path);
          this.reads.set(this.relative(path), textOrMarker(content));
          return content;
        } catch (e) {
          this.reads.set(this.relative(path), undefined);
          throw e;
        }
      };
    }
    this.realPath = inner.realPath?.bind(inner);
  }

  async readFile(path: string): Promise<string> {
    try {
      const content = await this.inner.readFile(path);
      this.reads.set(this.relative(path), content);
      return content;
    } catch (e) {
      // A missing file matters too: creating it later must re-render.
      this.reads.set(this.relative(path), undefined);
      throw e;
    }
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const entries = await this.inner.readDir(path);
    this.listings.set(this.relative(path), new Set(entries.filter((e) => e.isFile).map((e) => e.name)));
    return entries;
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    const stat = await this.inner.stat(path);
    // Looked for and not found: creating it later must re-render.
    if (!stat && !this.reads.has(this.relative(path))) this.reads.set(this.relative(path), undefined);
    return stat;
  }

  private relative(path: string): string {
    const root = this.repoRoot.replace(/\/+$/, '') + '/';
    return path.startsWith(root) ? path.slice(root.length) : path;
  }
}

/**
 * What RecordingFileSystem keeps of bytes read: their text as readFile would give it (so a change check that reads
 * the text again compares equal), else a marker that no text equals (any change then re-renders).
 */
function textOrMarker(bytes: Uint8Array): string {
  try {
    return decodeText(bytes);
  } catch {
    return `\u0000not text: ${bytes.length} bytes\u0000`;
  }
}

/** Files whose text a {@link SourceCache} keeps: the YAML and JSON the renderer parses (and the editor watches). */
const CACHED_TEXT = /\.(ya?ml|json)$/;

/**
 * Keeps the text of the YAML/JSON files renders read, so a re-render after one file changed reads (and, the text
 * being the very same string, re-parses) only that file. Valid while every change is reported through
 * {@link SourceCache.invalidate} (the engine's `fileChanged`); other files, listings and stats are always asked for.
 */
export class SourceCache implements FileSystem {
  /**
   * Absolute path → pending or finished read, with the file's modification stamp when it was read. Set when the read
   * starts, so a read racing a change is dropped with it.
   */
  private readonly texts = new Map<string, { stamp: string | undefined; text: Promise<string> }>();

  /** Bytes (generator inputs) and real paths are not kept: passed through. */
  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  readonly realPath?: (path: string) => Promise<string>;

  constructor(private readonly inner: FileSystem) {
    this.readFileBytes = inner.readFileBytes?.bind(inner);
    this.realPath = inner.realPath?.bind(inner);
  }

  async readFile(path: string): Promise<string> {
    if (!CACHED_TEXT.test(path)) return this.inner.readFile(path);
    // A change the editor's watcher did not report (events are coalesced or dropped, e.g. while git rewrites a file
    // and puts it back) must not leave a stale text here: where the file system has stamps, check them.
    const stamp = await this.stampOf(path);
    const cached = this.texts.get(path);
    if (cached && (stamp === undefined || cached.stamp === stamp)) return cached.text;
    const entry = { stamp, text: this.inner.readFile(path) };
    this.texts.set(path, entry);
    // A failed read (missing file) is not kept: creating the file must be seen without a report.
    entry.text.catch(() => {
      if (this.texts.get(path) === entry) this.texts.delete(path);
    });
    return entry.text;
  }

  private async stampOf(path: string): Promise<string | undefined> {
    const s = await this.inner.stat(path).catch(() => undefined);
    return s?.mtimeMs === undefined ? undefined : `${s.mtimeMs}:${s.size ?? ''}`;
  }

  readDir(path: string): Promise<DirEntry[]> {
    return this.inner.readDir(path);
  }

  stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    return this.inner.stat(path);
  }

  /** Forgets `path` and, if it was a folder, everything under it (absolute paths). */
  invalidate(path: string): void {
    const prefix = path.replace(/\/+$/, '') + '/';
    for (const key of this.texts.keys()) if (key === path || key.startsWith(prefix)) this.texts.delete(key);
  }
}

interface Entry {
  result: RenderResult;
  /** The content each file had when rendered (undefined = it did not exist). */
  inputs: Map<string, string | undefined>;
  listings: Map<string, Set<string>>;
}

/**
 * Render results per kustomization root, valid as long as the files the render read keep their content.
 * A changed file invalidates only the roots that read it, and only when its content really changed (an editor
 * save without edits, a touch, or a branch switch that restores the same bytes re-renders nothing).
 */
export class RenderCache {
  private readonly entries = new Map<string, Entry>();

  get(root: string): RenderResult | undefined {
    return this.entries.get(root)?.result;
  }

  set(root: string, result: RenderResult, reads: Map<string, string | undefined>, listings = new Map<string, Set<string>>()): void {
    const inputs = new Map(reads);
    // The renderer's own list may name files it read another way (it never should, but a stale cache is worse).
    for (const f of result.files) if (!inputs.has(f)) inputs.set(f, reads.get(f));
    this.entries.set(root, { result, inputs, listings: new Map(listings) });
  }

  /** Roots whose render read `file` (repo-relative). */
  rootsReading(file: string): string[] {
    return [...this.entries].filter(([, e]) => e.inputs.has(file)).map(([root]) => root);
  }

  /**
   * Drops the roots whose recorded content of `file` differs from `content` (undefined = the file is gone) and
   * returns them.
   */
  invalidate(file: string, content: string | undefined): string[] {
    const stale: string[] = [];
    const slash = file.lastIndexOf('/');
    const dir = slash < 0 ? '' : file.slice(0, slash);
    const name = file.slice(slash + 1);
    // A deleted folder comes as one change for the folder: everything read under it is gone too.
    const under = content === undefined ? file.replace(/\/+$/, '') + '/' : undefined;
    for (const [root, e] of this.entries) {
      const listed = e.listings.get(dir);
      const appearedOrVanished = listed !== undefined && listed.has(name) !== (content !== undefined);
      const folderGone = under !== undefined && [...e.inputs.keys()].some((f) => f.startsWith(under));
      if ((e.inputs.has(file) && e.inputs.get(file) !== content) || appearedOrVanished || folderGone) {
        this.entries.delete(root);
        stale.push(root);
      }
    }
    return stale;
  }

  clear(): void {
    this.entries.clear();
  }
}
