/**
 * Reconcile benchmark on the real test-bed API server: 3 environments × N objects (default 1,000).
 * Applies the rendered environments with `kubectl apply --server-side`, drifts a few objects by hand, then measures
 *   - `gitops-drift check` as a whole process (cold: nothing of the repo or cluster kept), with peak memory, and
 *     `kubectl diff` (built from the test bed's pinned modules) on the same objects: `--rounds` rounds alternating
 *     them, medians reported. Each round runs the CLI twice: first with an empty code cache (as the first run after
 *     installing or upgrading), then with the code cache that run wrote (every later run; see docs/configuration.md);
 *   - in-process cold check, warm check (caches kept) and a re-diff after one file change with the watch-backed live
 *     cache, with the API requests each made.
 * Run: `npm run build && npx tsx bench/reconcile/run.ts [--objects 1000] [--rounds 3]`. Prints figures; never a timed test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_ENVIRONMENTS } from './generate';
import { measureInProcess } from './inProcess';
import { EXPECTED_DRIFTED, startReconcileTestBed } from './testBed';

const repoRoot = resolve(__dirname, '..', '..');
const objectsArg = process.argv.indexOf('--objects');
const objectsPerEnv = objectsArg > 0 ? Number(process.argv[objectsArg + 1]) : 1000;
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Runs a command under GNU time; returns wall seconds, peak RSS (MiB), exit code and stdout. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssKb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, rssMiB: rssKb / 1024, code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function main(): Promise<void> {
  const bed = await startReconcileTestBed(objectsPerEnv);
  const { cluster, dir, rendered, kubectl } = bed;
  try {
    const expectedDrifted = EXPECTED_DRIFTED;

    // The runs time the CLI with its code cache (see docs/configuration.md): one turned off by the caller's environment
    // would be timed as present.
    const { NODE_DISABLE_COMPILE_CACHE: _disabled, ...inherited } = process.env;
    const env = { ...inherited, KUBECONFIG: cluster.kubeconfigPath };
    // Rounds alternate the two tools, so load from other work on the machine falls on both alike; medians are shown.
    const cliRuns: Array<{ seconds: number; rssMiB: number }> = [];
    const firstRuns: Array<{ seconds: number; rssMiB: number }> = [];
    const kubectlRuns: Array<{ seconds: number; rssMiB: number }> = [];
    let drifted = 0;
    let objects = 0;
    let kubectlDrifted = 0;
    const check = (cacheDir: string) => {
      const cli = timed(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'check', dir, '--format', 'json'], {
        ...env,
        GITOPS_DRIFT_CODE_CACHE_DIR: cacheDir,
      });
      if (cli.code !== 1) throw new Error(`gitops-drift check exited ${cli.code}: ${cli.stderr}`);
      const report = JSON.parse(cli.stdout) as { environments: Array<{ resources: Array<{ verdict: string }> }> };
      const all = report.environments.flatMap((e) => e.resources);
      drifted = all.filter((r) => r.verdict !== 'InSync').length;
      objects = all.length;
      if (drifted !== expectedDrifted)
        throw new Error(`gitops-drift check reported ${drifted} objects not in sync, expected ${expectedDrifted}`);
      return cli;
    };
    for (let round = 0; round < rounds; round++) {
      const cacheDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-code-cache-'));
      try {
        firstRuns.push(check(cacheDir));
        cliRuns.push(check(cacheDir));
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }

      let seconds = 0;
      let rssMiB = 0;
      kubectlDrifted = 0;
      for (const e of BENCH_ENVIRONMENTS) {
        const r = timed(kubectl, [
          '--kubeconfig',
          cluster.kubeconfigPath,
          'diff',
          '--server-side',
          '--force-conflicts',
          '-f',
          rendered[e],
        ]);
        if (r.code !== 0 && r.code !== 1) throw new Error(`kubectl diff exited ${r.code}: ${r.stderr}`);
        seconds += r.seconds;
        rssMiB = Math.max(rssMiB, r.rssMiB);
        kubectlDrifted += (r.stdout.match(/^diff -u -N /gm) ?? []).length;
      }
      kubectlRuns.push({ seconds, rssMiB });
    }
    const cliSeconds = median(cliRuns.map((r) => r.seconds));
    const firstSeconds = median(firstRuns.map((r) => r.seconds));
    const kubectlSeconds = median(kubectlRuns.map((r) => r.seconds));
    const spread = (runs: Array<{ seconds: number }>) => `${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s`;

    // Last: it edits a file of the repo the runs above read.
    const inProcess = await measureInProcess(dir, cluster.kubeconfigPath, cluster.adminContext);

    const total = objectsPerEnv * BENCH_ENVIRONMENTS.length;
    const rows = [
      [
        'gitops-drift check (CLI process, cold)',
        `${cliSeconds.toFixed(2)} s`,
        `${Math.max(...cliRuns.map((r) => r.rssMiB)).toFixed(0)} MiB`,
        `${drifted} of ${objects} not in sync (expected ${expectedDrifted}); code cache present; median of ${spread(cliRuns)}`,
      ],
      [
        'gitops-drift check, first run (empty code cache)',
        `${firstSeconds.toFixed(2)} s`,
        `${Math.max(...firstRuns.map((r) => r.rssMiB)).toFixed(0)} MiB`,
        `compiles the bundle and writes the code cache; median of ${spread(firstRuns)}`,
      ],
      ['in-process cold check', `${inProcess.cold.ms.toFixed(0)} ms`, '', `${inProcess.cold.requests} API requests`],
      ['in-process warm check', `${inProcess.warm.ms.toFixed(0)} ms`, '', `${inProcess.warm.requests} API requests`],
      [
        're-diff after one file change (watch cache, median of 7 edits)',
        `${inProcess.afterEdit.ms.toFixed(0)} ms`,
        '',
        `${inProcess.afterEdit.requests} API requests`,
      ],
      [
        'kubectl diff --server-side --force-conflicts (3 processes)',
        `${kubectlSeconds.toFixed(2)} s`,
        `${Math.max(...kubectlRuns.map((r) => r.rssMiB)).toFixed(0)} MiB`,
        `${kubectlDrifted} objects reported; median of ${spread(kubectlRuns)}`,
      ],
    ];
    const ratio = kubectlSeconds / cliSeconds;
    const firstRatio = kubectlSeconds / firstSeconds;
    const lines = [
      `Reconcile benchmark: ${BENCH_ENVIRONMENTS.length} environments × ${objectsPerEnv} objects = ${total} objects, real kube-apiserver v1.35.4 on loopback`,
      ...rows.map((r) => `  ${r[0].padEnd(46)} ${r[1].padStart(9)} ${r[2].padStart(8)}  ${r[3]}`),
      `  kubectl diff / gitops-drift check (whole processes): ${ratio.toFixed(1)}× (first run: ${firstRatio.toFixed(1)}×)`,
    ];
    console.log(lines.join('\n'));
    if (process.argv.includes('--record')) record(rows, ratio, firstRatio, total);
  } finally {
    await bed.stop();
  }
}

/** Replaces the reconcile section of docs/benchmarks.md with this run's figures. */
function record(rows: string[][], ratio: number, firstRatio: number, total: number): void {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  let doc = '';
  try {
    doc = readFileSync(file, 'utf8');
  } catch {
    doc = '# Benchmarks\n';
  }
  const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? 'unknown CPU';
  const section = [
    '<!-- reconcile:start -->',
    '## Reconcile (`bench/reconcile`)',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpu}, 2 cores, Node ${process.version}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' / ',
      )} at the end; ${total} objects in 3 environments on the test bed's real kube-apiserver v1.35.4 + etcd 3.6.16 (loopback). Command: \`npm run build && npx tsx bench/reconcile/run.ts ${process.argv.slice(2).join(' ')}\`.`,
    '',
    '| what | time | peak RSS | notes |',
    '| --- | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    `\`kubectl diff\` takes **${ratio.toFixed(1)}×** as long as \`gitops-drift check\` on the same objects (whole processes, same run), and ${firstRatio.toFixed(1)}× as long as its first run with an empty code cache. Targets: ≥ 20×, cold check of 3,000 objects < 2 s, re-diff after one file change < 150 ms.`,
    '',
    'To compare two builds under the same load (runs interleaved, medians, load average): `cp -r dist /tmp/before`, make the change, then `npm run build && npx tsx bench/reconcile/compare.ts /tmp/before/cli.js dist/cli.js`; `--cpu-prof DIR` adds a CPU profile per run.',
    '<!-- reconcile:end -->',
  ].join('\n');
  const re = /<!-- reconcile:start -->[\s\S]*<!-- reconcile:end -->/;
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
