/**
 * Multi-cluster benchmark on real API servers: C kube-apiservers (default 3; the test bed's own plus peers on its
 * etcd, each under its own key prefix), E environments (default 10) pinned to them in `.gitops-drift.yaml`, N objects
 * in all (default 30,000). The repo is generated, rendered with the test bed's kustomize (the first environment; the
 * others differ only by name) and loaded once by a bulk
 * server-side-apply loader (bench/multicluster/load.ts), a few objects are changed by hand, then each of `--rounds`
 * rounds measures
 *   - `gitops-drift check` as a whole process (every environment, each against its own cluster): wall time, CPU
 *     time (user + sys) and peak RSS;
 *   - `kubectl diff --server-side --force-conflicts` (the test bed's kubectl), one process per environment with its
 *     context, on the same rendered objects (`--no-kubectl` skips it).
 * Medians are reported with the load average at start and end.
 * Run: `npm run build && npx tsx bench/multicluster/run.ts [--objects 30000] [--environments 10] [--clusters 3]
 * [--rounds 3] [--kubectl-rounds N] [--no-kubectl] [--record]`. Prints figures; never a timed test.
 *
 * The set-up (loading 30,000 objects) takes minutes, so it can be kept: `--serve DIR` sets up into DIR, writes
 * DIR/state.json and keeps the API servers running until it is interrupted (Ctrl-C, SIGTERM); meanwhile any number
 * of `--attach DIR` runs measure against them (and `KUBECONFIG=DIR/kubeconfig node dist/cli.js check DIR/repo` can be
 * profiled by hand). Every check must still find exactly the hand-made drift, so a run that changed the clusters fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { testbedBin } from '../../test/testbed/bins';
import { multiClusterKubeconfig, startTestCluster, type TestCluster } from '../../test/testbed/cluster';
import { type BenchEnvironment, generateMultiClusterRepo } from './generate';
import { bulkApply } from './load';

const repoRoot = resolve(__dirname, '..', '..');
const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const totalObjects = arg('objects', 30_000);
const environmentCount = arg('environments', 10);
const clusterCount = arg('clusters', 3);
const rounds = arg('rounds', 3);
const withKubectl = !process.argv.includes('--no-kubectl');
/** `kubectl diff` takes minutes a round: `--kubectl-rounds 1` times it in the first round only, the check in all. */
const kubectlRounds = arg('kubectl-rounds', rounds);
/** The folder given after `--NAME`, if any. */
const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? resolve(process.argv[at + 1]) : undefined;
};
/** Objects the hand changes below leave out of sync. */
const EXPECTED_DRIFTED = 3;

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

interface Timed {
  seconds: number;
  cpuSeconds: number;
  rssMiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command under GNU time: wall seconds, CPU seconds (user + sys), peak RSS (MiB). */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %M', command, ...args], {
    encoding: 'utf8',
    env,
    maxBuffer: 1024 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [user, sys, rssKb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, cpuSeconds: user + sys, rssMiB: rssKb / 1024, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** What `--serve` leaves for `--attach`: the set-up's kubeconfig, repo, rendered files and figures. */
interface BenchState {
  kubeconfig: string;
  repo: string;
  environments: BenchEnvironment[];
  /** Each environment's rendered objects (the `kubectl diff` input), by environment name. */
  rendered: Record<string, string>;
  loaded: number;
  clusterCount: number;
  /** The set-up's figures, printed again by each run. */
  setUpLine: string;
  /** The test bed's folder: its servers (etcd, the kube-apiservers) are the processes whose command line names it. */
  testbedDir: string;
}

/**
 * CPU seconds (user + sys) the test bed's servers have used so far: on this machine they share the cores with the
 * check, so the time they take to answer its LISTs is part of what the check waits for.
 */
function serversCpuSeconds(testbedDir: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(testbedDir)) continue;
      // Fields after the command name (which may hold spaces) start at its closing parenthesis: utime, stime are 14, 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // ended meanwhile
    }
  }
  // Linux reports them in clock ticks of 1/100 s (USER_HZ).
  return ticks / 100;
}

