/**
 * Starts a real etcd + kube-apiserver on loopback for tests, like controller-runtime's envtest:
 * random free ports, generated certificates, static-token authentication, RBAC, a kubeconfig with an admin
 * context and a read-only context (ClusterRole `view` in one namespace). `stop()` ends every process it started
 * (controllers started later with `startProcess` first), and a watchdog ends them too if the test process dies
 * without calling it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbedBin } from './bins';
import { loopbackCerts, openssl } from './certs';

export interface TestCluster {
  /** `https://127.0.0.1:PORT`. */
  server: string;
  kubeconfigPath: string;
  adminContext: 'testbed-admin';
  readonlyContext: 'testbed-readonly';
  /** The only namespace the read-only context may read (ClusterRole `view`). */
  readonlyNamespace: string;
  caFile: string;
  adminToken: string;
  readonlyToken: string;
  /** Sends a request as admin; resolves with status and parsed JSON body (undefined when not JSON). */
  adminRequest(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: any }>;
  /**
   * Starts a process beside the servers (a controller): its output goes to a log in the test bed's folder, `stop()`
   * ends it before the servers, and the watchdog ends it if the test process dies.
   */
  startProcess(name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): TestbedProcess;
  /**
   * Starts another kube-apiserver on this test bed's etcd under its own key prefix: a second cluster whose objects
   * the first never sees (same CA, tokens and certificates). `stop()` and the watchdog end it with the others.
   * Named servers are started once and shared by whoever asks again.
   */
  addCluster(name: string): Promise<PeerCluster>;
  stop(): Promise<void>;
}

/** Another API server of the test bed (see {@link TestCluster.addCluster}). */
export interface PeerCluster {
  name: string;
  /** `https://127.0.0.1:PORT`. */
  server: string;
  adminRequest: TestCluster['adminRequest'];
}

/** A kube context for {@link multiClusterKubeconfig}: its name and the server it points at, as admin. */
export interface ContextEntry {
  context: string;
  server: string;
}

/** A process started beside the test bed's servers. */
export interface TestbedProcess {
  readonly child: ChildProcess;
  /** The last lines of its output (stdout and stderr), for a failing test's message. */
  logTail(lines?: number): string;
  /** Ends it (SIGTERM, then SIGKILL after 5 s); the watchdog forgets it. */
  stop(): Promise<void>;
}

const READONLY_NAMESPACE = 'readonly-zone';

