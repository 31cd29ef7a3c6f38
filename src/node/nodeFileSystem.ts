import { readdir, stat } from 'node:fs';
import { promisify } from 'node:util';
import { decodeText } from '../core/decodeText';
import type { DirEntry, FileSystem } from '../core/ports';
import { Confinement, maxFileBytesFrom, realpathAsync } from './regularFile';

const readdirAsync = promisify(readdir);
const statAsync = promisify(stat);

/** Where an adapter may read: see ReadLimits (src/node/regularFile.ts). */
export interface FileSystemOptions {
  /** Reads and listings whose real path leaves this directory are refused (the repo root). */
  root?: string;
  /** Per-file limit in bytes; default GITOPS_DRIFT_MAX_FILE_MB or 64 MiB. */
  maxFileBytes?: number;
}

/**
 * The FileSystem port over node's fs. Reads only regular files, within the size limit and (with `root`) inside the
 * root after symlinks are resolved; text is decoded strictly (src/core/decodeText.ts).
 */
export class NodeFileSystem implements FileSystem {
  private readonly confinement: Confinement;

  constructor(options: FileSystemOptions = {}) {
    this.confinement = new Confinement({
      root: options.root,
      maxFileBytes: options.maxFileBytes ?? maxFileBytesFrom(),
    });
  }

  async readFile(path: string): Promise<string> {
    return decodeText(await this.confinement.read(path));
  }

  readFileBytes(path: string): Promise<Uint8Array> {
    return this.confinement.read(path);
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const real = await this.confinement.real(path);
    const entries = await readdirAsync(real, { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(
    path: string,
  ): Promise<{ isDirectory: boolean; isFile: boolean; mtimeMs: number; size: number } | undefined> {
    try {
      const s = await statAsync(path);
      return { isDirectory: s.isDirectory(), isFile: s.isFile(), mtimeMs: s.mtimeMs, size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw e;
    }
  }

  async realPath(path: string): Promise<string> {
    return (await realpathAsync(path)).replace(/\\/g, '/');
  }
}
