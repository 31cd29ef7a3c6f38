import { promises as fs } from 'node:fs';
import type { DirEntry, FileSystem } from '../core/ports';

/** The FileSystem port over node's fs. */
export class NodeFileSystem implements FileSystem {
  readFile(path: string): Promise<string> {
    return fs.readFile(path, 'utf8');
  }

  readFileBytes(path: string): Promise<Uint8Array> {
    return fs.readFile(path);
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const entries = await fs.readdir(path, { withFileTypes: true });
    return entries
      .map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean; mtimeMs: number; size: number } | undefined> {
    try {
      const s = await fs.stat(path);
      return { isDirectory: s.isDirectory(), isFile: s.isFile(), mtimeMs: s.mtimeMs, size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
  }
}
