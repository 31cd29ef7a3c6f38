import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { runCliIn, writeRepo } from '../../support/cliRepo';

const fluxKs = (name: string, path: string, extra = '') =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: ${name}\n  namespace: flux-system\nspec:\n  interval: 1h\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ${path}\n${extra}`;
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: podinfo\n`;

describe('CLI: a Flux repo is one environment per cluster', () => {
  let dir: string;
  before(() => {
    dir = writeRepo('gitops-drift-flux-', {
      'clusters/staging/flux-system/kustomization.yaml': 'resources: [gotk-sync.yaml]\n',
      'clusters/staging/flux-system/gotk-sync.yaml': fluxKs('flux-system', './clusters/staging'),
      'clusters/staging/apps.yaml': fluxKs(
        'apps',
        './apps/staging',
        '  dependsOn:\n    - name: infra\n  targetNamespace: podinfo\n',
      ),
      'clusters/staging/infra.yaml': fluxKs('infra', './infrastructure'),
      'clusters/production/apps.yaml': fluxKs('apps', './apps/production'),
      'clusters/production/podinfo.yaml': fluxKs('podinfo', './', '')
        .replace('kind: GitRepository', 'kind: OCIRepository')
        .replace('name: flux-system\n  path', 'name: podinfo\n  path'),
      'infrastructure/kustomization.yaml': 'resources: [ns.yaml]\n',
      'infrastructure/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: podinfo\n',
      'apps/base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'apps/base/cm.yaml': cm('podinfo'),
      'apps/staging/kustomization.yaml': 'resources: [../base, extra.yaml]\n',
      'apps/staging/extra.yaml': cm('staging-only'),
      'apps/production/kustomization.yaml': 'resources: [../base]\n',
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...argv: string[]) => runCliIn(dir, ...argv);

  it('envs --format json lists the clusters with their Kustomizations, in dependsOn order, outside sources included', async () => {
    const r = await run('envs', dir, '--format', 'json');
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out);
    const envs = json.environments.map(
      (e: {
        name: string;
        path: string;
        source: string;
        applications: { name: string; kind: string; source: string; namespace: string | null }[];
      }) => ({
        env: `${e.name} ${e.path} ${e.source}`,
        apps: e.applications.map((a) => `${a.name} ${a.kind} ${a.source}${a.namespace ? ` ns=${a.namespace}` : ''}`),
      }),
    );
    assert.deepEqual(envs, [
      {
        env: 'staging clusters/staging flux',
        apps: [
          'flux-system flux-kustomization clusters/staging',
          'infra flux-kustomization infrastructure',
          'apps flux-kustomization apps/staging ns=podinfo',
        ],
      },
      {
        env: 'production clusters/production flux',
        apps: [
          'apps flux-kustomization apps/production',
          'podinfo flux-kustomization OCIRepository flux-system/podinfo',
        ],
      },
    ]);
    assert.deepEqual(json.outside, []);
    assert.deepEqual(json.promotion, [['staging', 'production']]);
  });

  it("render --env staging prints every Kustomization's objects in dependsOn order", async () => {
    const r = await run('render', '--env', 'staging', dir);
    assert.equal(r.code, 0, r.err);
    const objects = parseAllDocuments(r.out).map((d) => {
      const o = d.toJS() as { kind: string; metadata: { name: string } };
      return `${o.kind}/${o.metadata.name}`;
    });
    assert.deepEqual(objects, [
      // flux-system: the cluster folder itself, as Flux generates its kustomization (the Kustomizations it applies, in
      // folder order).
      'Kustomization/apps',
      'Kustomization/flux-system',
      'Kustomization/infra',
      // infra, then apps (dependsOn infra).
      'Namespace/podinfo',
      'ConfigMap/podinfo',
      'ConfigMap/staging-only',
    ]);
  });
});
