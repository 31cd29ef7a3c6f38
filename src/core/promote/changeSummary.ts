import { ProblemError } from '../model/problem';
import type { DirEntry, FileSystem, Git, GitCommit } from '../ports';
import type { RenderResult } from '../render/types';
import { flattenLeaves } from './flatten';
import { describeVersion, parseImageRef } from './imageRef';
import { baseName, pairObjects } from './pairObjects';

/** A FileSystem over one git revision of the repo folder (read from git objects, not the working tree). */
export class RevisionFileSystem implements FileSystem {
  private tree: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly git: Git,
    private readonly rev: string,
    private readonly repoRoot: string,
    private readonly blobs: Map<string, Promise<string>> = new Map(),
    private readonly trees: Map<string, Promise<Map<string, string>>> = new Map(),
  ) {}

  async readFile(path: string): Promise<string> {
    const id = (await this.files()).get(this.relative(path));
    if (id === undefined) throw Object.assign(new Error(`ENOENT: ${path} at ${this.rev}`), { code: 'ENOENT' });
    let text = this.blobs.get(id);
    if (!text) this.blobs.set(id, (text = this.git.blob(id)));
    return text;
  }

  async readDir(path: string): Promise<DirEntry[]> {
    const dir = this.relative(path).replace(/\/$/, '');
    const prefix = dir ? dir + '/' : '';
    const entries = new Map<string, DirEntry>();
    for (const file of (await this.files()).keys()) {
      if (!file.startsWith(prefix)) continue;
      const rest = file.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      entries.set(name, { name, isDirectory: slash >= 0, isFile: slash < 0 });
    }
    if (!entries.size) throw Object.assign(new Error(`ENOENT: ${path} at ${this.rev}`), { code: 'ENOENT' });
    return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async stat(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | undefined> {
    const rel = this.relative(path).replace(/\/$/, '');
    const files = await this.files();
    if (files.has(rel)) return { isDirectory: false, isFile: true };
    const prefix = rel ? rel + '/' : '';
    for (const f of files.keys()) if (f.startsWith(prefix)) return { isDirectory: true, isFile: false };
    return undefined;
  }

  private files(): Promise<Map<string, string>> {
    if (!this.tree) {
      let shared = this.trees.get(this.rev);
      if (!shared) this.trees.set(this.rev, (shared = this.git.treeAt(this.rev)));
      this.tree = shared;
    }
    return this.tree;
  }

  private relative(path: string): string {
    const root = this.repoRoot.replace(/\/+$/, '');
    return path === root ? '' : path.startsWith(root + '/') ? path.slice(root.length + 1) : path;
  }
}

/**
 * One line saying what a commit changed in an environment's rendered objects (`Deployment web image 1.4.0 →
 * 1.5.0; ConfigMap web-config LOG_LEVEL info → debug`), by rendering the environment before and after it. Secret
 * values are never shown. `render` renders the environment from a given FileSystem.
 */
export async function summarizeCommit(
  commit: GitCommit,
  deps: {
    git: Git;
    repoRoot: string;
    render: (fs: FileSystem) => Promise<RenderResult>;
    /** Shared between calls: each blob and each revision's tree is read once. */
    blobs?: Map<string, Promise<string>>;
    trees?: Map<string, Promise<Map<string, string>>>;
  },
): Promise<string> {
  const blobs = deps.blobs ?? new Map<string, Promise<string>>();
  const trees = deps.trees ?? new Map<string, Promise<Map<string, string>>>();
  const at = (rev: string) =>
    deps.render(new RevisionFileSystem(deps.git, rev, deps.repoRoot, blobs, trees)).then(
      (r) => r,
      (e: unknown) => (e instanceof ProblemError || (e as { code?: string }).code === 'ENOENT' ? e : Promise.reject(e)),
    );
  // The parent by id when known, so that a parent listed as the next commit shares its tree listing.
  const parent = commit.parents ? commit.parents[0] : `${commit.sha}^`;
  const [before, after] = await Promise.all([
    parent ? at(parent) : Promise.resolve(new Error('root commit')),
    at(commit.sha),
  ]);
  if (!isRender(after)) return `does not render after this commit: ${(after as Error).message}`;
  if (!isRender(before)) return `${after.objects.length} object(s) (did not render before)`;
  return describeChange(before, after);
}

function isRender(r: RenderResult | unknown): r is RenderResult {
  return typeof r === 'object' && r !== null && 'objects' in r;
}

/** What differs between two renders of one environment, briefly. */
export function describeChange(before: RenderResult, after: RenderResult, max = 4): string {
  const phrases: string[] = [];
  const pairs = pairObjects(before.objects, after.objects);
  const name = (o: { key: { kind: string; name: string } }) => `${o.key.kind} ${baseName(o.key.name)}`;
  for (const o of after.objects) if (!pairs.some((p) => p.target === o)) phrases.push(`+ ${name(o)}`);
  for (const o of before.objects) if (!pairs.some((p) => p.source === o)) phrases.push(`- ${name(o)}`);
  for (const { source, target } of pairs) {
    const a = flattenLeaves(source.object);
    const b = flattenLeaves(target.object);
    const changed = [...new Set([...a.keys(), ...b.keys()])].filter(
      (k) => k !== '/metadata/name' && a.get(k)?.value !== b.get(k)?.value,
    );
    if (changed.length && !changed.some((k) => !isHashOnly(a.get(k)?.value, b.get(k)?.value))) continue;
    if (!changed.length) continue;
    if (target.key.kind === 'Secret') {
      phrases.push(`${name(target)} data changed`);
      continue;
    }
    for (const path of changed) {
      const [from, to] = [a.get(path)?.value, b.get(path)?.value];
      // A reference that only follows a generated name's new hash is not news.
      if (isHashOnly(from, to)) continue;
      if (
        path.endsWith('/image') &&
        typeof from === 'string' &&
        typeof to === 'string' &&
        parseImageRef(from).name === parseImageRef(to).name
      ) {
        phrases.push(
          `${name(target)} image ${parseImageRef(to).name} ${describeVersion(parseImageRef(from))} → ${describeVersion(parseImageRef(to))}`,
        );
      } else phrases.push(`${name(target)} ${short(path)} ${show(from)} → ${show(to)}`);
    }
  }
  if (!phrases.length) return 'no change to the rendered objects';
  return phrases.slice(0, max).join('; ') + (phrases.length > max ? `; +${phrases.length - max} more` : '');
}

function isHashOnly(from: unknown, to: unknown): boolean {
  return typeof from === 'string' && typeof to === 'string' && baseName(from) === baseName(to);
}

/** The last two segments of a logical path: `[web]/image`, `data/LOG_LEVEL`. */
function short(path: string): string {
  return path
    .split('/')
    .slice(-2)
    .join('/')
    .replace(/^\[([^\]]+)\]\/image$/, 'image $1')
    .replace(/^data\//, '');
}

function show(v: unknown): string {
  if (v === undefined) return '∅';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
}
