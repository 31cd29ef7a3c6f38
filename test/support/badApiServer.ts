/**
 * A misbehaving Kubernetes API server on loopback, for the faults a real one cannot be made to show: a LIST that
 * never ends, a body dripping a byte at a time, garbage instead of JSON, escape sequences in a 403 message,
 * 410 Gone on a watch. It serves just enough of the API (aggregated discovery of ConfigMaps and Namespaces, LIST and
 * WATCH of ConfigMaps) for the CLI and the cluster reader to reach the fault.
 *
 * Bounded by design: it listens on 127.0.0.1 only, every endless answer stops when the client goes away or after
 * `maxStreamMs`, and `close()` ends every connection.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackCerts } from '../testbed/certs';

/** What the server does wrong. `ok` behaves. */
export interface Faults {
  /** GET /api and /apis. */
  discovery?: 'ok' | 'forbidden' | 'garbage';
  /** LIST of ConfigMaps. */
  list?: 'ok' | 'endless' | 'drip' | 'garbage' | 'forbiddenEscapes';
  /**
   * WATCH of ConfigMaps: `goneEvent` sends an ERROR event with code 410, `goneStatus` answers HTTP 410. Once, then
   * the watch behaves, unless `watchGoneAlways` is set.
   */
  watch?: 'ok' | 'goneEvent' | 'goneStatus' | 'endlessLine';
  watchGoneAlways?: boolean;
  /** Every LIST answered this many ms late (a healthy but busy server). */
  listLatencyMs?: number;
}

/** A request as the server saw it. */
export interface SeenRequest {
  path: string;
  authorization: string;
}

export interface BadApiServer {
  url: string;
  dir: string;
  faults: Faults;
  /** ConfigMaps the LIST returns (namespace → objects); `resourceVersion` is bumped by `setConfigMaps`. */
  setConfigMaps(namespace: string, items: Array<{ name: string; data: Record<string, string> }>): void;
  /** Whole ConfigMap objects for a namespace, served as given (the bench serves 100,000). */
  setConfigMapObjects(namespace: string, objects: object[]): void;
  requests: SeenRequest[];
  /** Most buffered (non-watch) requests in progress at once. */
  maxConcurrent: number;
  /** Called with each request's path before it is answered (a test changes the data at a chosen moment). */
  onRequest?: (path: string, watch: boolean) => void;
  /** Writes a kubeconfig for this server; returns its path. */
  kubeconfig(user?: KubeconfigUser, options?: { server?: string }): string;
  close(): Promise<void>;
}

/** The kubeconfig user: a token (default), none (anonymous), a garbage client certificate, or a credential plugin. */
export type KubeconfigUser =
  { token: string } | { anonymous: true } | { garbageCert: true } | { exec: { command: string; args: string[] } };

/** The 403 message a hostile server sends: it clears the screen and fakes a clean result. */
export const ESCAPE_MESSAGE =
  'configmaps is forbidden\u001b[2J\u001b[H\u001b]0;owned\u0007\ndev: 11 in sync\r\n\u009b31mred\u001b[0m';

