// One fresh process of the Helm engine benchmark (bench/helm/run.ts starts it): starts the engine, renders the chart
// in CHART_DIR once (first render), then RENDERS more times one after another (warm), then 150 releases (each its own
// release name and values). Prints one JSON line of figures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryFileSystem } from '../../src/core/memoryFileSystem';
import type { Origin } from '../../src/core/model/location';
import type { HelmChartFile } from '../../src/core/ports';
import { renderHelmRelease } from '../../src/core/render/helm/helmRelease';
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
  const tracing = await valuesTracing(engine, files, Number(renders));
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
      tracing,
    }) + '\n',
  );
  engine.dispose();
}

/**
 * Values-line origins' cost (src/core/render/helm/valuesTrace.ts): the chart rendered as a HelmRelease's
 * (renderHelmRelease over an in-memory repo, one value set by the HelmRelease), RENDERS times without tracing and
 * RENDERS times with it, one after another: the medians (wall) and the CPU time of each loop.
 */
async function valuesTracing(engine: WasmHelmEngine, files: HelmChartFile[], renders: number) {
  const fs = new MemoryFileSystem(
    Object.fromEntries(files.map((f) => [`charts/podinfo/${f.name}`, new TextDecoder().decode(f.data)])),
    '/r',
  );
  const source = { file: 'envs/dev/release.yaml', line: 1, column: 1 };
  const origin: Origin = { ...source, line: 12, column: 5, kind: 'resource' };
  const helmRelease = {
    object: {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web' },
      spec: { values: { replicaCount: 2 } },
    },
    source,
    origins: new Map([['/spec/values/replicaCount', origin]]),
  };
  const loop = async (traceValues: boolean) => {
    const times: number[] = [];
    let fields = 0;
    let values = 0;
    const cpu = process.cpuUsage();
    for (let i = 0; i < renders; i++) {
      const t = performance.now();
      const r = await renderHelmRelease({
        helmRelease,
        chart: { folder: 'charts/podinfo' },
        releaseName: `release-${i}`,
        helmReleaseNamespace: 'bench',
        namespace: 'bench',
        fs,
        repoRoot: '/r',
        engine,
        traceValues,
      });
      if (!r.ok) throw new Error(r.message);
      if (r.trace?.message) throw new Error(r.trace.message);
      fields = r.trace?.fields ?? 0;
      values = r.trace?.values ?? 0;
      times.push(performance.now() - t);
    }
    const used = process.cpuUsage(cpu);
    times.sort((a, b) => a - b);
    return { medianMs: times[times.length >> 1], cpuMs: (used.user + used.system) / 1000, fields, values };
  };
  const plain = await loop(false);
  const traced = await loop(true);
  return { plain, traced };
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
