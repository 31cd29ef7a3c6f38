import { readdirSync, statSync } from 'node:fs';
import { decodeText } from '../core/decodeText';
import type { DirEntry, FileSystem } from '../core/ports';
import type { FileSystemOptions } from './nodeFileSystem';
import { Confinement, maxFileBytesFrom } from './regularFile';

/**
 * The FileSystem port over node's synchronous calls, for one-shot commands (`gitops-drift lint`): they have nothing
 * to overlap with their reads, and a promise read (open, fstat, read, close through the thread pool) costs about ten
 * times a synchronous one per file, which on a 1,000-resource repo is a tenth of the run. Same results, checks and
 * errors as NodeFileSystem. Never for the editor: it would block the extension host.
 */
export class BatchFileSystem implements FileSystem {
  private readonly confinement: Confinement;

  constructor(options: FileSystemOptions = {}) {
    // One command's run: its folders stay as they are while it reads them.
    this.confinement = new Confinement(
      { root: options.root, maxFileBytes: options.maxFileBytes ?? maxFileBytesFrom() },
      { keepFolders: true },
    );
  }

  async readFile(path: string): Promise<string> {
    return decodeText(this.confinement.readSync(path));
  }

  async readFileBytes(path: string): Promise<Uint8Array> {
    return this.confinement.readSync(path);
  }

  async readDir(path: string): Promise<DirEntry[]> {
    return readdirSync(this.confinement.realSync(path), { withFileTypes: true })
      .map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(
    path: string,
  ): Promise<{ isDirectory: boolean; isFile: boolean; mtimeMs: number; size: number } | undefined> {
    try {
      const s = statSync(path);
      return { isDirectory: s.isDirectory(), isFile: s.isFile(), mtimeMs: s.mtimeMs, size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw e;
    }
  }

  async realPath(path: string): Promise<string> {
    return this.confinement.resolveSync(path);
  }
}
