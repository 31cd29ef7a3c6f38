/**
 * `check --live-from` of a 100,000-object snapshot (76 MB) against `check` of the same objects served by an API
 * server (our loopback one, paging 500 at a time as kube-apiserver does), whole CLI processes: wall time and
 * peak RSS, medians over rounds, interleaved so load hits all alike. Also the YAML form snapshots had before
 * (read through the positions-keeping YAML parser), once, killed after --yaml-limit seconds (0: skip it).
 *
 *   npm run build && npx tsx bench/snapshot/run.ts [--rounds 5] [--live 100000] [--yaml-limit 120]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBadApiServer } from '../../test/support/badApiServer';
import { generate } from './generate';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const rounds = flag('rounds', 5);
const liveCount = flag('live', 100_000);
const yamlLimit = flag('yaml-limit', 120);
const cli = process.env.BENCH_CLI ?? resolve(__dirname, '..', '..', 'dist', 'cli.js');

interface Run {
  ms: number;
  rssMiB: number;
  code: number | null;
  stdout: string;
}

/** One CLI process under GNU time (peak RSS), killed after `limitS`. */
function run(argv: string[], limitS: number, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((done) => {
    const started = performance.now();
    // Its own process group, so the limit kills the CLI under `time`, not only `time`.
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, limitS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stderr.trimEnd().split('\n').pop() ?? '';
      done({ ms: performance.now() - started, rssMiB: Number(last) / 1024, code: killed ? null : code, stdout });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-snapbench-'));
  const server = await startBadApiServer({ maxStreamMs: 600_000 });
  try {
    const json = generate(dir, { desired: 1000, live: liveCount });
    const yaml = generate(dir, { desired: 1000, live: liveCount, yaml: true });
    server.setConfigMapObjects(
      'bench',
      json.liveObjects.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    );
    const kubeconfig = server.kubeconfig();
    console.log(
      `snapshot: ${(statSync(json.snapshot).size / 1e6).toFixed(1)} MB JSON, ${(statSync(yaml.snapshot).size / 1e6).toFixed(1)} MB YAML; ${liveCount} live objects, 1000 desired (100 drifted)`,
    );
    const cases = {
      snapshot: ['check', json.repo, '--live-from', json.snapshot],
      server: ['check', json.repo, '--kubeconfig', kubeconfig],
    };
    const results: Record<string, Run[]> = { snapshot: [], server: [] };
    await run(cases.server, 300); // warm the code cache and the page cache
    for (let i = 0; i < rounds; i++) {
      for (const [name, argv] of Object.entries(cases)) {
        const r = await run(argv, 300, { GITOPS_DRIFT_SECRET_KEY_FILE: json.keyFile });
        if (r.code !== 1) throw new Error(`${name}: exit ${r.code}, expected 1 (drift): ${r.stdout.slice(0, 400)}`);
        results[name].push(r);
      }
    }
    const same = results.snapshot[0].stdout === results.server[0].stdout;
    for (const [name, rs] of Object.entries(results)) {
      console.log(
        `| check ${name === 'snapshot' ? '--live-from (JSON snapshot)' : 'against the loopback API server'} | ${(median(rs.map((r) => r.ms)) / 1000).toFixed(2)} s | ${Math.round(median(rs.map((r) => r.rssMiB)))} MiB | median of ${rs.map((r) => (r.ms / 1000).toFixed(2)).join(', ')} s |`,
      );
    }
    console.log(`same report from both: ${same}`);
    if (yamlLimit > 0) {
      const old = await run(['check', yaml.repo, '--live-from', yaml.snapshot], yamlLimit, {
        GITOPS_DRIFT_SECRET_KEY_FILE: yaml.keyFile,
      });
      console.log(
        `| check --live-from (YAML snapshot, the earlier form) | ${old.code === null ? `killed after ${yamlLimit} s` : `${(old.ms / 1000).toFixed(2)} s (exit ${old.code})`} | ${Number.isFinite(old.rssMiB) ? `${Math.round(old.rssMiB)} MiB` : 'n/a'} | once |`,
      );
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' / ')}; ${new Date().toISOString()}`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
