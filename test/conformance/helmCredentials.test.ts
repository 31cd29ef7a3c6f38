import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DriftEngine } from '../../src/core/engine';
import { HelmClientCredentials } from '../../src/node/chartCredentials';
import { HttpChartSource } from '../../src/node/chartSource';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import {
  WEB_DEPLOYMENT_TEMPLATE,
  devRepoFiles,
  webHelmRelease,
  helmEnv,
  helmTemplate,
  runWithHelmHome,
  withOriginLabels,
} from './helmCli';
import { argoApplication as destinationApplication } from '../support/argoApplication';

/**
 * Charts of private repositories (issue #16, credentials): a Helm repository on loopback that wants Basic
 * credentials, and the test bed's OCI registry run private (`-basic`, alone and behind its token service), holding
 * charts made by the real `helm package` and `helm push`. Credentials come from the HelmRelease's source's
 * `secretRef` (a Secret of the repo) or from the user's own Helm config, written by the real `helm repo add` and
 * `helm registry login`; the oracle is `helm template` pulling the same chart with the same credentials.
 */
const USER = 'chart-reader';
const PASSWORD = 'pw-Zq8Kx1-not-a-real-one';

const chartFiles = (version: string): Record<string, string> => ({
  'Chart.yaml': `apiVersion: v2\nname: web\nversion: ${version}\nappVersion: "2.0"\n`,
  'values.yaml': 'replicas: 1\ncolor: none\n',
  'templates/deployment.yaml': WEB_DEPLOYMENT_TEMPLATE,
});

const VERSIONS = ['1.3.0', '1.4.0'];

const repoFiles = (chart: string, sources: string) => devRepoFiles(webHelmRelease(chart), sources);

const chartSpec = (source: string) =>
  `  chart:\n    spec:\n      chart: web\n      version: '1.x'\n      sourceRef: {kind: HelmRepository, name: ${source}}`;

const basicSecret = (name: string, password = PASSWORD) =>
  `---\napiVersion: v1\nkind: Secret\nmetadata: {name: ${name}}\nstringData: {username: ${USER}, password: "${password}"}\n`;

