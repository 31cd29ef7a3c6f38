import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { argoGlob } from '../../../src/core/render/argo/directory';
import { argoApplication } from '../../support/argoApplication';

/** An Application in the style of argoproj/argocd-example-apps, with `source:` lines given. */
function application(name: string, source: string[]): string {
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${name}`,
    '  namespace: argocd',
    'spec:',
    '  destination:',
    `    namespace: ${name}`,
    '    server: https://kubernetes.default.svc',
    '  source:',
    '    repoURL: https://github.com/example/apps.git',
    ...source.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/apps/guestbook.yaml': application('guestbook', ['path: guestbook']),
    '/r/apps/recursive.yaml': application('recursive', [
      'path: recursive',
      'directory:',
      '  recurse: true',
      "  include: '{*.yaml,sub/*.json}'",
      "  exclude: 'sub/skip-*'",
    ]),
    '/r/apps/plugin.yaml': application('plugin', ['path: recursive', 'plugin:', '  name: envsubst']),
    '/r/apps/jsonnet.yaml': application('jsonnet', ['path: jsonnet-guestbook']),
    '/r/apps/helm.yaml': application('helm', ['path: helm-guestbook']),
    '/r/apps/kustomized.yaml': application('kustomized', [
      'path: kustomize-guestbook',
      'kustomize:',
      '  namePrefix: staging-',
    ]),
    '/r/kustomize-guestbook/kustomization.yaml': 'resources:\n  - cm.yaml\n',
    '/r/kustomize-guestbook/cm.yaml': configMap('settings'),
    '/r/guestbook/guestbook-ui-deployment.yaml': [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: guestbook-ui',
      'spec:',
      '  replicas: 1',
      '',
    ].join('\n'),
    '/r/guestbook/guestbook-ui-svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: guestbook-ui\n',
    // Not a manifest: Argo CD skips it (no "resource has no kind").
    '/r/guestbook/values-notes.yaml': 'owner: team-a\n',
    // Not listed without recurse.
    '/r/guestbook/nested/extra.yaml': configMap('nested'),
    '/r/recursive/top.yaml': configMap('top'),
    '/r/recursive/top.yml': configMap('top-yml'),
    '/r/recursive/sub/one.json': JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } }),
    '/r/recursive/sub/skip-me.json': JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'skipped' },
    }),
    '/r/recursive/sub/two.yaml': configMap('two'),
    '/r/jsonnet-guestbook/guestbook-ui.jsonnet': '{}\n',
    '/r/helm-guestbook/Chart.yaml': 'apiVersion: v2\nname: helm-guestbook\nversion: 0.1.0\n',
    '/r/helm-guestbook/templates/deployment.yaml':
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n',
  });
}

async function rendered(name: string) {
  const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
  const env = await argoApplication(engine, name);
  return { env, render: await engine.render(env).catch((e: Error) => e) };
}

describe('Argo CD directory sources', () => {
  it('matches globs as Argo CD (gobwas) does: `*` crosses `/`, `{a,b}`, classes, anchored', () => {
    assert.ok(argoGlob('*.yaml').test('sub/x.yaml'));
    assert.ok(argoGlob('{a,b}/*.json').test('b/c.json'));
    assert.ok(!argoGlob('{a,b}/*.json').test('c/c.json'));
    assert.ok(argoGlob('[!x]?.yml').test('ab.yml'));
    assert.ok(!argoGlob('[!x]?.yml').test('xb.yml'));
    assert.ok(!argoGlob('a.yaml').test('a.yamlx'));
    assert.ok(!argoGlob('a.yaml').test('aXyaml'), 'a dot is literal');
    assert.ok(!argoGlob('{a,b').test('a'), 'an unclosed brace matches nothing');
  });

  it('renders a plain-directory app (guestbook): its manifests only, not subfolders, not non-manifest YAML', async () => {
    const { env, render } = await rendered('guestbook');
    assert.equal(env.applications[0].renderer, 'argo-directory');
    assert.ok(!(render instanceof Error), String(render));
    assert.deepEqual(render.objects.map((o) => `${o.key.kind}/${o.key.name}`).sort(), [
      'Deployment/guestbook-ui',
      'Service/guestbook-ui',
    ]);
    const replicas = render.objects.find((o) => o.key.kind === 'Deployment')?.origins.get('/spec/replicas');
    assert.equal(replicas?.file, 'guestbook/guestbook-ui-deployment.yaml');
    assert.equal(replicas?.line, 6);
    assert.deepEqual(
      render.problems.filter((p) => p.severity === 'error'),
      [],
    );
  });

  it('reads recurse, include and exclude as Argo CD does', async () => {
    const { render } = await rendered('recursive');
    assert.ok(!(render instanceof Error), String(render));
    assert.deepEqual(render.objects.map((o) => o.key.name).sort(), ['one', 'top', 'two']);
  });

  it('names plugin, Jsonnet and Helm sources as such, never reading them as manifests', async () => {
    for (const [name, message] of [
      ['plugin', /rendered by a plugin: not supported/],
      ['jsonnet', /Jsonnet: not supported \(guestbook-ui\.jsonnet\)/],
      // A chart source goes to Helm's engine (none here): never read as manifests.
      ['helm', /the Helm engine is not available/],
    ] as const) {
      const { env, render } = await rendered(name);
      const text = render instanceof Error ? render.message : render.problems.map((p) => p.message).join('; ');
      assert.match(text, message, name);
      assert.doesNotMatch(text, /has no kind/, name);
      if (!(render instanceof Error)) assert.deepEqual(render.objects, [], name);
      if (name === 'helm') assert.deepEqual(env.applications[0].source, { type: 'chart', path: 'helm-guestbook' });
    }
  });

  it('a kustomization makes the source kustomize; the Application kustomize overrides are applied, at their line', async () => {
    const { env, render } = await rendered('kustomized');
    assert.equal(env.applications[0].renderer, 'kustomize');
    assert.ok(!(render instanceof Error), String(render));
    assert.deepEqual(
      render.objects.map((o) => o.key.name),
      ['staging-settings'],
    );
    assert.deepEqual(render.problems, []);
    const origin = render.objects[0].origins.get('/metadata/name');
    assert.deepEqual([origin?.file, origin?.line, origin?.kind], ['apps/kustomized.yaml', 14, 'namePrefix']);
  });
});
