/**
 * Live change → verdict: how long after someone changes an object in the cluster the engine reports it, through the
 * watch-backed live cache the editor uses (the figure the editor test `refresh.test.ts` used to assert as a
 * wall-clock bound). A real API server holds the example shop; each round patches staging web's replica count by
 * hand and times PATCH → watch event → re-check that reports the new value. Prints the median and the spread and,
 * with --record, writes them to docs/benchmarks.md.
 *
 *   npx tsx bench/watch/run.ts [--rounds N] [--record]
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import { LiveCache } from '../../src/core/live/liveCache';
import { createKubeClusterReader } from '../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { applyExample } from '../../test/editor/harness/seedExample.mjs';
import { testbedBin } from '../../test/testbed/bins';
import { startTestCluster } from '../../test/testbed/cluster';
import { recordRow } from '../recordRow';

const root = resolve(__dirname, '..', '..');
const example = join(root, 'examples', 'shop');
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 21;

async function main(): Promise<void> {
  const cluster = await startTestCluster();
  try {
    applyExample({ workspace: example, cluster, testbedBin });
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: example });
    const staging = await engine.environment('staging');
    const reader = await createKubeClusterReader({
      kubeconfigPath: cluster.kubeconfigPath,
      context: cluster.adminContext,
    });
    const cache = new LiveCache(reader);
    const source = { reader, context: reader.context, cache };
    await engine.check(staging, source);
    const path = '/apis/apps/v1/namespaces/shop-staging/deployments/web';
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const replicas = 10 + i;
      const changed = new Promise<void>((done) => {
        const sub = cache.onDidChange(() => {
          sub.dispose();
          done();
        });
      });
      const started = performance.now();
      const res = await cluster.adminRequest(
        'PATCH',
        `${path}?fieldManager=kubectl-edit`,
        { spec: { replicas } },
        'application/merge-patch+json',
      );
      if (res.status !== 200) throw new Error(`PATCH: ${res.status}`);
      await changed;
      const report = await engine.check(staging, source);
      const field = report.resources
        .find((r) => r.key.kind === 'Deployment' && r.key.name === 'web')
        ?.fields.find((f) => f.path === '/spec/replicas');
      if (field?.live !== replicas)
        throw new Error(`round ${i}: the re-check reports ${String(field?.live)}, not ${replicas}`);
      times.push(performance.now() - started);
    }
    cache.dispose();
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    const load = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    const line = `| ${new Date().toISOString().slice(0, 16).replace('T', ' ')} | ${rounds} | ${at(0.5).toFixed(0)} ms | ${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)} ms | ${at(0.9).toFixed(0)} ms | ${load} |`;
    console.log(
      `live change → verdict over ${rounds} rounds: median ${at(0.5).toFixed(0)} ms, min ${times[0].toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms (load ${load})`,
    );
    if (process.argv.includes('--record')) record(line);
  } finally {
    await cluster.stop();
  }
}

function record(line: string): void {
  recordRow(
    '## Live change → verdict (`bench/watch`)',
    `A hand change in the cluster (PATCH of staging web's replicas, real API server) until the engine reports it: ` +
      "watch event, then the re-check from the live cache that the editor runs (the editor adds VS Code's diagnostics on top). " +
      'The editor test used to assert this as a 2 s wall-clock bound; it is measured here instead.\n\n' +
      '| when (UTC) | rounds | median | min–max | p90 | load (1/5/15 min) |\n| --- | ---: | ---: | ---: | ---: | --- |\n',
    line,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