describe('charts of private Helm and OCI repositories, with credentials, against helm template (test bed)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;
  let httpServer: Server;
  let httpUrl: string;
  /** The Authorization headers the Helm repository saw, per path (only whether they were right is kept). */
  const seen: { path: string; authorized: boolean | undefined }[] = [];
  const registries: ChildProcess[] = [];
  let basicRegistry: string;
  let tokenRegistry: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmcreds-'));
    const pkg = join(work, 'pkg');
    for (const version of VERSIONS) {
      for (const [name, text] of Object.entries(chartFiles(version))) {
        await mkdir(dirname(join(work, 'src', version, 'web', name)), { recursive: true });
        await writeFile(join(work, 'src', version, 'web', name), text);
      }
      await runWithHelmHome(testbedBin('helm'), ['package', join(work, 'src', version, 'web'), '-d', pkg], work);
    }
    await runWithHelmHome(testbedBin('helm'), ['repo', 'index', pkg], work);
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    httpServer = createServer((req, res) => {
      const header = req.headers.authorization;
      seen.push({ path: req.url ?? '', authorized: header === undefined ? undefined : header === expected });
      if (header !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' }).end();
        return;
      }
      const name = (req.url ?? '').replace(/^\/private\//, '');
      if (!(req.url ?? '').startsWith('/private/') || name.includes('/') || name.includes('..')) {
        res.writeHead(404).end();
        return;
      }
      readFile(join(pkg, name)).then(
        (data) => res.writeHead(200).end(data),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/private`;

    basicRegistry = await startRegistry(['-basic', `${USER}:${PASSWORD}`]);
    tokenRegistry = await startRegistry(['-token', '-basic', `${USER}:${PASSWORD}`]);
    for (const host of [basicRegistry, tokenRegistry])
      for (const version of VERSIONS)
        await runWithHelmHome(
          testbedBin('helm'),
          [
            'push',
            join(pkg, `web-${version}.tgz`),
            `oci://${host}/charts`,
            '--plain-http',
            '--username',
            USER,
            '--password',
            PASSWORD,
          ],
          work,
        );
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    for (const registry of registries) registry.kill();
    await new Promise((resolve) => (httpServer ? httpServer.close(resolve) : resolve(undefined)));
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function startRegistry(args: string[]): Promise<string> {
    const registry = spawn(testbedBin('oci-registry'), args, { stdio: ['ignore', 'pipe', 'ignore'] });
    registries.push(registry);
    return new Promise<string>((resolve, reject) => {
      registry.once('error', reject);
      registry.stdout?.on('data', (chunk: Buffer) => {
        const m = /listening on http:\/\/(\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
    });
  }

  /** The product's render, with downloads on, a fresh cache and the Helm config of `helmEnv(work)` (or none). */
  async function productRender(files: Record<string, string>, userConfig: boolean) {
    const root = await mkdtemp(join(work, 'repo-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    const engine = new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({
        cacheDir: await mkdtemp(join(work, 'cache-')),
        timeoutMs: 20_000,
        ...(userConfig ? { userCredentials: new HelmClientCredentials(helmEnv(work)) } : {}),
      }),
    });
    return engine.renderHelmRelease(await engine.environment('dev'), 'HelmRelease apps/web');
  }

  async function expectSameAsHelm(files: Record<string, string>, userConfig: boolean, chartArgs: string[]) {
    const result = await productRender(files, userConfig);
    assert.ok(result, 'the environment renders the HelmRelease');
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    const expected = await helmTemplate(
      ['template', 'web-apps-web', ...chartArgs, '--namespace', 'web-apps', '-f', join(work, 'values.yaml')],
      work,
    );
    assert.equal(expected.length, 1, 'helm template renders the Deployment');
    assert.deepEqual(
      result.objects.map((o) => o.object),
      expected.map((d) => withOriginLabels(d.object)),
    );
    assert.equal((result.objects[0].object.metadata?.labels as Record<string, string>).chart, '1.4.0');
  }

  it("a HelmRepository's secretRef (a Secret of the repo): Basic on the index and the chart", async () => {
    seen.length = 0;
    const files = repoFiles(
      chartSpec('private'),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: private}\nspec: {url: "${httpUrl}", secretRef: {name: repo-creds}}\n${basicSecret('repo-creds')}`,
    );
    await expectSameAsHelm(files, false, [
      'web',
      '--repo',
      httpUrl,
      '--version',
      '1.x',
      '--username',
      USER,
      '--password',
      PASSWORD,
    ]);
    const ours = seen.filter((s) => s.path === '/private/index.yaml' || s.path === '/private/web-1.4.0.tgz');
    assert.ok(ours.length >= 2 && ours.every((s) => s.authorized === true), JSON.stringify(seen));
  });

  it("the user's repositories.yaml, written by `helm repo add --username`", async () => {
    await runWithHelmHome(
      testbedBin('helm'),
      ['repo', 'add', 'private', httpUrl, '--username', USER, '--password', PASSWORD, '--force-update'],
      work,
    );
    const files = repoFiles(
      chartSpec('private'),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: private}\nspec: {url: "${httpUrl}/"}\n`,
    );
    await expectSameAsHelm(files, true, ['private/web', '--version', '1.x']);
  });

  it("an OCIRepository's .dockerconfigjson Secret: Basic on the registry's token service", async () => {
    const dockerConfig = JSON.stringify({
      auths: { [tokenRegistry]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } },
    });
    const files = repoFiles(
      '  chartRef: {kind: OCIRepository, name: web-chart}',
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: OCIRepository',
        'metadata: {name: web-chart}',
        `spec: {url: "oci://${tokenRegistry}/charts/web", insecure: true, ref: {semver: 1.x}, secretRef: {name: regcred}}`,
        '---',
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: regcred}',
        'type: kubernetes.io/dockerconfigjson',
        `data: {.dockerconfigjson: ${Buffer.from(dockerConfig).toString('base64')}}`,
        '',
      ].join('\n'),
    );
    await expectSameAsHelm(files, false, [
      `oci://${tokenRegistry}/charts/web`,
      '--version',
      '1.x',
      '--plain-http',
      '--username',
      USER,
      '--password',
      PASSWORD,
    ]);
  });

  it("the user's `helm registry login`: Basic straight to a registry that asks for Basic", async () => {
    await runWithHelmHome(
      testbedBin('helm'),
      ['registry', 'login', basicRegistry, '--plain-http', '--username', USER, '--password', PASSWORD],
      work,
    );
    const files = repoFiles(
      chartSpec('oci'),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: oci}\nspec: {type: oci, url: "oci://${basicRegistry}/charts"}\n`,
    );
    await expectSameAsHelm(files, true, [`oci://${basicRegistry}/charts/web`, '--version', '1.x', '--plain-http']);
  });

  it('Argo CD chart sources: a repo-creds template by URL prefix (HTTP) and a repository Secret (OCI, scheme-less repoURL)', async () => {
    const argoSecret = (name: string, type: string, url: string, password = PASSWORD) =>
      [
        'apiVersion: v1',
        'kind: Secret',
        `metadata: {name: ${name}, namespace: argocd, labels: {argocd.argoproj.io/secret-type: ${type}}}`,
        `stringData: {url: "${url}", username: ${USER}, password: "${password}", type: helm}`,
      ].join('\n');
    const application = (name: string, repoURL: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}, namespace: argocd}`,
        'spec:',
        '  project: default',
        '  destination: {server: https://kubernetes.default.svc, namespace: argo-apps}',
        `  source: {repoURL: "${repoURL}", chart: web, targetRevision: 1.x, helm: {valuesObject: {color: blue}}}`,
      ].join('\n');
    const root = await mkdtemp(join(work, 'argo-'));
    const files: Record<string, string> = {
      'argocd/apps.yaml': `${application('web-http', httpUrl)}\n---\n${application('web-oci', `${tokenRegistry}/charts`)}\n`,
      // The longest prefix wins: the shorter template's password is wrong.
      'argocd/creds.yaml': [
        argoSecret('this-server', 'repo-creds', httpUrl.replace(/\/private$/, '')),
        argoSecret('any-loopback', 'repo-creds', 'http://127.0.0.1', 'wrong-pw'),
        argoSecret('registry', 'repository', `${tokenRegistry}/charts`),
      ].join('\n---\n'),
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    const engine = new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({ cacheDir: await mkdtemp(join(work, 'cache-')), timeoutMs: 20_000 }),
    });
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    for (const [app, chartArgs] of [
      ['web-http', ['web', '--repo', httpUrl]],
      ['web-oci', [`oci://${tokenRegistry}/charts/web`, '--plain-http']],
    ] as const) {
      const rendered = await engine.render(await destinationApplication(engine, app));
      assert.deepEqual(rendered.problems, [], app);
      const expected = await helmTemplate(
        [
          'template',
          app,
          ...chartArgs,
          '--version',
          '1.x',
          '--username',
          USER,
          '--password',
          PASSWORD,
          '--namespace',
          'argo-apps',
          '--include-crds',
          '-f',
          join(work, 'values.yaml'),
        ],
        work,
      );
      assert.equal(expected.length, 1, app);
      assert.deepEqual(
        rendered.objects.map((o) => o.object),
        expected.map((d) => d.object),
        app,
      );
    }
  });

  it('a wrong password, a SOPS-encrypted Secret and no credentials are states naming where, never the password', async () => {
    const wrong = 'pw-wrong-Yt5Rr2-still-secret';
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        'wrong password (HTTP)',
        repoFiles(
          chartSpec('private'),
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: private}\nspec: {url: "${httpUrl}", secretRef: {name: repo-creds}}\n${basicSecret('repo-creds', wrong)}`,
        ),
        /refused the credentials from Secret apps\/repo-creds .*\(HTTP 401\)/,
      ],
      [
        'wrong password (token service)',
        repoFiles(
          chartSpec('oci'),
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: oci}\nspec: {type: oci, url: "oci://${tokenRegistry}/charts", secretRef: {name: repo-creds}}\n${basicSecret('repo-creds', wrong)}`,
        ),
        /\(its token service\) refused the credentials from Secret apps\/repo-creds/,
      ],
      [
        'SOPS',
        repoFiles(
          chartSpec('private'),
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: private}\nspec: {url: "${httpUrl}", secretRef: {name: repo-creds}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: repo-creds}\nstringData: {username: "ENC[AES256_GCM,data:abc,type:str]", password: "ENC[AES256_GCM,data:def,type:str]"}\nsops: {version: 3.9.0}\n`,
        ),
        /requires credentials \(HTTP 401\): credentials are encrypted \(SOPS\): Secret apps\/repo-creds/,
      ],
      [
        'Secret only in the cluster',
        repoFiles(
          chartSpec('private'),
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: private}\nspec: {url: "${httpUrl}", secretRef: {name: elsewhere}}\n`,
        ),
        /requires credentials \(HTTP 401\): Secret apps\/elsewhere .*is not in this repo's render/,
      ],
    ];
    for (const [name, files, expected] of cases) {
      // A chart that cannot be had is the release's problem (thrown by renderHelmRelease, a state in `check`).
      const messages = await productRender(files, false).then(
        (r) => `rendered: ${JSON.stringify(r?.objects.length)}`,
        (e: Error) => e.message,
      );
      assert.match(messages, expected, name);
      for (const secret of [PASSWORD, wrong, Buffer.from(`${USER}:${wrong}`).toString('base64')])
        assert.ok(!messages.includes(secret), `${name}: no credential in ${messages}`);
    }
  });
});
