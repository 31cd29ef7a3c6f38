import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load } from 'js-yaml';
import { DriftEngine } from '../../src/core/engine';
import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import { HttpChartSource } from '../../src/node/chartSource';
import type { WasmHelmEngine } from '../../src/node/helmEngine';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { testbedBin } from '../testbed/bins';
import { startTestHelmEngine } from '../testbed/helmEngine';
import {
  WEB_DEPLOYMENT_TEMPLATE,
  devRepoFiles,
  webHelmRelease,
  helmTemplate,
  runWithHelmHome,
  withOriginLabels,
} from './helmCli';
import { parseStream } from './kustomizeCli';
import { argoApplication as destinationApplication } from '../support/argoApplication';

/**
 * HelmReleases, Argo CD chart sources and kustomize `helmCharts` entries with `repo` whose charts are downloaded (issue #16): a Helm repository on loopback serving charts packaged by the
 * test bed's real `helm package` and indexed by `helm repo index`, and an OCI registry on loopback
 * (go-containerregistry's, built by the test bed, asking for the anonymous token flow) holding charts pushed by the
 * real `helm push`. Our render through the product (discovery, the HelmRelease, the chart source, the engine)
 * equals `helm template` of the same chart reference — the version resolved from a range by Helm itself; and each
 * way a chart cannot be had is the release's state, naming the repository.
 */
const chartFiles = (version: string): Record<string, string> => ({
  'Chart.yaml': `apiVersion: v2\nname: web\nversion: ${version}\nappVersion: "2.0"\n`,
  'values.yaml': 'replicas: 1\ncolor: none\n',
  'templates/deployment.yaml': WEB_DEPLOYMENT_TEMPLATE,
  'templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-files}\ndata:\n  files: {{ .Files.Get "extra.txt" | quote }}\n',
  'extra.txt': 'packaged with the chart\n',
});

/** 1.4.0 is the newest stable; 1.5.0-rc.1 must not be picked by a range without a prerelease. */
const VERSIONS = ['1.3.0', '1.4.0', '1.5.0-rc.1'];

const repoFiles = devRepoFiles;

const helmRelease = (chart: string) => webHelmRelease(chart);

