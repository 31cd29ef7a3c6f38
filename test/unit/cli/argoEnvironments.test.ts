import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runCliIn, writeRepo } from '../../support/cliRepo';

/** An Application of folder NAME deploying to DESTINATION's namespace NS. */
const application = (name: string, destination: string, ns: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n` +
  `  source:\n    path: ${name}\n  destination:\n    ${destination}\n    namespace: ${ns}\n`;

describe('gitops-drift envs and render --env: Argo CD environments per destination (argocd.environments)', () => {
  let dir: string;
  before(() => {
    const files: Record<string, string> = {
      '.gitops-drift.yaml': 'argocd:\n  environments: namespace\n',
      'apps/api.yaml': application('api', 'server: https://kubernetes.default.svc', 'shop'),
      'apps/web.yaml': application('web', 'name: in-cluster', 'shop'),
      'apps/tools.yaml': application('tools', 'server: https://kubernetes.default.svc', 'tools'),
    };
    for (const n of ['api', 'web', 'tools'])
      files[`${n}/cm.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\ndata:\n  a: "1"\n`;
    dir = writeRepo('gitops-drift-argo-envs-', files);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists one environment per cluster and namespace, its Applications as applications (text and JSON)', async () => {
    const text = await runCliIn(dir, 'envs', dir);
    assert.equal(text.code, 0, text.out);
    assert.match(text.out, /^in-cluster\/shop +api +shop /m);
    // The folder of Applications nothing points at is the app-of-apps root (`argocd app create apps`): it makes them.
    assert.match(
      text.out,
      /^ {2}· web {2}web {2}argo-directory {2}apps\/web\.yaml:1:1 {2}from app-of-apps apps \(apps\)$/m,
    );
    const json = JSON.parse((await runCliIn(dir, 'envs', dir, '--format', 'json')).out) as {
      environments: { name: string; applications: { name: string }[] }[];
    };
    assert.deepEqual(
      json.environments
        .filter((e) => e.name.startsWith('in-cluster'))
        .map((e) => [e.name, e.applications.map((a) => a.name)]),
      [
        ['in-cluster/shop', ['api', 'web']],
        ['in-cluster/tools', ['tools']],
      ],
    );
  });

  it('renders a destination environment: the objects of each of its Applications', async () => {
    const { code, out } = await runCliIn(dir, 'render', dir, '--env', 'in-cluster/shop');
    assert.equal(code, 0, out);
    assert.deepEqual(
      [...out.matchAll(/^ {2}name: (\S+)$/gm)].map((m) => m[1]),
      ['api', 'web'],
    );
  });
});
