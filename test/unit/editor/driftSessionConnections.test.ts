/**
 * src/vscode/driftSession.ts: a cluster that cannot be reached is tried once per refresh, not once per environment
 * (a first opening of 100 environments against a server that refuses made 100 connection attempts on the extension
 * host's thread while it rendered).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DriftSession } from '../../../src/vscode/driftSession';
import { sessionSettings } from '../../support/sessionSettings';

const shop = resolve(__dirname, '..', '..', '..', 'examples', 'shop');
const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };

describe('the editor session: an unreachable cluster', function () {
  this.timeout(60_000);
  let dir: string;
  let server: Server;
  let connections = 0;
  let session: DriftSession | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-session-'));
    connections = 0;
    // Accepts and hangs up at once: every connection attempt is counted, and each fails.
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterEach(async () => {
    session?.dispose();
    await new Promise<void>((done) => server.close(() => done()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is connected to once for all the environments of a refresh, and again in the next refresh', async () => {
    const port = (server.address() as { port: number }).port;
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: down',
        'contexts:',
        '- name: down',
        '  context: {cluster: down, user: down}',
        'clusters:',
        '- name: down',
        `  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
        'users:',
        '- name: down',
        '  user: {token: not-a-real-token}',
        '',
      ].join('\n'),
    );
    const settings = sessionSettings(kubeconfig, { refreshDebounceMs: 300 });
    session = new DriftSession({
      repoRoot: shop,
      settings,
      logger: quiet,
      context: undefined,
      env: {},
      trusted: true,
    });
    const { environments } = await session.load();
    assert.ok(environments.length >= 2, 'examples/shop has several environments');

    const first = await Promise.all(environments.map((env) => session!.check(env)));
    assert.ok(
      first.every((r) => r.noCluster && r.error),
      'each environment says why it was not checked',
    );
    const afterFirst = connections;
    assert.ok(afterFirst > 0, 'the cluster was tried');
    // Later checks in the same refresh (one per environment, as the store runs them) reuse the failure.
    for (const env of environments) assert.equal((await session.check(env)).error, first[0].error);
    assert.equal(connections, afterFirst, 'no environment connected again within the refresh');

    session.retryFailedConnections();
    await Promise.all(environments.map((env) => session!.check(env)));
    assert.ok(connections > afterFirst, 'the next refresh tries again');
    assert.ok(connections <= 2 * afterFirst, 'once for all environments again');
  });
});
