/**
 * The history cache on disk, outside the repo: one folder per repo (named by a hash of its path) under
 * `$GITOPS_DRIFT_HISTORY_CACHE`, else `$XDG_CACHE_HOME/gitops-drift/history`, else `~/.cache/gitops-drift/history`
 * (the editor passes its own storage folder). Files are 0600 in a 0700 folder: they hold config values of the repo
 * and keyed hashes of its Secret values (never the values). Written to a temporary file and renamed, so a run that
 * stops half way leaves the previous cache whole.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CacheStore } from '../core/ports';

/** The folder histories are cached under for this environment. */
export function historyCacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.GITOPS_DRIFT_HISTORY_CACHE) return env.GITOPS_DRIFT_HISTORY_CACHE;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'gitops-drift', 'history');
}

/** A CacheStore of files under `root`, in a folder of its own for the repo at `repoRoot`. */
export class FileCacheStore implements CacheStore {
  private readonly folder: string;

  constructor(root: string, repoRoot: string) {
    this.folder = join(root, createHash('sha256').update(repoRoot).digest('hex').slice(0, 16));
  }

  async read(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  async write(key: string, value: string): Promise<void> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    const temp = `${this.file(key)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, value, { mode: 0o600 });
    await rename(temp, this.file(key));
  }

  private file(key: string): string {
    return join(this.folder, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }
}
