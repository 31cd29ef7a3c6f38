import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { Application } from '../../../src/core/model/environment';
import type { KubeObject } from '../../../src/core/model/resource';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { FakeReader, types } from './fakes';

const ks = (name: string, path: string, postBuild: string) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  path: ./${path}\n  postBuild:\n${postBuild}`;
const settings =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  DOMAIN: example.com\n';
const app = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  url: https://${DOMAIN}/\n';

function files(): Record<string, string> {
  return {
    '/r/clusters/prod/config.yaml': ks('config', 'config', '    substitute: {}\n'),
    '/r/clusters/prod/apps.yaml': ks(
      'apps',
      'apps',
      '    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n',
    ),
    '/r/clusters/prod/apps-eu.yaml': ks('apps-eu', 'apps', '    substitute:\n      DOMAIN: example.eu\n'),
    '/r/config/settings.yaml': settings,
    '/r/apps/web.yaml': app,
  };
}

function fluxApp(fs: MemoryFileSystem, name: string, file: string, path: string): Promise<Application> {
  return fs.readFile(`/r/${file}`).then((text) => ({
    name,
    source: { type: 'folder', path },
    renderer: 'flux-kustomization',
    controller: { object: parse(text) as KubeObject, at: { file, line: 1, column: 1 } },
  }));
}

async function setup() {
  const fs = new MemoryFileSystem(files());
  const applications = [
    await fluxApp(fs, 'config', 'clusters/prod/config.yaml', 'config'),
    await fluxApp(fs, 'apps', 'clusters/prod/apps.yaml', 'apps'),
    await fluxApp(fs, 'apps-eu', 'clusters/prod/apps-eu.yaml', 'apps'),
  ];
  const env: RepoEnvironment = { name: 'prod', path: 'clusters/prod', source: 'flux', applications };
  return { fs, env, engine: new DriftEngine({ fs, repoRoot: '/r' }) };
}

const url = (o: KubeObject) => (o as unknown as { data: { url: string } }).data.url;

describe('engine: flux-kustomization applications', () => {
  it("substitutes from a ConfigMap another application renders, and relates the value to that ConfigMap's line", async () => {
    const { engine, env } = await setup();
    const result = await engine.renderApplication(env, env.applications[1]);
    assert.equal(url(result.objects[0].object), 'https://example.com/');
    assert.deepEqual(result.objects[0].origins.get('/data/url')?.related?.[0].location, {
      file: 'config/settings.yaml',
      line: 7,
      column: 3,
    });
  });

  it('keeps two Kustomizations of one folder apart in the cache (different postBuild, different render)', async () => {
    const { engine, env } = await setup();
    const [apps, eu] = [
      await engine.renderApplication(env, env.applications[1]),
      await engine.renderApplication(env, env.applications[2]),
    ];
    assert.deepEqual(
      [url(apps.objects[0].object), url(eu.objects[0].object)],
      ['https://example.com/', 'https://example.eu/'],
    );
    // Asked again: each from its own cache entry.
    assert.equal(await engine.renderApplication(env, env.applications[2]), eu);
  });

  it('renders again when the ConfigMap it substituted from changes', async () => {
    const { engine, env, fs } = await setup();
    await engine.renderApplication(env, env.applications[1]);
    fs.write('/r/config/settings.yaml', settings.replace('example.com', 'example.org'));
    await engine.fileChanged('config/settings.yaml');
    const again = await engine.renderApplication(env, env.applications[1]);
    assert.equal(url(again.objects[0].object), 'https://example.org/');
  });

  it('finds a source that an application substituting from others renders itself (the home-ops cluster Kustomization)', async () => {
    const fs = new MemoryFileSystem({
      // The cluster Kustomization renders cluster-settings and substitutes from it, as Flux does once it is applied.
      '/r/clusters/prod/cluster.yaml': ks(
        'cluster',
        'cluster',
        '    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n',
      ),
      '/r/clusters/prod/apps.yaml': ks(
        'apps',
        'apps',
        '    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n',
      ),
      '/r/cluster/settings.yaml': settings,
      '/r/cluster/own.yaml': app.replace('name: web', 'name: own'),
      '/r/apps/web.yaml': app,
    });
    const applications = [
      await fluxApp(fs, 'cluster', 'clusters/prod/cluster.yaml', 'cluster'),
      await fluxApp(fs, 'apps', 'clusters/prod/apps.yaml', 'apps'),
    ];
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const rendered = await engine.render({ name: 'prod', path: 'clusters/prod', source: 'flux', applications });
    assert.deepEqual(rendered.problems, []);
    assert.deepEqual(
      rendered.objects.filter((o) => o.key.name !== 'cluster-settings').map((o) => `${o.key.name} ${url(o.object)}`),
      ['own https://example.com/', 'web https://example.com/'],
    );
  });

  it('reports a substituteFrom no other application renders at the line naming it, and still checks the others', async () => {
    const { engine, env } = await setup();
    const broken = { ...env, applications: [env.applications[1], env.applications[2]] };
    const rendered = await engine.render(broken);
    const problem = rendered.problems.find((p) => p.severity === 'error' && /cluster-settings/.test(p.message));
    assert.deepEqual([problem?.location?.file, problem?.location?.line], ['clusters/prod/apps.yaml', 11]);
    assert.deepEqual(
      rendered.objects.map((o) => url(o.object)),
      ['https://example.eu/'],
    );
  });

  describe('a substituteFrom source this repo does not render, read from the live cluster', () => {
    const liveSettings: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cluster-settings', namespace: 'flux-system' },
      data: { DOMAIN: 'live.example.net' },
    };
    const liveSecret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cluster-secrets', namespace: 'flux-system' },
      data: { TOKEN: Buffer.from('a-live-secret-value-77').toString('base64') },
    };
    const withSecret = (optional: boolean) =>
      ks(
        'apps',
        'apps',
        `    substituteFrom:\n      - kind: ConfigMap\n        name: cluster-settings\n      - kind: Secret\n        name: cluster-secrets\n${optional ? '        optional: true\n' : ''}`,
      );
    async function liveSetup(optional = false) {
      const fs = new MemoryFileSystem({
        '/r/clusters/prod/apps.yaml': withSecret(optional),
        '/r/clusters/prod/other.yaml': ks('other', 'other', '    substitute: {}\n'),
        '/r/apps/web.yaml': app.replace('url: https://${DOMAIN}/', 'url: https://${DOMAIN}/\n  token: ${TOKEN}'),
        '/r/other/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  a: b\n',
      });
      const applications = [
        await fluxApp(fs, 'apps', 'clusters/prod/apps.yaml', 'apps'),
        await fluxApp(fs, 'other', 'clusters/prod/other.yaml', 'other'),
      ];
      const env: RepoEnvironment = { name: 'prod', path: 'clusters/prod', source: 'flux', applications };
      return { fs, env, engine: new DriftEngine({ fs, repoRoot: '/r' }) };
    }
    const connected = (objects: KubeObject[], forbidden: string[] = []) => ({
      reader: new FakeReader(objects, types, forbidden),
      context: 'prod-eu',
    });

    it('substitutes from the live ConfigMap, pointing at the substituteFrom entry that read it', async () => {
      const { engine, env } = await liveSetup();
      const result = await engine.renderApplication(env, env.applications[0], connected([liveSettings, liveSecret]));
      const web = result.objects[0];
      assert.equal(url(web.object), 'https://live.example.net/');
      assert.deepEqual(web.origins.get('/data/url')?.related, [
        {
          location: { file: 'clusters/prod/apps.yaml', line: 11, column: 9 },
          message: '${DOMAIN} is set by ConfigMap cluster-settings in the cluster (prod-eu)',
        },
      ]);
      assert.equal(result.cluster, 'asked');
    });

    it('never puts a live Secret’s value into the render: a placeholder, compared by presence', async () => {
      const { engine, env } = await liveSetup();
      const result = await engine.renderApplication(env, env.applications[0], connected([liveSettings, liveSecret]));
      const web = result.objects[0];
      assert.equal(
        (web.object as unknown as { data: Record<string, string> }).data.token,
        '(substituted from Secret cluster-secrets in the cluster (prod-eu))',
      );
      assert.equal(web.origins.get('/data/token')?.secret, true);
      assert.ok(!JSON.stringify([...web.origins, web.object]).includes('a-live-secret-value-77'));
      assert.ok(!JSON.stringify(web).includes(Buffer.from('a-live-secret-value-77').toString('base64')));
    });

    it('fails only that application when a source is in neither the repo nor the cluster; optional: true skips it', async () => {
      const { engine, env } = await liveSetup();
      const report = await engine.check(env, connected([liveSettings]));
      const problem = report.problems.find((p) => p.severity === 'error' && /cluster-secrets/.test(p.message));
      assert.match(
        problem?.message ?? '',
        /neither among this environment's other applications nor in the cluster \(prod-eu\)/,
      );
      assert.deepEqual([problem?.location?.file, problem?.location?.line], ['clusters/prod/apps.yaml', 13]);
      assert.deepEqual(
        report.applications.map((a) => `${a.name} ${a.state}`),
        ['apps failed', 'other rendered'],
      );
      assert.deepEqual(
        report.resources.map((r) => r.key.name),
        ['other'],
      );
      const optional = await liveSetup(true);
      const ok = await optional.engine.renderApplication(
        optional.env,
        optional.env.applications[0],
        connected([liveSettings]),
      );
      assert.equal(url(ok.objects[0].object), 'https://live.example.net/');
    });

    it('says why when the cluster cannot be read (forbidden), at the entry', async () => {
      const { engine, env } = await liveSetup();
      await assert.rejects(
        engine.renderApplication(env, env.applications[0], connected([liveSettings, liveSecret], ['Secret'])),
        (e: Error) =>
          /cluster-secrets: not among .* reading it from the cluster \(prod-eu\) failed: .*cannot list secrets/.test(
            e.message,
          ),
      );
    });

    it('without a cluster, fails as before; an optional source skipped is rendered again once a cluster is there', async () => {
      const { engine, env } = await liveSetup(true);
      await assert.rejects(engine.renderApplication(env, env.applications[0]), /no cluster connected/);
      const plain = await liveSetup(true);
      // cluster-settings is not optional: give it from the repo, and leave the optional Secret to the cluster.
      plain.fs.write(
        '/r/other/settings.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  DOMAIN: repo.example.org\n',
      );
      const offline = await plain.engine.renderApplication(plain.env, plain.env.applications[0]);
      assert.equal(offline.cluster, 'unasked');
      // An unset variable alone is empty, read back as null (Flux's default mode).
      assert.equal((offline.objects[0].object as unknown as { data: Record<string, string> }).data.token, null);
      const online = await plain.engine.renderApplication(
        plain.env,
        plain.env.applications[0],
        connected([liveSecret]),
      );
      assert.equal(online.cluster, 'asked');
      assert.match(
        (online.objects[0].object as unknown as { data: Record<string, string> }).data.token,
        /substituted from Secret/,
      );
      // Without the cluster again: the cached render is used.
      assert.equal(await plain.engine.renderApplication(plain.env, plain.env.applications[0]), offline);
    });
  });

  it('renders with strict substitution when .gitops-drift.yaml turns the feature gate on, and again when it is turned off', async () => {
    const { engine, env, fs } = await setup();
    fs.write('/r/apps/web.yaml', app + '  missing: ${NOT_SET}\n');
    await engine.load();
    assert.equal(
      ((await engine.renderApplication(env, env.applications[2])).objects[0].object.data as { missing?: unknown })
        .missing,
      null,
    );
    fs.write('/r/.gitops-drift.yaml', 'flux:\n  strictPostBuildSubstitutions: true\n');
    assert.equal((await engine.fileChanged('.gitops-drift.yaml')).reload, true);
    await engine.load();
    await assert.rejects(
      engine.renderApplication(env, env.applications[2]),
      /variable not set \(strict mode\): "NOT_SET"/,
    );
    fs.write('/r/.gitops-drift.yaml', 'flux:\n  strictPostBuildSubstitutions: false\n');
    await engine.fileChanged('.gitops-drift.yaml');
    await engine.load();
    assert.equal(
      ((await engine.renderApplication(env, env.applications[2])).objects[0].object.data as { missing?: unknown })
        .missing,
      null,
    );
  });
});