/** Starts the server on a random loopback port. `maxStreamMs` bounds every endless or dripping answer. */
export async function startBadApiServer(options: { maxStreamMs?: number } = {}): Promise<BadApiServer> {
  const maxStreamMs = options.maxStreamMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-badapi-'));
  const p = (n: string) => join(dir, n);
  loopbackCerts(dir, 'bad-api', { days: 1, extensions: 'subjectAltName=IP:127.0.0.1\n' });

  const configMaps = new Map<string, Array<{ name: string; data: Record<string, string> }>>();
  const rawConfigMaps = new Map<string, object[]>();
  let resourceVersion = 100;
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;

  const state: BadApiServer = {
    url: '',
    dir,
    faults: {},
    requests: [],
    maxConcurrent: 0,
    setConfigMaps(namespace, items) {
      configMaps.set(namespace, items);
      rawConfigMaps.delete(namespace);
      resourceVersion++;
    },
    setConfigMapObjects(namespace, objects) {
      rawConfigMaps.set(namespace, objects);
      resourceVersion++;
    },
    kubeconfig: (user = { token: 'bad-api-token' }, opts = {}) => writeKubeconfig(dir, opts.server ?? state.url, user),
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const configMap = (namespace: string, c: { name: string; data: Record<string, string> }) => ({
    metadata: { name: c.name, namespace, resourceVersion: String(resourceVersion) },
    data: c.data,
  });

  /** Writes `next()` until the client leaves, the stream limit passes, or `next` returns undefined. */
  const stream = (
    req: IncomingMessage,
    res: ServerResponse,
    intervalMs: number,
    next: () => string | undefined,
  ): void => {
    const started = Date.now();
    const pump = (): void => {
      // Write while the socket takes it; wait for 'drain' otherwise (no unbounded buffering here either).
      while (!res.destroyed && Date.now() - started < maxStreamMs) {
        const chunk = next();
        if (chunk === undefined) return void res.end();
        if (!res.write(chunk)) return void res.once('drain', pump);
        if (intervalMs > 0) return;
      }
      if (!res.destroyed) res.end();
    };
    if (intervalMs > 0) {
      const timer = setInterval(
        () =>
          res.destroyed || Date.now() - started >= maxStreamMs
            ? (clearInterval(timer), timers.delete(timer), res.destroy())
            : pump(),
        intervalMs,
      );
      timers.add(timer);
      req.on('close', () => {
        clearInterval(timer);
        timers.delete(timer);
      });
    }
    pump();
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://bad-api');
    state.requests.push({ path: req.url ?? '', authorization: String(req.headers.authorization ?? '') });
    const watching = url.searchParams.get('watch') === '1';
    state.onRequest?.(url.pathname, watching);
    if (!watching) {
      inFlight++;
      state.maxConcurrent = Math.max(state.maxConcurrent, inFlight);
      res.on('close', () => inFlight--);
    }
    if (url.pathname === '/api' || url.pathname === '/apis') {
      if (state.faults.discovery === 'forbidden')
        return sendJson(res, 403, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Forbidden',
          code: 403,
          message: `forbidden: User "system:anonymous" cannot get path "${url.pathname}"`,
        });
      if (state.faults.discovery === 'garbage') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end(
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x1b, 0x5b, 0x32, 0x4a]),
        );
      }
      return sendJson(
        res,
        200,
        url.pathname === '/api'
          ? CORE_DISCOVERY
          : { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [] },
      );
    }
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps$/.exec(url.pathname);
    if (match && watching) {
      const gone = state.faults.watch;
      if (!state.faults.watchGoneAlways) state.faults.watch = 'ok';
      if (gone === 'goneStatus')
        return sendJson(res, 410, {
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
          message: 'too old resource version',
        });
      if (gone === 'endlessLine') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        const filler = 'x'.repeat(64 * 1024);
        let first = true;
        return stream(req, res, 0, () =>
          first ? ((first = false), '{"type":"ADDED","object":{"metadata":{"name":"') : filler,
        );
      }
      if (gone === 'goneEvent') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(
          JSON.stringify({
            type: 'ERROR',
            object: {
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              reason: 'Expired',
              code: 410,
              message: 'too old resource version',
            },
          }) + '\n',
        );
        return void res.end();
      }
      // A healthy watch: nothing happens until the client goes away (or the stream limit passes).
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(
        JSON.stringify({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) } },
        }) + '\n',
      );
      const timer = setTimeout(() => res.end(), maxStreamMs);
      timers.add(timer);
      req.on('close', () => clearTimeout(timer));
      return;
    }
    if (match && state.faults.listLatencyMs && !req.headers['x-delayed']) {
      req.headers['x-delayed'] = '1';
      const timer = setTimeout(() => handleList(req, res, match[1]), state.faults.listLatencyMs);
      timers.add(timer);
      return;
    }
    if (match) return handleList(req, res, match[1]);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  };

  const handleList = (req: IncomingMessage, res: ServerResponse, namespace: string): void => {
    const url = new URL(req.url ?? '/', 'https://bad-api');
    {
      switch (state.faults.list ?? 'ok') {
        case 'forbiddenEscapes':
          return sendJson(res, 403, {
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Forbidden',
            code: 403,
            message: ESCAPE_MESSAGE,
          });
        case 'garbage':
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end('{"kind":"ConfigMapList","items":[{"metadata":\u001b[2J not json');
        case 'endless': {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          let i = 0;
          const filler = 'x'.repeat(4000);
          return stream(req, res, 0, () =>
            i++ === 0
              ? '{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"items":['
              : `{"metadata":{"name":"cm-${i}","namespace":"${namespace}"},"data":{"k":"${filler}"}},`,
          );
        }
        case 'drip': {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          const body = JSON.stringify({
            kind: 'ConfigMapList',
            apiVersion: 'v1',
            metadata: { resourceVersion: String(resourceVersion) },
            items: [],
          });
          let i = 0;
          return stream(req, res, 2000, () => (i < body.length ? body[i++] : undefined));
        }
        case 'ok': {
          const all =
            rawConfigMaps.get(namespace) ?? (configMaps.get(namespace) ?? []).map((c) => configMap(namespace, c));
          // Pages as the API server does: `limit` items, then a `continue` token (here, the next index).
          const limit = Number(url.searchParams.get('limit') ?? 0) || all.length;
          const from = Number(url.searchParams.get('continue') ?? 0);
          const items = all.slice(from, from + limit);
          const next = from + limit < all.length ? String(from + limit) : undefined;
          return sendJson(res, 200, {
            kind: 'ConfigMapList',
            apiVersion: 'v1',
            metadata: { resourceVersion: String(resourceVersion), ...(next ? { continue: next } : {}) },
            items,
          });
        }
      }
    }
  };

  const server: Server = createServer(
    { key: readFileSync(p('server.key')), cert: readFileSync(p('server.crt')) },
    handle,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return state;
}