describe('HelmRelease charts downloaded from Helm and OCI repositories, against helm template (test bed)', function () {
  this.timeout(240_000);
  let helm: WasmHelmEngine;
  let work: string;
  let httpServer: Server;
  let httpUrl: string;
  let registry: ChildProcess;
  let registryHost: string;
  const served: string[] = [];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-helmremote-'));
    const pkg = join(work, 'pkg');
    for (const version of VERSIONS) {
      for (const [name, text] of Object.entries(chartFiles(version))) {
        await mkdir(dirname(join(work, 'src', version, 'web', name)), { recursive: true });
        await writeFile(join(work, 'src', version, 'web', name), text);
      }
      await runWithHelmHome(testbedBin('helm'), ['package', join(work, 'src', version, 'web'), '-d', pkg], work);
    }
    await runWithHelmHome(testbedBin('helm'), ['repo', 'index', pkg], work);
    httpServer = createServer((req, res) => {
      served.push(req.url ?? '');
      const name = (req.url ?? '').replace(/^\/charts\//, '');
      if (req.url === '/private/index.yaml') {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="charts"' }).end();
        return;
      }
      if (!(req.url ?? '').startsWith('/charts/') || name.includes('/') || name.includes('..')) {
        res.writeHead(404).end();
        return;
      }
      readFile(join(pkg, name)).then(
        (data) => res.writeHead(200).end(data),
        () => res.writeHead(404).end(),
      );
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    httpUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/charts`;

    registry = spawn(testbedBin('oci-registry'), ['-token'], { stdio: ['ignore', 'pipe', 'ignore'] });
    registryHost = await new Promise<string>((resolve, reject) => {
      registry.once('error', reject);
      registry.stdout?.on('data', (chunk: Buffer) => {
        const m = /listening on http:\/\/(\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
    });
    for (const version of VERSIONS)
      await runWithHelmHome(
        testbedBin('helm'),
        ['push', join(pkg, `web-${version}.tgz`), `oci://${registryHost}/charts`, '--plain-http'],
        work,
      );
    helm = await startTestHelmEngine();
  });
  after(async () => {
    helm?.dispose();
    registry?.kill();
    await new Promise((resolve) => (httpServer ? httpServer.close(resolve) : resolve(undefined)));
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** The product's render of the HelmRelease, with chart downloads on and a cache of the test's own. */
  async function productRender(files: Record<string, string>, cache = join(work, 'cache')) {
    const root = await mkdtemp(join(work, 'repo-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    const engine = new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({ cacheDir: cache, timeoutMs: 10_000 }),
    });
    const env = await engine.environment('dev');
    return engine.renderHelmRelease(env, 'HelmRelease apps/web');
  }

  async function expectSameAsHelm(files: Record<string, string>, chartArgs: string[]) {
    const result = await productRender(files);
    assert.ok(result, 'the environment renders the HelmRelease');
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    const expected = await helmTemplate(
      [
        'template',
        'web-apps-web',
        ...chartArgs,
        '--namespace',
        'web-apps',
        '--include-crds',
        '-f',
        join(work, 'values.yaml'),
      ],
      work,
    );
    assert.ok(expected.length === 2, 'helm template renders the ConfigMap and the Deployment');
    assert.deepEqual(
      result.objects.map((o) => o.template),
      expected.map((d) => d.source),
    );
    // helm-controller labels every object with its HelmRelease (its origin-labels post-renderer); helm template does not.
    expected.forEach((d, i) =>
      assert.deepEqual(result.objects[i].object, withOriginLabels(d.object), `document ${i} (${d.source})`),
    );
    return result;
  }

  it('a HelmRepository over HTTP with a range: the version Helm resolves, rendered as helm template renders it', async () => {
    const files = repoFiles(
      helmRelease(
        "  chart:\n    spec:\n      chart: web\n      version: '>=1.0.0 <2'\n      sourceRef: {kind: HelmRepository, name: charts}",
      ),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts}\nspec: {url: "${httpUrl}"}\n`,
    );
    const result = await expectSameAsHelm(files, ['web', '--repo', httpUrl, '--version', '>=1.0.0 <2']);
    const deployment = result.objects.find((o) => o.key.kind === 'Deployment');
    assert.equal((deployment?.object.metadata?.labels as Record<string, string>).chart, '1.4.0', 'newest stable');
    // Kept by name, version and digest, and the digest is the index's.
    const index = load(await readFile(join(work, 'pkg', 'index.yaml'), 'utf8')) as {
      entries: { web: { version: string; digest: string }[] };
    };
    const digest = index.entries.web.find((e) => e.version === '1.4.0')?.digest;
    const cached = await readdir(join(work, 'cache'), { recursive: true });
    assert.ok(
      cached.some((f) => String(f).endsWith(join('web', '1.4.0', `${digest}.tgz`))),
      cached.join(', '),
    );
  });

  it('an exact version already downloaded is not asked for again', async () => {
    const files = repoFiles(
      helmRelease(
        '  chart:\n    spec:\n      chart: web\n      version: 1.3.0\n      sourceRef: {kind: HelmRepository, name: charts}',
      ),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts}\nspec: {url: "${httpUrl}"}\n`,
    );
    await expectSameAsHelm(files, ['web', '--repo', httpUrl, '--version', '1.3.0']);
    const before = served.length;
    assert.ok(await productRender(files));
    assert.equal(served.length, before, 'no request: the cached archive, checked against its digest');
  });

  it('a chartRef to an OCIRepository with a semver range, through the anonymous token flow', async () => {
    const files = repoFiles(
      helmRelease('  chartRef: {kind: OCIRepository, name: web-chart}'),
      [
        'apiVersion: source.toolkit.fluxcd.io/v1',
        'kind: OCIRepository',
        'metadata: {name: web-chart}',
        'spec:',
        `  url: oci://${registryHost}/charts/web`,
        '  insecure: true',
        '  ref: {semver: "1.x"}',
        '  layerSelector: {mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy}',
        '',
      ].join('\n'),
    );
    const result = await expectSameAsHelm(files, [
      `oci://${registryHost}/charts/web`,
      '--version',
      '1.x',
      '--plain-http',
    ]);
    const deployment = result.objects.find((o) => o.key.kind === 'Deployment');
    assert.equal((deployment?.object.metadata?.labels as Record<string, string>).chart, '1.4.0');
  });

  it('a HelmRepository of type oci with an exact version (the tag)', async () => {
    const files = repoFiles(
      helmRelease(
        '  chart:\n    spec:\n      chart: web\n      version: 1.3.0\n      sourceRef: {kind: HelmRepository, name: oci}',
      ),
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: oci}\nspec: {type: oci, url: "oci://${registryHost}/charts"}\n`,
    );
    await expectSameAsHelm(files, [`oci://${registryHost}/charts/web`, '--version', '1.3.0', '--plain-http']);
  });

  it('each chart that cannot be had is a clear state of the release, never an exception', async () => {
    const helmRepo = (url: string) =>
      `apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts}\nspec: {url: "${url}"}\n`;
    const release = (chart: string, version = '1.x') =>
      helmRelease(
        `  chart:\n    spec:\n      chart: ${chart}\n      version: '${version}'\n      sourceRef: {kind: HelmRepository, name: charts}`,
      );
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/charts`;
    await new Promise((resolve) => closed.close(resolve));
    const cases: [files: Record<string, string>, message: RegExp][] = [
      [
        repoFiles(release('web'), helmRepo(closedUrl)),
        /: cannot reach http:\/\/127\.0\.0\.1:\d+\/charts: ECONNREFUSED$/,
      ],
      [repoFiles(release('nothing'), helmRepo(httpUrl)), /: no chart nothing in http:\/\/127\.0\.0\.1:\d+\/charts$/],
      [repoFiles(release('web', '>=3'), helmRepo(httpUrl)), /: no version of web in .* matches >=3$/],
      [repoFiles(release('web'), helmRepo(httpUrl.replace(/charts$/, 'missing'))), /not found \(HTTP 404\)$/],
      [
        repoFiles(release('web'), helmRepo(httpUrl.replace(/charts$/, 'private'))),
        /requires credentials \(HTTP 401\): none found in the source's secretRef, Helm's or Docker's client config \(docs\/helm.md#credentials\)$/,
      ],
      [
        repoFiles(
          helmRelease('  chartRef: {kind: OCIRepository, name: web-chart}'),
          `apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata: {name: web-chart}\nspec: {url: "oci://${registryHost}/charts/nothing", ref: {tag: 1.0.0}}\n`,
        ),
        /oci:\/\/127\.0\.0\.1:\d+\/charts\/nothing: .*not found \(HTTP 404\)$/,
      ],
    ];
    for (const [files, message] of cases)
      await assert.rejects(productRender(files, join(work, 'cache-failures')), (e: Error) => {
        assert.match(
          e.message,
          /^envs\/dev\/release\.yaml:(8|7):3: HelmRelease apps\/web: (HelmRepository apps\/charts|OCIRepository apps\/web-chart) \(/,
        );
        assert.match(e.message, message);
        return true;
      });
  });

  it('refuses an archive whose digest is not the index entry', async () => {
    const tampered = join(work, 'tampered');
    await mkdir(tampered, { recursive: true });
    const index = (await readFile(join(work, 'pkg', 'index.yaml'), 'utf8')).replace(
      /urls:\n(\s+)- web-1\.4\.0\.tgz/,
      `urls:\n$1- ${httpUrl}/web-1.4.0.tgz`,
    );
    const server = createServer((req, res) => {
      if (req.url === '/index.yaml')
        res.writeHead(200).end(index.replace(/digest: [0-9a-f]{64}/g, `digest: ${'f'.repeat(64)}`));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const source = new HttpChartSource({ cacheDir: join(work, 'cache-tampered') });
      const answer = await source.fetch({
        type: 'helm-repository',
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        chart: 'web',
        version: '1.4.0',
      });
      assert.equal(answer.ok, false, JSON.stringify({ ...answer, files: undefined }));
      assert.match(!answer.ok ? answer.message : '', /digest sha256:[0-9a-f]{64} is not the index's sha256:f{64}/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** Writes `files` into a fresh folder of the test's work folder. */
  async function writeRepo(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(work, 'repo-'));
    for (const [name, body] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), body);
    }
    return root;
  }

  /** The product's render of an Argo CD Application's environment, downloads on. */
  async function argoRender(files: Record<string, string>, envName: string) {
    const root = await writeRepo(files);
    const engine = new DriftEngine({
      fs: new NodeFileSystem({ root }),
      repoRoot: root,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({ cacheDir: join(work, 'cache'), timeoutMs: 10_000 }),
    });
    const rendered = await engine.render(await destinationApplication(engine, envName));
    assert.deepEqual(rendered.problems, []);
    return rendered;
  }

  const argoApplication = (name: string, spec: string) =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      `metadata: {name: ${name}, namespace: argocd}`,
      'spec:',
      '  project: default',
      '  destination: {server: https://kubernetes.default.svc, namespace: argo-apps}',
      spec,
      '',
    ].join('\n');

  it('an Argo CD chart source of a Helm repository with a range: the same objects as helm template of that reference', async () => {
    const rendered = await argoRender(
      {
        'argocd/web.yaml': argoApplication(
          'web-argo',
          `  source:\n    repoURL: "${httpUrl}"\n    chart: web\n    targetRevision: '>=1.0.0 <2'\n    helm:\n      valuesObject: {color: blue}`,
        ),
      },
      'web-argo',
    );
    await writeFile(join(work, 'values.yaml'), 'color: blue\n');
    // Argo CD's flags: the release is the Application, the namespace its destination's, CRDs included.
    const expected = await helmTemplate(
      [
        'template',
        'web-argo',
        'web',
        '--repo',
        httpUrl,
        '--version',
        '>=1.0.0 <2',
        '--namespace',
        'argo-apps',
        '--include-crds',
        '-f',
        join(work, 'values.yaml'),
      ],
      work,
    );
    assert.equal(expected.length, 2);
    assert.deepEqual(
      rendered.objects.map((o) => o.template),
      expected.map((d) => d.source),
    );
    expected.forEach((d, i) => assert.deepEqual(rendered.objects[i].object, d.object, `document ${i} (${d.source})`));
    const deployment = rendered.objects.find((o) => o.key.kind === 'Deployment')!;
    assert.equal((deployment.object.metadata?.labels as Record<string, string>).chart, '1.4.0', 'newest stable');
  });

  it('a multi-source Argo CD Application: an OCI chart named host/path with $values from this repo, as helm template of the OCI reference', async () => {
    const rendered = await argoRender(
      {
        'argocd/web.yaml': argoApplication(
          'web-oci',
          [
            '  sources:',
            `    - {repoURL: "${registryHost}/charts", chart: web, targetRevision: 1.3.0, helm: {valueFiles: [$values/envs/prod.yaml]}}`,
            '    - {repoURL: https://github.com/org/config, targetRevision: main, ref: values}',
          ].join('\n'),
        ),
        'envs/prod.yaml': 'replicas: 4\ncolor: green\n',
      },
      'web-oci',
    );
    await writeFile(join(work, 'prod.yaml'), 'replicas: 4\ncolor: green\n');
    const expected = await helmTemplate(
      [
        'template',
        'web-oci',
        `oci://${registryHost}/charts/web`,
        '--version',
        '1.3.0',
        '--plain-http',
        '--namespace',
        'argo-apps',
        '--include-crds',
        '-f',
        join(work, 'prod.yaml'),
      ],
      work,
    );
    assert.equal(expected.length, 2);
    expected.forEach((d, i) => assert.deepEqual(rendered.objects[i].object, d.object, `document ${i} (${d.source})`));
    assert.equal(
      (rendered.objects.find((o) => o.key.kind === 'Deployment')?.object.spec as { replicas?: number } | undefined)
        ?.replicas,
      4,
    );
  });

  it('kustomize helmCharts with repo: what kustomize build --enable-helm prints after its own helm pull, object by object', async () => {
    const files = {
      'app/kustomization.yaml': [
        'namePrefix: p-',
        'helmCharts:',
        '  - name: web',
        `    repo: "${httpUrl}"`,
        '    version: 1.4.0',
        '    releaseName: kz',
        '    namespace: kz-ns',
        '    valuesInline: {color: green}',
        '',
      ].join('\n'),
    };
    // Ours first, on a repo of its own: kustomize's pull writes the chart into its own copy's chart home.
    const ourRoot = await writeRepo(files);
    const ours = await renderKustomization('app', {
      fs: new NodeFileSystem(),
      repoRoot: ourRoot,
      helmEngine: () => helm,
      chartSource: new HttpChartSource({ cacheDir: join(work, 'cache'), timeoutMs: 10_000 }),
    });
    assert.deepEqual(ours.problems, []);
    assert.deepEqual(await readdir(join(ourRoot, 'app')), ['kustomization.yaml'], 'nothing written into the repo');
    const theirRoot = await writeRepo(files);
    const shim = join(work, 'helm-shim.sh');
    // kustomize v5.7.1 asks `helm version` and refuses Helm 4: the shim answers v3 and passes the rest to helm v4.3.2.
    await writeFile(
      shim,
      `#!/bin/sh\nif [ "$1" = version ]; then echo v3.99.0-shim; exit 0; fi\nexec '${testbedBin('helm')}' "$@"\n`,
    );
    await chmod(shim, 0o755);
    const expected = parseStream(
      await runWithHelmHome(
        testbedBin('kustomize'),
        ['build', '--enable-helm', '--helm-command', shim, join(theirRoot, 'app')],
        work,
        theirRoot,
      ),
    );
    assert.equal(expected.length, 2);
    assert.deepEqual(
      ours.objects.map((o) => o.object),
      expected,
    );
    assert.equal(
      (expected.find((o) => o.kind === 'Deployment')?.metadata?.labels as Record<string, string>).color,
      'green',
    );
  });
});
