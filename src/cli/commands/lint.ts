// Only core modules and the file system adapter: `lint` never needs a cluster, so nothing here loads client-node.
import * as path from 'node:path';
import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { lintRepository, type LintReport } from '../../core/authoring/lint';
import { lintSarif } from '../../core/authoring/lintSarif';
import type { LintFinding, LintSeverity } from '../../core/authoring/finding';
import { DriftEngine, formatProblem } from '../../core/engine';
import { FileCache } from '../../core/fileCache';
import { plainText } from '../../core/model/untrustedText';
import { CONFIG_FILE } from '../../core/repo/config';
import { UNREADABLE_FILE } from '../../core/repo/discover';
import { BatchFileSystem } from '../../node/batchFileSystem';
import { cliChartSource } from './cliChartSource';
import { repoReadOptions } from '../../node/regularFile';

const usage = `Usage: gitops-drift lint [REPO] [--format text|json|sarif] [--env NAMES] [--chart-downloads]

Checks the config repo REPO (default: the current folder) the way the editor does: every kustomization file
and the YAML files it lists (malformed YAML, missing paths, unknown and deprecated fields, duplicate resources,
plaintext Secrets), and each environment's render (render errors and warnings, patches that match nothing, labels
reaching immutable selectors, images without a digest, object fields the Kubernetes API deprecates). Nothing is
sent to a cluster.

Options:
  --format FORMAT   text (default: one line per finding, then a summary), json or sarif (code scanning)
  --env NAMES       render only these environments, comma-separated (default: all); the static checks
                    still cover every kustomization
  --chart-downloads a chart of a Helm or OCI repository (an Argo CD chart source, a kustomize helmCharts entry
                    with repo) is downloaded and rendered (cached outside the repo; docs/helm.md); without it,
                    such a chart is a render-warning saying so

Each code is explained in docs/authoring.md (docs/authoring.md#CODE).
Exit codes: 0 no errors or warnings (information only), 1 errors or warnings found, 2 an error in .gitops-drift.yaml
(reported as an invalid-config finding), bad usage or unreadable repo.`;

/** `gitops-drift lint`: the authoring findings, as text, JSON or SARIF. */
export const lintCommand: CliCommand = {
  name: 'lint',
  summary: 'Check kustomizations and environment renders for authoring mistakes (exit 0 clean, 1 findings, 2 error)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, { strings: ['format', 'env'], booleans: ['chart-downloads'] });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    const format = (options.format as string | undefined) ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format))
      throw new UsageError(`--format must be text, json or sarif, not ${format}`);
    const root = path.resolve(io.cwd, positionals[0] ?? '.');
    // One read per file (the engine's renders and the checks read the same kustomizations and resources), and
    // synchronous reads: this run has nothing to overlap them with.
    const repoRoot = root.split(path.sep).join('/');
    const fs = new FileCache(new BatchFileSystem(repoReadOptions(repoRoot, io.env)));
    if (!(await fs.stat(root))?.isDirectory) throw new UsageError(`${positionals[0] ?? root} is not a folder`);
    const engine = new DriftEngine({
      fs,
      repoRoot,
      renderSlots: 1,
      // As check, diff and render: a chart outside the repo is fetched only when asked, with the same credentials
      // and TLS settings (the user's Helm and Docker config included).
      chartSource: cliChartSource(io, Boolean(options['chart-downloads']), 'download and lint it'),
    });
    const repo = await engine.load();
    // The config's problems are findings (in every format); discovery's notes stay on stderr.
    const configProblems = repo.problems.filter((p) => p.location?.file === CONFIG_FILE);
    for (const p of repo.problems) if (!configProblems.includes(p)) io.stderr(`${p.severity}: ${formatProblem(p)}\n`);
    const names =
      typeof options.env === 'string'
        ? [
            ...new Set(
              options.env
                .split(',')
                .map((n) => n.trim())
                .filter(Boolean),
            ),
          ]
        : undefined;
    const environments = names ? await Promise.all(names.map((n) => engine.environment(n))) : repo.environments;
    const report = await lintRepository({
      fs,
      repoRoot,
      environments,
      render: (env) => engine.render(env),
      disabled: repo.config.lint.disable,
      configProblems,
    });
    const counts = countSeverities(report.findings);
    if (format === 'json') io.stdout(JSON.stringify(lintJson(report), null, 2) + '\n');
    else if (format === 'sarif') io.stdout(JSON.stringify(lintSarif(report.findings), null, 2) + '\n');
    else io.stdout(lintText(report, io.color));
    // A broken config is not an authoring finding like the others: what was linted may not be what was meant.
    if (configProblems.some((p) => p.severity === 'error')) return 2;
    // So is a kustomization discovery could not read (a FIFO, a link out of the repo): its environment went unlinted.
    if (repo.problems.some((p) => p.severity === 'error' && p.code === UNREADABLE_FILE)) return 2;
    return counts.errors + counts.warnings > 0 ? 1 : 0;
  },
};

function countSeverities(findings: readonly LintFinding[]): { errors: number; warnings: number; information: number } {
  const count = (severity: LintSeverity) => findings.filter((f) => f.severity === severity).length;
  return { errors: count('error'), warnings: count('warning'), information: count('information') };
}

/** The JSON report: findings flattened (range fields at the top level) and the counts. */
function lintJson(report: LintReport): Record<string, unknown> {
  return {
    findings: report.findings.map(({ code, severity, message, range, related, field, suggestion }) => ({
      code,
      severity,
      message,
      file: range.file,
      line: range.line,
      column: range.column,
      endLine: range.endLine,
      endColumn: range.endColumn,
      ...(related ? { related } : {}),
      ...(field ? { field } : {}),
      ...(suggestion ? { suggestion } : {}),
    })),
    summary: {
      ...countSeverities(report.findings),
      kustomizations: report.kustomizations,
      files: report.files,
      environments: report.environments,
    },
  };
}

const COLORS: Record<LintSeverity, string> = { error: '\x1b[31m', warning: '\x1b[33m', information: '\x1b[36m' };

/** `file:line:col  severity  code  message` per finding, then one summary line. */
function lintText(report: LintReport, color: boolean): string {
  const lines = report.findings.map((f) => {
    const severity = color ? `${COLORS[f.severity]}${f.severity}\x1b[0m` : f.severity;
    // Findings quote repo text (file names, keys): control characters in it are shown as escapes, not sent.
    return `${plainText(f.range.file, { visible: true })}:${f.range.line}:${f.range.column}  ${severity}  ${f.code}  ${plainText(f.message, { visible: true })}`;
  });
  const { errors, warnings, information } = countSeverities(report.findings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const found = report.findings.length
    ? `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${information} information`
    : 'no problems';
  lines.push(
    `${found} in ${plural(report.kustomizations, 'kustomization')} and ${plural(report.files, 'file')} (${plural(report.environments, 'environment')} rendered)`,
  );
  return lines.join('\n') + '\n';
}
