/**
 * Writes (server-side apply, DELETE) go through the reader's transport: the same credentials, re-resolved once when
 * the server answers 401, and the same deadline. A local HTTP server stands in for the API server.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isClusterError } from '../../../../src/core/live/clusterError';
import { loadKubeConfig } from '../../../../src/node/kubeConfig';
import { KubeTransport } from '../../../../src/node/kubeTransport';

interface Seen {
  method: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

describe('KubeTransport.write: one credential path for GET and apply', function () {
  this.timeout(10_000);
  let dir: string;
  let server: Server;
  let seen: Seen[];
  /** Tokens the server accepts. */
  let accepted: Set<string>;
  let hang: boolean;

  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-kube-write-'));
    seen = [];
    accepted = new Set(['new']);
    hang = false;
    server = createServer((req, res) => {
      void body(req).then((text) => {
        seen.push({
          method: req.method ?? '',
          authorization: req.headers.authorization,
          contentType: req.headers['content-type'],
          body: text,
        });
        if (hang && req.method !== 'GET') return; // never answers: the deadline must end it
        const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        const ok = req.method === 'GET' || accepted.has(token);
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify(
            ok
              ? { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'web' } }
              : { kind: 'Status', message: 'Unauthorized' },
          ),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function transport(
    options: { requestTimeoutMs?: number } = {},
  ): Promise<{ transport: KubeTransport; tokenFile: string }> {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'old\n');
    const kubeconfig = join(dir, 'kubeconfig');
    const { port } = server.address() as AddressInfo;
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {tokenFile: ${JSON.stringify(tokenFile)}}\ncontexts:\n- name: ctx\n  context: {cluster: c, user: u}\ncurrent-context: ctx\n`,
    );
    const config = await loadKubeConfig({ kubeconfigPath: kubeconfig, env: {} });
    return { transport: new KubeTransport(config, options), tokenFile };
  }

  it('sends the body with its content type and the credentials GETs use; a 401 re-reads them and sends once more', async () => {
    const { transport: t, tokenFile } = await transport();
    try {
      await t.get('/api');
      writeFileSync(tokenFile, 'new\n'); // the token was rotated after the credentials were resolved
      const res = await t.write(
        'PATCH',
        '/api/v1/namespaces/dev/configmaps/web?fieldManager=x',
        '{"kind":"ConfigMap"}',
        'application/apply-patch+yaml',
        1024 * 1024,
      );
      assert.equal(res.status, 200);
      assert.deepEqual(
        seen.map((s) => [s.method, s.authorization]),
        [
          ['GET', 'Bearer old'],
          ['PATCH', 'Bearer old'],
          ['PATCH', 'Bearer new'],
        ],
      );
      assert.deepEqual([seen[2].contentType, seen[2].body], ['application/apply-patch+yaml', '{"kind":"ConfigMap"}']);
    } finally {
      t.dispose();
    }
  });

  it('returns a second 401 instead of trying again', async () => {
    accepted = new Set();
    const { transport: t } = await transport();
    try {
      const res = await t.write(
        'DELETE',
        '/api/v1/namespaces/dev/configmaps/web',
        '{}',
        'application/json',
        1024 * 1024,
      );
      assert.equal(res.status, 401);
      assert.deepEqual(
        seen.map((s) => s.method),
        ['DELETE', 'DELETE'],
      );
    } finally {
      t.dispose();
    }
  });

  it('ends a write the server never answers at the request deadline, naming the method', async () => {
    hang = true;
    const { transport: t } = await transport({ requestTimeoutMs: 300 });
    try {
      await assert.rejects(
        t.write('PATCH', '/api/v1/namespaces/dev/configmaps/web', '{}', 'application/apply-patch+yaml', 1024 * 1024),
        (e: unknown) => {
          assert.ok(isClusterError(e));
          assert.equal(e.reason, 'timeout');
          assert.match(
            e.message,
            /did not finish answering PATCH \/api\/v1\/namespaces\/dev\/configmaps\/web within 0.3 s/,
          );
          return true;
        },
      );
    } finally {
      t.dispose();
    }
  });
});
