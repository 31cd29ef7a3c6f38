// Lint benchmark: `npx tsx bench/lint/run.ts [--resources 1000] [--runs 7] [--record]`.
// Generates the render benchmark's repo (bench/render/generate.ts) in a temp dir, builds dist/cli.js, then runs
// `node dist/cli.js lint DIR --format json` as a whole process several times and prints the median and minimum wall
// time and the peak RSS, then splits one run into its phases in a fresh process (bench/lint/inProcess.ts).
// `--record` writes the figures into docs/benchmarks.md between the lint markers.
// Target (the issue's): 1,000 resources linted in under a second. It prints figures; it asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateRepo } from '../render/generate';
import { measureProcess, type ProcessFigures } from '../render/measure';
import type { LintPhases } from './inProcess';

const repo = resolve(__dirname, '..', '..');
const START = '<!-- lint:start -->';
const END = '<!-- lint:end -->';
const TARGET_MS = 1000;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface LintJson {
  findings: Array<{ code: string; severity: string }>;
  summary: {
    errors: number;
    warnings: number;
    information: number;
    kustomizations: number;
    files: number;
    environments: number;
  };
}

function main(): void {
  const resources = Number(option('resources', '1000'));
  const runs = Number(option('runs', '7'));
  process.stderr.write('building dist/cli.js (npm run build)\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = mkdtempSync(join(tmpdir(), `gitops-drift-bench-lint-${resources}-`));
  const onSignal = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const root = generateRepo(dir, resources);
    // lint exits 1 when it finds warnings (this repo's bases put labels into selectors): the shell maps 0 and 1 to
    // success so only a crash or bad usage (2) fails the run.
    const script = `node "$0" lint "$1" --format json; code=$?; [ $code -le 1 ] || exit $code`;
    // Runs alternate with the yardstick's (gitops-drift render of the same environment) so both meet the same load.
    const lintRuns: ProcessFigures[] = [];
    const renderRuns: ProcessFigures[] = [];
    for (let i = 0; i < runs; i++) {
      lintRuns.push(measureProcess('sh', ['-c', script, join(repo, 'dist', 'cli.js'), dir], 1, dir));
      renderRuns.push(
        measureProcess(process.execPath, [join(repo, 'dist', 'cli.js'), 'render', root, '--repo-root', dir], 1, dir),
      );
    }
    const figures = summarize(lintRuns);
    const render = summarize(renderRuns);
    const report = JSON.parse(figures.stdout) as LintJson;
    const byCode = new Map<string, number>();
    for (const f of report.findings) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
    const found = [...byCode].map(([code, n]) => `${n} ${code}`).join(', ') || 'none';
    const s = report.summary;
    const phases = inProcess(dir);
    const lines = [
      `gitops-drift lint, ${resources} resources (${s.kustomizations} kustomizations, ${s.files} files, ${s.environments} environment): ` +
        `median ${figures.medianMs.toFixed(0)} ms, min ${figures.minMs.toFixed(0)} ms, max ${figures.maxMs.toFixed(0)} ms over ${runs} runs; peak RSS ${figures.peakRssMiB.toFixed(0)} MiB`,
      `findings: ${found}`,
      `gitops-drift render ${root} (same run, yardstick): median ${render.medianMs.toFixed(0)} ms, min ${render.minMs.toFixed(0)} ms; peak RSS ${render.peakRssMiB.toFixed(0)} MiB`,
      `in one process: load ${phases.loadMs.toFixed(0)} ms, render ${phases.renderMs.toFixed(0)} ms, lint with the render cached ${phases.lintMs.toFixed(0)} ms`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (process.argv.includes('--record')) {
      record({
        resources,
        runs,
        medianMs: figures.medianMs,
        minMs: figures.minMs,
        maxMs: figures.maxMs,
        rssMiB: figures.peakRssMiB,
        found,
        summary: s,
        phases,
        render,
      });
      process.stderr.write('updated docs/benchmarks.md\n');
    }
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Figures {
  resources: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  rssMiB: number;
  found: string;
  summary: LintJson['summary'];
  phases: LintPhases;
  /** `gitops-drift render` of the same environment, in the same run. */
  render: ProcessFigures;
}

/** Median, min and max wall time and the peak RSS of single runs. */
function summarize(runs: ProcessFigures[]): ProcessFigures {
  const times = runs.map((r) => r.medianMs).sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    maxMs: times[times.length - 1],
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    stdout: runs[0].stdout,
  };
}

/** The phases of one lint in a fresh process (through tsx, so a little slower than the bundle). */
function inProcess(dir: string): LintPhases {
  const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(__dirname, 'inProcess.ts'), dir], {
    cwd: repo,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`in-process lint failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as LintPhases;
}

/** Replaces the lint section of docs/benchmarks.md (or appends it), leaving the other sections alone. */
function record(f: Figures): void {
  const file = join(repo, 'docs', 'benchmarks.md');
  const cpu = cpus();
  const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const met = f.medianMs < TARGET_MS ? 'met' : 'missed';
  const total = f.phases.loadMs + f.phases.renderMs + f.phases.lintMs;
  const share = (ms: number) => `${Math.round((100 * ms) / total)}%`;
  const section = [
    START,
    '## Lint (`bench/lint`)',
    '',
    `${date} UTC, ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared), Node ${process.version}, load average ` +
      `${loadavg()
        .map((l) => l.toFixed(1))
        .join(
          ' / ',
        )} at the end. Command: \`npx tsx bench/lint/run.ts${f.resources === 1000 ? '' : ` --resources ${f.resources}`} --runs ${f.runs} --record\` ` +
      '(runs `npm run build` first).',
    '',
    `Workload: the render benchmark's generated repo (\`bench/render/generate.ts\`) with ${f.resources.toLocaleString('en')} resources: ` +
      `${f.summary.kustomizations} kustomizations, one environment (\`envs/prod\`). Whole process: \`node dist/cli.js lint DIR --format json\`, ` +
      `${f.runs} runs alternating with the yardstick's below, wall clock from spawn to exit with stdout captured; peak RSS from GNU time. Every check runs: the static checks of ` +
      `every kustomization and listed file, the Secret scan of every YAML file, the environment's render and the checks on it.`,
    '',
    '| command | resources | files read | findings | median | min | max | peak RSS |',
    '|---|---:|---:|---|---:|---:|---:|---:|',
    `| \`gitops-drift lint\` | ${f.resources} | ${f.summary.files} | ${f.found} | ${f.medianMs.toFixed(0)} ms | ${f.minMs.toFixed(0)} ms | ${f.maxMs.toFixed(0)} ms | ${f.rssMiB.toFixed(0)} MiB |`,
    `| \`gitops-drift render envs/prod\` (yardstick) | ${f.resources} | | | ${f.render.medianMs.toFixed(0)} ms | ${f.render.minMs.toFixed(0)} ms | ${f.render.maxMs.toFixed(0)} ms | ${f.render.peakRssMiB.toFixed(0)} MiB |`,
    '',
    `Where the time goes, split in one fresh process run through tsx (slower than the bundle, so read the shares): loading ` +
      `the environments (discovery) ${share(f.phases.loadMs)} (${f.phases.loadMs.toFixed(0)} ms), rendering them ${share(f.phases.renderMs)} ` +
      `(${f.phases.renderMs.toFixed(0)} ms), the checks on top of the render ${share(f.phases.lintMs)} (${f.phases.lintMs.toFixed(0)} ms, ` +
      'what the editor pays once the engine has rendered). Node starting and loading the bundle come on top in the whole process.',
    '',
    `The box is shared (other sessions' benchmarks run on it), so whole-process times move with its load: \`gitops-drift render\` ` +
      `of the same environment, which prints the 1,000 objects and runs no check, is measured in the same run as a yardstick ` +
      `(lint takes ${(f.medianMs / f.render.medianMs).toFixed(2)}× as long).`,
    '',
    `Target: \`gitops-drift lint\` on 1,000 resources in under ${TARGET_MS / 1000} s — **${met}** (median ${f.medianMs.toFixed(0)} ms).`,
    END,
  ].join('\n');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  writeFileSync(
    file,
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`,
  );
}

main();
