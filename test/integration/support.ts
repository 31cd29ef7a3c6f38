/**
 * What integration suites share: one real API server per test run (started by rootHooks.ts) and a fresh
 * namespace per suite.
 */
import { randomBytes } from 'node:crypto';
import type { TestCluster } from '../testbed/cluster';

let current: TestCluster | undefined;
const created: string[] = [];

/** The run's test cluster. */
export function testCluster(): TestCluster {
  if (!current)
    throw new Error(
      'the test cluster is not running: integration tests run with .mocharc.integration.json (its root hooks start it)',
    );
  return current;
}

/** Creates a namespace named `<prefix>-<random>`; it is deleted when the run ends. */
export async function freshNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
  const res = await testCluster().adminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (res.status !== 201) throw new Error(`creating namespace ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  created.push(name);
  return name;
}

/** Called by the root hooks. */
export function setTestCluster(cluster: TestCluster | undefined): void {
  current = cluster;
}

/** Namespaces handed out in this run. */
export function createdNamespaces(): readonly string[] {
  return created;
}