/** Starts etcd and kube-apiserver, waits until the API is ready and bootstrapped, and returns the handle. */
export async function startTestCluster(): Promise<TestCluster> {
  const etcdBin = testbedBin('etcd');
  const apiserverBin = testbedBin('kube-apiserver');
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-testbed-'));
  const children: ChildProcess[] = [];
  // The watchdog reads the pids to end from this file when the test process is gone, so processes started after it
  // (controllers) are ended too.
  const pidFile = join(dir, 'watchdog.pids');
  const watch = (): void =>
    writeFileSync(
      pidFile,
      children
        .filter((c) => c.pid && c.exitCode === null && c.signalCode === null)
        .map((c) => c.pid)
        .join(' '),
    );
  let watchdog: ChildProcess | undefined;
  let stopped = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killNow);
    // API server first, so it does not log etcd connection errors while shutting down.
    for (const child of [...children].reverse()) await terminate(child);
    watchdog?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const killNow = (): void => {
    for (const child of children) child.kill('SIGKILL');
    watchdog?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', killNow);

  try {
    const certs = generateCerts(dir);
    const adminToken = randomBytes(16).toString('hex');
    const readonlyToken = randomBytes(16).toString('hex');
    writeFileSync(
      join(dir, 'tokens.csv'),
      `${adminToken},admin,admin-uid,"system:masters"\n${readonlyToken},readonly,readonly-uid\n`,
    );

    const [etcdClient, etcdPeer, apiPort] = await freePorts(3);
    children.push(
      startProcess(etcdBin, dir, 'etcd', [
        `--data-dir=${join(dir, 'etcd-data')}`,
        `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level=error',
      ]),
    );
    const apiserverArgs = (port: number, prefix: string, certDir: string): string[] => [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      `--etcd-prefix=${prefix}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${join(dir, certDir)}`,
      `--tls-cert-file=${certs.serverCert}`,
      `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${certs.saKey}`,
      `--service-account-signing-key-file=${certs.saKey}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.96.0.0/16',
      '--allow-privileged=true',
      '--v=0',
    ];
    children.push(
      startProcess(apiserverBin, dir, 'kube-apiserver', apiserverArgs(apiPort, '/registry', 'apiserver-certs')),
    );
    watch();
    watchdog = startWatchdog(pidFile, dir);

    const server = `https://127.0.0.1:${apiPort}`;
    const ca = readFileSync(certs.caCert);
    const adminRequest = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
      httpsJson(server, ca, adminToken, method, path, body, contentType);

    await waitReady(adminRequest, children, dir);
    await aggregateViewRole(adminRequest);
    await ensureNamespace(adminRequest, READONLY_NAMESPACE);
    const binding = await adminRequest(
      'POST',
      `/apis/rbac.authorization.k8s.io/v1/namespaces/${READONLY_NAMESPACE}/rolebindings`,
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'readonly-view' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'readonly' }],
      },
    );
    if (binding.status !== 201)
      throw new Error(
        `test bed: creating the read-only RoleBinding failed: ${binding.status} ${JSON.stringify(binding.body)}`,
      );

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfig(server, certs.caCert, adminToken, readonlyToken));
    const peers = new Map<string, Promise<PeerCluster>>();
    const startPeer = async (name: string): Promise<PeerCluster> => {
      if (stopped) throw new Error(`test bed: stopped, cannot start cluster ${name}`);
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`test bed: cluster name ${name} is not [a-z0-9-]+`);
      const [port] = await freePorts(1);
      const child = startProcess(
        apiserverBin,
        dir,
        `kube-apiserver-${name}`,
        // Its own key prefix: the same etcd, but none of the other servers' objects.
        apiserverArgs(port, `/registry-${name}`, `apiserver-certs-${name}`),
      );
      children.push(child);
      watch();
      const peerServer = `https://127.0.0.1:${port}`;
      const peerRequest = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
        httpsJson(peerServer, ca, adminToken, method, path, body, contentType);
      await waitReady(peerRequest, [child], dir, `kube-apiserver-${name}`);
      return { name, server: peerServer, adminRequest: peerRequest };
    };
    return {
      server,
      kubeconfigPath,
      adminContext: 'testbed-admin',
      readonlyContext: 'testbed-readonly',
      readonlyNamespace: READONLY_NAMESPACE,
      caFile: certs.caCert,
      adminToken,
      readonlyToken,
      adminRequest,
      startProcess(name, bin, args, env) {
        if (stopped) throw new Error(`test bed: stopped, cannot start ${name}`);
        const child = startProcess(bin, dir, name, args, env);
        children.push(child);
        watch();
        child.once('exit', () => {
          if (!stopped) watch();
        });
        return {
          child,
          logTail: (lines = 20) => logTail(dir, name, lines),
          async stop() {
            await terminate(child);
            const at = children.indexOf(child);
            if (at >= 0) children.splice(at, 1);
            if (!stopped) watch();
          },
        };
      },
      addCluster(name) {
        let peer = peers.get(name);
        if (!peer) {
          peer = startPeer(name);
          peers.set(name, peer);
          // A failed start is not cached: the next ask tries again.
          peer.catch(() => peers.delete(name));
        }
        return peer;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function kubeconfig(server: string, caFile: string, adminToken: string, readonlyToken: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: testbed
  cluster:
    server: ${server}
    certificate-authority: ${caFile}
users:
- name: testbed-admin
  user:
    token: ${adminToken}
- name: testbed-readonly
  user:
    token: ${readonlyToken}
contexts:
- name: testbed-admin
  context:
    cluster: testbed
    user: testbed-admin
    namespace: default
- name: testbed-readonly
  context:
    cluster: testbed
    user: testbed-readonly
    namespace: ${READONLY_NAMESPACE}
current-context: testbed-admin
`;
}

/**
 * A kubeconfig (written to `path`) with one admin context per entry, each its own cluster entry; `current` is the
 * current context (else the first).
 */
export function multiClusterKubeconfig(
  path: string,
  cluster: Pick<TestCluster, 'caFile' | 'adminToken'>,
  contexts: ContextEntry[],
  current = contexts[0]?.context,
): string {
  const clusters = contexts
    .map(
      (c) =>
        `- name: ${c.context}\n  cluster:\n    server: ${c.server}\n    certificate-authority: ${cluster.caFile}\n`,
    )
    .join('');
  const entries = contexts
    .map(
      (c) => `- name: ${c.context}\n  context:\n    cluster: ${c.context}\n    user: admin\n    namespace: default\n`,
    )
    .join('');
  writeFileSync(
    path,
    `apiVersion: v1\nkind: Config\nclusters:\n${clusters}users:\n- name: admin\n  user:\n    token: ${cluster.adminToken}\ncontexts:\n${entries}${current ? `current-context: ${current}\n` : ''}`,
  );
  return path;
}

/** A self-signed CA, a serving certificate for 127.0.0.1/localhost, and a service-account signing key. */
function generateCerts(dir: string) {
  const certs = loopbackCerts(dir, 'kube-apiserver', {
    days: 2,
    extensions: 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  });
  const saKey = join(dir, 'sa.key');
  openssl('genrsa', '-out', saKey, '2048');
  return { ...certs, saKey };
}

function startProcess(bin: string, dir: string, name: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', log, log], ...(env ? { env } : {}) });
  closeSync(log);
  child.on('error', (e) => console.error(`test bed: ${name} failed to start: ${e.message}`));
  return child;
}

/**
 * Ends the servers and the processes started beside them (the pids in `pidFile` then) if this process dies without
 * calling stop() (e.g. SIGKILL of the test runner).
 */
function startWatchdog(pidFile: string, dir: string): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; pids=$(cat '${pidFile}' 2>/dev/null); kill -TERM $pids 2>/dev/null; sleep 2; kill -KILL $pids 2>/dev/null; rm -rf '${dir}'`;
  const guard = spawn('bash', ['-c', script], { stdio: 'ignore', detached: true });
  guard.unref();
  return guard;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

type AdminRequest = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Polls /readyz, then waits for the bootstrap RBAC roles, failing fast if a server process exits. */
async function waitReady(
  adminRequest: AdminRequest,
  children: ChildProcess[],
  dir: string,
  apiserverLog = 'kube-apiserver',
): Promise<void> {
  const deadline = Date.now() + 90_000;
  let exited: string | undefined;
  for (const child of children)
    child.once('exit', (code, signal) => (exited ??= `${child.spawnfile} exited (${code ?? signal})`));
  let last = '';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const ready = await adminRequest('GET', '/readyz');
      if (ready.status === 200) {
        const view = await adminRequest('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/view');
        if (view.status === 200) return;
        last = `clusterrole view: ${view.status}`;
      } else last = `readyz: ${ready.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    // Polling a server that is starting up: there is no event to wait on.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const tail = (name: string) => logTail(dir, name, 15);
  throw new Error(
    `test bed: API server not ready (${exited ?? last})\n--- etcd.log\n${tail('etcd')}\n--- ${apiserverLog}.log\n${tail(apiserverLog)}`,
  );
}

function logTail(dir: string, name: string, lines: number): string {
  const file = join(dir, `${name}.log`);
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/**
 * `view` is an aggregated ClusterRole whose rules kube-controller-manager fills in; this test bed runs no
 * controller manager, so do its aggregation once: the union of the roles labelled aggregate-to-view.
 */
async function aggregateViewRole(adminRequest: AdminRequest): Promise<void> {
  const base = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
  const parts = await adminRequest(
    'GET',
    `${base}?labelSelector=${encodeURIComponent('rbac.authorization.k8s.io/aggregate-to-view=true')}`,
  );
  const view = await adminRequest('GET', `${base}/view`);
  if (parts.status !== 200 || view.status !== 200)
    throw new Error(`test bed: reading ClusterRoles failed: ${parts.status}/${view.status}`);
  const rules = (parts.body.items as Array<{ rules?: unknown[] }>).flatMap((r) => r.rules ?? []);
  const updated = await adminRequest('PUT', `${base}/view`, { ...view.body, rules });
  if (updated.status !== 200)
    throw new Error(`test bed: aggregating ClusterRole view failed: ${updated.status} ${JSON.stringify(updated.body)}`);
}

async function ensureNamespace(adminRequest: AdminRequest, name: string): Promise<void> {
  const res = await adminRequest('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name },
  });
  if (res.status !== 201 && res.status !== 409)
    throw new Error(`test bed: creating namespace ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The test bed's address and admin credentials: enough to send a request from another process. */
export interface TestbedAccess {
  server: string;
  caFile: string;
  adminToken: string;
}

/** Sends one request to the test-bed API server as admin; resolves with the status and the parsed JSON body. */
export function testbedAdminRequest(
  access: TestbedAccess,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: any }> {
  return httpsJson(access.server, readFileSync(access.caFile), access.adminToken, method, path, body, contentType);
}

function httpsJson(
  server: string,
  ca: Buffer,
  token: string,
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = request(
      new URL(path, server),
      {
        method,
        ca,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': contentType } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`test bed: ${method} ${path} timed out`)));
    if (payload) req.write(payload);
    req.end();
  });
}
