/**
 * The checks every read from disk goes through (docs/security.md, "Files read"): the real path (symlinks resolved)
 * must be inside the allowed root, only regular files are read, opened non-blocking so a FIFO can never hang a
 * read, and never more than the size limit. NodeFileSystem and BatchFileSystem share them.
 */
import {
  close,
  closeSync,
  constants,
  fstat,
  fstatSync,
  lstatSync,
  open,
  openSync,
  read,
  readSync,
  realpath,
  realpathSync,
  type Stats,
} from 'node:fs';
import { promisify } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES, fileError } from '../core/fileErrors';

/** Where reads may go and how much they may read. */
export interface ReadLimits {
  /** Reads whose real path is not this directory or below it are refused (EOUTSIDE). Unset: anywhere. */
  root?: string;
  /** Per-file limit in bytes (EFBIG above it). */
  maxFileBytes: number;
}

/** The environment variable that sets the per-file read limit, in MiB. */
export const MAX_FILE_MB_ENV = 'GITOPS_DRIFT_MAX_FILE_MB';

/** The per-file read limit: GITOPS_DRIFT_MAX_FILE_MB (MiB) when set, else 64 MiB. */
export function maxFileBytesFrom(env: Record<string, string | undefined> = process.env): number {
  const raw = env[MAX_FILE_MB_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_FILE_BYTES;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb <= 0)
    throw new Error(`${MAX_FILE_MB_ENV} must be a positive number of MiB, not '${raw}'`);
  return Math.floor(mb * 1024 * 1024);
}

/** How a command reads a repo: nothing outside it, each file within the limit GITOPS_DRIFT_MAX_FILE_MB sets. */
export function repoReadOptions(repoRoot: string, env: Record<string, string | undefined>): ReadLimits {
  return { root: repoRoot, maxFileBytes: maxFileBytesFrom(env) };
}

// The editor's reads go through node's callback API, not fs.promises: a FileHandle's open, stat, read and close cost
// about five times the CPU per file (bench/ui/firstLoad.mjs, "reads"), and a first opening is CPU-bound.
export const realpathAsync = promisify(realpath.native);
const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const readAsync = promisify(read);
const closeAsync = promisify(close);

// Windows has no O_NONBLOCK / O_NOFOLLOW (and no FIFOs to block on).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
const CHUNK = 1024 * 1024;

/** `/`-separated form of a native path. */
function posix(p: string): string {
  return p.replace(/\\/g, '/');
}

/** Whether `real` is `root` or below it (both real paths). */
function within(real: string, root: string): boolean {
  return real === root || real.startsWith(root.endsWith('/') ? root : root + '/');
}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Refuses what is not a regular file within the limit. */
function checkOpened(st: Stats, path: string, limits: ReadLimits): void {
  if (st.isDirectory()) throw Object.assign(new Error(`${path}: is a directory`), { code: 'EISDIR' });
  if (!st.isFile())
    throw fileError('ENOTREG', `is ${kindOf(st)}, not a regular file; only regular files are read`, { path });
  if (st.size > limits.maxFileBytes) throw tooBig(path, limits);
}

function tooBig(path: string, limits: ReadLimits): Error {
  const mib = limits.maxFileBytes / (1024 * 1024);
  const limit = Number.isInteger(mib)
    ? `${mib} MiB`
    : mib >= 1
      ? `${mib.toFixed(2)} MiB`
      : `${limits.maxFileBytes}-byte`;
  return fileError('EFBIG', `larger than the ${limit} read limit (${MAX_FILE_MB_ENV}); not read`, { path });
}

/** Real paths of roots, resolved once per adapter. */
export class Confinement {
  private realRoot: string | undefined;
  /** Real paths of folders, for an adapter of one command's run (`keepFolders`). */
  private readonly folders: Map<string, string> | undefined;

  /**
   * `keepFolders`: a folder's real path, once resolved, is taken as fixed while this adapter lives (one command's run,
   * never the editor's): a file's real path is then its folder's and its name, one lstat where realpath reads every
   * component as a link (13 syscalls a file in a home-ops repo).
   */
  constructor(
    readonly limits: ReadLimits,
    options: { keepFolders?: boolean } = {},
  ) {
    if (options.keepFolders) this.folders = new Map();
  }

