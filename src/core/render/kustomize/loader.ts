/**
 * Reads and parses files for one render: keeps every read inside the repo root (kustomize's load restrictor),
 * records which files were read (through a RecordingFileSystem), and turns YAML into origin-tracked trees, reusing
 * parses across renders (a ParseCache).
 */
import type { OriginKind, SourceLocation } from '../../model/location';
import { ProblemError } from '../../model/problem';
import type { FileSystem } from '../../ports';
import { RecordingFileSystem } from '../../recordingFileSystem';
import { IoTurns } from '../ioTurns';
import { gvkOf } from './resource';
import type { TextPlacement } from '../../yaml/fastYaml';
import { createParseCache, parseYaml, type ParseCache } from '../../yaml/parseYaml';
import { clone, type TNode } from '../../yaml/tree';
import { normalizeAbsolute as normalize } from '../../paths';
import { describeReadError, type FileError } from '../../fileErrors';

/** Whether real path `path` is `dir` or below it. */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : dir + '/');
}

/** How long a render parses before I/O that is due gets a turn. */
const IO_TURN_MS = 10;

/**
 * File access for one render. Every render reads its files again (a caller that knows when files change can keep
 * reads by passing a FileCache as the FileSystem) and re-parses only files whose text changed.
 */
export class Loader {
  /** Whether any tree handed out holds an integer beyond ±2^53 (TScalar.exact). */
  sawExact = false;

  private readonly fs: RecordingFileSystem;
  /** Real paths asked for in this render, by absolute path. */
  private readonly realPaths = new Map<string, Promise<string | undefined>>();
  private readonly ioTurns = new IoTurns(IO_TURN_MS);

  constructor(
    fs: FileSystem,
    readonly repoRoot: string,
    private readonly cache: ParseCache = createParseCache(),
  ) {
    this.fs = new RecordingFileSystem(fs, repoRoot, (abs) => this.rel(abs));
  }

  /** Repo-relative paths of every file read (that was there), in the order first read. */
  get files(): string[] {
    return this.fs.filesRead();
  }

  /** Repo-relative form of an absolute path. */
  rel(abs: string): string {
    if (abs === this.repoRoot) return '.';
    // With no repo around the files (the file system root is the repo root), a path relative to `/` reads like
    // one relative to the current directory: keep it absolute.
    if (this.repoRoot === '/') return abs;
    return abs.startsWith(this.repoRoot + '/') ? abs.slice(this.repoRoot.length + 1) : abs;
  }

  /** Resolves `path` against `dir`; a path leaving the repo root is an error at `at`. */
  resolve(dir: string, path: string, at: SourceLocation): string {
    const abs = normalize(path.startsWith('/') ? path : dir + '/' + path);
    if (abs !== this.repoRoot && !abs.startsWith(this.repoRoot === '/' ? '/' : this.repoRoot + '/')) {
      throw new ProblemError({
        severity: 'error',
        message: `'${path}' is outside the repo root ${this.repoRoot} (kustomize's load restrictor); not read`,
        location: at,
      });
    }
    return abs;
  }

  /**
   * Resolves a file a kustomization names (resource file, patch, generator input): like kustomize's default load
   * restrictor (LoadRestrictionsRootOnly), it must be in or below that kustomization's directory, as written and
   * once symbolic links are resolved (only a directory holding a kustomization may be elsewhere).
   */
  async resolveFile(dir: string, path: string, at: SourceLocation): Promise<string> {
    const abs = this.resolve(dir, path, at);
    if (!abs.startsWith(dir === '/' ? '/' : dir + '/')) {
      throw new ProblemError({
        severity: 'error',
        message: `'${path}' is outside the kustomization directory ${this.rel(dir)}; kustomize's load restrictor refuses files outside it (directories may be listed as resources)`,
        location: at,
      });
    }
    const real = await this.realPath(abs, path, at);
    if (real === undefined) return abs;
    const realDir = await this.realPath(dir, this.rel(dir), at);
    if (realDir !== undefined && !within(real, realDir)) {
      throw new ProblemError({
        severity: 'error',
        message: `${this.rel(abs)} resolves to ${real} through a symbolic link, outside the kustomization directory ${this.rel(dir)}; kustomize refuses it too (security; file is not in or below the kustomization root)`,
        location: at,
      });
    }
    return abs;
  }

  /**
   * Checks a kustomization directory (the one rendered, or one listed under resources/components): once symbolic
   * links are resolved it must still be inside the repo root. Returns its real path (undefined when unknown).
   */
  async confirmDir(abs: string, path: string, at: SourceLocation): Promise<string | undefined> {
    const real = await this.realPath(abs, path, at);
    if (real === undefined) return undefined;
    const root = await this.realPath(this.repoRoot, '.', at);
    if (root !== undefined && !within(real, root)) {
      throw new ProblemError({
        severity: 'error',
        message: `'${path}' resolves to ${real} through a symbolic link, outside the repo root ${this.repoRoot}; not read`,
        location: at,
      });
    }
    return real;
  }

