import type { DirEntry, FileSystem } from './ports';
import { normalizeAbsolute as normalize } from './paths';

/** A FileSystem over an in-memory map of absolute path → content. Directories are implied by file paths. */
export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, string>();

  /** Paths may be given relative to `root` (default `/`). */
  constructor(files: Record<string, string> = {}, readonly root = '/') {
    for (const [path, content] of Object.entries(files)) this.write(path, content);
  }

  write(path: string, content: string): void {
    this.files.set(this.absolute(path), content);
  }

  /** Deletes a file, or a folder with everything in it. */
  delete(path: string): void {
    const p = this.absolute(path);
    for (const file of [...this.files.keys()]) if (file === p || file.startsWith(p.replace(/\/$/, '') + '/')) this.files.delete(file);
  }

  async readFile(path: string): Promise<string> {
    const content = this.files.get(normalize(path));
    if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: 'ENOENT' });
    return content;
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const dir = normalize(path).replace(/\/$/, '') + '/';
    const entries = new Map<string, DirEntry>();
    for (const file of this.files.keys()) {
      if (!file.startsWith(dir)) continue;
      const rest = file.slice(dir.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!entries.has(name)) entries.set(name, { name, isDirectory: slash >= 0, isFile: slash < 0 });
    }
    if (entries.size === 0 && !(await this.stat(path))) throw Object.assign(new Error(`ENOENT: no such directory: ${path}`), { code: 'ENOENT' });
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    const p = normalize(path);
    if (this.files.has(p)) return { isDirectory: false, isFile: true };
    const dir = p.replace(/\/$/, '') + '/';
    for (const file of this.files.keys()) if (file.startsWith(dir) || dir === '/') return { isDirectory: true, isFile: false };
    return undefined;
  }

  private absolute(path: string): string {
    return normalize(path.startsWith('/') ? path : this.root.replace(/\/$/, '') + '/' + path);
  }
}
