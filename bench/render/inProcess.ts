// Child process of run.ts: renders one root in-process several times and prints timings and peak RSS as JSON.
// A separate process keeps the figures free of the parent's own memory and JIT state.
import { performance } from 'node:perf_hooks';
import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import { FileCache } from '../../src/core/fileCache';
import type { FileSystem } from '../../src/core/ports';
import { createParseCache, type ParseCache } from '../../src/core/yaml/parseYaml';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';

/** Median, min and max of a sample, in ms. */
export interface Spread {
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** What one in-process run reports. */
export interface InProcessFigures {
  objects: number;
  /** First render in a fresh process: nothing compiled, nothing cached. */
  coldMs: number;
  /** Re-render with the parse cache the editor and engine keep between renders (files unchanged). */
  warmCached: Spread;
  /** Re-render with the parse cache and a FileCache keeping every read: nothing read, listed or stat'ed. */
  warmFilesKept: Spread;
  /** Re-render with a fresh cache each time: JIT warm, every file read and parsed again. */
  warmUncached: Spread;
  peakRssMiB: number;
}

async function main(): Promise<void> {
  const [repoRoot, root, runsArg, warmupArg] = process.argv.slice(2);
  const runs = Number(runsArg);
  const warmup = Number(warmupArg);
  const node = new NodeFileSystem();
  const render = async (cache: ParseCache, fs: FileSystem = node) => {
    const start = performance.now();
    const result = await renderKustomization(root, { fs, repoRoot, cache });
    return { ms: performance.now() - start, objects: result.objects.length };
  };
  const sample = async (cacheFor: () => ParseCache, fs?: FileSystem): Promise<Spread> => {
    for (let i = 0; i < warmup; i++) await render(cacheFor(), fs);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await render(cacheFor(), fs)).ms);
    times.sort((a, b) => a - b);
    return { medianMs: times[Math.floor(times.length / 2)], minMs: times[0], maxMs: times[times.length - 1] };
  };
  const shared = createParseCache();
  const cold = await render(shared);
  const warmCached = await sample(() => shared);
  const kept = createParseCache();
  const warmFilesKept = await sample(() => kept, new FileCache(node));
  const warmUncached = await sample(createParseCache);
  const figures: InProcessFigures = {
    objects: cold.objects,
    coldMs: cold.ms,
    warmCached,
    warmFilesKept,
    warmUncached,
    // Linux reports maxRSS in KiB.
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(figures) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
