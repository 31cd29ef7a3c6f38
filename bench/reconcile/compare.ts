/**
 * A/B runs of `gitops-drift check` builds on the reconcile test bed: each build runs `--runs` times, interleaved
 * (A B A B ...) so load from other work on the machine falls on both alike; prints the median and fastest wall
 * time of each with the load average. Every run must report exactly the hand-made drift.
 *   npx tsx bench/reconcile/compare.ts [--objects 1000] [--runs 7] [--cpu-prof DIR] [CLI.js ...]
 * CLI.js defaults to dist/cli.js; copy a build aside (cp -r dist /tmp/before) to compare it with the next
 * (/tmp/before/cli.js dist/cli.js). Each build keeps its own code cache, written by a run before the timed ones.
 * `--cpu-prof DIR` writes a V8 CPU profile of every run into DIR. `--serve` starts the test bed, prints its
 * KUBECONFIG and repo folder and keeps it until interrupted (for profiling by hand).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXPECTED_DRIFTED, startReconcileTestBed } from './testBed';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const objectsPerEnv = Number(option('--objects') ?? 1000);
const runs = Number(option('--runs') ?? 7);
const profileDir = option('--cpu-prof');
const valued = new Set(['--objects', '--runs', '--cpu-prof']);
const clis = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1]));
if (!clis.length) clis.push(resolve(__dirname, '..', '..', 'dist', 'cli.js'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

async function main(): Promise<void> {
  const bed = await startReconcileTestBed(objectsPerEnv);
  try {
    // The runs time the CLI with its code cache (see docs/configuration.md): one turned off by the caller's environment
    // would be timed as present.
    const { NODE_DISABLE_COMPILE_CACHE: _disabled, ...inherited } = process.env;
    const env = { ...inherited, KUBECONFIG: bed.cluster.kubeconfigPath };
    if (process.argv.includes('--serve')) {
      console.log(`export KUBECONFIG=${bed.cluster.kubeconfigPath} REPO=${bed.dir}`);
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
      return;
    }
    const seconds = clis.map(() => [] as number[]);
    const cacheDirs = clis.map(() => mkdtempSync(join(tmpdir(), 'gitops-drift-compare-code-cache-')));
    const envOf = (i: number) => ({ ...env, GITOPS_DRIFT_CODE_CACHE_DIR: cacheDirs[i] });
    clis.forEach((cli, i) =>
      spawnSync(process.execPath, [cli, 'check', bed.dir, '--format', 'json'], {
        env: envOf(i),
        maxBuffer: 512 * 1024 * 1024,
      }),
    );
    console.log(`load average before: ${load()}`);
    for (let run = 0; run < runs; run++) {
      clis.forEach((cli, i) => {
        const args = [
          ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
          cli,
          'check',
          bed.dir,
          '--format',
          'json',
        ];
        const started = process.hrtime.bigint();
        const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: envOf(i), maxBuffer: 512 * 1024 * 1024 });
        seconds[i].push(Number(process.hrtime.bigint() - started) / 1e9);
        if (r.status !== 1) throw new Error(`${cli} exited ${r.status}: ${r.stderr}`);
        const report = JSON.parse(r.stdout) as { environments: Array<{ resources: Array<{ verdict: string }> }> };
        const drifted = report.environments.flatMap((e) => e.resources).filter((o) => o.verdict !== 'InSync').length;
        if (drifted !== EXPECTED_DRIFTED)
          throw new Error(`${cli} reported ${drifted} objects not in sync, expected ${EXPECTED_DRIFTED}`);
      });
    }
    clis.forEach((cli, i) =>
      console.log(
        `${cli}: median ${median(seconds[i]).toFixed(3)} s, fastest ${Math.min(...seconds[i]).toFixed(3)} s (${runs} runs: ${seconds[i].map((s) => s.toFixed(2)).join(' ')})`,
      ),
    );
    console.log(`load average after: ${load()}`);
    for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });
  } finally {
    await bed.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
