/**
 * The reconcile benchmark's test bed: a real API server holding the generated repo's environments (applied with
 * `kubectl apply --server-side`) plus a few hand changes. Shared by run.ts (the recorded figures) and compare.ts
 * (A/B runs and CPU profiles of CLI builds).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbedBin } from '../../test/testbed/bins';
import { startTestCluster, type TestCluster } from '../../test/testbed/cluster';
import { BENCH_ENVIRONMENTS, generateReconcileRepo } from './generate';

/** Objects the hand changes below leave out of sync. */
export const EXPECTED_DRIFTED = 3;

export interface ReconcileTestBed {
  cluster: TestCluster;
  /** The generated repo. */
  dir: string;
  /** `kustomize build` output per environment (what kubectl diff reads). */
  rendered: Record<string, string>;
  kubectl: string;
  /** Stops the cluster and removes the repo. */
  stop(): Promise<void>;
}

/** Starts a cluster, generates the repo with `objectsPerEnv` objects per environment and applies it. */
export async function startReconcileTestBed(objectsPerEnv: number): Promise<ReconcileTestBed> {
  const kubectl = testbedBin('kubectl');
  const kustomize = testbedBin('kustomize');
  const cluster = await startTestCluster();
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-reconcile-'));
  const stop = async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  };
  try {
    const namespaces = generateReconcileRepo(dir, objectsPerEnv);
    const kube = (...args: string[]) =>
      execFileSync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
    const rendered: Record<string, string> = {};
    for (const env of BENCH_ENVIRONMENTS) {
      kube('create', 'namespace', namespaces[env]);
      rendered[env] = join(dir, `${env}.rendered.yaml`);
      writeFileSync(
        rendered[env],
        execFileSync(kustomize, ['build', join(dir, 'envs', env)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }),
      );
      process.stderr.write(`applying ${env} (${objectsPerEnv} objects)…\n`);
      kube('apply', '--server-side', '-f', rendered[env]);
    }
    // A few hand changes, as people make them (EXPECTED_DRIFTED objects).
    kube('-n', 'bench-prod', 'scale', 'deployment/app-0001', '--replicas=5');
    kube('-n', 'bench-prod', 'set', 'image', 'deployment/app-0002', 'main=ghcr.io/acme/app-0002:hotfix');
    kube('-n', 'bench-staging', 'patch', 'configmap', 'app-0003-config', '-p', '{"data":{"greeting":"hi"}}');
    return { cluster, dir, rendered, kubectl, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
