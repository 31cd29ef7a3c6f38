/**
 * App-of-apps in the destination model (argocd.environments: cluster, the default): the children an app-of-apps
 * renders land in their destination's environment, each carrying its parent (name and source line), which `envs`
 * (text and JSON) and `check --format json` show; a parent that fails to render is said on the children's environment.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { runCliIn, writeRepo } from '../../support/cliRepo';

const application = (name: string, path: string, destination: string, ns: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\nspec:\n` +
  `  source:\n    path: ${path}\n  destination:\n    ${destination}\n    namespace: ${ns}\n`;
const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

interface JsonApp {
  name: string;
  parent?: { name: string; at: { file: string; line: number }; problem?: string };
}

describe('app-of-apps parents in destination environments', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  function repo(kustomization?: string): string {
    const files: Record<string, string> = {
      // The parent: deployed in-cluster, its source the folder of children.
      'argo/platform.yaml': application('platform', 'apps', 'server: https://kubernetes.default.svc', 'argocd'),
      'apps/shop.yaml': application('shop', 'shop', 'server: https://prod.example.com', 'shop'),
      'apps/blog.yaml': application('blog', 'blog', 'server: https://prod.example.com', 'blog'),
      'shop/cm.yaml': cm('shop'),
      'blog/cm.yaml': cm('blog'),
    };
    if (kustomization) files['apps/kustomization.yaml'] = kustomization;
    const dir = writeRepo('gitops-drift-argo-parent-', files);
    dirs.push(dir);
    return dir;
  }

  it('names the parent of each child in its destination environment (envs text and JSON, check JSON)', async () => {
    const dir = repo();
    const json = JSON.parse((await runCliIn(dir, 'envs', dir, '--format', 'json')).out) as {
      environments: { name: string; applications: JsonApp[] }[];
    };
    const prod = json.environments.find((e) => e.name === 'prod.example.com');
    assert.ok(prod, JSON.stringify(json.environments.map((e) => e.name)));
    assert.deepEqual(
      prod.applications.map((a) => [a.name, a.parent?.name, `${a.parent?.at.file}:${a.parent?.at.line}`]),
      [
        ['blog', 'platform', 'argo/platform.yaml:8'],
        ['shop', 'platform', 'argo/platform.yaml:8'],
      ],
    );
    // The parent is in its own destination's environment; `argo/`, the folder nothing points at, is its root.
    const inCluster = json.environments.find((e) => e.name === 'in-cluster');
    assert.deepEqual(
      inCluster?.applications.map((a) => [a.name, a.parent?.name]),
      [['platform', 'argo']],
    );
    const text = await runCliIn(dir, 'envs', dir);
    assert.match(text.out, /^ {2}· shop .* {2}from app-of-apps platform \(argo\/platform\.yaml:8:\d+\)$/m);

    // Without a cluster (no kubeconfig) the check still lists the environment's applications, each with its parent.
    const check = JSON.parse(
      (await runCliIn(dir, 'check', dir, '--env', 'prod.example.com', '--format', 'json')).out,
    ) as {
      environments: { noCluster: boolean; applications: JsonApp[] }[];
    };
    assert.equal(check.environments[0].noCluster, true);
    assert.deepEqual(
      check.environments[0].applications.map((a) => [a.name, a.parent?.name, a.parent?.at.line]),
      [
        ['blog', 'platform', 8],
        ['shop', 'platform', 8],
      ],
    );
  });

  it("says a parent's failed render on its children's environment, at the parent's source line", async () => {
    // The folder's kustomization names a file that is not there: Argo CD cannot render the parent.
    const dir = repo('resources:\n  - shop.yaml\n  - blog.yaml\n  - gone.yaml\n');
    const json = JSON.parse((await runCliIn(dir, 'envs', dir, '--format', 'json')).out) as {
      environments: { name: string; applications: JsonApp[] }[];
    };
    const prod = json.environments.find((e) => e.name === 'prod.example.com')!;
    for (const a of prod.applications) {
      assert.equal(a.parent?.name, 'platform', a.name);
      assert.match(a.parent?.problem ?? '', /app-of-apps 'platform' failed to render: .*gone\.yaml/, a.name);
    }
    // The children's environment says it once, at the parent's source line (here checked without a cluster).
    const check = JSON.parse(
      (await runCliIn(dir, 'check', dir, '--env', 'prod.example.com', '--format', 'json')).out,
    ) as {
      environments: { problems: { message: string; location: { file: string; line: number } | null }[] }[];
    };
    const said = check.environments[0].problems.filter((p) => p.message.includes("app-of-apps 'platform'"));
    assert.equal(said.length, 1, JSON.stringify(check.environments[0].problems));
    assert.match(
      said[0].message,
      /failed to render: .*Argo CD does not apply 'blog', 'shop' from it as the repo has them/,
    );
    assert.deepEqual([said[0].location?.file, said[0].location?.line], ['argo/platform.yaml', 8]);
  });
});
