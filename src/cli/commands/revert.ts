import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { environmentChanges, revertEnvironmentChange } from '../../core/revertService';
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
    const deps = { engine, git: new SimpleGitAdapter(repoRoot), repoRoot };

    if (typeof options.commit !== 'string') {
      const history = await environmentChanges(deps, env, max);
      if (!history.changes.length) io.stdout(`No commits touch ${env.name}'s files.\n`);
      for (const change of history.changes) {
        const c = change.commit;
        const summary = await history.summarize(change);
        io.stdout(
          `${c.sha.slice(0, 7)}  ${c.date.slice(0, 10)}  ${c.author}  ${c.subject}\n          ${summary}\n          files: ${change.files.join(', ')}\n`,
        );
      }
      return 0;
    }
    const result = await revertEnvironmentChange(deps, env, options.commit, cliLogger(io));
    const commit = result.reverted;
    if (result.status === 'conflict') {
      io.stderr(
        `error: reverting ${commit.sha.slice(0, 7)} conflicts in ${result.files.join(', ')}; the revert was aborted and the repository is as it was. Revert by hand, or revert the later changes to those files first.\n`,
      );
      return 2;
    }
    io.stdout(`Reverted ${commit.sha.slice(0, 7)} (${commit.subject}) in new commit ${result.sha.slice(0, 7)}.\n`);
    return 0;
  },
};
