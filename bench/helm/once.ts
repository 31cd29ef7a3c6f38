// One fresh process of the Helm engine benchmark (bench/helm/run.ts starts it): starts the engine, renders the chart
// in CHART_DIR once (first render), then RENDERS more times one after another (warm), then 150 releases (each its own
// release name and values). Prints one JSON line of figures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HelmChartFile } from '../../src/core/ports';
import { WasmHelmEngine } from '../../src/node/helmEngine';

function chartFiles(dir: string, prefix = ''): HelmChartFile[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const name = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? chartFiles(dir, name) : [{ name, data: readFileSync(join(dir, name)) }];
  });
}

async function main(): Promise<void> {
  const [engineDir, chartDir, renders] = process.argv.slice(2);
  const files = chartFiles(chartDir);
  const engine = new WasmHelmEngine({ dir: engineDir });
  const began = performance.now();
  const startError = await engine.start();
  if (startError) throw new Error(startError);
  const ready = performance.now();
  const request = (i: number) => ({
    files,
    values: { replicaCount: (i % 5) + 1, ingress: { enabled: i % 2 === 0 } },
    releaseName: `release-${i}`,
    namespace: 'bench',
  });
  const first = await engine.render(request(0));
  if (!first.ok) throw new Error(first.message);
  const firstDone = performance.now();
  const warm: number[] = [];
  for (let i = 1; i <= Number(renders); i++) {
    const t = performance.now();
    const r = await engine.render(request(i));
    if (!r.ok) throw new Error(r.message);
    warm.push(performance.now() - t);
  }
  const t150 = performance.now();
  let objects = 0;
  for (let i = 0; i < 150; i++) {
    const r = await engine.render(request(i));
    if (!r.ok) throw new Error(r.message);
    objects += r.manifests.length;
  }
  const releases150Ms = performance.now() - t150;
  warm.sort((a, b) => a - b);
  process.stdout.write(
    JSON.stringify({
      startMs: ready - began,
      timings: engine.timings,
      firstRenderMs: firstDone - ready,
      warmMedianMs: warm[warm.length >> 1],
      releases150Ms,
      objects150: objects,
      manifests: first.manifests.length,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    }) + '\n',
  );
  engine.dispose();
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
