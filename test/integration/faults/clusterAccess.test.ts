/**
 * Faults the real API server can show: a user without rights (Forbidden LISTs) and a CRD version with
 * `served: false`. Neither may end in "nothing to put back" or a silent exit 2: the CLI says what could not be
 * read, once per cause, and exits 2.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { execFileSync } from 'node:child_process';
import { testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  return { code: await runCli(argv, io), out, err };
}

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-access-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('what could not be read is said (real API server)', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('a user without rights: put-back and diff name the forbidden LIST and exit 2, instead of "nothing to put back"', async () => {
    const c = testCluster();
    const ns = await freshNamespace('noaccess');
    const root = repo({
      'envs/dev/kustomization.yaml': `namespace: ${ns}\nresources:\n- cm.yaml\n`,
      'envs/dev/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: "1"\n',
    });
    roots.push(root);
    const target = ['--env', 'dev', '--kubeconfig', c.kubeconfigPath, '--context', c.readonlyContext];
    const forbidden = new RegExp(
      `^dev: could not read 1 object \\(ConfigMap ${ns}/web\\): list configmaps in namespace "${ns}" is forbidden: configmaps is forbidden: User "readonly" cannot list resource "configmaps" in API group "" in the namespace "${ns}"$`,
      'm',
    );

    const putBack = await cli('put-back', root, ...target);
    assert.equal(putBack.code, 2, putBack.out + putBack.err);
    assert.match(putBack.err, forbidden);
    assert.equal(
      putBack.out,
      'dev: nothing to put back among the objects that could be read; 1 could not be read (see above).\n',
    );

    const diff = await cli('diff', root, ...target);
    assert.equal(diff.code, 2);
    assert.equal(diff.out, '');
    assert.match(diff.err, forbidden);
  });

  it('a CRD version with served: false: one "version not served" verdict per scope, said once, and no 404 per object', async () => {
    const c = testCluster();
    const group = `faults-${Date.now().toString(36)}.example.com`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `crontabs.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
          {
            name: 'v1beta1',
            served: false,
            storage: false,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const created = await c.adminRequest('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // The CRD's Established condition is the event that says the API server serves it.
    execFileSync(
      testbedBin('kubectl'),
      [
        '--kubeconfig',
        c.kubeconfigPath,
        '--context',
        c.adminContext,
        'wait',
        '--for=condition=Established',
        `crd/crontabs.${group}`,
        '--timeout=60s',
      ],
      { stdio: 'pipe' },
    );
    const ns = await freshNamespace('unserved');
    const tabs = Array.from(
      { length: 100 },
      (_, i) =>
        `---\napiVersion: ${group}/v1beta1\nkind: CronTab\nmetadata:\n  name: tab-${i}\nspec:\n  schedule: "* * * * *"\n`,
    ).join('');
    const root = repo({
      'envs/dev/kustomization.yaml': `namespace: ${ns}\nresources:\n- tabs.yaml\n`,
      'envs/dev/tabs.yaml': tabs,
    });
    roots.push(root);
    const target = ['--env', 'dev', '--kubeconfig', c.kubeconfigPath, '--context', c.adminContext];
    const notServed = `version not served: the cluster does not serve CronTab in ${group}/v1beta1 (it serves it in ${group}/v1; a CRD version with served: false, or an API version this Kubernetes release removed): change the apiVersion in git`;

    const check = await cli('check', root, ...target, '--format', 'json');
    assert.equal(check.code, 2, check.err);
    const resources = JSON.parse(check.out).environments[0].resources as { verdict: string; message: string }[];
    assert.equal(resources.length, 100);
    assert.ok(
      resources.every((r) => r.verdict === 'UnknownKind' && r.message === notServed),
      JSON.stringify(resources[0]),
    );

    const putBack = await cli('put-back', root, ...target);
    assert.equal(putBack.code, 2, putBack.out + putBack.err);
    const said = putBack.err.split('\n').filter(Boolean);
    assert.equal(said.length, 1, putBack.err);
    assert.match(
      said[0],
      new RegExp(
        `^dev: could not read 100 objects \\(CronTab ${ns}/tab-\\d+, CronTab ${ns}/tab-\\d+, CronTab ${ns}/tab-\\d+ and 97 more\\): `,
      ),
    );
    assert.ok(said[0].endsWith(notServed), said[0]);
    assert.doesNotMatch(putBack.out, /404|page not found|Missing/);
  });
});
