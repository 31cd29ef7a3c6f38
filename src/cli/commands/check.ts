import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { type EnvironmentReport, formatProblem } from '../../core/engine';
import { jsonReport } from '../../core/drift/jsonReport';
import { sarifReport } from '../../core/drift/sarifReport';
import { textReport } from '../../core/drift/textReport';
import { checkEnvironments, exitCodeFor, LiveSources, openRepo, repoRootArg } from './driftCommon';

const usage = `Usage: gitops-drift check [REPO] [--env NAME] [--context CTX] [--kubeconfig PATH] [--format text|json|sarif]
                          [--exact] [--live-from FILE] [--allow-exec] [--allow-incomplete] [--only-drifted] [--verbose]
                          [--argocd | --argocd-server HOST] [--chart-downloads]

Renders each environment of REPO (default: the current folder) in-process, reads what the cluster holds for it,
and reports what differs, on the line in git that set each value.

Options:
  --env NAMES         only these environments, comma-separated (default: all)
  --context CTX       kube context for every environment (default: each environment's, else the current one)
  --kubeconfig PATH   kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
  --format FORMAT     text (default), json or sarif (code scanning); see docs/check-output.md
  --exact             judge each object by a server-side apply dry run (field manager gitops-drift) instead
                      of the local diff: exact when webhooks or defaulting rewrite values; needs patch rights
  --live-from FILE    diff against a snapshot from \`gitops-drift snapshot\` instead of a cluster
  --argocd            read Argo CD Applications' live state and status from Argo CD's API server instead of a
                      cluster (no kube credentials needed): the server and token of the argocd CLI's current
                      context (~/.config/argocd/config, or $ARGOCD_CONFIG_DIR; ARGOCD_AUTH_TOKEN overrides the token)
  --argocd-server HOST  the same, with that server of the argocd CLI's config (e.g. argocd.example.com)
  --allow-exec        allow credential plugins (exec) named by the kubeconfig
  --allow-incomplete  judge an environment whose render skipped content (a remote resource or component, a Helm
                      chart, a generator or transformer plugin) by what was rendered, instead of exit 2
  --only-drifted      only the environments and objects that need attention: drifted, missing, extra, pending
                      prune, not yet applied, not deployed, forbidden, error (the counts still cover every object;
                      the exit code is the same)
  --verbose           text format: also list the objects that are in sync and the differences ignore rules hide
  --chart-downloads   download the charts of HelmReleases from Helm and OCI repositories (kept in a cache outside
                      the repo) to show what their next upgrade changes; off by default

Exit codes: 0 in sync, 1 drift found, 2 something could not be checked (render error, unreachable cluster,
forbidden or unknown kinds, content the render skipped, an error in .gitops-drift.yaml) or bad usage.`;

/** `gitops-drift check`: the drift report, as text, JSON or SARIF. */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Report drift between each environment in git and the cluster (exit 0 in sync, 1 drift, 2 error)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['env', 'context', 'kubeconfig', 'format', 'live-from', 'argocd-server'],
      booleans: ['exact', 'allow-exec', 'allow-incomplete', 'only-drifted', 'verbose', 'argocd', 'chart-downloads'],
    });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    const format = (options.format as string | undefined) ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format))
      throw new UsageError(`--format must be text, json or sarif, not ${format}`);
    if (options['live-from'] && (options.context || options.kubeconfig))
      throw new UsageError('--live-from reads a snapshot: it cannot be combined with --context or --kubeconfig');
    if (options['live-from'] && (options.argocd || options['argocd-server']))
      throw new UsageError('--live-from reads a snapshot: it cannot be combined with --argocd or --argocd-server');
    const repoRoot = await repoRootArg(positionals[0], io);
    const { engine, repo, selected } = await openRepo(repoRoot, io, options.env as string | undefined, {
      chartDownloads: Boolean(options['chart-downloads']),
      kubeconfig: options.kubeconfig as string | undefined,
      // One report of one moment: the files are read once, not checked for changes on every read.
      filesFixed: true,
    });
    const sources = new LiveSources(
      {
        liveFrom: options['live-from'] as string | undefined,
        context: options.context as string | undefined,
        kubeconfig: options.kubeconfig as string | undefined,
        allowExec: Boolean(options['allow-exec']),
        ...(repo.config.argocd.inClusterContext ? { argoCdContext: repo.config.argocd.inClusterContext } : {}),
        exact: Boolean(options.exact),
        ...(options.argocd || options['argocd-server']
          ? { argocd: { server: options['argocd-server'] as string | undefined } }
          : {}),
      },
      io,
    );
    // A few environments at a time (renders cached per root, readers shared per context): see checkEnvironments.
    const reports: EnvironmentReport[] = await checkEnvironments(
      engine,
      selected,
      sources,
      options.exact ? { exact: true } : {},
    );
    const onlyProblems = Boolean(options['only-drifted']);
    if (format === 'json')
      io.stdout(JSON.stringify(jsonReport(reports, repo.problems, { onlyProblems }), null, 2) + '\n');
    // SARIF lists only what needs attention already.
    else if (format === 'sarif') io.stdout(JSON.stringify(sarifReport(reports, {}, repo.problems), null, 2) + '\n');
    else {
      io.stdout(
        textReport(reports, {
          color: io.color,
          verbose: Boolean(options.verbose),
          allowIncomplete: Boolean(options['allow-incomplete']),
          onlyProblems,
        }),
      );
      for (const r of reports) for (const p of r.problems) io.stderr(`${r.name}: ${p.severity}: ${formatProblem(p)}\n`);
    }
    return exitCodeFor(reports, repo.problems, { allowIncomplete: Boolean(options['allow-incomplete']) });
  },
};
