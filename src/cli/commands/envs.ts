import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { type ApplicationParent, describeParent, describeSource } from '../../core/model/environment';
import { formatLocation } from '../../core/model/location';
import { openRepo, repoRootArg } from './driftCommon';

const usage = `Usage: gitops-drift envs [REPO] [--format text|json]

Lists the environments of the config repo REPO (default: the current folder): from .gitops-drift.yaml when it
declares them, else discovered (kustomization roots under envs/, environments/, overlays/, clusters/,
apps/*/overlays/ that nothing includes; Argo CD Applications; Flux clusters, each with its Kustomizations as
applications in dependsOn order), and the promotion order. A Flux Kustomization whose source is another repo
(another GitRepository, an OCIRepository, a Bucket) is an application marked outside this repo; an Argo CD
Application with another repoURL is listed apart. Neither is rendered.`;

/** `gitops-drift envs`: the environments, where each is declared, and the promotion order. */
export const envsCommand: CliCommand = {
  name: 'envs',
  summary: 'List the environments of a config repo and their promotion order',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, { strings: ['format'] });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    const format = options.format ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`--format must be text or json, not ${String(format)}`);
    const { repo } = await openRepo(await repoRootArg(positionals[0], io), io);
    if (format === 'json') {
      const environments = repo.environments.map((e) => ({
        name: e.name,
        path: e.path,
        context: e.context ?? null,
        namespace: e.namespace ?? null,
        source: e.source,
        definedAt: e.definedAt ?? null,
        tracking: e.tracking ?? null,
        applications: e.applications.map((a) => ({
          name: a.name,
          kind: a.renderer,
          source: describeSource(a.source),
          namespace: a.namespace ?? null,
          declaredAt: a.declaredAt ?? null,
          // Only for an Application an app-of-apps renders: that parent (name, source line; `problem` when it failed).
          ...(a.parent ? { parent: a.parent } : {}),
        })),
      }));
      const outside = repo.outside.map((o) => ({
        name: o.name,
        tool: o.tool,
        source: o.source,
        definedAt: o.definedAt,
        ...(o.parent ? { parent: o.parent } : {}),
      }));
      io.stdout(JSON.stringify({ environments, outside, promotion: repo.promotion }, null, 2) + '\n');
      return repo.problems.some((p) => p.severity === 'error') ? 2 : 0;
    }
    const rows = [
      ['NAME', 'PATH', 'NAMESPACE', 'CONTEXT', 'FROM'],
      ...repo.environments.map((e) => [
        e.name,
        e.path || '.',
        e.namespace ?? '-',
        e.context ?? '(current)',
        e.definedAt ? formatLocation(e.definedAt) : e.source,
      ]),
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
      r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ') + '\n';
    io.stdout(line(rows[0]));
    repo.environments.forEach((e, i) => {
      io.stdout(line(rows[i + 1]));
      // One application is the environment itself; several are listed under it.
      if (e.applications.length > 1)
        for (const a of e.applications)
          io.stdout(
            `  · ${a.name}  ${describeSource(a.source)}${a.source.type === 'outside' ? ' (outside this repo)' : ''}  ${a.renderer}${a.declaredAt ? `  ${formatLocation(a.declaredAt)}` : ''}${parentText(a.parent)}\n`,
          );
      else if (e.applications[0]?.parent) io.stdout(`  ·${parentText(e.applications[0].parent)}\n`);
    });
    if (repo.promotion.length)
      io.stdout(`\npromotion: ${repo.promotion.map((chain) => chain.join(' → ')).join('; ')}\n`);
    if (repo.outside.length) {
      io.stdout('\nnot rendered, source outside this repo:\n');
      for (const o of repo.outside)
        io.stdout(`  ${o.name}  ${o.source}  ${formatLocation(o.definedAt)}${parentText(o.parent)}\n`);
    }
    return repo.problems.some((p) => p.severity === 'error') ? 2 : 0;
  },
};

/** `  from app-of-apps NAME (FILE:LINE:COLUMN)`, and why Argo CD may not apply it from there; '' without a parent. */
function parentText(parent: ApplicationParent | undefined): string {
  return parent ? `  ${describeParent(parent, formatLocation)}` : '';
}
