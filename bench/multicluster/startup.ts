/**
 * What one more cluster costs in the test bed: the first cluster (etcd + kube-apiserver) against one more
 * kube-apiserver on the running etcd under its own key prefix (`TestCluster.addCluster`), wall time to ready and
 * each server process's RSS once ready, with the load average.
 * Run: `npx tsx bench/multicluster/startup.ts`. Prints figures; never a timed test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startTestCluster } from '../../test/testbed/cluster';

/** RSS (MiB) of the processes whose command line names `dir` (this test bed's own folder, not another's). */
function serverRss(dir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((a) => a.includes(dir))) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const prefix = cmd.find((a) => a.startsWith('--etcd-prefix='))?.slice('--etcd-prefix='.length);
      out.push(`${cmd[0].split('/').pop()}${prefix ? ` ${prefix}` : ''} ${rss.toFixed(0)} MiB`);
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

async function main(): Promise<void> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ');
  console.log(`load at start ${load()}`);
  const t0 = Date.now();
  const cluster = await startTestCluster();
  try {
    console.log(`etcd + kube-apiserver ready: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const t1 = Date.now();
    await cluster.addCluster('second');
    console.log(`one more kube-apiserver on the same etcd ready: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    const dir = cluster.kubeconfigPath.replace(/\/kubeconfig$/, '');
    console.log(`RSS: ${serverRss(dir).join(', ')}`);
  } finally {
    await cluster.stop();
  }
  console.log(`load at end ${load()}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