/** Starts the API servers, writes the repo and loads its objects into `dir`; applies the hand changes. */
async function setUp(cluster: TestCluster, dir: string): Promise<BenchState> {
  const kubectl = testbedBin('kubectl');
  const kustomize = testbedBin('kustomize');
  const setupStarted = Date.now();
  const peers = await Promise.all(Array.from({ length: clusterCount - 1 }, (_, i) => cluster.addCluster(`c${i + 1}`)));
  const contexts = [
    { context: 'c0', server: cluster.server },
    ...peers.map((p) => ({ context: p.name, server: p.server })),
  ];
  const kubeconfig = multiClusterKubeconfig(join(dir, 'kubeconfig'), cluster, contexts);
  const serversReady = Date.now();
  const repo = join(dir, 'repo');
  const environments = generateMultiClusterRepo(repo, {
    environments: environmentCount,
    objectsPerEnv: Math.floor(totalObjects / environmentCount),
    contexts: contexts.map((c) => c.context),
  });
  // kustomize builds the first environment; the others are its output with the environment's name put in: the
  // overlays differ only there (namespace, the `env` label's value, nothing else), and one build of 3,000 objects
  // takes minutes on this loaded machine. The check renders every environment itself.
  const first = environments[0];
  const firstText = execFileSync(kustomize, ['build', join(repo, 'envs', first.name)], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const rendered: Record<string, string> = {};
  for (const e of environments) {
    rendered[e.name] = join(dir, `${e.name}.rendered.yaml`);
    writeFileSync(
      rendered[e.name],
      firstText
        .replaceAll(`namespace: ${first.namespace}\n`, `namespace: ${e.namespace}\n`)
        .replaceAll(`env: ${first.name}\n`, `env: ${e.name}\n`),
    );
  }
  const rendersDone = Date.now();
  const kube = (context: string, ...args: string[]) =>
    execFileSync(kubectl, ['--kubeconfig', kubeconfig, '--context', context, ...args], { encoding: 'utf8' });
  // Clusters load side by side, each one environment after another.
  let loaded = 0;
  await Promise.all(
    contexts.map(async (c) => {
      for (const e of environments.filter((x) => x.context === c.context)) {
        kube(c.context, 'create', 'namespace', e.namespace);
        // Added after the await: `loaded += await …` would add to the value read before another cluster's load.
        const count = await bulkApply(
          { server: c.server, caFile: cluster.caFile, token: cluster.adminToken },
          rendered[e.name],
        );
        loaded += count;
        process.stderr.write(`loaded ${e.name} on ${c.context} (${loaded} objects so far)\n`);
      }
    }),
  );
  const loadDone = Date.now();
  // Hand changes, one per cluster (EXPECTED_DRIFTED objects).
  kube(environments[0].context, '-n', environments[0].namespace, 'scale', 'deployment/app-0001', '--replicas=5');
  kube(
    environments[1].context,
    '-n',
    environments[1].namespace,
    'set',
    'image',
    'deployment/app-0002',
    'main=ghcr.io/acme/app-0002:hotfix',
  );
  kube(
    environments[2].context,
    '-n',
    environments[2].namespace,
    'patch',
    'configmap',
    'app-0003-config',
    '-p',
    '{"data":{"greeting":"hi"}}',
  );
  const setUpLine = `set-up: ${clusterCount} API servers ${((serversReady - setupStarted) / 1000).toFixed(1)} s, 1 kustomize build ${((rendersDone - serversReady) / 1000).toFixed(1)} s, bulk load of ${loaded} objects ${((loadDone - rendersDone) / 1000).toFixed(1)} s`;
  console.log(setUpLine);
  const testbedDir = dirname(cluster.kubeconfigPath);
  return { kubeconfig, repo, environments, rendered, loaded, clusterCount, setUpLine, testbedDir };
}

/** Measures `rounds` rounds of the check (and of `kubectl diff`) against a set-up; records them with `--record`. */
function measure(state: BenchState, loadAtStart: string): void {
  const { kubeconfig, repo, environments, rendered, loaded } = state;
  const kubectl = testbedBin('kubectl');
  const { NODE_DISABLE_COMPILE_CACHE: _disabled, ...inherited } = process.env;
  const cacheDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-code-cache-'));
  const env = { ...inherited, KUBECONFIG: kubeconfig, GITOPS_DRIFT_CODE_CACHE_DIR: cacheDir };
  const checkRuns: Array<Timed & { serversCpuSeconds: number }> = [];
  const kubectlRuns: Array<{ seconds: number; cpuSeconds: number; rssMiB: number }> = [];
  let objects = 0;
  let kubectlDrifted = 0;
  // One run to write the code cache, as every run after installing has it.
  timed(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'check', repo, '--format', 'json'], env);
  for (let round = 0; round < rounds; round++) {
    const serversBefore = serversCpuSeconds(state.testbedDir);
    const run = {
      ...timed(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'check', repo, '--format', 'json'], env),
      serversCpuSeconds: serversCpuSeconds(state.testbedDir) - serversBefore,
    };
    if (run.code !== 1) throw new Error(`gitops-drift check exited ${run.code}: ${run.stderr.slice(0, 2000)}`);
    const report = JSON.parse(run.stdout) as {
      environments: Array<{ context: string; error: string | null; resources: Array<{ verdict: string }> }>;
    };
    const all = report.environments.flatMap((e) => e.resources);
    objects = all.length;
    const drifted = all.filter((r) => r.verdict !== 'InSync').length;
    if (drifted !== EXPECTED_DRIFTED || objects !== loaded)
      throw new Error(`check reported ${drifted} of ${objects} not in sync, expected ${EXPECTED_DRIFTED} of ${loaded}`);
    checkRuns.push(run);
    process.stderr.write(
      `round ${round + 1}: check ${run.seconds.toFixed(2)} s, ${run.cpuSeconds.toFixed(2)} s CPU (servers meanwhile ${run.serversCpuSeconds.toFixed(2)} s), ${run.rssMiB.toFixed(0)} MiB, load ${load()}\n`,
    );
    if (!withKubectl || round >= kubectlRounds) continue;
    let seconds = 0;
    let cpuSeconds = 0;
    let rssMiB = 0;
    kubectlDrifted = 0;
    for (const e of environments) {
      const r = timed(kubectl, [
        '--kubeconfig',
        kubeconfig,
        '--context',
        e.context,
        'diff',
        '--server-side',
        '--force-conflicts',
        '-f',
        rendered[e.name],
      ]);
      if (r.code !== 0 && r.code !== 1) throw new Error(`kubectl diff exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
      seconds += r.seconds;
      cpuSeconds += r.cpuSeconds;
      rssMiB = Math.max(rssMiB, r.rssMiB);
      kubectlDrifted += (r.stdout.match(/^diff -u -N /gm) ?? []).length;
    }
    kubectlRuns.push({ seconds, cpuSeconds, rssMiB });
    process.stderr.write(`round ${round + 1}: kubectl diff ${seconds.toFixed(1)} s\n`);
  }
  rmSync(cacheDir, { recursive: true, force: true });

  const spread = (runs: Array<{ seconds: number }>) => runs.map((r) => r.seconds.toFixed(2)).join(', ');
  const checkSeconds = median(checkRuns.map((r) => r.seconds));
  const rows = [
    [
      'gitops-drift check (whole process, all environments)',
      `${checkSeconds.toFixed(2)} s`,
      `${median(checkRuns.map((r) => r.cpuSeconds)).toFixed(2)} s`,
      `${Math.max(...checkRuns.map((r) => r.rssMiB)).toFixed(0)} MiB`,
      `${EXPECTED_DRIFTED} of ${objects} not in sync (as expected); median of ${spread(checkRuns)} s; the API servers and etcd used ${median(checkRuns.map((r) => r.serversCpuSeconds)).toFixed(2)} s CPU meanwhile (median) on the same cores`,
    ],
  ];
  if (kubectlRuns.length) {
    const kubectlSeconds = median(kubectlRuns.map((r) => r.seconds));
    rows.push([
      `kubectl diff --server-side --force-conflicts (${environments.length} processes, one after another)`,
      `${kubectlSeconds.toFixed(1)} s`,
      `${median(kubectlRuns.map((r) => r.cpuSeconds)).toFixed(1)} s`,
      `${Math.max(...kubectlRuns.map((r) => r.rssMiB)).toFixed(0)} MiB`,
      `${kubectlDrifted} objects reported; median of ${spread(kubectlRuns)} s; ${(kubectlSeconds / checkSeconds).toFixed(1)}× the check's time`,
    ]);
  }
  const header = `Multi-cluster benchmark: ${state.clusterCount} API servers, ${environments.length} environments, ${objects} objects; load ${loadAtStart} at start, ${load()} at end`;
  console.log([state.setUpLine, header, ...rows.map((r) => `  ${r[0]}: ${r.slice(1).join(', ')}`)].join('\n'));
  if (process.argv.includes('--record')) record(rows, header);
}

