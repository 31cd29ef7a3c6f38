import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { spawn } from 'node:child_process';
import type { BlobReader, ChangedPath, Git, GitCommit, LoggedCommit, RevertOutcome } from '../core/ports';

const FIELD = '\x1f';
const RECORD = '\x1e';
const FORMAT = `--format=${RECORD}%H${FIELD}%an${FIELD}%aI${FIELD}%P${FIELD}%s`;

/**
 * The Git port over simple-git (the `git` executable). `root` is the config repo's folder: the git work tree or a
 * folder inside it. Paths in and out are relative to `root`, whatever git itself reports.
 */
export class SimpleGitAdapter implements Git {
  private readonly git: SimpleGit;
  private prefix: Promise<string> | undefined;

  constructor(private readonly root: string) {
    // Only porcelain output is parsed (never messages), so the user's environment (locale, ssh agent, credential
    // helpers) passes through unchanged.
    this.git = simpleGit({ baseDir: root });
  }

  /** Turns paths git reports (relative to the top level) into paths relative to `root`. */
  private async fromTop(paths: string[]): Promise<string[]> {
    this.prefix ??= this.git.raw(['rev-parse', '--show-prefix']).then((p) => p.trim());
    const prefix = await this.prefix;
    return prefix ? paths.map((p) => posix.relative(prefix, p)) : paths;
  }

