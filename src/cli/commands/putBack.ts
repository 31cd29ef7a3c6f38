import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { keyLabel } from '../../core/model/resource';
import { applyPutLiveBack, describeConflicts } from '../../core/promote/putLiveBack';
import { RefusedError } from '../../core/promote/refusal';
import { NOT_CHECKED_INCOMPLETE } from '../../core/drift/incomplete';
import { nothingToPutBack, planPutBack, previewPutBack } from '../../core/putBackService';
import { cliLogger, openRepo, refuseOnConfigErrors, repoRootArg, unreadLines, writableLiveSource } from './driftCommon';

const usage = `Usage: gitops-drift put-back [REPO] --env NAME [--only KIND/NAME,...] [--delete-extra]
                             [--apply [--force-conflicts]] [--context CTX] [--kubeconfig PATH] [--allow-exec]
                             [--allow-incomplete]

Puts the cluster back to what git says for one environment: every Drifted and Missing object (or only those named)
is server-side applied with field manager gitops-drift. Without --apply it only shows the server's dry-run as a
diff. Fields that other managers own are only taken over with --force-conflicts. Extra objects (in the cluster,
not in git) are deleted only with --delete-extra.

Options:
  --env NAME          the environment
  --only LIST         only these objects, e.g. Deployment/web,ConfigMap/web-config-abc123
  --delete-extra      also delete the environment's Extra objects
  --apply             apply for real (the default is the dry-run preview)
  --force-conflicts   with --apply: take over fields other field managers own
  --context CTX       kube context (default: the environment's, else the current one)
  --kubeconfig PATH   kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
  --allow-exec        allow credential plugins (exec) named by the kubeconfig
  --allow-incomplete  put back what was rendered even though the render skipped content (a remote resource or
                      component, a Helm chart, a plugin); never with --delete-extra, since the objects of the
                      skipped content would look Extra

Exit codes: 0 done (or nothing to do), 1 preview only and something would change, 2 error, refused, conflicts, or
objects that could not be read (forbidden, a kind or version not served), which are listed on stderr.`;

/** `gitops-drift put-back`: the SSA dry-run preview of putting an environment back to desired, and the apply. */
export const putBackCommand: CliCommand = {
  name: 'put-back',
  summary: 'Put drifted objects back to what git says (server-side apply dry-run preview; --apply to write)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['env', 'only', 'context', 'kubeconfig'],
      booleans: ['delete-extra', 'apply', 'force-conflicts', 'allow-exec', 'allow-incomplete'],
    });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.env !== 'string') throw new UsageError('--env NAME is required');
    if (options['force-conflicts'] && !options.apply) throw new UsageError('--force-conflicts needs --apply');
    const only =
      typeof options.only === 'string'
        ? new Set(options.only.split(',').map((s) => s.trim().toLowerCase()))
        : undefined;
    const repoRoot = await repoRootArg(positionals[0], io);
    const { engine, repo } = await openRepo(repoRoot, io);
    refuseOnConfigErrors(repo, 'putting live back');
    const env = await engine.environment(options.env);
    // Render first (the engine keeps the result): a repo error is named at its file:line with or without a cluster.
    await engine.render(env);
    const live = await writableLiveSource(env, options, io);
    const plan = await planPutBack(
      engine,
      env,
      live,
      only ? { pick: (r) => only.has(`${r.key.kind}/${r.key.name}`.toLowerCase()) } : {},
    );
    if (plan.skipped.length) {
      // What the skipped content defines is not in the render: its live objects would be deleted as Extra.
      const parts = plan.skipped.join('; ');
      if (options['delete-extra'])
        throw new RefusedError(
          `${env.name} is ${NOT_CHECKED_INCOMPLETE} (${parts}): --delete-extra would delete the objects of what was skipped. Nothing was changed.`,
        );
      if (!options['allow-incomplete'])
        throw new RefusedError(
          `${env.name} is ${NOT_CHECKED_INCOMPLETE} (${parts}); --allow-incomplete puts back what was rendered. Nothing was changed.`,
        );
    }
    if (only) {
      const unknown = [...only].filter(
        (o) => !plan.report.resources.some((r) => `${r.key.kind}/${r.key.name}`.toLowerCase() === o),
      );
      if (unknown.length) throw new UsageError(`--only names objects ${env.name} does not have: ${unknown.join(', ')}`);
    }
    const choices = {
      deleteExtra: Boolean(options['delete-extra']),
      allowIncomplete: Boolean(options['allow-incomplete']),
    };
    if (plan.extras.length && !choices.deleteExtra)
      io.stderr(
        `note: ${plan.extras.length} Extra object(s) kept (use --delete-extra to delete them): ${plan.extras.map((r) => keyLabel(r.key)).join(', ')}\n`,
      );
    // Objects that could not be read cannot be judged: nothing about them is "nothing to put back".
    const unread = unreadLines({ ...plan.report, resources: plan.unread });
    for (const line of unread) io.stderr(line);
    if (nothingToPutBack(plan, choices)) {
      if (unread.length) {
        io.stdout(
          `${env.name}: nothing to put back among the objects that could be read; ${plan.unread.length} could not be read (see above).\n`,
        );
        return 2;
      }
      io.stdout(`${env.name}: nothing to put back.\n`);
      return 0;
    }
    const logger = cliLogger(io);
    const preview = await previewPutBack(plan, live.writer, choices, logger);
    for (const item of preview.items) {
      io.stdout(`${item.action} ${keyLabel(item.key)}${item.error ? `: dry-run failed: ${item.error}` : ''}\n`);
      if (item.diff) io.stdout(item.diff.replace(/^=+\n/, ''));
    }
    const conflicted = preview.items.filter((i) => i.conflicts.length);
    if (conflicted.length)
      io.stdout(
        `\nConflicts with other field managers (taken over only with --force-conflicts): ${describeConflicts(conflicted)}\n`,
      );
    const changing = preview.items.filter((i) => i.action !== 'unchanged');
    if (!options.apply) {
      io.stdout(
        `\nDry run against ${live.context}: nothing was changed (run with --apply to apply${conflicted.length ? ' and --force-conflicts to take the fields over' : ''}).\n`,
      );
      if (unread.length) return 2;
      return changing.length ? 1 : 0;
    }
    const results = await applyPutLiveBack(
      live.writer,
      preview,
      { forceConflicts: Boolean(options['force-conflicts']) },
      logger,
    );
    for (const r of results) {
      io.stdout(
        `${r.status} ${keyLabel(r.key)}${r.message ? `: ${r.message}` : ''}${r.status === 'applied' && !r.matchesPreview ? ' (the object changed since the preview; check it)' : ''}\n`,
      );
    }
    return results.some((r) => r.status === 'failed') || unread.length ? 2 : 0;
  },
};
