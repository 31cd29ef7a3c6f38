import assert from 'node:assert/strict';
import { createDefaultPipeline, DriftEngine, type EnginePipeline } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

/** A home-ops cluster in miniature: bootstrap, cluster-settings, cluster-apps and three apps with ${VARS}. */
function homeOps(): Record<string, string> {
  const ks = (name: string, ns: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: ${name}
  namespace: flux-system
spec:
  interval: 1h
  path: ./kubernetes/apps/${ns}/${name}/app
  postBuild:
    substitute:
      APP: ${name}
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
  sourceRef:
    kind: GitRepository
    name: flux-system
    namespace: flux-system
  targetNamespace: ${ns}
`;
  const app = (name: string) => ({
    [`/r/kubernetes/apps/default/${name}/ks.yaml`]: ks(name, 'default'),
    [`/r/kubernetes/apps/default/${name}/app/kustomization.yaml`]:
      'resources:\n  - helmrelease.yaml\n  - config.yaml\n',
    [`/r/kubernetes/apps/default/${name}/app/helmrelease.yaml`]: `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: ${name}
spec:
  interval: 1h
  chartRef:
    kind: OCIRepository
    name: ${name}
  values:
    env:
      TZ: \${TIMEZONE}
    resources:
      limits:
        memory: 256Mi
`,
    [`/r/kubernetes/apps/default/${name}/app/config.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}-config\ndata:\n  URL: https://\${APP}.\${SECRET_DOMAIN}\n`,
  });
  return {
    '/r/clusters/home/flux-system/gotk-sync.yaml': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  url: ssh://git@github.com/example/home-ops
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  path: ./clusters/home
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    '/r/clusters/home/flux-system/kustomization.yaml': 'resources:\n  - gotk-sync.yaml\n',
    '/r/clusters/home/cluster-settings.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-settings\n  namespace: flux-system\ndata:\n  TIMEZONE: Europe/Berlin\n  SECRET_DOMAIN: example.net\n',
    '/r/clusters/home/apps.yaml': `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: cluster-apps
  namespace: flux-system
spec:
  path: ./kubernetes/apps
  postBuild:
    substituteFrom:
      - kind: ConfigMap
        name: cluster-settings
  sourceRef:
    kind: GitRepository
    name: flux-system
`,
    '/r/kubernetes/apps/default/kustomization.yaml':
      'resources:\n  - ./atuin/ks.yaml\n  - ./gatus/ks.yaml\n  - ./plex/ks.yaml\n',
    ...app('atuin'),
    ...app('gatus'),
    ...app('plex'),
  };
}

/** The engine over the tree, with the render port's calls recorded (the application of each). */
function setup() {
  const fs = new MemoryFileSystem(homeOps());
  const rendered: string[] = [];
  const inner = createDefaultPipeline();
  const pipeline: EnginePipeline = {
    ...inner,
    render: (app, options) => {
      rendered.push(app.name);
      return inner.render(app, options);
    },
  };
  return { fs, rendered, engine: new DriftEngine({ fs, repoRoot: '/r', pipeline }) };
}

describe('engine: saving one file of a Flux cluster', () => {
  it('re-renders only the Kustomization whose folder holds the saved file, without rediscovering the repo', async () => {
    const { fs, rendered, engine } = setup();
    const repo = await engine.load();
    assert.deepEqual(
      repo.environments.map((e) => `${e.name}: ${e.applications.map((a) => a.name).join(' ')}`),
      ['home: flux-system cluster-apps atuin gatus plex'],
    );
    const env = repo.environments[0];
    const first = await engine.render(env);
    assert.deepEqual(first.problems, []);
    // cluster-apps twice: as applied, and as its file declares it without its own substituteFrom, which is what its
    // children's postBuild lookups search (the engine's lookupIn: a lookup never waits on itself).
    assert.deepEqual([...rendered].sort(), ['atuin', 'cluster-apps', 'cluster-apps', 'flux-system', 'gatus', 'plex']);

    const file = 'kubernetes/apps/default/gatus/app/helmrelease.yaml';
    fs.write(`/r/${file}`, (await fs.readFile(`/r/${file}`)).replace('memory: 256Mi', 'memory: 512Mi'));
    const change = await engine.fileChanged(file);
    // An app's HelmRelease declares no environment: the environment list stands, only what read the file is redone.
    assert.deepEqual(change, { environments: ['home'], applications: { home: ['gatus'] }, reload: false });
    rendered.length = 0;
    const again = await engine.render(env);
    assert.deepEqual(rendered, ['gatus']);
    const gatus = again.objects.find((o) => o.key.kind === 'HelmRelease' && o.key.name === 'gatus')!;
    assert.equal(
      (gatus.object.spec as { values: { resources: { limits: { memory: string } } } }).values.resources.limits.memory,
      '512Mi',
    );
    // The other apps' objects are the very ones of the first render (from cache), still substituted.
    const atuin = (r: typeof first) => r.objects.find((o) => o.key.name === 'atuin-config')!;
    assert.equal(atuin(again), atuin(first));
    assert.equal((atuin(again).object.data as { URL: string }).URL, 'https://atuin.example.net');
  });

  it('rediscovers the repo when the saved file declares a Flux Kustomization, or did before the save', async () => {
    const { fs, engine } = setup();
    const env = (await engine.load()).environments[0];
    await engine.render(env);
    const ks = 'kubernetes/apps/default/plex/ks.yaml';
    fs.write(`/r/${ks}`, (await fs.readFile(`/r/${ks}`)).replace('interval: 1h', 'interval: 2h'));
    assert.equal((await engine.fileChanged(ks)).reload, true);

    // A manifest that now holds a Kustomization (it did not before): the environments may have changed.
    const config = 'kubernetes/apps/default/atuin/app/config.yaml';
    const before = await fs.readFile(`/r/${config}`);
    fs.write(
      `/r/${config}`,
      `${before}---\n${(await fs.readFile(`/r/${ks}`)).replace('name: plex', 'name: plex-tools')}`,
    );
    assert.equal((await engine.fileChanged(config)).reload, true);
    await engine.load();
    await engine.render((await engine.repo()).environments[0]);
    // And back: it held one before this save.
    fs.write(`/r/${config}`, before);
    assert.equal((await engine.fileChanged(config)).reload, true);
  });

  it('rediscovers the repo for a saved file the engine never read (what it held before is unknown)', async () => {
    const { fs, engine } = setup();
    await engine.load();
    // Created since discovery: neither discovery nor a render read it.
    const file = 'kubernetes/apps/default/gatus/app/extra.yaml';
    fs.write(`/r/${file}`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n');
    assert.equal((await engine.fileChanged(file)).reload, true);
  });

  it('does not rediscover for a file only discovery read, which neither declared environments nor does now', async () => {
    const { fs, engine } = setup();
    await engine.load();
    // Discovery's texts are kept (the render's first read): what it held before is known, and discovery never parses
    // a text like it (mayDeclareEnvironments), so the environments cannot change.
    const file = 'kubernetes/apps/default/gatus/app/helmrelease.yaml';
    fs.write(`/r/${file}`, (await fs.readFile(`/r/${file}`)).replace('memory: 256Mi', 'memory: 512Mi'));
    assert.deepEqual(await engine.fileChanged(file), { environments: [], applications: {}, reload: false });
  });
});
