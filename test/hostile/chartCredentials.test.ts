/**
 * Credentials for private charts never reach the output (issue #16): the built CLI renders HelmReleases whose charts
 * sit in a loopback Helm repository that refuses or mocks them, with credentials from a Secret of the repo, from the
 * user's repositories.yaml and inside the repository URL. Whatever the failure, stdout and stderr hold no password,
 * no Basic header of it, and no URL with it; each run says which credentials were refused, by where they came from.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT, runCli } from './runCli';

const USER = 'reader';
const PASSWORD = 'hostile-pw-Qm3v9-MARKER';
const forms = [
  PASSWORD,
  encodeURIComponent(PASSWORD),
  Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
  Buffer.from(PASSWORD).toString('base64'),
];

describe('hostile: chart credentials never reach the output', function () {
  this.timeout(300_000);
  let dir: string;
  let server: Server;
  let url: string;

  before(async () => {
    // Test what the source says now: the build takes a second or two.
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'esbuild.js')], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-hostile-creds-'));
    server = createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      // A hostile repository: it echoes the Authorization header it got into a broken index, and refuses the rest.
      if (req.url === '/echo/index.yaml') {
        res.writeHead(200).end(`entries: [${auth}\n  : {{`);
        return;
      }
      res.writeHead(401, { 'www-authenticate': `Basic realm="${auth}"` }).end(`denied ${auth}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function repo(name: string, repositoryUrl: string, secret: boolean): string {
    const root = join(dir, name);
    const files: Record<string, string> = {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: HelmRepository',
        'metadata: {name: charts}',
        `spec: {url: "${repositoryUrl}"${secret ? ', secretRef: {name: creds}' : ''}}`,
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: creds}',
        `stringData: {username: ${USER}, password: "${PASSWORD}"}`,
        '---',
        'apiVersion: helm.toolkit.fluxcd.io/v2',
        'kind: HelmRelease',
        'metadata: {name: web}',
        'spec:',
        '  chart: {spec: {chart: web, version: 1.0.0, sourceRef: {kind: HelmRepository, name: charts}}}',
        '',
      ].join('\n'),
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    return root;
  }

  async function render(root: string, env: Record<string, string> = {}) {
    const run = await runCli(['render', '--env', 'dev', '--app', 'HelmRelease apps/web', '--chart-downloads', root], {
      cwd: dir,
      env: { GITOPS_DRIFT_CACHE: join(dir, 'cache'), HOME: join(dir, 'home'), ...env },
      limits: { seconds: 60, megabytes: 400 },
      rssFile: join(dir, 'rss'),
    });
    const output = run.stdout + run.stderr;
    for (const form of forms) assert.ok(!output.includes(form), `a credential in the output: ${output}`);
    assert.equal(run.code, 2, output);
    return output;
  }

  it('a Secret of the repo whose password the repository refuses (it echoes the header back)', async () => {
    const output = await render(repo('secret', `${url}/private`, true));
    assert.match(output, /refused the credentials from Secret apps\/creds .*\(HTTP 401\)/);
  });

  it("the user's repositories.yaml, refused", async () => {
    const config = join(dir, 'repositories.yaml');
    writeFileSync(
      config,
      `repositories:\n- {name: p, url: "${url}/private", username: ${USER}, password: "${PASSWORD}"}\n`,
    );
    const output = await render(repo('user', `${url}/private`, false), { HELM_REPOSITORY_CONFIG: config });
    assert.match(output, /refused the credentials from .*repositories\.yaml \(repository p\) \(HTTP 401\)/);
  });

  it('user:password inside the repository URL', async () => {
    const output = await render(
      repo('inurl', url.replace('://', `://${USER}:${encodeURIComponent(PASSWORD)}@`), false),
    );
    assert.match(output, /HelmRepository apps\/charts \(http:\/\/127\.0\.0\.1:\d+\)/);
  });

  it('a repository that answers an index built from the Authorization header it got', async () => {
    const output = await render(repo('echo', `${url}/echo`, true));
    assert.match(output, /index\.yaml is not YAML/);
  });
});
