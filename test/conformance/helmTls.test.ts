import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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
 * TLS client settings for chart downloads (issue #16's limits), against real TLS servers on loopback: a Helm
 * repository served by node:https (one port trusting a throwaway CA's server certificate, one also requiring a client
 * certificate) and the test bed's OCI registry with `-tls-cert/-tls-key` (and `-client-ca`). The certificates are
 * made by the test bed's `oci-registry -make-certs` (Go's crypto/x509; no openssl process). Settings come from a Flux
 * source's `certSecretRef`, an Argo CD repository Secret with `argocd-tls-certs-cm`, and the user's repositories.yaml
 * written by the real `helm repo add --ca-file/--cert-file/--key-file`; the oracle is `helm template` with the same files.
 */
const VERSION = '1.4.0';

describe('chart downloads over TLS: CA, client certificate, insecure (test bed)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;
  let certs: string;
  const pem: Record<string, string> = {};
  const servers: Server[] = [];
  const registries: ChildProcess[] = [];
  /** Helm repositories over HTTPS: server certificate only, and mutual TLS. */
  let httpsUrl: string;
  let mtlsUrl: string;
  /** The OCI registry's TLS port (host:port): plain server TLS, and requiring a client certificate. */
  let tlsRegistry: string;
  let mtlsRegistry: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmtls-'));
    certs = join(work, 'certs');
    await promisify(execFile)(testbedBin('oci-registry'), ['-make-certs', certs]);
    for (const name of ['ca.crt', 'other-ca.crt', 'server.crt', 'server.key', 'client.crt', 'client.key'])
      pem[name] = await readFile(join(certs, name), 'utf8');
    const src = join(work, 'src', 'web');
    for (const [name, text] of Object.entries({
      'Chart.yaml': `apiVersion: v2\nname: web\nversion: ${VERSION}\nappVersion: "2.0"\n`,
      'values.yaml': 'replicas: 1\ncolor: none\n',
      'templates/deployment.yaml': WEB_DEPLOYMENT_TEMPLATE,
    })) {
      await mkdir(dirname(join(src, name)), { recursive: true });
      await writeFile(join(src, name), text);
    }
    const pkg = join(work, 'pkg');
    await runWithHelmHome(testbedBin('helm'), ['package', src, '-d', pkg], work);
    await runWithHelmHome(testbedBin('helm'), ['repo', 'index', pkg], work);
    const serve = async (clientCert: boolean) => {
      const server = createServer(
        {
          cert: pem['server.crt'],
          key: pem['server.key'],
          ...(clientCert ? { ca: pem['ca.crt'], requestCert: true, rejectUnauthorized: true } : {}),
        },
        (req, res) => {
          const name = (req.url ?? '').replace(/^\/charts\//, '');
          if (!(req.url ?? '').startsWith('/charts/') || name.includes('/') || name.includes('..')) {
            res.writeHead(404).end();
            return;
          }
          readFile(join(pkg, name)).then(
            (data) => res.writeHead(200).end(data),
            () => res.writeHead(404).end(),
          );
        },
      );
      // A refused handshake is the test's point, not a failure of the server.
      server.on('tlsClientError', () => undefined);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `https://127.0.0.1:${(server.address() as AddressInfo).port}/charts`;
    };
    httpsUrl = await serve(false);
    mtlsUrl = await serve(true);
    const tlsArgs = ['-tls-cert', join(certs, 'server.crt'), '-tls-key', join(certs, 'server.key')];
    const plain = await startRegistry(tlsArgs);
    tlsRegistry = plain.tls;
    const mutual = await startRegistry([...tlsArgs, '-client-ca', join(certs, 'ca.crt')]);
    mtlsRegistry = mutual.tls;
    // Pushed over each registry's plain port; the same in-memory registry answers on its TLS port.
    for (const registry of [plain, mutual])
      await runWithHelmHome(
        testbedBin('helm'),
        ['push', join(pkg, `web-${VERSION}.tgz`), `oci://${registry.plain}/charts`, '--plain-http'],
        work,
      );
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    for (const registry of registries) registry.kill();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function startRegistry(args: string[]): Promise<{ plain: string; tls: string }> {
    const registry = spawn(testbedBin('oci-registry'), args, { stdio: ['ignore', 'pipe', 'ignore'] });
    registries.push(registry);
    return new Promise((resolve, reject) => {
      registry.once('error', reject);
      let out = '';
      registry.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const plainPort = /listening on http:\/\/(\S+)/.exec(out);
        const tlsPort = /tls listening on https:\/\/(\S+)/.exec(out);
        if (plainPort && tlsPort) resolve({ plain: plainPort[1], tls: tlsPort[1] });
      });
    });
  }

  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const certSecret = (name: string, keys: Record<string, string>) =>
    [
      'apiVersion: v1',
      'kind: Secret',
      `metadata: {name: ${name}}`,
      'data:',
      ...Object.entries(keys).map(([k, v]) => `  ${k}: ${b64(v)}`),
    ].join('\n');

  const fluxRepo = (chart: string, sources: string) => devRepoFiles(webHelmRelease(chart), sources);
  const fromHelmRepository =
    '  chart:\n    spec:\n      chart: web\n      version: 1.x\n      sourceRef: {kind: HelmRepository, name: charts}';
  const fromOciRepository = '  chartRef: {kind: OCIRepository, name: web-chart}';
  const helmRepository = (url: string, extra = '') =>
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts}\nspec: {url: "${url}"${extra}}\n`;
  const ociRepository = (host: string, extra = '') =>
    `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: web-chart}\nspec: {url: "oci://${host}/charts/web", ref: {semver: 1.x}${extra}}\n`;

  async function writeRepo(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(work, 'repo-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    return root;
  }

  function engineOf(root: string, userConfig = false) {
    return new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({
        cacheDir: join(work, `cache-${Math.random().toString(36).slice(2)}`),
        timeoutMs: 20_000,
        ...(userConfig ? { userCredentials: new HelmClientCredentials(helmEnv(work)) } : {}),
      }),
    });
  }

  /** The HelmRelease's render, or the message of the state that stops it. */
  async function renderRelease(files: Record<string, string>, userConfig = false) {
    const engine = engineOf(await writeRepo(files), userConfig);
    try {
      const result = await engine.renderHelmRelease(await engine.environment('dev'), 'HelmRelease apps/web');
      assert.ok(result, 'the environment renders the HelmRelease');
      return { objects: result.objects.map((o) => o.object), message: undefined };
    } catch (e) {
      return { objects: [], message: (e as Error).message };
    }
  }

  async function expectSameAsHelm(files: Record<string, string>, chartArgs: string[], userConfig = false) {
    const { objects, message } = await renderRelease(files, userConfig);
    assert.equal(message, undefined);
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    const expected = await helmTemplate(
      ['template', 'web-apps-web', ...chartArgs, '--namespace', 'web-apps', '-f', join(work, 'values.yaml')],
      work,
    );
    assert.equal(expected.length, 1, 'helm template renders the Deployment');
    assert.deepEqual(
      objects,
      expected.map((d) => withOriginLabels(d.object)),
    );
  }

  /** No message may hold key material (nor a certificate's body). */
  function assertNoPem(message: string | undefined) {
    for (const text of Object.values(pem))
      for (const line of text.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
        assert.ok(!message?.includes(line), 'a message repeats PEM text');
  }

  it("a HelmRepository's certSecretRef CA verifies the server; without it the server is not trusted", async () => {
    await expectSameAsHelm(
      fluxRepo(
        fromHelmRepository,
        `${helmRepository(httpsUrl, ', certSecretRef: {name: repo-ca}')}---\n${certSecret('repo-ca', { 'ca.crt': pem['ca.crt'] })}\n`,
      ),
      ['web', '--repo', httpsUrl, '--version', '1.x', '--ca-file', join(certs, 'ca.crt')],
    );
    const untrusted = await renderRelease(fluxRepo(fromHelmRepository, helmRepository(httpsUrl)));
    assert.match(
      untrusted.message ?? '',
      /its certificate is not signed by a trusted CA \([A-Z_]+\); no TLS settings found/,
    );
    // Another CA is not this server's: still refused, naming the Secret the CA came from.
    const wrongCa = await renderRelease(
      fluxRepo(
        fromHelmRepository,
        `${helmRepository(httpsUrl, ', certSecretRef: {name: repo-ca}')}---\n${certSecret('repo-ca', { caFile: pem['other-ca.crt'] })}\n`,
      ),
    );
    assert.match(
      wrongCa.message ?? '',
      /not signed by a trusted CA .*TLS settings from Secret apps\/repo-ca at envs\/dev\/sources\.yaml:6 \(HelmRepository apps\/charts spec\.certSecretRef\)/,
    );
  });

  it('a client certificate where the server requires one (certSecretRef, OCIRepository); missing, the handshake is refused', async () => {
    await expectSameAsHelm(
      fluxRepo(
        fromOciRepository,
        `${ociRepository(mtlsRegistry, ', certSecretRef: {name: client-tls}')}---\n${certSecret('client-tls', {
          'ca.crt': pem['ca.crt'],
          'tls.crt': pem['client.crt'],
          'tls.key': pem['client.key'],
        })}\n`,
      ),
      [
        `oci://${mtlsRegistry}/charts/web`,
        '--version',
        '1.x',
        '--ca-file',
        join(certs, 'ca.crt'),
        '--cert-file',
        join(certs, 'client.crt'),
        '--key-file',
        join(certs, 'client.key'),
      ],
    );
    const missing = await renderRelease(
      fluxRepo(
        fromOciRepository,
        `${ociRepository(mtlsRegistry, ', certSecretRef: {name: client-tls}')}---\n${certSecret('client-tls', { 'ca.crt': pem['ca.crt'] })}\n`,
      ),
    );
    assert.match(
      missing.message ?? '',
      /cannot reach oci:\/\/127\.0\.0\.1:\d+\/charts\/web: (it refused the TLS handshake|ECONNRESET)/,
    );
    // The deprecated keys of a HelmRepository's secretRef are read too (when there is no certSecretRef).
    await expectSameAsHelm(
      fluxRepo(
        fromHelmRepository,
        `${helmRepository(mtlsUrl, ', secretRef: {name: legacy}')}---\n${certSecret('legacy', {
          caFile: pem['ca.crt'],
          certFile: pem['client.crt'],
          keyFile: pem['client.key'],
        })}\n`,
      ),
      [
        'web',
        '--repo',
        mtlsUrl,
        '--version',
        '1.x',
        '--ca-file',
        join(certs, 'ca.crt'),
        '--cert-file',
        join(certs, 'client.crt'),
        '--key-file',
        join(certs, 'client.key'),
      ],
    );
  });

  it("an OCIRepository's insecure: HTTPS without verifying the server (Flux's one exception)", async () => {
    await expectSameAsHelm(fluxRepo(fromOciRepository, ociRepository(tlsRegistry, ', insecure: true')), [
      `oci://${tlsRegistry}/charts/web`,
      '--version',
      '1.x',
      '--insecure-skip-tls-verify',
    ]);
  });

  it('a bad PEM or a SOPS-encrypted cert Secret is the chart state, naming the Secret and never its content', async () => {
    const badPem = await renderRelease(
      fluxRepo(
        fromOciRepository,
        `${ociRepository(mtlsRegistry, ', certSecretRef: {name: client-tls}')}---\n${certSecret('client-tls', {
          'tls.crt': pem['client.crt'],
          'tls.key': pem['client.key'].replace(/[A-Za-z]{8}/, 'AAAAAAAA'),
        })}\n`,
      ),
    );
    assert.match(
      badPem.message ?? '',
      /Secret apps\/client-tls at envs\/dev\/sources\.yaml:6 \(OCIRepository apps\/web-chart spec\.certSecretRef\): the client key is (not a PEM private key|not the client certificate's key)/,
    );
    assertNoPem(badPem.message);
    const sops = await renderRelease(
      fluxRepo(
        fromOciRepository,
        `${ociRepository(mtlsRegistry, ', certSecretRef: {name: client-tls}')}---\napiVersion: v1\nkind: Secret\nmetadata: {name: client-tls}\nstringData: {tls.crt: "ENC[AES256_GCM,data:abc,type:str]", tls.key: "ENC[AES256_GCM,data:def,type:str]"}\nsops: {version: 3.9.0}\n`,
      ),
    );
    assert.match(sops.message ?? '', /TLS settings are encrypted \(SOPS\): Secret apps\/client-tls/);
  });

  it("the user's repositories.yaml (`helm repo add --ca-file --cert-file --key-file`)", async () => {
    await runWithHelmHome(
      testbedBin('helm'),
      [
        'repo',
        'add',
        'mtls',
        mtlsUrl,
        '--ca-file',
        join(certs, 'ca.crt'),
        '--cert-file',
        join(certs, 'client.crt'),
        '--key-file',
        join(certs, 'client.key'),
        '--force-update',
      ],
      work,
    );
    await expectSameAsHelm(
      fluxRepo(fromHelmRepository, helmRepository(mtlsUrl)),
      ['mtls/web', '--version', '1.x'],
      true,
    );
    // Without the user's config the same repository refuses the handshake.
    const without = await renderRelease(fluxRepo(fromHelmRepository, helmRepository(mtlsUrl)));
    assert.match(without.message ?? '', /cannot reach https:\/\/127\.0\.0\.1:\d+\/charts: /);
  });

  it("Argo CD: a repository Secret's client certificate and argocd-tls-certs-cm's CA, also for an app-of-apps child", async () => {
    const application = (name: string) =>
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}, namespace: argocd}`,
        'spec:',
        '  project: default',
        '  destination: {server: https://kubernetes.default.svc, namespace: argo-apps}',
        `  source: {repoURL: "${mtlsUrl}", chart: web, targetRevision: 1.x, helm: {valuesObject: {color: blue}}}`,
      ].join('\n');
    const root = await writeRepo({
      // An app-of-apps: the Application `team` renders the folder team/, whose kustomization names its Application
      // team-web-child, an Application only that render holds (the file's is web-child); its chart is pulled with the
      // same Secrets.
      'apps/web.yaml': [
        application('web-mtls'),
        '---',
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: {name: team, namespace: argocd}',
        'spec:',
        '  project: default',
        '  destination: {server: https://kubernetes.default.svc, namespace: argocd}',
        '  source: {repoURL: https://example.com/this-repo.git, path: team}',
        '',
      ].join('\n'),
      'team/kustomization.yaml': 'namePrefix: team-\nresources:\n  - child.yaml\n',
      'team/child.yaml': `${application('web-child')}\n`,
      'settings/repos.yaml': [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: mtls-repo, namespace: argocd, labels: {argocd.argoproj.io/secret-type: repository}}',
        'stringData:',
        `  url: "${mtlsUrl}"`,
        '  type: helm',
        '  tlsClientCertData: |',
        ...pem['client.crt']
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
        '  tlsClientCertKey: |',
        ...pem['client.key']
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: argocd-tls-certs-cm, namespace: argocd}',
        'data:',
        '  127.0.0.1: |',
        ...pem['ca.crt']
          .trimEnd()
          .split('\n')
          .map((l) => `    ${l}`),
      ].join('\n'),
    });
    const engine = engineOf(root);
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    for (const app of ['web-mtls', 'team-web-child']) {
      const rendered = await engine.render(await destinationApplication(engine, app));
      assert.deepEqual(rendered.problems, [], app);
      const expected = await helmTemplate(
        [
          'template',
          app,
          'web',
          '--repo',
          mtlsUrl,
          '--version',
          '1.x',
          '--ca-file',
          join(certs, 'ca.crt'),
          '--cert-file',
          join(certs, 'client.crt'),
          '--key-file',
          join(certs, 'client.key'),
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
});
