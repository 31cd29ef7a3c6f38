/**
 * Cluster faults a real API server cannot be made to show, from a misbehaving server of our own on loopback
 * (test/support/badApiServer.ts). Each runs the CLI as a child process and asserts the exit code, the message,
 * that it ends within a generous bound, and its peak memory.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BadApiServer, startBadApiServer } from '../../support/badApiServer';
import { type ChildRun, runCliChild } from '../../support/cliChild';

/** No byte of a terminal control sequence: ESC, CSI, OSC, BEL, CR or any other C0/C1 control but \n and \t. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('cluster faults from a misbehaving API server (CLI as a child process)', function () {
  this.timeout(180_000);
  let server: BadApiServer;
  let repo: string;

  before(async () => {
    server = await startBadApiServer({ maxStreamMs: 120_000 });
    server.setConfigMaps('dev', [{ name: 'web', data: { a: '1' } }]);
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-faults-'));
    mkdirSync(join(repo, 'envs', 'dev'), { recursive: true });
    writeFileSync(join(repo, 'envs', 'dev', 'kustomization.yaml'), 'namespace: dev\nresources:\n- cm.yaml\n');
    writeFileSync(
      join(repo, 'envs', 'dev', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: "1"\n',
    );
  });
  after(async () => {
    await server.close();
    rmSync(repo, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.faults = {};
  });

  const check = (kubeconfig: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): Promise<ChildRun> =>
    runCliChild(['check', repo, '--kubeconfig', kubeconfig, ...extra], { env, killAfterMs: 150_000 });
  const within = (run: ChildRun, ms: number, mb: number): void => {
    assert.ok(run.ms < ms, `took ${run.ms} ms (bound ${ms})`);
    assert.ok(run.maxRssMb < mb, `peak RSS ${run.maxRssMb} MB (bound ${mb})`);
  };

  it('the healthy server: in sync, exit 0 (the baseline the faults are measured against)', async () => {
    const run = await check(server.kubeconfig());
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'dev: 1 in sync\n');
  });

  it('an endless LIST is cut off at the configured size: an error verdict naming the limit, exit 2', async () => {
    server.faults.list = 'endless';
    const run = await check(server.kubeconfig(), { GITOPS_DRIFT_MAX_RESPONSE_MB: '32' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /ConfigMap dev\/web {2}error: list configmaps in namespace "dev" failed: the response to GET \/api\/v1\/namespaces\/dev\/configmaps\?limit=500 passed 32 MB and was cut off \(limit GITOPS_DRIFT_MAX_RESPONSE_MB\)/,
    );
    within(run, 30_000, 400);
  });

  it('an endless LIST under the default limit (256 MB) ends too, in bounded memory', async () => {
    server.faults.list = 'endless';
    const run = await check(server.kubeconfig());
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /passed 256 MB and was cut off/);
    within(run, 60_000, 1024);
  });

  it('a server dripping a byte every 2 s hits the request deadline, once (no retry), with a message naming it', async () => {
    server.faults.list = 'drip';
    const before = server.requests.length;
    const run = await check(server.kubeconfig(), { GITOPS_DRIFT_REQUEST_TIMEOUT: '3' });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /^dev +error: the API server at https:\/\/127\.0\.0\.1:\d+ \(context "bad"\) did not finish answering GET \/api\/v1\/namespaces\/dev\/configmaps\?limit=500 within 3 s: a stalled server, proxy or network \(the limit is GITOPS_DRIFT_REQUEST_TIMEOUT, in seconds\)$/m,
    );
    assert.equal(
      server.requests.slice(before).filter((r) => r.path.startsWith('/api/v1/namespaces/dev/configmaps')).length,
      1,
    );
    within(run, 20_000, 400);
  });

  it('garbage instead of a LIST: an error verdict, exit 2, and none of its control bytes printed', async () => {
    server.faults.list = 'garbage';
    const run = await check(server.kubeconfig());
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /error: list configmaps in namespace "dev" failed: unreadable LIST response from \/api\/v1\/namespaces\/dev\/configmaps/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, CONTROL);
    within(run, 20_000, 400);
  });

  it('garbage instead of discovery: the environment error says the server answered with something that is not JSON', async () => {
    server.faults.discovery = 'garbage';
    const run = await check(server.kubeconfig());
    assert.equal(run.code, 2, run.stderr);
    // Discovery asks /api and /apis at once: whichever garbage answer is read first is the one reported.
    assert.match(
      run.stdout,
      /error: reading the cluster failed: GET \/apis?: the API server at https:\/\/127\.0\.0\.1:\d+ answered with something that is not JSON/,
    );
    assert.doesNotMatch(run.stdout + run.stderr, CONTROL);
  });

  it('escape sequences in a 403 message are stripped: no screen clearing, no fake "dev: 11 in sync" line (text and JSON)', async () => {
    server.faults.list = 'forbiddenEscapes';
    const text = await check(server.kubeconfig());
    assert.equal(text.code, 2, text.stderr);
    assert.doesNotMatch(text.stdout + text.stderr, CONTROL);
    assert.doesNotMatch(text.stdout, /^dev: 11 in sync/m);
    assert.match(
      text.stdout,
      /forbidden: list configmaps in namespace "dev" is forbidden: configmaps is forbidden dev: 11 in sync red/,
    );
    assert.match(text.stdout, /^dev: 1 forbidden$/m);
    const json = await check(server.kubeconfig(), {}, ['--format', 'json']);
    assert.equal(json.code, 2);
    const message: string = JSON.parse(json.stdout).environments[0].resources[0].message;
    assert.doesNotMatch(message, CONTROL);
    assert.doesNotMatch(message, /\n/);
  });

  it('a credential plugin that never exits is stopped after the configured time: "did not answer within N s"', async () => {
    const kubeconfig = server.kubeconfig({ exec: { command: 'sleep', args: ['1000'] } });
    const run = await check(kubeconfig, { GITOPS_DRIFT_EXEC_TIMEOUT: '2' }, ['--allow-exec']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /error: context "bad": credential plugin "sleep 1000" did not answer within 2 s \(kubeconfig user "exec"\); it was stopped/,
    );
    within(run, 20_000, 400);
  });

  it('anonymous access refused by discovery: says so, instead of "GET /apis: HTTP 403"', async () => {
    server.faults.discovery = 'forbidden';
    const run = await check(server.kubeconfig({ anonymous: true }));
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /error: the API server at https:\/\/127\.0\.0\.1:\d+ refused anonymous access \(context "bad" has no user credentials\): GET \/apis?: 403 Forbidden: forbidden: User "system:anonymous" cannot get path/,
    );
    const withToken = await check(server.kubeconfig({ token: 'rejected' }));
    assert.match(
      withToken.stdout,
      /did not accept the credentials of user "token" \(context "bad"\) to read its API: GET \/apis?: 403 Forbidden/,
    );
  });

  it('a garbage client certificate is blamed on the kubeconfig user, not on the cluster CA', async () => {
    const kubeconfig = server.kubeconfig({ garbageCert: true });
    const run = await check(kubeconfig);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `error: the client certificate or key of user "garbage-cert" in ${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is invalid \\(context "bad"\\)`,
      ),
    );
    assert.doesNotMatch(run.stdout, /certificate-authority/);
  });

  it('an http:// server URL is explained, with https:// suggested', async () => {
    const run = await check(server.kubeconfig({ token: 't' }, { server: server.url.replace('https:', 'http:') }));
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stdout,
      /error: cluster "bad" \(context "bad"\) has server URL http:\/\/127\.0\.0\.1:\d+, which uses plain http:\/\/: the Kubernetes client library refuses it unless the cluster also sets insecure-skip-tls-verify: true, because the credentials would cross the network unencrypted\. Use the server's https:\/\/ URL/,
    );
  });

  it('a limit that is not a number is an error naming the variable', async () => {
    const run = await check(server.kubeconfig(), { GITOPS_DRIFT_REQUEST_TIMEOUT: 'soon' });
    assert.equal(run.code, 2);
    assert.match(run.stdout, /error: GITOPS_DRIFT_REQUEST_TIMEOUT must be a positive number of seconds, not "soon"/);
  });
});
