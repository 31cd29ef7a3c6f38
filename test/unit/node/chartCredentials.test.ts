import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sourceCredentials } from '../../../src/core/render/helm/sourceCredentials';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ChartRequest } from '../../../src/core/ports';
import {
  dockerConfigCredentials,
  HelmClientCredentials,
  helmClientConfigPaths,
  parseRepositoriesYaml,
  scrubCredentials,
} from '../../../src/node/chartCredentials';
import { HttpChartSource } from '../../../src/node/chartSource';

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe("chart credentials: the user's Helm and Docker client config", () => {
  it("finds the files where helm.sh/helm/v4's helmpath and cli look, per OS, and the env overrides", () => {
    assert.deepEqual(helmClientConfigPaths({}, 'linux', '/home/u'), {
      repositories: '/home/u/.config/helm/repositories.yaml',
      registry: '/home/u/.config/helm/registry/config.json',
      docker: '/home/u/.docker/config.json',
    });
    assert.equal(
      helmClientConfigPaths({}, 'darwin', '/Users/u').repositories,
      '/Users/u/Library/Preferences/helm/repositories.yaml',
    );
    assert.equal(
      helmClientConfigPaths({ APPDATA: '/appdata' }, 'win32', '/u').registry,
      join('/appdata', 'helm', 'registry', 'config.json'),
    );
    // XDG_CONFIG_HOME gets `helm` appended; HELM_CONFIG_HOME is the folder itself; the file variables win.
    assert.equal(
      helmClientConfigPaths({ XDG_CONFIG_HOME: '/x' }, 'darwin', '/u').repositories,
      '/x/helm/repositories.yaml',
    );
    assert.equal(
      helmClientConfigPaths({ HELM_CONFIG_HOME: '/h', XDG_CONFIG_HOME: '/x' }, 'linux', '/u').registry,
      '/h/registry/config.json',
    );
    const both = helmClientConfigPaths(
      {
        HELM_REPOSITORY_CONFIG: '/r.yaml',
        HELM_REGISTRY_CONFIG: '/c.json',
        DOCKER_CONFIG: '/d',
        HELM_CONFIG_HOME: '/h',
      },
      'linux',
      '/u',
    );
    assert.deepEqual(both, { repositories: '/r.yaml', registry: '/c.json', docker: '/d/config.json' });
  });

  it('reads repositories.yaml entries as Helm writes them, naming TLS settings it cannot apply', () => {
    const entries = parseRepositoriesYaml(
      [
        'apiVersion: ""',
        'generated: "2026-12-07T01:00:00Z"',
        'repositories:',
        '- name: private',
        '  url: https://charts.example.com/private',
        '  username: reader',
        '  password: "0123"',
        '  caFile: /ca.pem',
        '  insecure_skip_tls_verify: true',
        '  pass_credentials_all: false',
        '- name: public',
        '  url: https://charts.example.com/public',
        '  username: ""',
        '',
      ].join('\n'),
    );
    assert.deepEqual(entries, [
      {
        name: 'private',
        url: 'https://charts.example.com/private',
        username: 'reader',
        password: '0123',
        caFile: '/ca.pem',
        insecureSkipTlsVerify: true,
      },
      { name: 'public', url: 'https://charts.example.com/public' },
    ]);
    assert.throws(() => parseRepositoriesYaml('repositories: {a: 1}'), /not a list/);
  });

  it('reads Docker-format auths (base64 auth, username/password, host keys compared by host) and names helpers', () => {
    const config = JSON.stringify({
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:hub-pass') },
        'registry.example.com:5000': { username: 'u', password: 'p:with:colons' },
        'https://ghcr.io': { auth: b64('gh:gh-pass') },
        'token.example.com': { identitytoken: 'refresh' },
      },
      credHelpers: { 'gcr.io': 'gcloud' },
    });
    assert.deepEqual(dockerConfigCredentials(config, 'docker.io'), {
      type: 'basic',
      username: 'hub',
      password: 'hub-pass',
    });
    assert.deepEqual(dockerConfigCredentials(config, 'ghcr.io'), {
      type: 'basic',
      username: 'gh',
      password: 'gh-pass',
    });
    assert.deepEqual(dockerConfigCredentials(config, 'registry.example.com:5000'), {
      type: 'basic',
      username: 'u',
      password: 'p:with:colons',
    });
    assert.deepEqual(dockerConfigCredentials(config, 'gcr.io'), { type: 'helper', helper: 'gcloud' });
    assert.equal(dockerConfigCredentials(config, 'token.example.com')?.type, 'unusable');
    assert.equal(dockerConfigCredentials(config, 'quay.io'), undefined);
    assert.deepEqual(dockerConfigCredentials(JSON.stringify({ credsStore: 'desktop' }), 'quay.io'), {
      type: 'helper',
      helper: 'desktop',
    });
  });

  it("looks in Helm's registry config first, then Docker's; a repository by its URL", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-drift-creds-'));
    try {
      await mkdir(join(dir, 'helm', 'registry'), { recursive: true });
      await mkdir(join(dir, 'docker'));
      await writeFile(
        join(dir, 'helm', 'registry', 'config.json'),
        JSON.stringify({ auths: { 'ghcr.io': { auth: b64('helm-user:helm-pass') } } }),
      );
      await writeFile(
        join(dir, 'docker', 'config.json'),
        JSON.stringify({
          auths: { 'ghcr.io': { auth: b64('docker-user:x') }, 'quay.io': { auth: b64('docker-user:quay-pass') } },
          credHelpers: { 'gcr.io': 'gcloud' },
        }),
      );
      await writeFile(
        join(dir, 'helm', 'repositories.yaml'),
        'repositories:\n- {name: p, url: "https://charts.example.com/p/", username: u, password: pw}\n',
      );
      const store = new HelmClientCredentials({
        HELM_CONFIG_HOME: join(dir, 'helm'),
        DOCKER_CONFIG: join(dir, 'docker'),
      });
      assert.equal(((await store.forRegistry('ghcr.io')) as { username: string }).username, 'helm-user');
      assert.equal(((await store.forRegistry('quay.io')) as { username: string }).username, 'docker-user');
      const helper = await store.forRegistry('gcr.io');
      assert.equal(helper?.type, 'refused');
      assert.match((helper as { reason: string }).reason, /credential helper docker-credential-gcloud .*does not run/);
      assert.equal(await store.forRegistry('docker.io'), undefined);
      const repo = await store.forHelmRepository('https://charts.example.com/p');
      assert.deepEqual({ ...repo, from: undefined }, { type: 'basic', username: 'u', password: 'pw', from: undefined });
      assert.match((repo as { from: string }).from, /repositories\.yaml \(repository p\)$/);
      assert.equal(await store.forHelmRepository('https://charts.example.com/other'), undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('scrubs URL userinfo, passwords and their Basic form out of messages', () => {
    const creds = [{ type: 'basic' as const, username: 'u', password: 's3cret!', from: 'f' }];
    assert.equal(
      scrubCredentials(
        `cannot reach https://u:s3cret!@h/x: ${b64('u:s3cret!')} s3cret! ${encodeURIComponent('s3cret!')}`,
        creds,
      ),
      'cannot reach https://h/x: *** *** ***',
    );
  });
});

describe("chart credentials: a Flux source's secretRef from the render", () => {
  const source = (spec: Record<string, unknown>): KubeObject => ({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: 'charts' },
    spec: { url: 'https://c', ...spec },
  });
  const secret = (body: Record<string, unknown>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    ...body,
  });
  const find = (found?: KubeObject) => (ns: string, name: string) =>
    ns === 'flux-system' && name === 's' ? found : undefined;

  it('username/password from data or stringData, .dockerconfigjson, passCredentials; SOPS and absent said', () => {
    assert.equal(sourceCredentials(source({}), 'flux-system', find()), undefined);
    assert.deepEqual(
      sourceCredentials(
        source({ secretRef: { name: 's' }, passCredentials: true }),
        'flux-system',
        find(secret({ data: { username: b64('u') }, stringData: { password: 'p' } })),
      ),
      {
        type: 'basic',
        from: 'Secret flux-system/s (HelmRepository flux-system/charts spec.secretRef)',
        username: 'u',
        password: 'p',
        passCredentials: true,
      },
    );
    assert.deepEqual(
      sourceCredentials(
        source({ secretRef: { name: 's' } }),
        'flux-system',
        find(secret({ data: { '.dockerconfigjson': b64('{"auths":{}}') } })),
      ),
      {
        type: 'docker-config',
        from: 'Secret flux-system/s (HelmRepository flux-system/charts spec.secretRef)',
        json: '{"auths":{}}',
      },
    );
    const sops = sourceCredentials(
      source({ secretRef: { name: 's' } }),
      'flux-system',
      find(secret({ stringData: { username: 'ENC[AES256_GCM,data:x]', password: 'ENC[AES256_GCM,data:y]' } })),
    );
    assert.equal(sops?.type, 'unusable');
    assert.match((sops as { reason: string }).reason, /^credentials are encrypted \(SOPS\): Secret flux-system\/s/);
    const absent = sourceCredentials(source({ secretRef: { name: 'other' } }), 'flux-system', find());
    assert.equal(absent?.type, 'elsewhere');
    assert.match(
      (absent as { reason: string }).reason,
      /not in this repo's render \(Secrets are not read from the cluster/,
    );
    const noKeys = sourceCredentials(source({ secretRef: { name: 's' } }), 'flux-system', find(secret({ data: {} })));
    assert.equal(noKeys?.type, 'unusable');
  });
});

