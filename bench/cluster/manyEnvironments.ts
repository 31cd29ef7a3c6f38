/**
 * Many environments on one kube context (issue 12: 10,000 of them once all failed with EMFILE or timed out on a
 * healthy server). Generates `--envs` environments over one shared base, spread over `--namespaces` namespaces,
 * serves their ConfigMaps from the loopback API server, and runs `check` as one CLI process: wall time, peak
 * RSS, the requests the server saw and the most it had in flight at once.
 *
 * `--latency MS` answers every LIST that late (a busy server: more requests wait at once). BENCH_CLI=path runs
 * another build's dist/cli.js.
 *
 *   npm run build && npx tsx bench/cluster/manyEnvironments.ts [--envs 10000] [--namespaces 100] [--latency 0]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBadApiServer } from '../../test/support/badApiServer';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const envs = flag('envs', 10_000);
const namespaces = flag('namespaces', 100);
const latency = flag('latency', 0);
const cli = process.env.BENCH_CLI ?? resolve(__dirname, '..', '..', 'dist', 'cli.js');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-manyenvs-'));
  const server = await startBadApiServer();
  try {
    mkdirSync(join(dir, 'base'), { recursive: true });
    writeFileSync(join(dir, 'base', 'kustomization.yaml'), 'resources:\n- cm.yaml\n');
    writeFileSync(
      join(dir, 'base', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: "1"\n',
    );
    for (let i = 0; i < envs; i++) {
      mkdirSync(join(dir, 'envs', `e${i}`), { recursive: true });
      writeFileSync(
        join(dir, 'envs', `e${i}`, 'kustomization.yaml'),
        `namespace: ns-${i % namespaces}\nresources:\n- ../../base\n`,
      );
    }
    server.faults.listLatencyMs = latency;
    for (let n = 0; n < namespaces; n++) server.setConfigMaps(`ns-${n}`, [{ name: 'web', data: { a: '1' } }]);
    const started = performance.now();
    const child = spawn(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, cli, 'check', dir, '--kubeconfig', server.kubeconfig()],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    const ms = performance.now() - started;
    const lines = stdout.trimEnd().split('\n');
    const inSync = lines.filter((l) => / 1 in sync$/.test(l)).length;
    const rss = Number(stderr.trimEnd().split('\n').pop()) / 1024;
    const lists = server.requests.filter((r) => r.path.includes('/configmaps')).length;
    console.log(
      `${envs} environments over ${namespaces} namespaces${latency ? `, LISTs answered ${latency} ms late` : ''}: exit ${code}, ${(ms / 1000).toFixed(1)} s, peak RSS ${Math.round(rss)} MiB; ${inSync} environments in sync; ${server.requests.length} requests (${lists} ConfigMap LISTs), at most ${server.maxConcurrent} in flight`,
    );
    if (inSync !== envs)
      console.log(
        stdout
          .split('\n')
          .filter((l) => !/ 1 in sync$/.test(l))
          .slice(0, 5)
          .join('\n'),
        stderr.slice(0, 500),
      );
    console.log(
      `load average: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}; ${new Date().toISOString()}`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
