import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ClusterError } from '../../../../src/core/live/clusterError';
import { readLiveState } from '../../../../src/core/live/readLiveState';
import { scopeKey } from '../../../../src/core/model/live';
import type { WatchEvent } from '../../../../src/core/ports';
import {
  createKubeClusterReader,
  type KubeClusterReader,
  type KubeClusterReaderOptions,
} from '../../../../src/node/kubeClusterReader';
import {
  FIXTURES,
  type FixtureServer,
  type Handler,
  fixtureKubeconfig,
  json,
  replay,
  startFixtureServer,
} from '../fixtureServer';

const AGG = /apidiscovery\.k8s\.io/;

describe('KubeClusterReader over recorded API responses', function () {
  this.timeout(20_000);
  let server: FixtureServer;
  const readers: KubeClusterReader[] = [];

  before(async () => {
    server = await startFixtureServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.routes.clear();
    server.requests.length = 0;
    // Aggregated discovery when asked for it, legacy otherwise, as a 1.26 server with the feature gate on.
    const byAccept = (agg: string, legacy: string) => {
      const a = replay(agg);
      const l = replay(legacy);
      const handler: Handler = (req, res) => (AGG.test(String(req.headers.accept)) ? a : l)(req, res);
      return handler;
    };
    server.routes.set('/api', byAccept('discovery-aggregated-api', 'discovery-api'));
    server.routes.set('/apis', byAccept('discovery-aggregated-apis', 'discovery-apis'));
  });
  afterEach(() => {
    for (const r of readers.splice(0)) r.dispose();
  });

  async function reader(options: KubeClusterReaderOptions = {}): Promise<KubeClusterReader> {
    const r = await createKubeClusterReader({ kubeconfigPath: fixtureKubeconfig(server), env: {}, ...options });
    readers.push(r);
    return r;
  }

  it('maps kinds with two aggregated-discovery requests, cached, including CRDs', async () => {
    const r = await reader();
    assert.equal(r.namespace, 'dev');
    assert.deepEqual(await r.resourceType('apps', 'Deployment'), {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      resource: 'deployments',
      namespaced: true,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    });
    assert.equal((await r.resourceType('', 'Namespace'))?.namespaced, false);
    assert.equal((await r.resourceType('example.com', 'Widget'))?.resource, 'widgets');
    assert.equal((await r.resourceType('networking.k8s.io', 'Ingress'))?.version, 'v1');
    assert.equal(r.stats.requests, 2);
    assert.ok(server.requests.every((q) => AGG.test(q.accept) && q.authorization === 'Bearer fixture-token'));
  });

  it('falls back to legacy discovery when the server does not aggregate', async () => {
    server.routes.set('/api', replay('discovery-api'));
    server.routes.set('/apis', replay('discovery-apis'));
    for (const gv of [
      'api-v1',
      'apis-apps-v1',
      'apis-networking.k8s.io-v1',
      'apis-apiextensions.k8s.io-v1',
      'apis-example.com-v1',
    ]) {
      server.routes.set(
        '/' + gv.replace('api-', 'api/').replace('apis-', 'apis/').replace(/-v1$/, '/v1'),
        replay(`discovery-${gv}`),
      );
    }
    const r = await reader();
    assert.equal((await r.resourceType('apps', 'Deployment'))?.resource, 'deployments');
    assert.equal((await r.resourceType('', 'ConfigMap'))?.namespaced, true);
    assert.equal((await r.resourceType('example.com', 'Widget'))?.resource, 'widgets');
    assert.equal(await r.resourceType('apps', 'Deployment/status'), undefined);
    const paths = server.requests.map((q) => q.path);
    assert.ok(paths.includes('/apis/apps/v1') && paths.includes('/api/v1'), paths.join(' '));
  });

  it('re-discovers once on an unknown kind, then answers undefined', async () => {
    const r = await reader();
    assert.equal(await r.resourceType('nope.example.org', 'Gadget'), undefined);
    assert.equal(server.requests.length, 2, 'a miss right after discovery does not discover again');
  });

  it('pages a LIST with limit and continue, and gives every item apiVersion and kind', async () => {
    const all = JSON.parse(readFileSync(join(FIXTURES, 'list-deployments-dev.json'), 'utf8'));
    const page1 = JSON.parse(readFileSync(join(FIXTURES, 'list-deployments-dev-paginated-limit1.json'), 'utf8'));
    const token = page1.metadata.continue as string;
    server.routes.set('/apis/apps/v1/namespaces/dev/deployments?limit=1', json(200, page1));
    server.routes.set(
      `/apis/apps/v1/namespaces/dev/deployments?limit=1&continue=${encodeURIComponent(token)}`,
      json(200, { ...all, metadata: { resourceVersion: '310' }, items: all.items.slice(1) }),
    );
    const r = await reader({ pageSize: 1 });
    const type = (await r.resourceType('apps', 'Deployment'))!;
    const outcome = await r.list(type, 'dev');
    assert.equal(outcome.status, 'ok');
    if (outcome.status !== 'ok') return;
    assert.deepEqual(
      outcome.items.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
      ['apps/v1 Deployment dev/api', 'apps/v1 Deployment dev/web'],
    );
    assert.equal(outcome.resourceVersion, '310');
    assert.equal(r.stats.requests, 4);
  });

  it('stops paging when the server repeats a continue token', async () => {
    const page1 = JSON.parse(readFileSync(join(FIXTURES, 'list-deployments-dev-paginated-limit1.json'), 'utf8'));
    server.routes.set('/apis/apps/v1/namespaces/dev/deployments', json(200, page1));
    const r = await reader({ pageSize: 1 });
    const outcome = await r.list((await r.resourceType('apps', 'Deployment'))!, 'dev');
    assert.deepEqual(outcome, {
      status: 'error',
      message: 'LIST /apis/apps/v1/namespaces/dev/deployments returned the same continue token twice',
    });
    assert.equal(r.stats.requests, 2 + 2);
  });

  it('restarts a LIST without pagination when the continue token expired (410)', async () => {
    const page1 = JSON.parse(readFileSync(join(FIXTURES, 'list-deployments-dev-paginated-limit1.json'), 'utf8'));
    server.routes.set('/apis/apps/v1/namespaces/dev/deployments?limit=1', json(200, page1));
    server.routes.set(
      `/apis/apps/v1/namespaces/dev/deployments?limit=1&continue=${encodeURIComponent(page1.metadata.continue)}`,
      json(410, {
        kind: 'Status',
        code: 410,
        reason: 'Expired',
        message: 'The provided continue parameter is too old',
      }),
    );
    const full = JSON.parse(readFileSync(join(FIXTURES, 'list-deployments-dev.json'), 'utf8'));
    server.routes.set(
      '/apis/apps/v1/namespaces/dev/deployments',
      json(200, { ...full, metadata: { resourceVersion: '400' } }),
    );
    const r = await reader({ pageSize: 1 });
    const outcome = await r.list((await r.resourceType('apps', 'Deployment'))!, 'dev');
    assert.equal(outcome.status === 'ok' && outcome.items.length, 2);
    assert.equal(
      outcome.status === 'ok' && outcome.resourceVersion,
      '400',
      'the resourceVersion of the list that was used',
    );
  });

  it('maps recorded 403, 404 and 401 responses', async () => {
    server.routes.set(
      '/apis/apps/v1/namespaces/staging/deployments',
      replay('error-403-readonly-list-deployments-staging'),
    );
    server.routes.set('/apis/example.com/v1/namespaces/dev/widgets', replay('error-404-unknown-resource'));
    const r = await reader();
    const forbidden = await r.list((await r.resourceType('apps', 'Deployment'))!, 'staging');
    assert.deepEqual(forbidden, {
      status: 'forbidden',
      verb: 'list',
      resource: 'deployments.apps',
      message:
        'deployments.apps is forbidden: User "readonly-dev" cannot list resource "deployments" in API group "apps" in the namespace "staging"',
    });
    assert.deepEqual(await r.list((await r.resourceType('example.com', 'Widget'))!, 'dev'), { status: 'unknownKind' });

    server.routes.set('/api/v1/namespaces/dev/configmaps', replay('error-401-invalid-token'));
    const configMaps = (await r.resourceType('', 'ConfigMap'))!;
    const before = r.stats.requests;
    await assert.rejects(r.list(configMaps, 'dev'), (e: unknown) => {
      assert.ok(e instanceof ClusterError);
      assert.equal(e.reason, 'unauthorized');
      assert.match(e.message, /rejected the credentials of user "fixture" \(context "fixture"\): 401 Unauthorized/);
      assert.ok(!e.message.includes('fixture-token'), 'never the token');
      return true;
    });
    assert.equal(r.stats.requests - before, 2, 'credentials are resolved again once before giving up');
  });

  it('retries 429 and 5xx, honouring Retry-After, and reports the last failure after the retries', async () => {
    let calls = 0;
    server.routes.set('/api/v1/namespaces/dev/configmaps', (req, res) => {
      calls++;
      if (calls === 1)
        return json(429, { kind: 'Status', code: 429, message: 'Too many requests' }, { 'Retry-After': '2' })(req, res);
      if (calls === 2) return json(503, { kind: 'Status', code: 503, message: 'unavailable' })(req, res);
      return replay('list-configmaps-dev-labelselector')(req, res);
    });
    const waits: number[] = [];
    const r = await reader({ retryDelay: async (ms) => void waits.push(ms) });
    const outcome = await r.list((await r.resourceType('', 'ConfigMap'))!, 'dev');
    assert.equal(outcome.status, 'ok');
    assert.deepEqual(waits, [2000, 500]);
    assert.equal(r.stats.retries, 2);

    server.routes.set(
      '/api/v1/namespaces/dev/configmaps',
      json(500, { kind: 'Status', code: 500, message: 'etcdserver: request timed out' }),
    );
    waits.length = 0;
    const failed = await r.list((await r.resourceType('', 'ConfigMap'))!, 'dev');
    assert.deepEqual(failed, { status: 'error', message: 'HTTP 500: etcdserver: request timed out' });
    assert.deepEqual(waits, [250, 500, 1000, 2000, 4000]);
  });

  it('retries a GET once when the server drops the connection, and gives up at the deadline without retrying', async () => {
    let calls = 0;
    server.routes.set('/api/v1/namespaces/dev/configmaps', (req, res) => {
      if (++calls === 1) return void req.socket.destroy();
      replay('list-configmaps-dev-labelselector')(req, res);
    });
    // The retry's answer gets a roomy deadline (a loaded machine took over 150 ms for it); the short one is only for
    // the request that never answers.
    const r = await reader({ requestTimeoutMs: 10_000 });
    const configMaps = (await r.resourceType('', 'ConfigMap'))!;
    assert.equal((await r.list(configMaps, 'dev')).status, 'ok');
    assert.equal(calls, 2);

    server.routes.set('/api/v1/namespaces/dev/configmaps', () => undefined); // never answers
    // Only the request that never answers runs under the short deadline: the type (plain data) is the one the patient
    // reader discovered, since discovery itself took over 150 ms on a loaded machine.
    const impatient = await reader({ requestTimeoutMs: 150 });
    const before = server.requests.length;
    await assert.rejects(
      impatient.list(configMaps, 'dev'),
      (e: unknown) =>
        e instanceof ClusterError &&
        e.reason === 'timeout' &&
        /did not finish answering GET \/api\/v1\/namespaces\/dev\/configmaps\?limit=500 within 0.15 s/.test(e.message),
    );
    assert.equal(server.requests.length - before, 1, 'a request that hit the deadline is not sent again');
  });

  it('decompresses gzip LIST bodies', async () => {
    const body = readFileSync(join(FIXTURES, 'list-widgets-dev.json'));
    server.routes.set('/apis/example.com/v1/namespaces/dev/widgets', (req, res) => {
      assert.equal(req.headers['accept-encoding'], 'gzip');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(gzipSync(body));
    });
    const r = await reader();
    const outcome = await r.list((await r.resourceType('example.com', 'Widget'))!, 'dev');
    assert.equal(outcome.status === 'ok' && outcome.items[0].kind, 'Widget');
  });

  it('cuts off a gzip LIST body that inflates past the response limit (a gzip bomb), and says a corrupt one is', async () => {
    // 8 MB of spaces inside a JSON list: 8 KB on the wire.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"kind":"WidgetList","items":['), Buffer.alloc(8e6, ' '), Buffer.from(']}')]),
    );
    let served = bomb;
    server.routes.set('/apis/example.com/v1/namespaces/dev/widgets', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(served);
    });
    const r = await reader({ maxResponseBytes: 1024 * 1024 });
    const type = (await r.resourceType('example.com', 'Widget'))!;
    const big = await r.list(type, 'dev');
    assert.equal(big.status, 'error');
    assert.match(big.status === 'error' ? big.message : '', /passed 1 MB and was cut off/);

    served = Buffer.concat([bomb.subarray(0, 20), Buffer.from('not deflate data at all')]);
    await assert.rejects(
      r.list(type, 'dev'),
      /the response to GET \/apis\/example.com\/v1\/namespaces\/dev\/widgets\?limit=500 is not valid gzip/,
    );
  });

  it('streams watch events and ends with gone on a 410 ERROR event', async () => {
    const deployment = JSON.parse(readFileSync(join(FIXTURES, 'object-deployment-dev-web.json'), 'utf8'));
    let query = '';
    server.routes.set('/apis/apps/v1/namespaces/dev/deployments', (req, res) => {
      query = req.url ?? '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(JSON.stringify({ type: 'MODIFIED', object: deployment }) + '\n');
      // An event split across chunks.
      const bookmark =
        JSON.stringify({
          type: 'BOOKMARK',
          object: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { resourceVersion: '999' } },
        }) + '\n';
      res.write(bookmark.slice(0, 10));
      res.write(bookmark.slice(10));
      res.end(
        JSON.stringify({
          type: 'ERROR',
          object: {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'too old resource version: 5 (300)',
            reason: 'Expired',
            code: 410,
          },
        }) + '\n',
      );
    });
    const r = await reader();
    const events: WatchEvent[] = [];
    const end = await r.watch(
      (await r.resourceType('apps', 'Deployment'))!,
      'dev',
      '5',
      (e) => events.push(e),
      new AbortController().signal,
    );
    assert.deepEqual(end, { status: 'gone' });
    assert.match(
      query,
      /^\/apis\/apps\/v1\/namespaces\/dev\/deployments\?watch=1&allowWatchBookmarks=true&resourceVersion=5&timeoutSeconds=\d+$/,
    );
    assert.deepEqual(
      events.map((e) =>
        e.type === 'BOOKMARK' ? `BOOKMARK ${e.resourceVersion}` : `${e.type} ${e.object.metadata.name}`,
      ),
      ['MODIFIED web', 'BOOKMARK 999'],
    );
  });

  it("uses the pod's service account when there is no kubeconfig (in-cluster)", async () => {
    const root = join(server.dir, 'pod');
    const sa = join(root, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(sa, { recursive: true });
    writeFileSync(join(sa, 'token'), 'sa-token\n');
    writeFileSync(join(sa, 'namespace'), 'dev');
    copyFileSync(server.caFile, join(sa, 'ca.crt'));
    server.routes.set('/api/v1/namespaces/dev/configmaps', replay('list-configmaps-dev-labelselector'));
    const port = new URL(server.url).port;
    const r = await createKubeClusterReader({
      env: { HOME: root, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
      serviceAccountRoot: root,
    });
    readers.push(r);
    assert.equal(r.context, 'in-cluster');
    assert.equal(r.namespace, 'dev');
    const outcome = await r.list((await r.resourceType('', 'ConfigMap'))!, 'dev');
    assert.equal(outcome.status, 'ok');
    assert.ok(server.requests.every((q) => q.authorization === 'Bearer sa-token'));
  });

  it('maps a watch refused with 403, 410 or 500 to forbidden, gone and error', async () => {
    const r = await reader();
    const type = (await r.resourceType('apps', 'Deployment'))!;
    const watch = () =>
      r.watch(type, 'staging', '7', () => assert.fail('no events expected'), new AbortController().signal);
    server.routes.set(
      '/apis/apps/v1/namespaces/staging/deployments',
      replay('error-403-readonly-list-deployments-staging'),
    );
    const forbidden = await watch();
    assert.equal(forbidden.status, 'forbidden');
    assert.equal(
      forbidden.status === 'forbidden' && `${forbidden.verb} ${forbidden.resource}`,
      'watch deployments.apps',
    );
    server.routes.set(
      '/apis/apps/v1/namespaces/staging/deployments',
      json(410, { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' }),
    );
    assert.deepEqual(await watch(), { status: 'gone' });
    server.routes.set(
      '/apis/apps/v1/namespaces/staging/deployments',
      json(500, { kind: 'Status', code: 500, message: 'boom' }),
    );
    assert.deepEqual(await watch(), {
      status: 'error',
      message: 'watch /apis/apps/v1/namespaces/staging/deployments: HTTP 500: boom',
    });
  });

  it('re-resolves credentials once for a burst of 401s (an expired exec token), not once per request', async () => {
    const runs = join(server.dir, 'runs');
    writeFileSync(runs, '');
    const plugin = join(server.dir, 'plugin.js');
    // First run hands out an expired token, later runs a fresh one.
    writeFileSync(
      plugin,
      `const fs = require('fs'); const n = fs.readFileSync(process.env.RUNS, 'utf8').length; fs.appendFileSync(process.env.RUNS, 'x');
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: n ? 'fresh' : 'expired' } }));`,
    );
    const path = join(server.dir, 'kubeconfig-plugin');
    writeFileSync(
      path,
      JSON.stringify({
        clusters: [{ name: 'f', cluster: { server: server.url, 'certificate-authority': 'ca.crt' } }],
        users: [
          {
            name: 'u',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1beta1',
                command: process.execPath,
                args: [plugin],
                env: [{ name: 'RUNS', value: runs }],
              },
            },
          },
        ],
        contexts: [{ name: 'c', context: { cluster: 'f', user: 'u' } }],
        'current-context': 'c',
      }),
    );
    for (const [route, handler] of [...server.routes]) {
      server.routes.set(route, (req, res) =>
        req.headers.authorization === 'Bearer fresh' ? handler(req, res) : replay('error-401-invalid-token')(req, res),
      );
    }
    const r = await createKubeClusterReader({ kubeconfigPath: path, allowExec: true, env: {} });
    readers.push(r);
    assert.equal((await r.resourceType('apps', 'Deployment'))?.resource, 'deployments');
    assert.equal(readFileSync(runs, 'utf8'), 'xx', 'the plugin ran twice: once at first, once after the 401s');
    assert.equal(r.stats.requests, 4);
  });

  it("names a missing credential plugin with the kubeconfig's installHint", async () => {
    const path = join(server.dir, 'kubeconfig-exec');
    writeFileSync(
      path,
      `clusters: [{name: f, cluster: {server: '${server.url}', certificate-authority: ca.crt}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: gitops-drift-no-such-plugin, installHint: 'Install it with: brew install no-such-plugin'}}}]
contexts: [{name: c, context: {cluster: f, user: u}}]
current-context: c
`,
    );
    const r = await createKubeClusterReader({ kubeconfigPath: path, allowExec: true, env: {} });
    readers.push(r);
    await assert.rejects(
      r.resourceType('apps', 'Deployment'),
      (e: unknown) =>
        e instanceof ClusterError &&
        e.reason === 'kubeconfig' &&
        e.message ===
          'context "c": credential plugin "gitops-drift-no-such-plugin" not found. Install it with: brew install no-such-plugin',
    );
    assert.equal(server.requests.length, 0);
  });

  it('reads live state end to end: one LIST per scope, failures per scope', async () => {
    server.routes.set('/apis/apps/v1/namespaces/dev/deployments', replay('list-deployments-dev'));
    server.routes.set(
      '/apis/apps/v1/namespaces/staging/deployments',
      replay('error-403-readonly-list-deployments-staging'),
    );
    const r = await reader();
    const state = await readLiveState(
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'staging' } },
        { apiVersion: 'example.com/v2', kind: 'Gadget', metadata: { name: 'g' } },
      ],
      r,
      { defaultNamespace: r.namespace },
    );
    assert.deepEqual([...state.objects.keys()].sort(), ['apps/Deployment/dev/api', 'apps/Deployment/dev/web']);
    assert.equal(state.failures.get(scopeKey('apps', 'Deployment', 'staging'))?.verdict, 'Forbidden');
    assert.equal(state.failures.get(scopeKey('example.com', 'Gadget', 'dev'))?.verdict, 'UnknownKind');
    assert.equal(
      r.stats.requests,
      2 + 2,
      'discovery (fresh, so the unknown kind does not trigger another) and two LISTs',
    );
  });
});
