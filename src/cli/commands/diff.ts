import * as path from 'node:path';
import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { formatProblem, type ObjectComparison } from '../../core/engine';
import { isIncomplete, NOT_CHECKED_INCOMPLETE, skippedCount } from '../../core/drift/incomplete';
import { diffPairs, unifiedDiff } from '../../core/drift/unifiedDiff';
import { checkEnvironment, exitCodeFor, LiveSources, openRepo, repoRootArg, unreadLines } from './driftCommon';
import { describeNextUpgradeChange } from '../../core/drift/nextUpgrade';
import { plainText } from '../../core/model/untrustedText';
import type { EnvironmentReport } from '../../core/engine';
import { NodeFileSystem } from '../../node/nodeFileSystem';

const usage = `Usage: gitops-drift diff [REPO] [--env NAME] [KIND/NAME] [--context CTX] [--kubeconfig PATH] [--live-from FILE]
                         [--allow-exec] [--allow-incomplete] [--chart-downloads]

Prints a unified diff of git (normalised) against live for each drifted or missing object: only the fields git
manages, no server-populated noise, Secret values masked. KIND/NAME (e.g. deployment/web, or
Deployment/shop-prod/web) limits it to one object. Coloured on a terminal. Render warnings go to stderr.

Options:
  --allow-incomplete  an environment whose render skipped content (a remote resource or component, a Helm chart,
                      a plugin) is diffed by what was rendered; without it, such an environment is not checked: exit 2
  --chart-downloads   download HelmReleases' charts from Helm and OCI repositories for their next-upgrade lines

Exit codes: 0 no differences, 1 differences shown, 2 error, content the render skipped, or objects that could not
be read (listed on stderr).`;

/** `gitops-drift diff`: what `kubectl diff` would print without the noise. */
export const diffCommand: CliCommand = {
  name: 'diff',
  summary: 'Unified diff of git vs live for each drifted object (only managed fields, Secrets masked)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['env', 'context', 'kubeconfig', 'live-from'],
      booleans: ['allow-exec', 'allow-incomplete', 'chart-downloads'],
    });
    const [repoArg, filterArg] = await splitPositionals(positionals, io);
    const filter = filterArg === undefined ? undefined : parseFilter(filterArg);
    const { engine, repo, selected } = await openRepo(
      await repoRootArg(repoArg, io),
      io,
      options.env as string | undefined,
      {
        chartDownloads: Boolean(options['chart-downloads']),
        kubeconfig: options.kubeconfig as string | undefined,
        // One report of one moment, as `check`: each file is read once, not checked for changes on every read.
        filesFixed: true,
      },
    );
    const sources = new LiveSources(
      {
        liveFrom: options['live-from'] as string | undefined,
        context: options.context as string | undefined,
        kubeconfig: options.kubeconfig as string | undefined,
        allowExec: Boolean(options['allow-exec']),
        ...(repo.config.argocd.inClusterContext ? { argoCdContext: repo.config.argocd.inClusterContext } : {}),
      },
      io,
    );
    const reports: EnvironmentReport[] = [];
    let shown = 0;
    let matched = 0;
    for (const env of selected) {
      const source = await sources.forEnvironment(env);
      if ('error' in source) {
        reports.push(await checkEnvironment(engine, env, sources));
        io.stderr(`${env.name}: ${plainText(source.error)}\n`);
        continue;
      }
      const { report, objects } = await engine.compareObjects(env, source);
      reports.push(report);
      if (report.error) io.stderr(`${env.name}: ${plainText(report.error)}\n`);
      for (const p of report.problems) io.stderr(`${env.name}: ${p.severity}: ${formatProblem(p)}\n`);
      if (isIncomplete(report) && !options['allow-incomplete'])
        io.stderr(
          `${env.name}: ${NOT_CHECKED_INCOMPLETE}, ${skippedCount(report)} (--allow-incomplete diffs what was rendered)\n`,
        );
      // A diff cannot show what could not be read: say what, once per cause, rather than exit 2 in silence.
      for (const line of unreadLines(report)) io.stderr(line);
      for (const o of objects) {
        if (filter && !filter(o)) continue;
        matched++;
        const patch = unifiedDiff(diffPairs([o], env.name), { color: io.color });
        if (!patch) continue;
        shown++;
        io.stdout(patch);
      }
      // Issue #16, question 3: what the next upgrade of each Helm release changes (git's chart render against the
      // deployed revision). Printed beside the drift, which stays live against the release; paths only, never values.
      for (const app of report.applications) {
        const changes = app.release?.render?.nextUpgrade;
        if (!changes?.length) continue;
        io.stdout(`# ${plainText(app.name)}: next upgrade (git's chart against revision ${app.release?.revision})\n`);
        for (const c of changes) io.stdout(`#   ${describeNextUpgradeChange(c)}\n`);
      }
    }
    if (filter && matched === 0)
      throw new UsageError(`no object matches ${filterArg} in ${selected.map((e) => e.name).join(', ')}`);
    const code = exitCodeFor(reports, repo.problems, { allowIncomplete: Boolean(options['allow-incomplete']) });
    return code === 2 ? 2 : shown ? 1 : 0;
  },
};

/** REPO and KIND/NAME are both optional: a lone positional that is an existing folder is REPO, else the filter. */
async function splitPositionals(positionals: string[], io: CliIO): Promise<[string | undefined, string | undefined]> {
  if (positionals.length > 2) throw new UsageError('expected at most REPO and KIND/NAME');
  if (positionals.length === 2) return [positionals[0], positionals[1]];
  if (positionals.length === 0) return [undefined, undefined];
  const isFolder = (await new NodeFileSystem().stat(path.resolve(io.cwd, positionals[0])))?.isDirectory;
  return isFolder || !positionals[0].includes('/') ? [positionals[0], undefined] : [undefined, positionals[0]];
}

/** `deployment/web`, `Deployment/shop-prod/web`, `deploy/web`: kind matched case-insensitively, plural or short forms too. */
function parseFilter(text: string): (o: ObjectComparison) => boolean {
  const parts = text.split('/');
  const kind = parts[0].toLowerCase();
  const name = parts[parts.length - 1];
  const namespace = parts.length === 3 ? parts[1] : undefined;
  const short: Record<string, string> = {
    deploy: 'deployment',
    svc: 'service',
    cm: 'configmap',
    ns: 'namespace',
    sts: 'statefulset',
    ds: 'daemonset',
    cj: 'cronjob',
    hpa: 'horizontalpodautoscaler',
    ing: 'ingress',
    sa: 'serviceaccount',
    crd: 'customresourcedefinition',
  };
  const wanted = short[kind] ?? kind.replace(/s$/, '');
  return (o) => {
    const k = o.result.key;
    const kindOk = k.kind.toLowerCase() === wanted || k.kind.toLowerCase() === kind;
    // Generated ConfigMaps/Secrets carry a content hash: `configmap/web-config` finds `web-config-7gt4229c52`.
    const nameOk =
      k.name === name || new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[a-z0-9]{10}$`).test(k.name);
    return kindOk && nameOk && (namespace === undefined || k.namespace === namespace);
  };
}
