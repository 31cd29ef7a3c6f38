import type { Git, GitCommit, Logger } from '../ports';
import { RefusedError } from './refusal';

/**
 * Recent commits touching an environment: `files` is what its render read (its overlay and every base it includes),
 * so a change in a shared base shows up in every environment that uses it.
 */
export function environmentHistory(git: Git, files: string[], maxCount = 30): Promise<GitCommit[]> {
  if (files.length === 0) return Promise.resolve([]);
  return git.log(files, maxCount);
}

/** What a revert did. */
export type RevertResult =
  | { status: 'reverted'; sha: string; reverted: GitCommit }
  | { status: 'conflict'; files: string[]; reverted: GitCommit };

/**
 * Reverts one commit into a new commit on the current branch. Refuses, changing nothing, while another git operation
 * is in progress, when anything is staged, or when a file the commit touched has uncommitted changes. On a conflict git's revert is aborted:
 * the repository is as it was, and the conflicting files are reported.
 */
export async function revertCommit(git: Git, rev: string, logger: Logger): Promise<RevertResult> {
  const commit = await git.commit(rev);
  if (!commit) throw new RefusedError(`no commit ${rev} in this repository`);
  const busy = await git.operationInProgress();
  if (busy)
    throw new RefusedError(
      `a ${busy} is in progress in this repository; finish or abort it first. Nothing was changed.`,
    );
  const dirty = await git.changedFiles(commit.files);
  if (dirty.length)
    throw new RefusedError(
      `uncommitted changes in ${dirty.join(', ')}, which ${commit.sha.slice(0, 7)} touched: commit or stash them first. Nothing was changed.`,
    );
  // git revert itself refuses with anything staged; say so before starting.
  const staged = await git.stagedFiles();
  if (staged.length)
    throw new RefusedError(
      `staged changes in ${staged.join(', ')}: git revert needs nothing staged; commit or unstage them first. Nothing was changed.`,
    );
  const outcome = await git.revert(commit.sha);
  if (outcome.status === 'conflict') {
    logger.warn(
      `revert ${commit.sha.slice(0, 7)}: conflicts in ${outcome.files.join(', ')}; aborted, repository unchanged`,
    );
    return { status: 'conflict', files: outcome.files, reverted: commit };
  }
  logger.info(`revert ${commit.sha.slice(0, 7)}: committed ${outcome.sha.slice(0, 7)}`);
  return { status: 'reverted', sha: outcome.sha, reverted: commit };
}
