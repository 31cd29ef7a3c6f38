/**
 * One history walk in this process, for profiling (`npx tsx --cpu-prof bench/history/inProcess.ts REPO [--since 90d]`):
 * cold (no cache), then again with the cache the first walk wrote. Prints the walk's counters and times.
 */
import { DriftEngine } from '../../src/core/engine';
import { SnapshotKey } from '../../src/core/drift/snapshotSecrets';
import { loadHistory } from '../../src/core/historyService';
import { doraMetrics } from '../../src/core/history/dora';
import type { CacheStore } from '../../src/core/ports';
import { BatchFileSystem } from '../../src/node/batchFileSystem';
import { repoReadOptions } from '../../src/node/regularFile';
import { SimpleGitAdapter } from '../../src/node/simpleGit';

async function main(): Promise<void> {
  const repoRoot = process.argv[2];
  const days = Number(process.argv[3] ?? 90);
  const stored = new Map<string, string>();
  const cache: CacheStore = { read: async (k) => stored.get(k), write: async (k, v) => void stored.set(k, v) };
  for (const round of ['cold', 'cached']) {
    const started = Date.now();
    const engine = new DriftEngine({ fs: new BatchFileSystem(repoReadOptions(repoRoot, process.env)), repoRoot });
    const now = new Date();
    const history = await loadHistory(
      {
        engine,
        git: new SimpleGitAdapter(repoRoot),
        repoRoot,
        cache,
        secretKey: new SnapshotKey(new Uint8Array(32)),
        toolVersion: 'bench',
      },
      { now, since: new Date(now.getTime() - days * 86_400_000) },
    );
    const report = doraMetrics(history);
    console.log(
      `${round}: ${Date.now() - started} ms, ${JSON.stringify(history.stats)}, deployments ${report.environments.map((e) => `${e.environment} ${e.deploymentFrequency.deployments}`).join(', ')}; rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB`,
    );
  }
}

void main();
