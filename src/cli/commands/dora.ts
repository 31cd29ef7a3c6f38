import { type CliCommand, type CliIO } from '../command';
import { doraMetrics } from '../../core/history/dora';
import type { DoraReport } from '../../core/history/types';
import { plainText } from '../../core/model/untrustedText';
import { duration, when } from '../../core/history/describe';
import { historyFor, HISTORY_OPTIONS } from './historyCommon';

const usage = `Usage: gitops-drift dora [REPO] [--since 90d] [--branch NAME] [--failure-window DAYS] [--format text|json] [--no-cache]

The four DORA metrics per environment, measured from the repo's git history: deployment frequency (per day and
per week), lead time (median and p90 from the first environment of the promotion order, or from an app commit
trailer or OCI label), change failure rate (deployments undone within the failure window) and time to restore;
each with the figures behind it. Then the promotion findings: a stage skipped, one tag with two digests, an
environment whose objects differ from the stage before it, each at its file:line (docs/history.md).

Options:
${HISTORY_OPTIONS}

Exit codes: 0 done, 2 error.`;

/** `gitops-drift dora`: the four metrics and the promotion findings. */
export const doraCommand: CliCommand = {
  name: 'dora',
  summary: 'The four DORA metrics per environment and the promotion findings, from the git history',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { history, format } = await historyFor(args, io, false);
    const report = doraMetrics(history);
    if (format === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
    else io.stdout(textReport(report, history.head));
    return 0;
  },
};

function textReport(report: DoraReport, head: string): string {
  const days = report.environments[0]?.deploymentFrequency.days;
  const lines = [
    `${when(report.since)} to ${when(report.now)}${days ? ` (${days} days)` : ''}, head ${head.slice(0, 7)}; a deployment undone within ${report.failureWindowDays} days counts as failed`,
    '',
  ];
  const rows = [
    [
      'environment',
      'deployments',
      'per day',
      'per week',
      'lead time median / p90 (n)',
      'change failure',
      'time to restore median / p90 (n)',
    ],
    ...report.environments.map((e) => [
      e.environment,
      String(e.deploymentFrequency.deployments),
      String(e.deploymentFrequency.perDay),
      String(e.deploymentFrequency.perWeek),
      `${duration(e.leadTime.medianSeconds)} / ${duration(e.leadTime.p90Seconds)} (${e.leadTime.artifacts})`,
      e.changeFailureRate.rate === undefined
        ? '–'
        : `${round1(e.changeFailureRate.rate * 100)}% (${e.changeFailureRate.failed} of ${e.changeFailureRate.deployments})`,
      `${duration(e.timeToRestore.medianSeconds)} / ${duration(e.timeToRestore.p90Seconds)} (${e.timeToRestore.restored})`,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    lines.push(
      plainText(
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      ),
    );
  for (const p of report.promotionLeadTime) {
    const from = new Map<string, number>();
    for (const s of p.samples) from.set(s.startFrom, (from.get(s.startFrom) ?? 0) + 1);
    lines.push(
      '',
      plainText(
        `promotion lead time ${p.chain.join(' → ')}: median ${duration(p.medianSeconds)}, p90 ${duration(p.p90Seconds)} (${p.artifacts} artifact${p.artifacts === 1 ? '' : 's'}${from.size ? `; start: ${[...from].map(([k, n]) => `${n} ${k}`).join(', ')}` : ''})`,
      ),
    );
  }
  lines.push('', report.findings.length ? 'promotion findings:' : 'promotion findings: none');
  for (const f of report.findings)
    lines.push(
      plainText(
        `  ${f.kind}  ${f.environment}  ${f.at ? `${f.at.file}:${f.at.line}` : ''}${f.commit ? ` @ ${f.commit.slice(0, 7)}` : ''}  ${f.message}`,
      ),
    );
  return lines.join('\n') + '\n';
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