const CORE_DISCOVERY = {
  kind: 'APIGroupDiscoveryList',
  apiVersion: 'apidiscovery.k8s.io/v2',
  metadata: {},
  items: [
    {
      metadata: { name: '' },
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'configmaps',
              responseKind: { group: '', version: 'v1', kind: 'ConfigMap' },
              scope: 'Namespaced',
              singularResource: 'configmap',
              verbs: ['get', 'list', 'watch', 'create', 'patch', 'delete'],
            },
            {
              resource: 'namespaces',
              responseKind: { group: '', version: 'v1', kind: 'Namespace' },
              scope: 'Cluster',
              singularResource: 'namespace',
              verbs: ['get', 'list', 'watch'],
            },
          ],
          freshness: 'Current',
        },
      ],
    },
  ],
};

function writeKubeconfig(dir: string, server: string, user: KubeconfigUser): string {
  let userYaml: string;
  let name: string;
  if ('token' in user) {
    name = 'token';
    userYaml = `    token: ${user.token}`;
  } else if ('anonymous' in user) {
    name = 'anonymous';
    userYaml = '    {}';
  } else if ('garbageCert' in user) {
    name = 'garbage-cert';
    const garbage = (text: string) =>
      Buffer.from(`-----BEGIN CERTIFICATE-----\n${text}\n-----END CERTIFICATE-----\n`).toString('base64');
    userYaml = `    client-certificate-data: ${garbage('bm90IGEgY2VydGlmaWNhdGU=')}\n    client-key-data: ${Buffer.from('not a key at all\n').toString('base64')}`;
  } else {
    name = 'exec';
    userYaml = `    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ${JSON.stringify(user.exec.command)}\n      args: ${JSON.stringify(user.exec.args)}\n      interactiveMode: Never`;
  }
  const path = join(dir, `kubeconfig-${name}-${Math.random().toString(36).slice(2, 8)}`);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: bad
  cluster:
    server: ${server}
    certificate-authority: ${join(dir, 'ca.crt')}
users:
- name: ${name}
  user:
${userYaml}
contexts:
- name: bad
  context: {cluster: bad, user: ${name}, namespace: dev}
current-context: bad
`,
  );
  return path;
}