  /** The real path (undefined when the FileSystem cannot tell, or nothing is there: the read reports that). */
  private realPath(abs: string, path: string, at: SourceLocation): Promise<string | undefined> {
    const realPath = this.fs.realPath?.bind(this.fs);
    if (!realPath) return Promise.resolve(undefined);
    let p = this.realPaths.get(abs);
    if (!p) {
      p = realPath(abs).catch((e: unknown) => {
        if ((e as { code?: string }).code === 'ENOENT' || (e as { code?: string }).code === 'ENOTDIR') return undefined;
        throw new ProblemError({ severity: 'error', message: `'${path}': ${describeReadError(e)}`, location: at });
      });
      this.realPaths.set(abs, p);
    }
    return p;
  }

  async stat(abs: string, at?: SourceLocation): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    try {
      return await this.fs.stat(abs);
    } catch (e) {
      // ELOOP, EACCES...: a one-line problem at the entry that named the path.
      throw new ProblemError({
        severity: 'error',
        message: `${this.rel(abs)}: ${describeReadError(e)}`,
        location: at ?? { file: this.rel(abs), line: 0, column: 0 },
      });
    }
  }

  /** Names of what is not a folder (a FIFO or a link included: reading it is what refuses it, by name). */
  async readDir(abs: string): Promise<string[]> {
    return (await this.fs.readDir(abs)).filter((e) => !e.isDirectory).map((e) => e.name);
  }

  /** Every entry of a folder, folders too (a chart folder's walk), recorded as a listing. */
  async entries(abs: string): Promise<{ name: string; isDirectory: boolean; isFile: boolean }[]> {
    return [...(await this.fs.readDir(abs))];
  }

  /** Reads a text file; a missing file is an error at `at`. */
  async readText(abs: string, at?: SourceLocation): Promise<string> {
    return this.read(abs, at, () => this.fs.readFile(abs));
  }

  /** Reads a file's bytes (through readFile as UTF-8 when the FileSystem cannot give bytes). */
  async readBytes(abs: string, at?: SourceLocation): Promise<Uint8Array> {
    const fs = this.fs;
    return this.read(abs, at, async () =>
      fs.readFileBytes ? fs.readFileBytes(abs) : Buffer.from(await fs.readFile(abs), 'utf8'),
    );
  }

  private async read<T>(abs: string, at: SourceLocation | undefined, get: () => Promise<T>): Promise<T> {
    try {
      return await get();
    } catch (e) {
      const { code, line, column, reason } = e as FileError;
      // Bad text is reported where it is; anything else at the entry that named the file.
      if (code === 'EILSEQ' && line && reason)
        throw new ProblemError({
          severity: 'error',
          message: reason,
          location: { file: this.rel(abs), line, column: column ?? 0 },
        });
      throw new ProblemError({
        severity: 'error',
        message: `${this.rel(abs)}: ${describeReadError(e)}`,
        location: at ?? { file: this.rel(abs), line: 0, column: 0 },
      });
    }
  }

  /**
   * Reads and parses a (multi-document) YAML file. Resources (`mutable`) get their own copy; kustomizations and
   * patches, which the renderer only reads, share the cached trees.
   */
  async readYaml(abs: string, kind: OriginKind, at?: SourceLocation, mutable = true): Promise<TNode[]> {
    const text = await this.readText(abs, at);
    // Parsing is most of a render: let replies that came in meanwhile be handled every few milliseconds.
    while (this.ioTurns.due) await this.ioTurns.take();
    return this.parseCached(kind + '\0' + abs, text, this.rel(abs), kind, undefined, mutable);
  }

  /** Parses YAML embedded in a file (an inline patch), cached like a file; the trees are shared, read-only. */
  parseInline(text: string, file: string, kind: OriginKind, placement: TextPlacement): TNode[] {
    return this.parseCached(
      `${kind}\0${file}:${placement.lineOffset}:${placement.firstColumnOffset}:${placement.columnOffset}`,
      text,
      file,
      kind,
      placement,
      false,
    );
  }

  private parseCached(
    key: string,
    text: string,
    file: string,
    kind: OriginKind,
    placement: TextPlacement | undefined,
    mutable: boolean,
  ): TNode[] {
    let hit = this.cache.parsed.get(key);
    if (!hit || hit.text !== text) {
      const exact = { seen: false };
      hit = { text, docs: parseYaml(text, file, kind, placement, exact), exact: exact.seen };
      // Memoized once here, the GVK rides along on every clone instead of being read again each render.
      for (const doc of hit.docs) if (doc.kind === 'map') gvkOf(doc);
      this.cache.parsed.set(key, hit);
    }
    if (hit.exact) this.sawExact = true;
    return mutable ? hit.docs.map(clone) : hit.docs;
  }
}
