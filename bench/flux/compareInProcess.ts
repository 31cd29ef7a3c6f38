/**
 * A/B of the in-process figures of the Flux benchmark (cold and warm check, re-check after saving one app's file)
 * between source trees, on one test bed, runs interleaved (A B A B ...) so the machine's load falls on both alike.
 * Each TREE must hold bench/flux/inProcess.ts (copy it into an older tree: it measures that tree's src/).
 *   npx tsx bench/flux/compareInProcess.ts [--runs 3] TREE [TREE ...]
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { measureInProcess as Measure } from './inProcess';
import { startFluxTestBed } from './testBed';

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
const trees = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--runs');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  const bed = await startFluxTestBed();
  try {
    const saved = bed.repo.apps.find(
      (a) => a.helmReleases.length > 0 && !bed.handChanges.some((h) => h.endsWith(`/${a.name}`)),
    )!;
    const measures = await Promise.all(
      trees.map(
        async (t) =>
          ((await import(join(resolve(t), 'bench', 'flux', 'inProcess.ts'))) as { measureInProcess: typeof Measure })
            .measureInProcess,
      ),
    );
    const results = trees.map(() => ({
      cold: [] as number[],
      warm: [] as number[],
      save: [] as number[],
      renders: '',
    }));
    console.log(`load before: ${load()}`);
    for (let run = 0; run < runs; run++) {
      for (const [i, measure] of measures.entries()) {
        // Each run edits its own copy of the repo: the trees never see each other's saves.
        const copy = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-flux-ab-'));
        try {
          cpSync(bed.dir, copy, { recursive: true });
          const m = await measure(
            copy,
            `${saved.path}/helmrelease.yaml`,
            bed.cluster.kubeconfigPath,
            bed.cluster.adminContext,
          );
          results[i].cold.push(m.cold.ms);
          results[i].warm.push(m.warm.ms);
          results[i].save.push(m.afterSave.ms);
          results[i].renders = `${m.afterSave.renders} render(s), reload ${m.afterSave.reloaded ? 'yes' : 'no'}`;
        } finally {
          rmSync(copy, { recursive: true, force: true });
        }
      }
    }
    for (const [i, t] of trees.entries()) {
      const r = results[i];
      console.log(
        `${t}: cold ${median(r.cold).toFixed(0)} ms, warm ${median(r.warm).toFixed(0)} ms, re-check after a save ${median(r.save).toFixed(0)} ms (medians of ${runs}; saves ${r.save.map((s) => s.toFixed(0)).join(', ')}; ${r.renders})`,
      );
    }
    console.log(`load after: ${load()}`);
  } finally {
    await bed.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
