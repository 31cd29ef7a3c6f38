/**
 * The one recorder of file reads: a FileSystem over another that takes down what each read returned, by
 * repo-relative path. The renderer's loader lists the files a render read from it; the engine keeps the contents to
 * tell later whether a changed file changes a render; lint counts the files it read.
 */
import { decodeText } from './decodeText';
import type { DirEntry, FileSystem } from './ports';

/** A FileSystem that remembers the content of every file read through it, by repo-relative path. */
export class RecordingFileSystem implements FileSystem {
  /** Repo-relative path → content read (undefined: the read failed, e.g. the file did not exist). */
  readonly reads = new Map<string, string | undefined>();
  /** Repo-relative folder → names of the files it listed (a file added to or removed from it changes the render). */
  readonly listings = new Map<string, Set<string>>();

  /** Bytes (generator inputs), recorded as their text, or as a marker no text equals when they are not text. */
  readonly readFileBytes?: (path: string) => Promise<Uint8Array>;
  readonly realPath?: (path: string) => Promise<string>;

  /**
   * `relative`: how an absolute path is keyed; by default the path below `repoRoot` (left absolute when outside it).
   */
  constructor(
    private readonly inner: FileSystem,
    repoRoot: string,
    private readonly relative: (path: string) => string = belowRoot(repoRoot),
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

  /** The files read that were there, by repo-relative path, in the order first read. */
  filesRead(): string[] {
    return [...this.reads].filter(([, content]) => content !== undefined).map(([path]) => path);
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

/**
 * Paths below `repoRoot` relative to it, the root itself as '' (the folder RenderCache.invalidate names for a
 * top-level file, so a file created there re-renders what listed the root); others as they are.
 */
function belowRoot(repoRoot: string): (path: string) => string {
  const trimmed = repoRoot.replace(/\/+$/, '');
  const root = trimmed + '/';
  return (path) => (path.startsWith(root) ? path.slice(root.length) : path.replace(/\/+$/, '') === trimmed ? '' : path);
}
