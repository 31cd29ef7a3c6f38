/** What `history` and `dora` share: their options and loading the history (how moves read: core/history/describe.ts). */
import { version } from '../../../package.json';
import { type CliIO, UsageError, parseArgs } from '../command';
import { loadHistory } from '../../core/historyService';
import type { RepoHistory } from '../../core/history/types';
import { FileCacheStore, historyCacheRoot } from '../../node/fileCacheStore';
import { SimpleGitAdapter } from '../../node/simpleGit';
import { loadSecretKey } from '../../node/secretKey';
import { cliLogger, openRepo, repoRootArg } from './driftCommon';

export const HISTORY_OPTIONS = `  --since WHEN           the window: 90d (default), 12w, 36h, or a date (2026-11-01)
  --branch NAME          the branch whose first-parent history counts (default main, else master, else HEAD)
  --failure-window DAYS  how soon an undo makes a deployment a failure (default 7)
  --format FORMAT        text (default) or json (docs/history.md)
  --no-cache             walk the whole window again (the cache is rewritten)`;

/** Parses the shared options, opens the repo and loads its history. */
export async function historyFor(
  args: string[],
  io: CliIO,
  withEnv: boolean,
): Promise<{ history: RepoHistory; format: 'text' | 'json' }> {
  const { options, positionals } = parseArgs(args, {
    strings: ['since', 'branch', 'failure-window', 'format', ...(withEnv ? ['env'] : [])],
    booleans: ['no-cache'],
  });
  if (positionals.length > 1) throw new UsageError('expected at most one REPO');
  const format = (options.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not ${format}`);
  const now = new Date();
  const since = parseSince((options.since as string | undefined) ?? '90d', now);
  const windowText = options['failure-window'] as string | undefined;
  const failureWindowDays = windowText === undefined ? 7 : Number(windowText);
  if (!Number.isFinite(failureWindowDays) || failureWindowDays < 0)
    throw new UsageError(`--failure-window must be a number of days, not ${windowText}`);
  const repoRoot = await repoRootArg(positionals[0], io);
  const { engine } = await openRepo(repoRoot, io);
  const git = new SimpleGitAdapter(repoRoot);
  const secretKey = await loadSecretKey(io.env, io.cwd, { create: true });
  const cache = new FileCacheStore(historyCacheRoot(io.env), repoRoot);
  const history = await loadHistory(
    {
      engine,
      git,
      repoRoot,
      cache: options['no-cache'] ? { read: async () => undefined, write: cache.write.bind(cache) } : cache,
      secretKey,
      toolVersion: version,
      logger: cliLogger(io),
    },
    {
      since,
      now,
      failureWindowDays,
      ...(typeof options.branch === 'string' ? { branch: options.branch } : {}),
      ...(typeof options.env === 'string'
        ? {
            environments: options.env
              .split(',')
              .map((n) => n.trim())
              .filter(Boolean),
          }
        : {}),
    },
  );
  return { history, format };
}

/** `90d`, `12w`, `36h` before `now`, or a date. */
export function parseSince(text: string, now: Date): Date {
  const m = /^(\d+(?:\.\d+)?)([hdw])$/.exec(text.trim());
  if (m) {
    const hours = Number(m[1]) * (m[2] === 'h' ? 1 : m[2] === 'd' ? 24 : 24 * 7);
    return new Date(now.getTime() - hours * 3_600_000);
  }
  const date = /^\d{4}-\d{2}-\d{2}/.test(text) ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime()))
    throw new UsageError(`--since must be like 90d, 12w, 36h or a date (2026-11-01), not ${text}`);
  return date;
}
