/**
 * Reverting one change of an environment, for the CLI (`gitops-drift revert`) and the editor ("Revert Environment
 * Change…") alike: which commits touched the files the environment's render reads, what each did to the rendered
 * objects, and the guarded `git revert`. The callers only ask (which commit, a confirmation) and show; git comes in
 * through the `Git` port, made by the caller.
 */
import type { DriftEngine } from './engine';
import type { Git, GitCommit, Logger } from './ports';
import { summarizeCommit } from './promote/changeSummary';
import { RefusedError } from './promote/refusal';
import { environmentHistory, revertCommit, type RevertResult } from './promote/revert';
import type { RepoEnvironment } from './repo/config';

/** What the revert service works with: the engine, and git over the same repo (the caller makes the adapter). */
export interface RevertDeps {
  engine: DriftEngine;
  git: Git;
  /** The repo's absolute root, as the engine has it. */
  repoRoot: string;
}

/** One commit that touched an environment's files. */
export interface EnvironmentChange {
  commit: GitCommit;
  /** The environment's files among those the commit touched (repo-relative). */
  files: string[];
}

/** An environment's recent changes, newest first, and a way to say what each did. */
export interface EnvironmentChanges {
  env: RepoEnvironment;
  changes: EnvironmentChange[];
  /**
   * One line saying what a change did to the environment's rendered objects, from git objects (not the working
   * tree), e.g. `Deployment web image ghcr.io/acme/web 1.4.0 → 1.5.0`. Secret values are never shown. Each blob
   * and revision tree is read once across calls.
   */
  summarize(change: EnvironmentChange): Promise<string>;
}

/**
 * The commits that touched an environment's files: its overlay and every base its render reads (from the engine's
 * cached render), so a change in a shared base shows up in every environment using it. Throws the render's
 * ProblemError when the environment does not render.
 */
export async function environmentChanges(
  { engine, git, repoRoot }: RevertDeps,
  env: RepoEnvironment,
  maxCount: number,
): Promise<EnvironmentChanges> {
  const files = new Set((await engine.render(env)).files);
  const history = await environmentHistory(git, [...files], maxCount);
  const blobs = new Map<string, Promise<string>>();
  const trees = new Map<string, Promise<Map<string, string>>>();
  return {
    env,
    changes: history.map((commit) => ({ commit, files: commit.files.filter((f) => files.has(f)) })),
    summarize: (change) =>
      summarizeCommit(change.commit, { git, repoRoot, render: (fs) => engine.renderFrom(env, fs), blobs, trees }),
  };
}

/**
 * Reverts commit `rev` into a new commit on the current branch. Refuses, changing nothing, when `rev` names no
 * commit or one that touches none of the environment's files, and for every reason `revertCommit` refuses (another
 * git operation in progress, staged changes, uncommitted changes to the files it touched). A conflict aborts the
 * revert and leaves the repository as it was; the result names the files.
 */
export async function revertEnvironmentChange(
  { engine, git }: RevertDeps,
  env: RepoEnvironment,
  rev: string,
  logger: Logger,
): Promise<RevertResult> {
  const files = new Set((await engine.render(env)).files);
  const commit = await git.commit(rev);
  if (!commit) throw new RefusedError(`no commit ${rev} in this repository`);
  if (!commit.files.some((f) => files.has(f))) {
    throw new RefusedError(
      `${commit.sha.slice(0, 7)} (${commit.subject}) does not touch ${env.name}'s files; nothing was changed`,
    );
  }
  return revertCommit(git, commit.sha, logger);
}
