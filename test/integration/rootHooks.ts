/** Mocha root hooks: one real etcd + kube-apiserver for the whole integration run, stopped on exit or interrupt. */
import { startTestCluster, type TestCluster } from '../testbed/cluster';
import { createdNamespaces, setTestCluster } from './support';

let cluster: TestCluster | undefined;

async function shutdown(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  setTestCluster(undefined);
  if (c) await c.stop();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void shutdown().finally(() => process.exit(130));
  });
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    cluster = await startTestCluster();
    setTestCluster(cluster);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    if (cluster) {
      // No controller manager runs, so deleted namespaces stay Terminating; deleting still marks them for the record.
      await Promise.all(createdNamespaces().map((ns) => cluster!.adminRequest('DELETE', `/api/v1/namespaces/${ns}`)));
    }
    await shutdown();
  },
};
