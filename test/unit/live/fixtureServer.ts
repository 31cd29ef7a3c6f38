import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loopbackCerts } from '../../testbed/certs';

/** The recorded kube-apiserver 1.26 responses. */
export const FIXTURES = '/work/shared/fixtures/kube-api-1.26';

/** A recorded response: status, content type and raw body, byte for byte. */
export function fixture(name: string): { status: number; contentType: string; body: Buffer } {
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${name}.meta.json`), 'utf8')) as {
    response: { status: number; headers: Record<string, string>; bodyFile: string };
  };
  return {
    status: meta.response.status,
    contentType: meta.response.headers['content-type'],
    body: readFileSync(join(FIXTURES, meta.response.bodyFile)),
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTPS server on 127.0.0.1 with a throwaway CA; routes by `path?query`, records every request. */
export interface FixtureServer {
  url: string;
  caFile: string;
  dir: string;
  requests: Array<{ path: string; accept: string; authorization: string }>;
  routes: Map<string, Handler>;
  close(): Promise<void>;
}

/** Replies with a recorded fixture. */
export function replay(name: string): Handler {
  const f = fixture(name);
  return (_req, res) => {
    res.writeHead(f.status, { 'Content-Type': f.contentType });
    res.end(f.body);
  };
}

/** Replies with JSON. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

/** Starts the server; unknown paths get the API server's plain-text 404. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-fixture-'));
  const p = (n: string) => join(dir, n);
  loopbackCerts(dir, 'fixture', { days: 1, extensions: 'subjectAltName=IP:127.0.0.1\n' });
  const routes = new Map<string, Handler>();
  const requests: FixtureServer['requests'] = [];
  const server: Server = createServer(
    { key: readFileSync(p('server.key')), cert: readFileSync(p('server.crt')) },
    (req, res) => {
      requests.push({
        path: req.url ?? '',
        accept: String(req.headers.accept ?? ''),
        authorization: String(req.headers.authorization ?? ''),
      });
      const handler = routes.get(req.url ?? '') ?? routes.get((req.url ?? '').split('?')[0]);
      if (handler) return handler(req, res);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('404 page not found\n');
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    caFile: p('ca.crt'),
    dir,
    requests,
    routes,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a kubeconfig for the fixture server with a static token; returns its path. */
export function fixtureKubeconfig(server: FixtureServer, token = 'fixture-token'): string {
  const path = join(server.dir, `kubeconfig-${token}`);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: fixture
  cluster:
    server: ${server.url}
    certificate-authority: ca.crt
users:
- name: fixture
  user:
    token: ${token}
contexts:
- name: fixture
  context: {cluster: fixture, user: fixture, namespace: dev}
current-context: fixture
`,
  );
  return path;
}
