/**
 * Environment discovery on a large tree: the wall-clock figure the unit test `test/unit/repo/discover.test.ts` used to
 * assert (`< 2000 ms`), measured here instead. The tree is that test's, in memory: 50 apps, each a base of 20
 * manifests and two overlays (100 environments, 150 kustomization files), plus 500 kustomizations under node_modules
 * that discovery must skip. Each round runs discoverEnvironments on a fresh MemoryFileSystem; prints the median and
 * spread with the machine's load and, with --record, adds a row to docs/benchmarks.md.
 *
 *   npx tsx bench/discover/run.ts [--apps 50] [--rounds 15] [--record]
 */
import { cpus, loadavg } from 'node:os';
import { MemoryFileSystem } from '../../src/core/memoryFileSystem';
import { discoverEnvironments } from '../../src/core/repo/discover';
import { recordRow } from '../recordRow';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) || fallback : fallback;
}

const kustomization = (...resources: string[]) =>
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join('\n')}\n`;

/** The unit test's large tree, scaled by the number of apps. */
function tree(apps: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let app = 0; app < apps; app++) {
    files[`/r/apps/a${app}/base/kustomization.yaml`] = kustomization(
      ...Array.from({ length: 20 }, (_, i) => `m${i}.yaml`),
    );
    for (let i = 0; i < 20; i++)
      files[`/r/apps/a${app}/base/m${i}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: m${i} }\n`;
    for (const env of ['dev', 'prod'])
      files[`/r/apps/a${app}/overlays/${env}/kustomization.yaml`] = kustomization('../../base');
  }
  for (let i = 0; i < 500; i++) files[`/r/node_modules/pkg${i}/kustomization.yaml`] = kustomization();
  return files;
}

async function main(): Promise<void> {
  const apps = option('apps', 50);
  const rounds = option('rounds', 15);
  const files = tree(apps);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const fs = new MemoryFileSystem(files);
    const started = performance.now();
    const found = await discoverEnvironments(fs, '/r');
    times.push(performance.now() - started);
    if (found.environments.length !== apps * 2)
      throw new Error(`round ${i}: ${found.environments.length} environments, not ${apps * 2}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(
    `discovery of ${apps * 2} environments (${apps * 3} kustomizations, 500 skipped under node_modules) over ${rounds} rounds: median ${median.toFixed(1)} ms, min ${sorted[0].toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms; first round ${times[0].toFixed(1)} ms (load ${load}, ${cpus().length} cores)`,
  );
  if (process.argv.includes('--record')) {
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    record(
      `| ${when} | ${apps * 2} | ${rounds} | ${median.toFixed(1)} ms | ${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)} ms | ${times[0].toFixed(1)} ms | ${load} |`,
    );
  }
}

function record(line: string): void {
  recordRow(
    '## Environment discovery (`bench/discover`)',
    `Discovery on a large in-memory tree (the large-tree case of \`test/unit/repo/discover.test.ts\`: 50 apps of a base ` +
      'with 20 manifests and two overlays, plus 500 kustomizations under node_modules that it skips). The unit test used to assert ' +
      'it took under 2 s; it now checks only what is read, and the time is measured here. Command: `npx tsx bench/discover/run.ts --record`. ' +
      'The first round includes warming up (module code compiled by V8 on first use).\n\n' +
      '| when (UTC) | environments | rounds | median | min–max | first round | load (1/5/15 min) |\n| --- | ---: | ---: | ---: | ---: | ---: | --- |\n',
    line,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
