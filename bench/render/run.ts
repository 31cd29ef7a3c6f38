// Render benchmark: `npx tsx bench/render/run.ts [--sizes 1000,5000] [--runs 15] [--process-runs 3] [--kustomize-runs N]
// [--write-docs]`.
// Generates overlays of each size in a temp dir, then prints the in-process warm render time, the CLI's and the
// real kustomize's whole-process time, and each one's peak RSS. It prints figures; it asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { testbedBin } from '../../test/testbed/bins';
import { generateRepo } from './generate';
import { type Row, formatSection, writeSection } from './report';
import type { InProcessFigures } from './inProcess';
import { measureProcess } from './measure';

const repo = resolve(__dirname, '..', '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

function main(): void {
  const sizes = option('sizes', '1000,5000').split(',').map(Number);
  const runs = Number(option('runs', '15'));
  // kustomize takes seconds per build at these sizes on a shared 2-core box: few whole-process runs are enough.
  const processRuns = Number(option('process-runs', '3'));
  // kustomize build of 5,000 resources takes minutes here: allow fewer runs of it alone.
  const kustomizeRuns = Number(option('kustomize-runs', String(processRuns)));
  const kustomize = testbedBin('kustomize');
  process.stderr.write('building dist/cli.js (npm run build)\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });

  const rows: Row[] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `gitops-drift-bench-${size}-`));
    // An interrupted run still removes its generated repo.
    const onSignal = () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    };
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    try {
      const root = generateRepo(dir, size);
      process.stderr.write(`${size} resources: in-process\n`);
      const inProcess = runInProcess(dir, root, runs);
      process.stderr.write(`${size} resources: CLI\n`);
      const cli = measureProcess(
        process.execPath,
        [join(repo, 'dist', 'cli.js'), 'render', root, '--repo-root', dir],
        processRuns,
        dir,
      );
      process.stderr.write(`${size} resources: kustomize build\n`);
      const kz = measureProcess(kustomize, ['build', root], kustomizeRuns, dir);
      rows.push({
        resources: size,
        objects: inProcess.objects,
        warmCachedMs: inProcess.warmCached.medianMs,
        warmFilesKeptMs: inProcess.warmFilesKept.medianMs,
        warmUncachedMs: inProcess.warmUncached.medianMs,
        coldMs: inProcess.coldMs,
        inProcessRssMiB: inProcess.peakRssMiB,
        cliMs: cli.medianMs,
        cliRssMiB: cli.peakRssMiB,
        kustomizeMs: kz.medianMs,
        kustomizeRssMiB: kz.peakRssMiB,
        sameOutput: sameObjects(kz.stdout, cli.stdout),
      });
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const cpu = cpus();
  const section = formatSection(rows, {
    machine: `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores (shared), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    node: process.version,
    kustomize: execFileSync(kustomize, ['version'], { encoding: 'utf8' }).trim(),
    date: new Date().toISOString().slice(0, 16).replace('T', ' '),
    loadAverage: loadavg()
      .map((l) => l.toFixed(1))
      .join(' / '),
    runs,
    processRuns,
    kustomizeRuns,
    args: process.argv.slice(2).join(' '),
  });
  process.stdout.write(section + '\n');
  if (process.argv.includes('--write-docs')) {
    writeSection(join(repo, 'docs', 'benchmarks.md'), section);
    process.stderr.write('updated docs/benchmarks.md\n');
  }
}

function runInProcess(dir: string, root: string, runs: number): InProcessFigures {
  const r = spawnSync(
    process.execPath,
    ['--require', 'tsx/cjs', join(__dirname, 'inProcess.ts'), dir, root, String(runs), '5'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`in-process render failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as InProcessFigures;
}

/** Whether both outputs parse to the same objects in the same order; a benchmark of a wrong render means nothing. */
function sameObjects(kustomizeOut: string, ours: string): string {
  const parse = (text: string) =>
    parseAllDocuments(text)
      .map((d) => d.toJS() as unknown)
      .filter((o) => o != null);
  const a = parse(kustomizeOut);
  const b = parse(ours);
  if (isDeepStrictEqual(a, b)) return 'yes';
  const firstDiff = a.findIndex((o, i) => !isDeepStrictEqual(o, b[i]));
  return `no (${b.length} vs ${a.length} objects, first difference at #${firstDiff})`;
}

main();
