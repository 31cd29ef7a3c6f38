// Helm engine benchmark: `npx tsx bench/helm/run.ts [--runs 5] [--renders 30] [--record]`.
// Builds the engine (scripts/build-helm-wasm.sh, cached), makes the chart `helm create` makes (the test bed's helm),
// then, in RUNS fresh processes (bench/helm/once.ts): the engine's start (read + inflate, compile, Go start-up), the
// first render, the median of RENDERS warm renders and 150 releases rendered one after another; and, as a reference,
// `helm template` as one process per release (what flux-local and Argo CD run). Prints medians; `--record` adds a row
// to docs/benchmarks.md. Targets (issue #16): start ≤ 300 ms, 150 releases ≤ 1.5 s warm. It asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { testbedBin } from '../../test/testbed/bins';
import { testHelmEngineDir } from '../../test/testbed/helmEngine';
import { recordRow } from '../recordRow';

const repo = resolve(__dirname, '..', '..');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (x: number) => `${Math.round(x)} ms`;

interface Once {
  startMs: number;
  timings: { readMs: number; compileMs: number; startMs: number };
  firstRenderMs: number;
  warmMedianMs: number;
  releases150Ms: number;
  manifests: number;
  rssMiB: number;
  tracing: {
    plain: { medianMs: number; cpuMs: number };
    traced: { medianMs: number; cpuMs: number; fields: number; values: number };
  };
}

function main(): void {
  const runs = Number(option('runs', '5'));
  const renders = option('renders', '30');
  const engineDir = testHelmEngineDir();
  const gz = join(engineDir, 'helm.wasm.gz');
  const rawBytes = gunzipSync(readFileSync(gz)).length;
  const gzBytes = statSync(gz).size;
  const helm = testbedBin('helm');
  const work = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-helm-'));
  try {
    execFileSync(helm, ['create', 'podinfo'], { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: work } });
    const chart = join(work, 'podinfo');
    const loadBefore = loadavg()[0];
    const results: Once[] = [];
    for (let i = 0; i < runs; i++) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'once.ts'), engineDir, chart, renders],
        {
          cwd: repo,
          encoding: 'utf8',
        },
      );
      if (child.status !== 0) throw new Error(`bench/helm/once.ts failed: ${child.stderr}`);
      results.push(JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Once);
      process.stderr.write(`run ${i + 1}: ${child.stdout.trim()}\n`);
    }
    const helmTimes: number[] = [];
    for (let i = 0; i < Math.max(runs, 5); i++) {
      const t = performance.now();
      execFileSync(helm, ['template', `release-${i}`, chart, '--namespace', 'bench'], {
        env: { PATH: process.env.PATH ?? '', HOME: work },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      helmTimes.push(performance.now() - t);
    }
    const loadAfter = loadavg()[0];
    const f = {
      start: median(results.map((r) => r.startMs)),
      read: median(results.map((r) => r.timings.readMs)),
      compile: median(results.map((r) => r.timings.compileMs)),
      goStart: median(results.map((r) => r.timings.startMs)),
      first: median(results.map((r) => r.firstRenderMs)),
      warm: median(results.map((r) => r.warmMedianMs)),
      r150: median(results.map((r) => r.releases150Ms)),
      rss: median(results.map((r) => r.rssMiB)),
      helmProcess: median(helmTimes),
      plain: median(results.map((r) => r.tracing.plain.medianMs)),
      traced: median(results.map((r) => r.tracing.traced.medianMs)),
      plainCpu: median(results.map((r) => r.tracing.plain.cpuMs)),
      tracedCpu: median(results.map((r) => r.tracing.traced.cpuMs)),
    };
    const tracedFields = results[0].tracing.traced.fields;
    const tracedValues = results[0].tracing.traced.values;
    const lines = [
      `engine: ${(rawBytes / 1e6).toFixed(1)} MB wasm, ${(gzBytes / 1e6).toFixed(1)} MB gzipped (${engineDir})`,
      `start (median of ${runs} fresh processes): ${ms(f.start)} = read+inflate ${ms(f.read)}, compile ${ms(f.compile)}, Go start-up ${ms(f.goStart)} (target ≤ 300 ms)`,
      `first render ${ms(f.first)}; warm render median ${f.warm.toFixed(1)} ms (${renders} renders of helm create's chart, ${results[0].manifests} manifests)`,
      `150 releases one after another: ${(f.r150 / 1000).toFixed(2)} s (target ≤ 1.5 s); helm template as one process per release: ${ms(f.helmProcess)} each, ${((f.helmProcess * 150) / 1000).toFixed(1)} s for 150`,
      `values-line origins: a HelmRelease's render ${f.plain.toFixed(1)} ms without tracing, ${f.traced.toFixed(1)} ms with it (median; CPU for ${renders} renders ${ms(f.plainCpu)} → ${ms(f.tracedCpu)}); ${tracedFields} fields traced to ${tracedValues} marked values`,
      `peak RSS of the benchmark process (tsx + engine) ${Math.round(f.rss)} MiB; load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} on ${cpus().length} cores`,
    ];
    console.log(lines.join('\n'));
    if (process.argv.includes('--record')) {
      const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
      recordRow(
        '## Helm engine (`bench/helm`)',
        "Helm v4.3.2 in WebAssembly (helm-wasm/, scripts/build-helm-wasm.sh) in a worker thread; `helm create`'s chart. " +
          'Command: `npx tsx bench/helm/run.ts --runs 5 --record`. Start: read + inflate + compile + Go start-up, in a ' +
          'fresh process, median of the runs. Peak RSS: the benchmark process (tsx and the engine worker). Targets: start ≤ 300 ms, 150 releases ≤ 1.5 s warm, memory ≤ 300 MB.\n\n' +
          '| when (UTC) | load | wasm / gzipped | start (read, compile, Go) | first render | warm render | 150 releases | helm template process | peak RSS |\n' +
          '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n',
        `| ${when} | ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} | ${(rawBytes / 1e6).toFixed(1)} / ${(gzBytes / 1e6).toFixed(1)} MB | ${ms(f.start)} (${ms(f.read)}, ${ms(f.compile)}, ${ms(f.goStart)}) | ${ms(f.first)} | ${f.warm.toFixed(1)} ms | ${(f.r150 / 1000).toFixed(2)} s | ${ms(f.helmProcess)} | ${Math.round(f.rss)} MiB |`,
      );
      recordRow(
        '## Helm values-line origins (`bench/helm`)',
        "The cost of tracing rendered fields to values lines (docs/helm.md): `helm create`'s chart rendered as a " +
          "HelmRelease's (`renderHelmRelease`, one value set by the HelmRelease), RENDERS times without tracing, then " +
          'RENDERS times with it (a second render with marked values, and the matching), in each fresh process of the ' +
          'engine benchmark; medians of the runs. CPU: the process (engine worker included) over each loop.\n\n' +
          '| when (UTC) | load | renders | untraced render | traced render | CPU untraced → traced | fields traced / values marked |\n' +
          '| --- | --- | ---: | ---: | ---: | ---: | ---: |\n',
        `| ${when} | ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} | ${renders} | ${f.plain.toFixed(1)} ms | ${f.traced.toFixed(1)} ms | ${ms(f.plainCpu)} → ${ms(f.tracedCpu)} | ${tracedFields} / ${tracedValues} |`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
