/**
 * The repo folder at one commit, from git objects: a tree (path → blob id) that history moves from commit to commit
 * by applying each commit's changed paths, and a FileSystem over it whose reads come from the blobs. One tree serves
 * a whole walk: renders run one after another, each at the commit the tree is at.
 */
import type { ChangedPath, DirEntry, FileSystem } from '../ports';

/** path → blob id, with each folder's entries kept so listing and stat cost nothing per call. */
export class MovingTree {
  readonly files = new Map<string, string>();
  /** Folder ('' for the root) → entry name → files below it (1 for a file). */
  private readonly folders = new Map<string, Map<string, number>>([['', new Map()]]);

  constructor(files?: Iterable<[string, string]>) {
    if (files) for (const [path, blob] of files) this.set(path, blob);
  }

  /** Applies one commit's changes. */
  apply(changes: readonly ChangedPath[]): void {
    for (const c of changes) {
      if (c.status === 'D') this.remove(c.path);
      else if (c.blob) this.set(c.path, c.blob);
    }
  }

  set(path: string, blob: string): void {
    if (!this.files.has(path)) this.count(path, 1);
    this.files.set(path, blob);
  }

  remove(path: string): void {
    if (!this.files.delete(path)) return;
    this.count(path, -1);
  }

  /** The entries of a folder, undefined when it does not exist. */
  entries(folder: string): Map<string, number> | undefined {
    return this.folders.get(folder);
  }

  isFolder(path: string): boolean {
    return this.folders.has(path);
  }

  private count(path: string, delta: number): void {
    const parts = path.split('/');
    const chain: string[] = [];
    let folder = '';
    for (let i = 0; i < parts.length; i++) {
      chain.push(folder);
      let entries = this.folders.get(folder);
      if (!entries) this.folders.set(folder, (entries = new Map()));
      const n = (entries.get(parts[i]) ?? 0) + delta;
      if (n > 0) entries.set(parts[i], n);
      else entries.delete(parts[i]);
      folder = folder ? `${folder}/${parts[i]}` : parts[i];
    }
    // Folders left empty are gone, as in git (the root stays).
    for (const f of chain) if (f && !this.folders.get(f)?.size) this.folders.delete(f);
  }
}

/** A FileSystem over a MovingTree under `repoRoot`; contents by blob id from `readBlob` (which should cache). */
export class TreeFileSystem implements FileSystem {
  constructor(
    private readonly tree: MovingTree,
    private readonly repoRoot: string,
    private readonly readBlob: (id: string) => Promise<string>,
  ) {}

  async readFile(path: string): Promise<string> {
    const id = this.tree.files.get(this.relative(path));
    if (id === undefined) throw Object.assign(new Error(`ENOENT: no such file: ${path}`), { code: 'ENOENT' });
    return this.readBlob(id);
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const folder = this.relative(path);
    const entries = this.tree.entries(folder);
    if (!entries || (!entries.size && folder !== ''))
      throw Object.assign(new Error(`ENOENT: no such directory: ${path}`), { code: 'ENOENT' });
    const prefix = folder ? folder + '/' : '';
    return [...entries.keys()].sort().map((name) => {
      const isFile = this.tree.files.has(prefix + name);
      return { name, isFile, isDirectory: !isFile };
    });
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    const rel = this.relative(path);
    if (this.tree.files.has(rel)) return { isDirectory: false, isFile: true };
    if (this.tree.isFolder(rel)) return { isDirectory: true, isFile: false };
    return undefined;
  }

  private relative(path: string): string {
    const root = this.repoRoot.replace(/\/+$/, '');
    const p = path.replace(/\/+$/, '');
    return p === root ? '' : p.startsWith(root + '/') ? p.slice(root.length + 1) : p;
  }
}