async function main(): Promise<void> {
  const loadAtStart = load();
  const serveDir = flag('serve');
  const attachDir = flag('attach');
  if (attachDir) {
    measure(JSON.parse(readFileSync(join(attachDir, 'state.json'), 'utf8')) as BenchState, loadAtStart);
    return;
  }
  const cluster = await startTestCluster();
  const dir = serveDir ?? mkdtempSync(join(tmpdir(), 'gitops-drift-bench-multicluster-'));
  try {
    if (serveDir) mkdirSync(serveDir, { recursive: true });
    const state = await setUp(cluster, dir);
    if (!serveDir) {
      measure(state, loadAtStart);
      return;
    }
    writeFileSync(join(serveDir, 'state.json'), JSON.stringify(state, null, 2));
    console.log(`serving: run \`npx tsx bench/multicluster/run.ts --attach ${serveDir}\`; Ctrl-C ends the servers`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    if (serveDir) rmSync(join(serveDir, 'state.json'), { force: true });
    else rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  }
}

/** Replaces the multi-cluster section of docs/benchmarks.md with this run's figures. */
function record(rows: string[][], header: string): void {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  let doc = readFileSync(file, 'utf8');
  const section = [
    '<!-- multicluster:start -->',
    '## Several clusters (`bench/multicluster`)',
    '',
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, 2 shared cores. ${header}. Command: \`npm run build && npx tsx bench/multicluster/run.ts ${process.argv.slice(2).join(' ')}\`.`,
    '',
    '| what | wall (median) | CPU (user + sys, median) | peak RSS | notes |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'Targets: `check` ≤ 3 s and ≤ 400 MB; `kubectl diff` ≥ 30× as long.',
    '<!-- multicluster:end -->',
  ].join('\n');
  const re = /<!-- multicluster:start -->[\s\S]*<!-- multicluster:end -->/;
  doc = re.test(doc) ? doc.replace(re, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, doc);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
