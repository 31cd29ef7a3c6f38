import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ClusterError } from '../../../src/core/live/clusterError';
import { LiveCache, type LiveChange } from '../../../src/core/live/liveCache';
import { readLiveState } from '../../../src/core/live/readLiveState';
import { scopeKey } from '../../../src/core/model/live';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ClusterReader } from '../../../src/core/ports';
import { listKubeContexts } from '../../../src/node/kubeConfig';
import { createKubeClusterReader, type KubeClusterReader } from '../../../src/node/kubeClusterReader';
import { freshNamespace, testCluster } from '../support';

const MANAGER = 'gitops-drift-test';

async function apply(obj: KubeObject & { metadata: { name: string; namespace?: string } }): Promise<void> {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const plural = `${obj.kind.toLowerCase()}s`;
  const root = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const path = `${root}${obj.metadata.namespace ? `/namespaces/${obj.metadata.namespace}` : ''}/${plural}/${obj.metadata.name}?fieldManager=${MANAGER}`;
  const res = await testCluster().adminRequest('PATCH', path, JSON.stringify(obj), 'application/apply-patch+yaml');
  assert.ok(res.status === 200 || res.status === 201, `apply ${path}: ${res.status} ${JSON.stringify(res.body)}`);
}

function configMap(namespace: string, name: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

function deployment(namespace: string, name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

/** Resolves with the first change event whose objects include `key`. */
function changeOf(cache: LiveCache, key: string): Promise<LiveChange> {
  return new Promise((resolve) => {
    const sub = cache.onDidChange((change) => {
      if (!change.objects.includes(key)) return;
      sub.dispose();
      resolve(change);
    });
  });
}

function kubeconfigFor(server: string, user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-kc-'));
  const path = join(dir, 'config');
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'certificate-authority': testCluster().caFile, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', namespace: 'somewhere' } }],
      'current-context': 'ctx',
    }),
  );
  return path;
}