/** A chart archive of `web` 1.0.0 (one file, Chart.yaml), as `helm package` lays it out. */
function chartTgz(): Buffer {
  const data = 'apiVersion: v2\nname: web\nversion: 1.0.0\n';
  const header = Buffer.alloc(512);
  header.write('web/Chart.yaml', 0, 100, 'utf8');
  header.write(Buffer.byteLength(data).toString(8).padStart(11, '0') + '\0', 124, 12, 'latin1');
  header.write('0', 156, 1, 'latin1');
  header.write('ustar\0', 257, 6, 'latin1');
  const body = Buffer.alloc(512);
  body.write(data, 0, 'utf8');
  return gzipSync(Buffer.concat([header, body, Buffer.alloc(1024)]));
}

/** A fake fetch answering by URL; every request's URL and Authorization header kept. */
function fakeFetch(answer: (url: string, auth: string | undefined) => Response) {
  const seen: { url: string; auth?: string }[] = [];
  const impl = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    const auth = (init?.headers as Record<string, string> | undefined)?.authorization;
    seen.push({ url, ...(auth ? { auth } : {}) });
    return answer(url, auth);
  }) as typeof fetch;
  return { impl, seen };
}

describe('chart credentials: where HttpChartSource sends them', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'gitops-drift-creds-cache-'));
  });
  afterEach(() => rm(cache, { recursive: true, force: true }));

  const basic = (u: string, p: string) => `Basic ${b64(`${u}:${p}`)}`;
  const index = (url: string) =>
    new Response(`apiVersion: v1\nentries:\n  web:\n  - version: 1.0.0\n    urls: ["${url}"]\n`, { status: 200 });
  const request = (extra: Partial<ChartRequest> = {}): ChartRequest =>
    ({
      type: 'helm-repository',
      url: 'https://charts.example.com/p',
      chart: 'web',
      version: '1.0.0',
      credentials: { type: 'basic', from: 'Secret a/s', username: 'u', password: 'controller-pw' },
      ...extra,
    }) as ChartRequest;

  it("the controller's Secret before the user's config; Basic only on the repository's origin (Helm's rule)", async () => {
    const { impl, seen } = fakeFetch((url) =>
      url.endsWith('index.yaml') ? index('https://cdn.example.net/web-1.0.0.tgz') : new Response(chartTgz()),
    );
    const source = new HttpChartSource({
      cacheDir: cache,
      fetch: impl,
      userCredentials: {
        forHelmRepository: async () => ({
          type: 'basic',
          username: 'me',
          password: 'user-pw',
          from: 'repositories.yaml',
        }),
        forRegistry: async () => undefined,
      },
    });
    const result = await source.fetch(request());
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(seen, [
      { url: 'https://charts.example.com/p/index.yaml', auth: basic('u', 'controller-pw') },
      { url: 'https://cdn.example.net/web-1.0.0.tgz' },
    ]);
  });

  it("passCredentials sends them to the chart's other host too; without a Secret the user's config is used", async () => {
    const { impl, seen } = fakeFetch((url) =>
      url.endsWith('index.yaml') ? index('https://cdn.example.net/web-1.0.0.tgz') : new Response(chartTgz()),
    );
    const user = { type: 'basic' as const, username: 'me', password: 'user-pw', from: 'r', passCredentials: true };
    const source = new HttpChartSource({
      cacheDir: cache,
      fetch: impl,
      userCredentials: { forHelmRepository: async () => user, forRegistry: async () => undefined },
    });
    assert.ok((await source.fetch(request({ credentials: undefined }))).ok);
    assert.deepEqual(
      seen.map((s) => s.auth),
      [basic('me', 'user-pw'), basic('me', 'user-pw')],
    );
  });

  it('a redirect to another host drops the credentials; one on the same origin keeps them', async () => {
    const { impl, seen } = fakeFetch((url) => {
      if (url === 'https://charts.example.com/p/index.yaml')
        return new Response(null, { status: 302, headers: { location: '/p/real-index.yaml' } });
      if (url.endsWith('real-index.yaml')) return index('web-1.0.0.tgz');
      if (url === 'https://charts.example.com/p/web-1.0.0.tgz')
        return new Response(null, { status: 307, headers: { location: 'https://evil.example.org/web.tgz' } });
      return new Response(chartTgz());
    });
    const result = await new HttpChartSource({ cacheDir: cache, fetch: impl }).fetch(request());
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(seen, [
      { url: 'https://charts.example.com/p/index.yaml', auth: basic('u', 'controller-pw') },
      { url: 'https://charts.example.com/p/real-index.yaml', auth: basic('u', 'controller-pw') },
      { url: 'https://charts.example.com/p/web-1.0.0.tgz', auth: basic('u', 'controller-pw') },
      { url: 'https://evil.example.org/web.tgz' },
    ]);
  });

  it('OCI: Basic when the registry asks for Basic; a credential helper is named, never run; messages hold no secret', async () => {
    const { impl, seen } = fakeFetch((_url, auth) =>
      auth === basic('me', 'reg-pw')
        ? new Response('{}', { status: 404 })
        : new Response(null, { status: 401, headers: { 'www-authenticate': 'Basic realm="r"' } }),
    );
    const oci: ChartRequest = { type: 'oci', url: 'oci://registry.example.com/charts/web', tag: '1.0.0' };
    const withUser = new HttpChartSource({
      cacheDir: cache,
      fetch: impl,
      userCredentials: {
        forHelmRepository: async () => undefined,
        forRegistry: async (host) =>
          host === 'registry.example.com'
            ? { type: 'basic', username: 'me', password: 'reg-pw', from: 'config.json' }
            : undefined,
      },
    });
    const found = await withUser.fetch(oci);
    assert.equal(found.ok, false);
    assert.equal((found as { reason: string }).reason, 'not-found', 'the second request, with Basic, got past the 401');
    assert.deepEqual(
      seen.map((s) => s.auth),
      [undefined, basic('me', 'reg-pw')],
    );

    const helper = new HttpChartSource({
      cacheDir: cache,
      fetch: impl,
      userCredentials: {
        forHelmRepository: async () => undefined,
        forRegistry: async () => ({
          type: 'refused',
          from: 'config.json',
          reason: 'kept by docker-credential-desktop',
        }),
      },
    });
    const refused = await helper.fetch(oci);
    assert.equal((refused as { reason: string }).reason, 'auth');
    assert.match(
      (refused as { message: string }).message,
      /requires credentials \(HTTP 401\): kept by docker-credential-desktop/,
    );

    const wrong = await new HttpChartSource({ cacheDir: cache, fetch: impl }).fetch({
      ...oci,
      url: 'oci://registry.example.com/charts/web',
      credentials: { type: 'basic', from: 'Secret a/s', username: 'me', password: 'wrong-pw' },
    });
    assert.match((wrong as { message: string }).message, /refused the credentials from Secret a\/s \(HTTP 401\)/);
    assert.ok(!JSON.stringify(wrong).includes('wrong-pw') && !JSON.stringify(wrong).includes(b64('me:wrong-pw')));
  });

  it('a repository URL with user:password in it: the failure says the URL without them', async () => {
    const result = await new HttpChartSource({ cacheDir: cache }).fetch({
      type: 'helm-repository',
      url: 'https://me:url-pw@charts.example.com/p',
      chart: 'web',
      version: '1.0.0',
    });
    assert.equal(result.ok, false);
    assert.ok(!JSON.stringify(result).includes('url-pw'), JSON.stringify(result));
    assert.match((result as { message: string }).message, /charts\.example\.com/);
  });
});