  async changedFiles(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const out = await this.git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', ...paths]);
    const files: string[] = [];
    const entries = out.split('\0');
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.length < 4) continue;
      files.push(e.slice(3));
      // A rename's second NUL-separated field is the old path.
      if (e[0] === 'R' || e[0] === 'C') i++;
    }
    return [...new Set(await this.fromTop(files))].sort();
  }

  async stagedFiles(): Promise<string[]> {
    return this.fromTop((await this.git.raw(['diff', '--cached', '--name-only', '-z'])).split('\0').filter(Boolean));
  }

  async operationInProgress(): Promise<string | undefined> {
    const checks: [string, string][] = [
      ['MERGE_HEAD', 'merge'],
      ['rebase-merge', 'rebase'],
      ['rebase-apply', 'rebase'],
      ['CHERRY_PICK_HEAD', 'cherry-pick'],
      ['REVERT_HEAD', 'revert'],
      ['BISECT_LOG', 'bisect'],
    ];
    for (const [name, what] of checks) {
      const p = (await this.git.raw(['rev-parse', '--git-path', name])).trim();
      if (existsSync(isAbsolute(p) ? p : join(this.root, p))) return what;
    }
    return undefined;
  }

  async currentBranch(): Promise<string | undefined> {
    const name = (await this.git.raw(['branch', '--show-current'])).trim();
    return name || undefined;
  }

  async branchExists(name: string): Promise<boolean> {
    const out = await this.git.raw(['branch', '--list', name]);
    return out.trim() !== '';
  }

  async commitOnNewBranch(
    branch: string,
    files: { path: string; content: string }[],
    message: string,
  ): Promise<{ sha: string }> {
    const startBranch = await this.currentBranch();
    const startSha = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
    const paths = files.map((f) => f.path);
    const saved = new Map<string, string | undefined>();
    for (const f of files) saved.set(f.path, await readFile(join(this.root, f.path), 'utf8').catch(() => undefined));
    // A new branch at HEAD never conflicts with other uncommitted work: that work simply stays in the tree.
    await this.git.raw(['switch', '-c', branch]);
    try {
      for (const f of files) {
        const abs = join(this.root, f.path);
        await mkdir(dirname(abs), { recursive: true });
        await writeFile(abs, f.content, 'utf8');
      }
      await this.git.raw(['add', '--', ...paths]);
      // --only: exactly these paths go into the commit, whatever else the user has staged.
      await this.git.raw(['commit', '--only', '-m', message, '--', ...paths]);
      return { sha: (await this.git.raw(['rev-parse', 'HEAD'])).trim() };
    } catch (e) {
      await this.undoCommitOnNewBranch(branch, startBranch ?? startSha, paths, saved);
      throw e;
    }
  }

  private async undoCommitOnNewBranch(
    branch: string,
    start: string,
    paths: string[],
    saved: Map<string, string | undefined>,
  ): Promise<void> {
    await this.git.raw(['restore', '--staged', '--', ...paths]).catch(() => undefined);
    for (const [path, content] of saved)
      if (content !== undefined) await writeFile(join(this.root, path), content, 'utf8');
    await this.git.raw(['switch', ...(/^[0-9a-f]{40}$/.test(start) ? ['--detach'] : []), start]);
    await this.git.raw(['branch', '-D', branch]);
  }

  async push(branch: string, remote: string): Promise<void> {
    // Plain push: rejected (not forced) when the remote has diverged.
    await this.git.raw(['push', '--set-upstream', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
  }

  async log(paths: string[], maxCount: number): Promise<GitCommit[]> {
    const out = await this.git.raw([
      'log',
      `-n${maxCount}`,
      FORMAT,
      '--name-only',
      '--',
      ...(paths.length ? paths : ['.']),
    ]);
    return Promise.all(parseLog(out).map(async (c) => ({ ...c, files: await this.fromTop(c.files) })));
  }

  async historyMentions(text: string, paths: string[]): Promise<boolean> {
    if (!paths.length || !text || text.startsWith('-')) return false;
    // `-S` finds commits that changed how often the text occurs: it was added (or removed) at some point.
    const out = await this.git.raw(['log', '-n1', '--format=%H', `-S${text}`, '--', ...paths]);
    return out.trim() !== '';
  }

  async revList(maxCount: number): Promise<string[]> {
    // An empty repository has no HEAD: no commits rather than an error.
    const out = await this.git.raw(['rev-list', `-n${maxCount}`, 'HEAD']).catch(() => '');
    return out.split('\n').filter(Boolean);
  }

  async commit(rev: string): Promise<GitCommit | undefined> {
    if (rev.startsWith('-')) return undefined;
    const sha = (await this.git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '')).trim();
    if (!sha) return undefined;
    const [commit] = parseLog(await this.git.raw(['show', '-s', FORMAT, sha]));
    const parents = (await this.git.raw(['rev-list', '--parents', '-n1', sha])).trim().split(' ').slice(1);
    // Against the first parent, as `git revert -m 1` would undo it; a root commit against the empty tree.
    const files = parents.length
      ? await this.git.raw(['diff', '--name-only', '--no-renames', parents[0], sha])
      : await this.git.raw(['diff-tree', '--root', '--no-commit-id', '--name-only', '-r', sha]);
    return { ...commit, files: await this.fromTop(files.split('\n').filter(Boolean)) };
  }

  treeAt(rev: string): Promise<Map<string, string>> {
    return rev.startsWith('-') ? Promise.resolve(new Map()) : lsTree(this.git, rev);
  }

  blob(id: string): Promise<string> {
    if (!/^[0-9a-f]{7,64}$/.test(id)) return Promise.reject(new Error(`not a blob id: ${id}`));
    return this.git.raw(['cat-file', 'blob', id]);
  }

  async resolve(rev: string): Promise<string | undefined> {
    if (rev.startsWith('-')) return undefined;
    const sha = (await this.git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]).catch(() => '')).trim();
    return sha || undefined;
  }

  async show(sha: string): Promise<string> {
    if (!/^[0-9a-f]{4,64}$/i.test(sha)) throw new Error(`not a commit id: ${sha}`);
    return this.git.raw(['show', '--no-color', '--no-ext-diff', '--format=fuller', '--stat', '--patch', sha, '--']);
  }

  async firstParentLog(rev: string, after?: string): Promise<LoggedCommit[]> {
    if (rev.startsWith('-') || after?.startsWith('-')) return [];
    // One process for the whole walk: each commit's paths against its first parent, with the new blob ids, limited to
    // (and relative to) the repo folder.
    const out = await this.git
      .raw([
        'log',
        '--first-parent',
        '--reverse',
        '--raw',
        '--no-abbrev',
        '--no-renames',
        '--diff-merges=first-parent',
        '--relative',
        '-z',
        `--format=${RECORD}%H${FIELD}%P${FIELD}%an${FIELD}%aI${FIELD}%cI${FIELD}%s${FIELD}%b${FIELD}`,
        after ? `${after}..${rev}` : rev,
        '--',
      ])
      .catch(() => '');
    return parseRawLog(out);
  }

  async addedLines(rev: string, paths: string[]): Promise<string> {
    if (rev.startsWith('-') || !paths.length) return '';
    const out = await this.git
      .raw(['log', '--first-parent', '-p', '-U0', '--no-color', '--format=', '--relative', rev, '--', ...paths])
      .catch(() => '');
    return out
      .split('\n')
      .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
      .map((l) => l.slice(1))
      .join('\n');
  }

  blobReader(): BlobReader {
    return new CatFileReader(this.root);
  }

  async revert(sha: string): Promise<RevertOutcome> {
    const before = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
    const parents = (await this.git.raw(['rev-list', '--parents', '-n1', sha])).trim().split(' ').length - 1;
    try {
      await this.git.raw(['revert', '--no-edit', ...(parents > 1 ? ['-m', '1'] : []), sha]);
      return { status: 'ok', sha: (await this.git.raw(['rev-parse', 'HEAD'])).trim() };
    } catch (e) {
      if (!(await this.operationInProgress())) throw e;
      const conflicted = await this.fromTop(
        (await this.git.raw(['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean),
      );
      await this.git.raw(['revert', '--abort']);
      const after = (await this.git.raw(['rev-parse', 'HEAD'])).trim();
      if (after !== before) throw new Error(`git revert --abort left HEAD at ${after}, not ${before}`);
      return { status: 'conflict', files: conflicted };
    }
  }
}

/** `git ls-tree -r` of the repo folder at `rev`: path (relative to the folder) → blob id. */
async function lsTree(git: SimpleGit, rev: string): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  // One process per revision: ls-tree itself fails on a revision that names no commit (a root commit's parent).
  const out = await git.raw(['ls-tree', '-r', '-z', `${rev}^{tree}`, '.']).catch(() => '');
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [, type, id] = entry.slice(0, tab).split(' ');
    // Run from the repo folder: paths come relative to it, limited to it.
    if (type === 'blob') tree.set(entry.slice(tab + 1), id);
  }
  return tree;
}

