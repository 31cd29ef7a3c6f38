import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { summarizeCommit } from '../../core/promote/changeSummary';
import { environmentHistory, revertCommit } from '../../core/promote/revert';
import type { FileSystem } from '../../core/ports';
import { joinPath } from '../../core/repo/config';
import { renderKustomization } from '../../core/render/kustomize/kustomize';
import { RefusedError } from '../../core/promote/refusal';
import { SimpleGitAdapter } from '../../node/simpleGit';
import { cliLogger, openRepo, refuseOnConfigErrors, repoRootArg } from './driftCommon';

const usage = `Usage: gitops-drift revert [REPO] --env NAME [--list [--max N] | --commit SHA]

Lists recent commits that touched an environment's files (its overlay and every base it includes), or reverts
one of them with \`git revert\` into a new commit on the current branch. On a conflict the revert is aborted and
the repository is left as it was.

Options:
  --env NAME     the environment
  --list         list the commits (the default)
  --max N        how many commits to list (default 20)
  --commit SHA   revert this commit (it must touch the environment's files)

Exit codes: 0 done, 2 error, refused or conflict.`;

/** `gitops-drift revert`: an environment's history, and reverting one change of it. */
export const revertCommand: CliCommand = {
  name: 'revert',
  summary: "List an environment's recent changes, or git-revert one of them into a new commit",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, { strings: ['env', 'commit', 'max'], booleans: ['list'] });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.env !== 'string') throw new UsageError('--env NAME is required');
    if (options.list && options.commit) throw new UsageError('--list and --commit exclude each other');
    const max = options.max === undefined ? 20 : Number(options.max);
    if (!Number.isInteger(max) || max < 1) throw new UsageError('--max must be a positive whole number');
    const repoRoot = await repoRootArg(positionals[0], io);
    const { engine, repo } = await openRepo(repoRoot, io);
    refuseOnConfigErrors(repo, typeof options.commit === 'string' ? 'reverting' : 'listing changes');
    const env = await engine.environment(options.env);
    const files = (await engine.render(env)).files;
    const git = new SimpleGitAdapter(repoRoot);

    if (typeof options.commit !== 'string') {
      const history = await environmentHistory(git, files, max);
      if (!history.length) io.stdout(`No commits touch ${env.name}'s files.\n`);
      const blobs = new Map<string, Promise<string>>();
      const trees = new Map<string, Promise<Map<string, string>>>();
      const render = (fs: FileSystem) => renderKustomization(joinPath(repoRoot, env.path), { fs, repoRoot });
      for (const c of history) {
        const touched = c.files.filter((f) => files.includes(f));
        const summary = await summarizeCommit(c, { git, repoRoot, render, blobs, trees });
        io.stdout(`${c.sha.slice(0, 7)}  ${c.date.slice(0, 10)}  ${c.author}  ${c.subject}\n          ${summary}\n          files: ${touched.join(', ')}\n`);
      }
      return 0;
    }
    const commit = await git.commit(options.commit);
    if (!commit) throw new RefusedError(`no commit ${options.commit} in this repository`);
    if (!commit.files.some((f) => files.includes(f))) {
      throw new RefusedError(`${commit.sha.slice(0, 7)} (${commit.subject}) does not touch ${env.name}'s files; nothing was changed`);
    }
    const result = await revertCommit(git, commit.sha, cliLogger(io));
    if (result.status === 'conflict') {
      io.stderr(`error: reverting ${commit.sha.slice(0, 7)} conflicts in ${result.files.join(', ')}; the revert was aborted and the repository is as it was. Revert by hand, or revert the later changes to those files first.\n`);
      return 2;
    }
    io.stdout(`Reverted ${commit.sha.slice(0, 7)} (${commit.subject}) in new commit ${result.sha.slice(0, 7)}.\n`);
    return 0;
  },
};