  /** The real path of `path`, refused (EOUTSIDE) when outside the root. Throws ENOENT / ELOOP as realpath does. */
  realSync(path: string): string {
    const real = this.resolveSync(path);
    this.check(path, real, () => (this.realRoot ??= posix(realpathSync.native(this.limits.root!))));
    return real;
  }

  /** The real path of `path`, as realpath gives it (through the kept folders when there are). */
  resolveSync(path: string): string {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (!this.folders || slash <= 0 || name === '' || name === '.' || name === '..' || path.includes('\\'))
      return posix(realpathSync.native(path));
    // A name that is itself a link, or a path that is not there, is realpath's (its target, its error).
    let own: Stats | undefined;
    try {
      own = lstatSync(path, { throwIfNoEntry: false });
    } catch {
      own = undefined;
    }
    if (!own || own.isSymbolicLink()) return posix(realpathSync.native(path));
    const folder = path.slice(0, slash);
    let realFolder = this.folders.get(folder);
    if (realFolder === undefined) this.folders.set(folder, (realFolder = posix(realpathSync.native(folder))));
    return realFolder === '/' ? `/${name}` : `${realFolder}/${name}`;
  }

  async real(path: string): Promise<string> {
    const real = posix(await realpathAsync(path));
    if (this.limits.root !== undefined && this.realRoot === undefined)
      this.realRoot = posix(await realpathAsync(this.limits.root));
    this.check(path, real, () => this.realRoot!);
    return real;
  }

  private check(path: string, real: string, root: () => string): void {
    if (this.limits.root === undefined) return;
    const r = root();
    if (!within(real, r))
      throw fileError('EOUTSIDE', `resolves to ${real}, outside ${r} (through a symbolic link); not read`, { path });
  }

  /** A regular file's bytes, synchronously. */
  readSync(path: string): Buffer {
    const real = this.realSync(path);
    const fd = openSync(real, OPEN_FLAGS);
    try {
      const st = fstatSync(fd);
      checkOpened(st, path, this.limits);
      const reader = new Chunks(path, this.limits, st.size);
      for (let buf = reader.next(); buf; buf = reader.next()) reader.got(readSync(fd, buf, 0, buf.length, null));
      return reader.bytes();
    } finally {
      closeSync(fd);
    }
  }

  /** A regular file's bytes. */
  async read(path: string): Promise<Buffer> {
    const real = await this.real(path);
    const fd = await openAsync(real, OPEN_FLAGS);
    try {
      const st = await fstatAsync(fd);
      checkOpened(st, path, this.limits);
      const reader = new Chunks(path, this.limits, st.size);
      for (let buf = reader.next(); buf; buf = reader.next())
        reader.got((await readAsync(fd, buf, 0, buf.length, null)).bytesRead);
      return reader.bytes();
    } finally {
      await closeAsync(fd);
    }
  }
}

/**
 * Buffers for reading one file: the first holds the size fstat gave plus one byte (a short read then means the
 * end, in one read for most files); later ones continue for a file that grew, never past the limit.
 */
class Chunks {
  private readonly chunks: Buffer[] = [];
  private total = 0;
  private current: Buffer | undefined;
  private done = false;

  constructor(
    private readonly path: string,
    private readonly limits: ReadLimits,
    private readonly size: number,
  ) {}

  /** The buffer to read into next, or undefined at the end. */
  next(): Buffer | undefined {
    if (this.done) return undefined;
    const first = this.chunks.length === 0 && this.current === undefined;
    this.current = Buffer.allocUnsafe(first ? Math.min(this.size, this.limits.maxFileBytes) + 1 : CHUNK);
    return this.current;
  }

  got(n: number): void {
    const buf = this.current!;
    this.total += n;
    // The file may have grown since fstat: stop at the limit, never read on.
    if (this.total > this.limits.maxFileBytes) throw tooBig(this.path, this.limits);
    if (n > 0) this.chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    if (n < buf.length) this.done = true;
  }

  bytes(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
  }
}