function parseLog(out: string): GitCommit[] {
  return out
    .split(RECORD)
    .filter((r) => r.trim())
    .map((record) => {
      const [head, ...rest] = record.split('\n');
      const [sha, author, date, parents, ...subject] = head.split(FIELD);
      return {
        sha,
        author,
        date,
        subject: subject.join(FIELD),
        files: rest.map((l) => l.trim()).filter(Boolean),
        parents: parents.split(' ').filter(Boolean),
      };
    });
}

/** `git log --raw -z` with the history format: commits with their changed paths (submodules left out). */
export function parseRawLog(out: string): LoggedCommit[] {
  const commits: LoggedCommit[] = [];
  for (const record of out.split(RECORD)) {
    const fields = record.split(FIELD);
    if (fields.length < 8) continue;
    const [sha, parents, author, authorDate, date, subject, body] = fields;
    const changes: ChangedPath[] = [];
    const tokens = fields.slice(7).join(FIELD).split('\0');
    for (let i = 0; i < tokens.length; i++) {
      const meta = tokens[i].replace(/^\n+/, '');
      if (!meta.startsWith(':')) continue;
      const path = tokens[++i];
      // `:old-mode new-mode old-id new-id status`
      const [, newMode, , newId, status] = meta.slice(1).split(' ');
      if (path === undefined || newMode === '160000' || meta.startsWith(':160000')) continue;
      if (status === 'D') changes.push({ path, status: 'D' });
      else if (status === 'A' || status === 'M' || status === 'T')
        changes.push({ path, status: status === 'A' ? 'A' : 'M', blob: newId });
    }
    commits.push({
      sha: sha.trim(),
      parents: parents.split(' ').filter(Boolean),
      author,
      authorDate,
      date,
      subject,
      body: body.trim(),
      changes,
    });
  }
  return commits;
}

/** Blobs through one `git cat-file --batch` process: requests are answered in order. */
class CatFileReader implements BlobReader {
  private readonly child;
  private readonly waiting: { id: string; resolve: (text: string) => void; reject: (e: Error) => void }[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failed: Error | undefined;

  constructor(cwd: string) {
    this.child = spawn('git', ['cat-file', '--batch'], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain();
    });
    const fail = (e: Error) => {
      this.failed = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.child.on('error', fail);
    this.child.on('exit', () => fail(new Error('git cat-file ended')));
    this.child.stdin.on('error', fail);
  }

  read(id: string): Promise<string> {
    if (!/^[0-9a-f]{7,64}$/.test(id)) return Promise.reject(new Error(`not a blob id: ${id}`));
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      this.child.stdin.write(id + '\n');
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private drain(): void {
    while (this.waiting.length) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString();
      const [, type, size] = header.split(' ');
      if (type === undefined || size === undefined) {
        // `<id> missing`
        this.buffer = this.buffer.subarray(nl + 1);
        const w = this.waiting.shift()!;
        w.reject(Object.assign(new Error(`no blob ${w.id}`), { code: 'ENOENT' }));
        continue;
      }
      const length = Number(size);
      if (this.buffer.length < nl + 1 + length + 1) return;
      const content = this.buffer.subarray(nl + 1, nl + 1 + length).toString('utf8');
      this.buffer = this.buffer.subarray(nl + 1 + length + 1);
      this.waiting.shift()!.resolve(content);
    }
  }
}
