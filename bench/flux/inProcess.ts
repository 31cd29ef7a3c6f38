/**
 * The in-process part of the Flux benchmark: a cold check, a warm one, and the editor's re-check after saving one
 * app's file (src/vscode/driftStore.ts: `fileChanged`, a reload when it asks for one, then a check of the
 * environments to check again, live state from the watch-backed cache). Counts the render port's calls of each
 * re-check: saving one app's file must re-render that app's Kustomization only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultPipeline, DriftEngine, type EnginePipeline } from '../../src/core/engine';
import { LiveCache } from '../../src/core/live/liveCache';
import { createKubeClusterReader } from '../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { SimpleGitAdapter } from '../../src/node/simpleGit';

/** Saves timed for the re-check figure (its median is reported). */
const EDITS = 9;

export interface Measurement {
  ms: number;
  requests: number;
  drifted: number;
  /** Render port calls (applications rendered, not from cache). */
  renders: number;
  /** Names of the applications rendered. */
  rendered: string[];
  reloaded?: boolean;
}

export async function measureInProcess(
  repoDir: string,
  appFile: string,
  kubeconfigPath: string,
  context: string,
): Promise<{ cold: Measurement; warm: Measurement; afterSave: Measurement; saves: Measurement[] }> {
  const reader = await createKubeClusterReader({ kubeconfigPath, context });
  const rendered: string[] = [];
  const inner = createDefaultPipeline();
  const pipeline: EnginePipeline = {
    ...inner,
    render: (app, options) => {
      rendered.push(app.name);
      return inner.render(app, options);
    },
  };
  const engine = new DriftEngine({
    fs: new NodeFileSystem({ root: repoDir }),
    repoRoot: repoDir,
    pipeline,
    git: new SimpleGitAdapter(repoDir),
  });

  const measure = async (run: () => Promise<number>): Promise<Measurement> => {
    const before = reader.stats.requests;
    rendered.length = 0;
    const started = performance.now();
    const drifted = await run();
    return {
      ms: performance.now() - started,
      requests: reader.stats.requests - before,
      drifted,
      renders: rendered.length,
      rendered: [...rendered],
    };
  };
  const checkAll = (live: Parameters<DriftEngine['check']>[1]) => async () => {
    const repo = await engine.load();
    let drifted = 0;
    for (const env of repo.environments) {
      const report = await engine.check(env, live);
      if (report.error) throw new Error(`${env.name}: ${report.error}`);
      drifted += report.resources.filter((r) => r.verdict !== 'InSync').length;
    }
    return drifted;
  };
  const cold = await measure(checkAll({ reader, context }));
  const warm = await measure(checkAll({ reader, context }));

  // The editor's path: live state from watches; a save re-checks what read the file.
  const cache = new LiveCache(reader);
  try {
    await checkAll({ reader, context, cache })();
    const path = join(repoDir, appFile);
    const original = readFileSync(path, 'utf8');
    const saves: Measurement[] = [];
    for (let i = 0; i < EDITS; i++) {
      // Each save undoes the one before: the render alternates between two texts (a changed memory limit).
      writeFileSync(
        path,
        i % 2 ? original : original.replace(/memory: (\d+)Mi/, (_, n) => `memory: ${Number(n) * 2}Mi`),
      );
      let reloaded = false;
      const m = await measure(async () => {
        const change = await engine.fileChanged(appFile);
        reloaded = change.reload;
        const repo = change.reload ? await engine.load() : await engine.repo();
        const names = change.reload ? repo.environments.map((e) => e.name) : change.environments;
        let drifted = 0;
        for (const name of names) {
          const env = repo.environments.find((e) => e.name === name)!;
          const report = await engine.check(env, { reader, context, cache });
          drifted += report.resources.filter((r) => r.verdict !== 'InSync').length;
        }
        return drifted;
      });
      saves.push({ ...m, reloaded });
    }
    writeFileSync(path, original);
    const afterSave = [...saves].sort((a, b) => a.ms - b.ms)[Math.floor(saves.length / 2)];
    return { cold, warm, afterSave, saves };
  } finally {
    cache.dispose();
  }
}
