import type { DirEntry, FileSystem } from './ports';
import { normalizeAbsolute as normalize } from './paths';

/** Links followed before a path is a loop (Linux's limit). */
const MAX_LINKS = 40;

/**
 * A FileSystem over an in-memory map of absolute path → content. Directories are implied by file paths; symbolic
 * links (`symlink`) are followed by every read, as on a disk, so tests can build the trees kustomize's load
 * restrictor is about.
 */
export class MemoryFileSystem implements FileSystem {
  private readonly files = new Map<string, string>();
  private readonly links = new Map<string, string>();

  /** Paths may be given relative to `root` (default `/`). */
  constructor(
    files: Record<string, string> = {},
    readonly root = '/',
  ) {
    for (const [path, content] of Object.entries(files)) this.write(path, content);
  }

  write(path: string, content: string): void {
    this.files.set(this.absolute(path), content);
  }

  /** A symbolic link at `path` to `target` (absolute, or relative to the link's folder). */
  symlink(path: string, target: string): void {
    this.links.set(this.absolute(path), target);
  }

  /** Deletes a file, or a folder with everything in it. */
  delete(path: string): void {
    const p = this.absolute(path);
    for (const map of [this.files, this.links])
      for (const file of [...map.keys()])
        if (file === p || file.startsWith(p.replace(/\/$/, '') + '/')) map.delete(file);
  }

  async readFile(path: string): Promise<string> {
    const content = this.files.get(this.follow(path));
    if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: 'ENOENT' });
    return content;
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const dir = this.follow(path).replace(/\/$/, '') + '/';
    const entries = new Map<string, DirEntry>();
    for (const [file, isLink] of [
      ...[...this.files.keys()].map((f) => [f, false] as const),
      ...[...this.links.keys()].map((f) => [f, true] as const),
    ]) {
      if (!file.startsWith(dir)) continue;
      const rest = file.slice(dir.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      // Like a Dirent, a link itself is neither a file nor a directory.
      if (!entries.has(name)) entries.set(name, { name, isDirectory: slash >= 0, isFile: slash < 0 && !isLink });
    }
    if (entries.size === 0 && !(await this.stat(path)))
      throw Object.assign(new Error(`ENOENT: no such directory: ${path}`), { code: 'ENOENT' });
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    const p = this.follow(path);
    if (this.files.has(p)) return { isDirectory: false, isFile: true };
    const dir = p.replace(/\/$/, '') + '/';
    for (const file of this.files.keys())
      if (file.startsWith(dir) || dir === '/') return { isDirectory: true, isFile: false };
    for (const link of this.links.keys()) if (link.startsWith(dir)) return { isDirectory: true, isFile: false };
    return undefined;
  }

  async realPath(path: string): Promise<string> {
    const p = this.follow(path);
    if (!(await this.stat(p)))
      throw Object.assign(new Error(`ENOENT: no such file or directory: ${path}`), { code: 'ENOENT' });
    return p;
  }

  /** `path` with every link in it resolved; ELOOP after MAX_LINKS links. */
  private follow(path: string): string {
    let p = normalize(path);
    if (this.links.size === 0) return p;
    let hops = 0;
    for (let i = 1; i <= p.length; i++) {
      if (i < p.length && p[i] !== '/') continue;
      const prefix = p.slice(0, i);
      const target = this.links.get(prefix);
      if (target === undefined) continue;
      if (++hops > MAX_LINKS)
        throw Object.assign(new Error(`ELOOP: too many symbolic links: ${path}`), { code: 'ELOOP' });
      const parent = prefix.slice(0, prefix.lastIndexOf('/')) || '/';
      p = normalize((target.startsWith('/') ? target : parent + '/' + target) + p.slice(i));
      i = 0;
    }
    return p;
  }

  private absolute(path: string): string {
    return normalize(path.startsWith('/') ? path : this.root.replace(/\/$/, '') + '/' + path);
  }
}
