import { type CliCommand, type CliIO } from '../command';
import { plainText } from '../../core/model/untrustedText';
import { describeMove, duration, when } from '../../core/history/describe';
import { historyFor, HISTORY_OPTIONS } from './historyCommon';

const usage = `Usage: gitops-drift history [REPO] [--env NAMES] [--since 90d] [--branch NAME] [--failure-window DAYS] [--format text|json] [--no-cache]

Lists each environment's deployments, newest first: the commits on the branch that changed the environment's
rendered output (a comment edit is none; a base change is one of every environment it reaches), with time,
commit, author, what moved (images, replicas, config values, objects added or removed, each at its file:line) and
whether a later commit undid it (git revert, or a rollback to the previous value). Renders are read from git
objects, never the working tree, and cached outside the repo so the next run reads only new commits
(docs/history.md).

Options:
  --env NAMES            only these environments (comma-separated)
${HISTORY_OPTIONS}

Exit codes: 0 done, 2 error.`;

/** `gitops-drift history`: each environment's deployments. */
export const historyCommand: CliCommand = {
  name: 'history',
  summary: "List each environment's deployments from the repo's git history: what moved, and what was undone",
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { history, format } = await historyFor(args, io, true);
    if (format === 'json') {
      io.stdout(JSON.stringify(history, null, 2) + '\n');
      return 0;
    }
    io.stdout(
      `${history.branch} at ${history.head.slice(0, 7)}, deployments since ${when(history.since)} (${history.stats.commits} commits read, ${history.stats.rendered} renders)\n`,
    );
    for (const env of history.environments) {
      io.stdout(
        `\n${env.environment}: ${env.deployments.length} deployment${env.deployments.length === 1 ? '' : 's'}\n`,
      );
      for (const d of env.deployments) {
        const undone = d.undone
          ? `  [${d.undone.how === 'git-revert' ? 'reverted' : 'rolled back'} by ${d.undone.by.sha.slice(0, 7)} after ${duration(d.undone.afterSeconds)}${d.failed ? ': failed' : ''}]`
          : '';
        io.stdout(
          plainText(`  ${when(d.commit.date)}  ${d.commit.sha.slice(0, 7)}  ${d.commit.author}  ${d.commit.subject}`) +
            `${undone}\n`,
        );
        for (const move of d.moved) io.stdout(`      ${describeMove(move)}\n`);
      }
      for (const gap of env.renderErrors)
        io.stdout(
          plainText(`  ${when(gap.commit.date)}  ${gap.commit.sha.slice(0, 7)}  does not render: ${gap.message}`) +
            '\n',
        );
    }
    return 0;
  },
};