describe('KubeClusterReader against the test-bed API server', function () {
  let ns: string;
  let admin: KubeClusterReader;
  const readers: KubeClusterReader[] = [];
  const caches: LiveCache[] = [];

  before(async () => {
    ns = await freshNamespace('live');
    admin = await createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    });
    readers.push(admin);
  });
  after(() => {
    for (const c of caches) c.dispose();
    for (const r of readers) r.dispose();
  });

  it('lists server-side-applied objects with managedFields and server defaults, one LIST per scope', async () => {
    await apply(configMap(ns, 'web-config', { LOG_LEVEL: 'info' }));
    await apply(deployment(ns, 'web'));
    const before = admin.stats.requests;
    const state = await readLiveState(
      [configMap(ns, 'web-config', {}), deployment(ns, 'web'), deployment(ns, 'absent')],
      admin,
      { defaultNamespace: 'default' },
    );
    const requests = admin.stats.requests - before;

    const web = state.objects.get(`apps/Deployment/${ns}/web`) as KubeObject & { spec: Record<string, unknown> };
    assert.ok(web, 'the deployment is listed');
    assert.equal(web.apiVersion, 'apps/v1');
    assert.equal(web.kind, 'Deployment');
    assert.equal(web.spec.progressDeadlineSeconds, 600, 'server defaults are visible');
    assert.equal((web.spec.strategy as { type: string }).type, 'RollingUpdate');
    const managers = (web.metadata.managedFields as Array<{ manager: string; operation: string }>).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    assert.deepEqual(managers, [`${MANAGER}/Apply`]);
    assert.deepEqual(state.objects.get(`/ConfigMap/${ns}/web-config`)?.data, { LOG_LEVEL: 'info' });
    assert.deepEqual([...state.listed].sort(), [scopeKey('', 'ConfigMap', ns), scopeKey('apps', 'Deployment', ns)]);
    assert.equal(state.namespaced?.get('apps/Deployment'), true);
    // Aggregated discovery (2 requests: /api and /apis) + 2 LISTs.
    assert.equal(requests, 4, `requests made: ${requests}`);
  });

  it('pages through a LIST with a small limit', async () => {
    const pagedNs = await freshNamespace('paged');
    await Promise.all(Array.from({ length: 7 }, (_, i) => apply(configMap(pagedNs, `cm-${i}`, { i: String(i) }))));
    const reader = await createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
      pageSize: 3,
    });
    readers.push(reader);
    const type = await reader.resourceType('', 'ConfigMap');
    const before = reader.stats.requests;
    const outcome = await reader.list(type!, pagedNs);
    assert.equal(outcome.status, 'ok');
    if (outcome.status !== 'ok') return;
    const names = outcome.items.map((o) => o.metadata.name).filter((n) => n?.startsWith('cm-'));
    assert.deepEqual(names.sort(), ['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-5', 'cm-6']);
    assert.ok(outcome.items.every((o) => o.apiVersion === 'v1' && o.kind === 'ConfigMap'));
    assert.match(outcome.resourceVersion, /^\d+$/);
    assert.equal(reader.stats.requests - before, Math.ceil(outcome.items.length / 3));
  });

  it('reports Forbidden outside the read-only namespace while its own namespace still reads', async () => {
    const { kubeconfigPath, readonlyContext, readonlyNamespace } = testCluster();
    await apply(configMap(readonlyNamespace, 'visible', { a: '1' }));
    const ro = await createKubeClusterReader({ kubeconfigPath, context: readonlyContext });
    readers.push(ro);
    assert.equal(ro.namespace, readonlyNamespace, "the context's namespace is the default");
    const state = await readLiveState(
      [
        configMap(ns, 'web-config', {}),
        deployment(ns, 'web'),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'visible' } },
      ],
      ro,
      { defaultNamespace: ro.namespace },
    );
    const cm = state.failures.get(scopeKey('', 'ConfigMap', ns));
    assert.equal(cm?.verdict, 'Forbidden');
    assert.match(
      cm!.message,
      new RegExp(
        `^list configmaps in namespace "${ns}" is forbidden: .*User "readonly" cannot list resource "configmaps"`,
      ),
    );
    const deploy = state.failures.get(scopeKey('apps', 'Deployment', ns));
    assert.equal(deploy?.verdict, 'Forbidden');
    assert.match(deploy!.message, /^list deployments\.apps in namespace/);
    assert.ok(state.listed.has(scopeKey('', 'ConfigMap', readonlyNamespace)));
    assert.ok(state.objects.has(`/ConfigMap/${readonlyNamespace}/visible`));
  });

  it('reports UnknownKind for a kind the server does not serve, and still reads the rest', async () => {
    const state = await readLiveState(
      [
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'gizmo', namespace: ns } },
        configMap(ns, 'web-config', {}),
      ],
      admin,
      { defaultNamespace: 'default' },
    );
    assert.equal(state.failures.get(scopeKey('example.com', 'Widget', ns))?.verdict, 'UnknownKind');
    assert.ok(state.objects.has(`/ConfigMap/${ns}/web-config`));
  });

  it('keeps the cache current from a watch: a change made through the API arrives as an event, without a LIST', async () => {
    const cache = new LiveCache(admin);
    caches.push(cache);
    const desired = [configMap(ns, 'web-config', {})];
    await cache.read(desired, { defaultNamespace: 'default' });
    const requests = admin.stats.requests;
    const key = `/ConfigMap/${ns}/web-config`;
    const changed = changeOf(cache, key);
    await apply(configMap(ns, 'web-config', { LOG_LEVEL: 'debug' }));
    await changed;
    const state = await cache.read(desired, { defaultNamespace: 'default' });
    assert.deepEqual(state.objects.get(key)?.data, { LOG_LEVEL: 'debug' });
    // Only the watch itself (opened right after the first read) may have been sent since.
    assert.ok(
      admin.stats.requests - requests <= 1,
      `requests since the first read: ${admin.stats.requests - requests}`,
    );
  });

  it('lists again after a watch ends with 410 Gone, picking up what changed while it was not watching', async () => {
    // The test bed's etcd is never compacted, so the server cannot be made to expire a resourceVersion here:
    // the first watch reports Gone itself (the 410 parsing is covered by the unit tests); LISTs and the
    // following watch are real.
    const lists: string[] = [];
    let first = true;
    const key = `/ConfigMap/${ns}/relisted`;
    const expiring: ClusterReader = {
      resourceType: (g, k, v) => admin.resourceType(g, k, v),
      list: (t, n) => {
        lists.push(`${t.resource}/${n}`);
        return admin.list(t, n);
      },
      watch: async (t, n, rv, onEvent, signal) => {
        if (!first) return admin.watch(t, n, rv, onEvent, signal);
        first = false;
        await apply(configMap(ns, 'relisted', { v: 'changed-while-gone' }));
        return { status: 'gone' };
      },
    };
    const cache = new LiveCache(expiring);
    caches.push(cache);
    await apply(configMap(ns, 'relisted', { v: '1' }));
    const desired = [configMap(ns, 'relisted', {})];
    const relisted = changeOf(cache, key);
    await cache.read(desired, { defaultNamespace: 'default' });
    await relisted;
    assert.deepEqual(lists, [`configmaps/${ns}`, `configmaps/${ns}`]);
    let state = await cache.read(desired, { defaultNamespace: 'default' });
    assert.deepEqual(state.objects.get(key)?.data, { v: 'changed-while-gone' });
    const changed = changeOf(cache, key);
    await apply(configMap(ns, 'relisted', { v: '2' }));
    await changed;
    state = await cache.read(desired, { defaultNamespace: 'default' });
    assert.deepEqual(state.objects.get(key)?.data, { v: '2' });
    assert.equal(lists.length, 2, 'the watch after the re-list keeps the cache current');
  });

  it('reconnects a broken watch from its last resourceVersion, serves no stale reads meanwhile, and catches up on changes', async () => {
    // A TCP relay in front of the API server whose connections the test can cut.
    const target = new URL(testCluster().server);
    const sockets = new Set<Socket>();
    let down = false;
    const relay: Server = createServer((client) => {
      if (down) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(Number(target.port), target.hostname);
      client.pipe(upstream).pipe(client);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    try {
      const port = (relay.address() as { port: number }).port;
      const path = kubeconfigFor(`https://127.0.0.1:${port}`, { token: testCluster().adminToken });
      const reader = await createKubeClusterReader({ kubeconfigPath: path });
      readers.push(reader);
      const cache = new LiveCache(reader, { backoff: { initialMs: 10, maxMs: 50 } });
      caches.push(cache);
      const key = `/ConfigMap/${ns}/flaky`;
      await apply(configMap(ns, 'flaky', { v: '1' }));
      const desired = [configMap(ns, 'flaky', {})];
      await cache.read(desired, { defaultNamespace: 'default' });
      const problem = new Promise((resolve) => cache.onWatchProblem(resolve));
      const changed = changeOf(cache, key);
      // Make sure the watch is established before cutting it: a change arrives through it.
      await apply(configMap(ns, 'flaky', { v: '2' }));
      await changed;
      down = true;
      for (const s of sockets) s.destroy();
      await problem;
      // While the watch is down a read does not answer from the (possibly stale) cache: it lists, and the
      // cluster being unreachable is reported as such.
      await assert.rejects(
        cache.read(desired, { defaultNamespace: 'default' }),
        (e: unknown) => e instanceof ClusterError && e.reason === 'unreachable',
      );
      // Changed while the watch is cut off (the test talks to the server directly, not through the relay).
      await apply(configMap(ns, 'flaky', { v: '3' }));
      const caughtUp = changeOf(cache, key);
      down = false;
      await caughtUp;
      const state = await cache.read(desired, { defaultNamespace: 'default' });
      assert.deepEqual(state.objects.get(key)?.data, { v: '3' });
    } finally {
      for (const s of sockets) s.destroy();
      relay.close();
    }
  });

  it('turns an unreachable server into one environment-level ClusterError', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const reader = await createKubeClusterReader({
      kubeconfigPath: kubeconfigFor(`https://127.0.0.1:${port}`, { token: 'x' }),
    });
    readers.push(reader);
    const desired = Array.from({ length: 5 }, (_, i) => configMap(`ns-${i}`, 'c', {}));
    await assert.rejects(readLiveState(desired, reader, { defaultNamespace: 'default' }), (e: unknown) => {
      assert.ok(e instanceof ClusterError);
      assert.equal(e.reason, 'unreachable');
      assert.match(
        e.message,
        new RegExp(`cannot reach the API server at https://127.0.0.1:${port} \\(context "ctx"\\): .*ECONNREFUSED`),
      );
      return true;
    });
  });

  it('reports a rejected token as unauthorized and an unknown CA as a TLS error', async () => {
    const badToken = await createKubeClusterReader({
      kubeconfigPath: kubeconfigFor(testCluster().server, { token: 'expired-token' }),
    });
    readers.push(badToken);
    await assert.rejects(
      readLiveState([configMap(ns, 'c', {})], badToken, { defaultNamespace: 'default' }),
      (e: unknown) =>
        e instanceof ClusterError &&
        e.reason === 'unauthorized' &&
        /401 Unauthorized/.test(e.message) &&
        !e.message.includes('expired-token'),
    );
    const wrongCa = await createKubeClusterReader({
      kubeconfigPath: kubeconfigFor(
        testCluster().server,
        { token: testCluster().adminToken },
        { 'certificate-authority': undefined },
      ),
    });
    readers.push(wrongCa);
    await assert.rejects(
      readLiveState([configMap(ns, 'c', {})], wrongCa, { defaultNamespace: 'default' }),
      (e: unknown) => e instanceof ClusterError && e.reason === 'tls',
    );
  });

  it('authenticates with a client certificate, and skips server verification only when the kubeconfig says so', async () => {
    // A client certificate signed by the test bed's CA: CN is the user, O the group.
    const caDir = dirname(testCluster().caFile);
    const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-cert-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'client.key'),
      '-out',
      join(dir, 'client.csr'),
      '-subj',
      '/O=system:masters/CN=cert-admin',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      join(dir, 'client.csr'),
      '-CA',
      testCluster().caFile,
      '-CAkey',
      join(caDir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(dir, 'client.crt'),
      '-days',
      '1',
    );
    const certReader = await createKubeClusterReader({
      kubeconfigPath: kubeconfigFor(testCluster().server, {
        'client-certificate': join(dir, 'client.crt'),
        'client-key': join(dir, 'client.key'),
      }),
    });
    readers.push(certReader);
    const state = await readLiveState([configMap(ns, 'web-config', {})], certReader, { defaultNamespace: 'default' });
    assert.ok(state.objects.has(`/ConfigMap/${ns}/web-config`));

    const insecure = await createKubeClusterReader({
      kubeconfigPath: kubeconfigFor(
        testCluster().server,
        { token: testCluster().adminToken },
        { 'certificate-authority': undefined, 'insecure-skip-tls-verify': true },
      ),
    });
    readers.push(insecure);
    assert.ok(
      (await readLiveState([configMap(ns, 'web-config', {})], insecure, { defaultNamespace: 'default' })).objects.has(
        `/ConfigMap/${ns}/web-config`,
      ),
    );
  });

  it('runs an exec credential plugin only when allowed, and only once for many requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-exec-'));
    const counter = join(dir, 'runs');
    writeFileSync(counter, '');
    const plugin = join(dir, 'plugin.js');
    writeFileSync(
      plugin,
      `require('fs').appendFileSync(process.env.RUNS, 'x');
require('fs').writeFileSync(process.env.RUNS + '.info', process.env.KUBERNETES_EXEC_INFO || '');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: ${JSON.stringify(testCluster().adminToken)} } }));
`,
    );
    const user = {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: process.execPath,
        args: [plugin],
        env: [{ name: 'RUNS', value: counter }],
      },
    };
    const path = kubeconfigFor(testCluster().server, user);
    await assert.rejects(
      createKubeClusterReader({ kubeconfigPath: path }),
      (e: unknown) => e instanceof ClusterError && e.reason === 'execNotAllowed',
    );
    assert.equal(readFileSync(counter, 'utf8'), '', 'the plugin did not run');
    const reader = await createKubeClusterReader({ kubeconfigPath: path, allowExec: true });
    readers.push(reader);
    const desired = Array.from({ length: 4 }, (_, i) => configMap(`${ns}-${i}`, 'c', {}));
    await readLiveState(desired, reader, { defaultNamespace: 'default' });
    assert.equal(reader.stats.requests, 6);
    assert.equal(readFileSync(counter, 'utf8'), 'x');
    const info = JSON.parse(readFileSync(counter + '.info', 'utf8'));
    assert.deepEqual(
      info,
      { apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: { interactive: false } },
      'KUBERNETES_EXEC_INFO as kubectl sets it',
    );
  });

  it("goes through the cluster's proxy-url (HTTP CONNECT)", async () => {
    const tunnels: string[] = [];
    const proxy = createHttpServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(String(req.url));
      const [host, port] = String(req.url).split(':');
      const upstream = new Socket();
      upstream.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      for (const s of [client, upstream]) s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (proxy.address() as { port: number }).port;
      const reader = await createKubeClusterReader({
        kubeconfigPath: kubeconfigFor(
          testCluster().server,
          { token: testCluster().adminToken },
          { 'proxy-url': `http://127.0.0.1:${port}` },
        ),
      });
      readers.push(reader);
      const state = await readLiveState([configMap(ns, 'web-config', {})], reader, { defaultNamespace: 'default' });
      assert.ok(state.objects.has(`/ConfigMap/${ns}/web-config`));
      assert.ok(
        tunnels.length > 0 && tunnels.every((t) => t === new URL(testCluster().server).host),
        tunnels.join(' '),
      );
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('reads KUBECONFIG with several files merged: cluster and context in one, credentials in another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-merge-'));
    const contexts = join(dir, 'contexts.yaml');
    const users = join(dir, 'users.yaml');
    writeFileSync(
      contexts,
      `apiVersion: v1
kind: Config
current-context: merged
clusters:
- name: tb
  cluster: {server: '${testCluster().server}', certificate-authority: '${testCluster().caFile}'}
contexts:
- name: merged
  context: {cluster: tb, user: me, namespace: ${ns}}
users:
- name: me
  user: {tokenFile: token}
`,
    );
    writeFileSync(join(dir, 'token'), `${testCluster().adminToken}\n`);
    // A later file cannot override the context or the user the first one defines.
    writeFileSync(
      users,
      `apiVersion: v1
kind: Config
current-context: other
users:
- name: me
  user: {token: wrong}
`,
    );
    const reader = await createKubeClusterReader({
      env: { KUBECONFIG: [join(dir, 'missing.yaml'), contexts, users].join(delimiter) },
    });
    readers.push(reader);
    assert.equal(reader.context, 'merged');
    assert.equal(reader.namespace, ns);
    const state = await readLiveState(
      [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config' } }],
      reader,
      { defaultNamespace: reader.namespace },
    );
    assert.ok(state.objects.has(`/ConfigMap/${ns}/web-config`));
  });

  it("lists the kubeconfig's contexts and the current one", async () => {
    const { contexts, current } = await listKubeContexts({ kubeconfigPath: testCluster().kubeconfigPath });
    assert.equal(current, 'testbed-admin');
    assert.deepEqual(
      contexts.map((c) => [c.name, c.namespace, c.server]),
      [
        ['testbed-admin', 'default', testCluster().server],
        ['testbed-readonly', testCluster().readonlyNamespace, testCluster().server],
      ],
    );
  });
});
