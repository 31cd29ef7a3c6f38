/**
 * The real kustomize-controller against the test bed, without source-controller: a loopback HTTP server serves a git
 * commit of a repo as the tar.gz source-controller would store (the commit's tree at the root, no `.git`), and a
 * `GitRepository`'s `status.artifact` is written through the status subresource as source-controller writes it, so
 * kustomize-controller fetches, verifies and applies it as it would in a cluster.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCluster, TestbedProcess } from './cluster';

/** Serves artifacts by path on 127.0.0.1; anything else is a 404 (as source-controller's file server). */
export interface ArtifactServer {
  /** Makes `bytes` available at `path` (no leading slash); returns its URL. */
  put(path: string, bytes: Buffer): string;
  close(): Promise<void>;
}

export async function startArtifactServer(): Promise<ArtifactServer> {
  const files = new Map<string, Buffer>();
  const server: Server = createServer((req, res) => {
    const body = req.method === 'GET' ? files.get(new URL(req.url ?? '/', 'http://x').pathname) : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    put(path, bytes) {
      files.set(`/${path}`, bytes);
      return `${base}/${path}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A commit of `repo` as source-controller archives a checkout: a gzipped tar of the commit's files at its root.
 * The tree is archived, not the commit, so git writes no pax global header (which Flux's untar refuses).
 */
export function gitArtifact(repo: string, commit: string): Buffer {
  return execFileSync('git', ['archive', '--format=tar.gz', `${commit}^{tree}`], { cwd: repo, maxBuffer: 64 << 20 });
}

/**
 * Publishes `commit` of `repo` as the artifact of GitRepository `namespace/name` (which must exist): serves its
 * archive and writes `status.artifact` (url, revision `main@sha1:<commit>`, sha256 digest, lastUpdateTime) and a
 * Ready condition through the status subresource, under source-controller's field manager.
 */
export async function publishGitArtifact(
  cluster: TestCluster,
  server: ArtifactServer,
  source: { namespace: string; name: string },
  repo: string,
  commit: string,
): Promise<string> {
  const bytes = gitArtifact(repo, commit);
  const path = `gitrepository/${source.namespace}/${source.name}/${commit}.tar.gz`;
  const url = server.put(path, bytes);
  const revision = `main@sha1:${commit}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const res = await cluster.adminRequest(
    'PATCH',
    `/apis/source.toolkit.fluxcd.io/v1/namespaces/${source.namespace}/gitrepositories/${source.name}/status?fieldManager=source-controller`,
    {
      status: {
        observedGeneration: 1,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Succeeded',
            message: `stored artifact for revision '${revision}'`,
            lastTransitionTime: now,
            observedGeneration: 1,
          },
        ],
        artifact: {
          path,
          url,
          revision,
          digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
          lastUpdateTime: now,
          size: bytes.length,
        },
      },
    },
    'application/merge-patch+json',
  );
  if (res.status !== 200) throw new Error(`publishing artifact ${revision}: ${res.status} ${JSON.stringify(res.body)}`);
  return revision;
}

/**
 * Starts kustomize-controller on the test bed as admin, watching only `namespace` (as Flux's RUNTIME_NAMESPACE; the
 * other suites' Kustomizations are left alone), without leader election, metrics or health endpoints, and with a
 * short dependency requeue so a retry never waits the 30 s default. It stops with the test bed, or by its `stop()`.
 */
export function startKustomizeController(cluster: TestCluster, bin: string, namespace: string): TestbedProcess {
  return cluster.startProcess(
    'kustomize-controller',
    bin,
    [
      '--watch-all-namespaces=false',
      '--enable-leader-election=false',
      '--metrics-addr=0',
      '--health-addr=0',
      '--requeue-dependency=1s',
      '--no-remote-bases=true',
      '--log-encoding=console',
    ],
    // Nothing else from this process's environment: no proxy variables between it and the loopback artifact server.
    { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBECONFIG: cluster.kubeconfigPath, RUNTIME_NAMESPACE: namespace },
  );
}
