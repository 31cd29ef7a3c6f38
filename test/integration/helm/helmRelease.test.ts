/**
 * Helm releases against the real API server (issue #16, questions 1 and 2): the test bed's `helm` installs and
 * upgrades a chart the test writes, making real release Secrets; a Flux HelmRelease in git names the release (its
 * status written as helm-controller writes it, through the status subresource). Then `check` must find nothing right
 * after the install, each hand edit of a Helm-made object, git values not yet applied, and a failed upgrade.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { DriftEngine, type EnvironmentReport, type LiveSource } from '../../../src/core/engine';
import { keyLabel } from '../../../src/core/model/resource';
import { createKubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin, testbedFluxCrds } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const HELM_API = '/apis/helm.toolkit.fluxcd.io/v2';
/** A value only the release's config holds (given to helm, never in git): no output may show it. */
const RELEASE_ONLY = 'marker-release-only-value';

const CHART: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "1.27"\n',
  'values.yaml': 'replicas: 1\nimage: nginx:1.27\ngreeting: hello\nport: 80\ntoken: ""\n',
  // Namespace-less, as charts are: Helm puts them in the release namespace.
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels:
    app.kubernetes.io/name: web
    app.kubernetes.io/managed-by: {{ .Release.Service }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
        - name: web
          image: {{ .Values.image }}
          ports:
            - containerPort: 80
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    app.kubernetes.io/name: web
  ports:
    - port: {{ .Values.port }}
      targetPort: 80
`,
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  greeting: {{ .Values.greeting | quote }}
`,
  // A hook: not in the release manifest, never compared.
  'templates/test.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: t
      image: busybox
`,
};

const values = (greeting: string) => `replicas: 2\ngreeting: ${greeting}\n`;

function helmReleaseYaml(ns: string, greeting: string): string {
  return `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: ${ns}
spec:
  interval: 10m
  chart:
    spec:
      chart: web
      version: 1.2.0
      sourceRef:
        kind: HelmRepository
        name: charts
  valuesFrom:
    - kind: Secret
      name: web-token
  values:
${values(greeting)
  .trimEnd()
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
}

describe('Helm releases, against the real API server and helm', function () {
  this.timeout(120_000);
  const roots: string[] = [];
  let ns: string;
  let repo: string;
  let chart: string;
  let home: string;
  let engine: DriftEngine;
  let live: LiveSource;

  const kubectl = (...args: string[]) =>
    execFileSync(
      testbedBin('kubectl'),
      ['--kubeconfig', testCluster().kubeconfigPath, '--context', testCluster().adminContext, ...args],
      { stdio: 'pipe', encoding: 'utf8' },
    );
  /** Runs helm (its config and cache in a scratch folder), returning its exit code and output. */
  const runHelm = (...args: string[]): { code: number; out: string } => runHelmWith({}, ...args);
  const runHelmWith = (env: Record<string, string>, ...args: string[]): { code: number; out: string } => {
    try {
      const out = execFileSync(
        testbedBin('helm'),
        [...args, '--kubeconfig', testCluster().kubeconfigPath, '--kube-context', testCluster().adminContext],
        {
          stdio: 'pipe',
          encoding: 'utf8',
          env: {
            ...process.env,
            HELM_CONFIG_HOME: join(home, 'config'),
            HELM_CACHE_HOME: join(home, 'cache'),
            HELM_DATA_HOME: join(home, 'data'),
            ...env,
          },
        },
      );
      return { code: 0, out };
    } catch (e) {
      const err = e as { status?: number; stderr?: string; stdout?: string };
      return { code: err.status ?? 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };
  const valuesFile = (text: string) => {
    const file = join(home, `values-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  const setGitValues = (greeting: string) =>
    writeFileSync(join(repo, 'envs/dev/release.yaml'), helmReleaseYaml(ns, greeting));
  const check = async (): Promise<EnvironmentReport> => {
    engine.forgetFiles();
    await engine.load();
    return engine.check(await engine.environment('dev'), live);
  };
  const released = (report: EnvironmentReport) =>
    report.resources
      .filter((r) => r.application === `HelmRelease ${ns}/web`)
      .map((r) => `${keyLabel(r.key)} ${r.verdict}`)
      .sort();
  const helmApp = (report: EnvironmentReport) => report.applications.find((a) => a.kind === 'helm');

  before(async function () {
    kubectl('apply', '--server-side', '--field-manager=flux-install', '-f', testbedFluxCrds());
    kubectl('wait', '--for=condition=Established', '--timeout=60s', 'crd/helmreleases.helm.toolkit.fluxcd.io');
    ns = await freshNamespace('helm-release');
    home = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-'));
    chart = join(home, 'chart');
    writeFiles(chart, CHART);
    repo = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-repo-'));
    roots.push(home, repo);
    writeFiles(repo, {
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${ns}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': helmReleaseYaml(ns, 'hello'),
    });
    engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
    const c = testCluster();
    live = {
      reader: await createKubeClusterReader({ kubeconfigPath: c.kubeconfigPath, context: c.adminContext }),
      context: c.adminContext,
      namespace: ns,
    };
    // What helm-controller does: install with git's values (and the token of its valuesFrom Secret, not in git).
    const install = runHelm(
      'install',
      'web',
      chart,
      '-n',
      ns,
      '-f',
      valuesFile(values('hello')),
      '--set',
      `token=${RELEASE_ONLY}`,
    );
    assert.equal(install.code, 0, install.out);
    // The HelmRelease as git declares it, with the status helm-controller writes.
    const hr = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'web', namespace: ns },
      spec: {
        interval: '10m',
        chart: { spec: { chart: 'web', version: '1.2.0', sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        valuesFrom: [{ kind: 'Secret', name: 'web-token' }],
        values: { replicas: 2, greeting: 'hello' },
      },
    };
    const created = await c.adminRequest('POST', `${HELM_API}/namespaces/${ns}/helmreleases`, hr);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patched = await c.adminRequest(
      'PATCH',
      `${HELM_API}/namespaces/${ns}/helmreleases/web/status?fieldManager=helm-controller`,
      {
        status: {
          observedGeneration: 1,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'InstallSucceeded',
              message: 'Helm install succeeded for release web/web.v1 with chart web@1.2.0',
              lastTransitionTime: now,
              observedGeneration: 1,
            },
          ],
          history: [
            {
              name: 'web',
              namespace: ns,
              version: 1,
              status: 'deployed',
              chartName: 'web',
              chartVersion: '1.2.0',
              configDigest: 'sha256:0',
              digest: 'sha256:0',
              firstDeployed: now,
              lastDeployed: now,
            },
          ],
        },
      },
      'application/merge-patch+json',
    );
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
  });
  after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

  it('finds nothing right after helm install: every object of the release in sync, git values applied', async () => {
    const report = await check();
    assert.equal(report.error, null);
    assert.deepEqual(released(report), [
      `ConfigMap ${ns}/web-settings InSync`,
      `Deployment ${ns}/web InSync`,
      `Service ${ns}/web InSync`,
    ]);
    const app = helmApp(report)!;
    assert.equal(app.state, 'rendered', app.message);
    assert.equal(app.source, 'chart web 1.2.0');
    assert.deepEqual(
      {
        revision: app.release?.revision,
        status: app.release?.status,
        values: app.release?.git?.values,
        chart: app.release?.git?.chart,
        ready: app.release?.controller?.ready?.status,
        drift: app.release?.controller?.driftDetection,
      },
      { revision: 1, status: 'deployed', values: 'same', chart: 'same', ready: 'True', drift: 'disabled' },
    );
    assert.deepEqual(
      report.problems.map((p) => p.message),
      [],
    );
  });

  it('finds each hand edit of a Helm-made object, with who made it', async () => {
    kubectl('-n', ns, 'scale', 'deployment/web', '--replicas=5');
    kubectl('-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:1.28');
    kubectl('-n', ns, 'patch', 'configmap/web-settings', '--type=merge', '-p', '{"data":{"greeting":"bonjour"}}');
    kubectl('-n', ns, 'label', 'service/web', 'team=ops');
    const report = await check();
    const fields = report.resources
      .filter((r) => r.application === `HelmRelease ${ns}/web`)
      .flatMap((r) => r.fields.map((f) => `${r.key.kind} ${f.path} ${f.changedBy?.manager ?? '-'}`))
      .sort();
    assert.deepEqual(fields, [
      'ConfigMap /data/greeting kubectl-patch',
      // kubectl 1.35 records `kubectl scale` as `kubectl` on the scale subresource.
      'Deployment /spec/replicas kubectl',
      'Deployment /spec/template/spec/containers/0/image kubectl-set',
      'Service /metadata/labels/team kubectl-label',
    ]);
    const text = await cli(['check', repo, '--context', testCluster().adminContext]);
    assert.equal(text.code, 1, text.err);
    assert.match(text.out, new RegExp(`Deployment ${ns}/web +replicas: git 2, live 5 \\(kubectl`));
    assert.match(text.out, /\(web\/templates\/deployment\.yaml\)/);
    assert.ok(!text.out.includes(RELEASE_ONLY) && !text.err.includes(RELEASE_ONLY));
    // Put back as Helm had it, for the next cases.
    kubectl('-n', ns, 'scale', 'deployment/web', '--replicas=2');
    kubectl('-n', ns, 'set', 'image', 'deployment/web', 'web=nginx:1.27');
    kubectl('-n', ns, 'patch', 'configmap/web-settings', '--type=merge', '-p', '{"data":{"greeting":"hello"}}');
    kubectl('-n', ns, 'label', 'service/web', 'team-');
  });

  it('says git values are not yet applied, at the values line, without showing values', async () => {
    setGitValues('hi');
    const report = await check();
    const app = helmApp(report)!;
    assert.equal(app.release?.git?.values, 'differs');
    const problem = report.problems.find((p) => p.code === 'helm-release-not-applied');
    assert.equal(
      problem?.message,
      `HelmRelease ${ns}/web: values in git differ from the deployed release (revision 1)`,
    );
    assert.deepEqual(problem?.location, { file: 'envs/dev/release.yaml', line: 18, column: 3 });
    const json = await cli(['check', repo, '--context', testCluster().adminContext, '--format', 'json']);
    assert.ok(!json.out.includes(RELEASE_ONLY));
    const doc = JSON.parse(json.out);
    assert.equal(doc.environments[0].applications.find((a: any) => a.kind === 'helm').release.git.values, 'differs');
  });

  it('reads a release Helm stored with its ConfigMap driver (HELM_DRIVER=configmap)', async () => {
    const cmNs = await freshNamespace('helm-cm');
    const install = runHelmWith(
      { HELM_DRIVER: 'configmap' },
      'install',
      'web',
      chart,
      '-n',
      cmNs,
      '-f',
      valuesFile(values('hello')),
    );
    assert.equal(install.code, 0, install.out);
    assert.match(
      kubectl('-n', cmNs, 'get', 'configmaps', '-l', 'owner=helm', '-o', 'name'),
      /sh\.helm\.release\.v1\.web\.v1/,
    );
    const cmRepo = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-cm-'));
    roots.push(cmRepo);
    writeFiles(cmRepo, {
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${cmNs}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': helmReleaseYaml(cmNs, 'hello'),
    });
    const cmEngine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: cmRepo });
    const report = await cmEngine.check(await cmEngine.environment('dev'), { ...live, namespace: cmNs });
    const app = helmApp(report)!;
    assert.equal(app.state, 'rendered', app.message);
    assert.equal(app.release?.git?.values, 'same');
    assert.deepEqual(
      report.resources
        .filter((r) => r.application === `HelmRelease ${cmNs}/web`)
        .map((r) => `${r.key.kind} ${r.verdict}`)
        .sort(),
      ['ConfigMap InSync', 'Deployment InSync', 'Service InSync'],
    );
  });

  it('finds nothing after a client-side apply install (as Helm 3 and helm-controller apply), then a hand edit', async () => {
    const csaNs = await freshNamespace('helm-csa');
    const install = runHelm(
      'install',
      'web',
      chart,
      '-n',
      csaNs,
      '-f',
      valuesFile(values('hello')),
      '--server-side=false',
    );
    assert.equal(install.code, 0, install.out);
    const csaRepo = mkdtempSync(join(tmpdir(), 'gitops-drift-helm-csa-'));
    roots.push(csaRepo);
    writeFiles(csaRepo, {
      '.gitops-drift.yaml': `environments:\n  - name: dev\n    path: envs/dev\n    namespace: ${csaNs}\n`,
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': helmReleaseYaml(csaNs, 'hello'),
    });
    const csaEngine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: csaRepo });
    const csaCheck = async () => csaEngine.check(await csaEngine.environment('dev'), { ...live, namespace: csaNs });
    const report = await csaCheck();
    const verdicts = report.resources
      .filter((r) => r.application === `HelmRelease ${csaNs}/web`)
      .map((r) => `${r.key.kind} ${r.verdict} ${r.fields.map((f) => f.path).join(',')}`)
      .sort();
    assert.deepEqual(verdicts, ['ConfigMap InSync ', 'Deployment InSync ', 'Service InSync ']);
    assert.equal(helmApp(report)?.release?.controller?.found, false, 'no HelmRelease in that namespace');
    kubectl('-n', csaNs, 'annotate', 'deployment/web', 'owner=me');
    const edited = await csaCheck();
    const deployment = edited.resources.find((r) => r.key.kind === 'Deployment' && r.key.namespace === csaNs);
    assert.deepEqual(
      deployment?.fields.map((f) => `${f.path} ${f.changedBy?.manager}`),
      ['/metadata/annotations/owner kubectl-annotate'],
    );
  });

  it('an upgrade that failed: compared with the deployed revision, and said why git is not applied', async () => {
    // A manifest the API server refuses (a Service port out of range), so Helm records the upgrade as failed.
    const upgrade = runHelm('upgrade', 'web', chart, '-n', ns, '-f', valuesFile(values('hi')), '--set', 'port=70000');
    assert.notEqual(upgrade.code, 0, upgrade.out);
    const report = await check();
    const app = helmApp(report)!;
    assert.equal(app.release?.revision, 1);
    assert.equal(app.release?.latest?.revision, 2);
    assert.equal(app.release?.latest?.status, 'failed');
    const problem = report.problems.find((p) => p.code === 'helm-release-not-applied');
    assert.match(
      problem?.message ?? '',
      new RegExp(
        `values in git differ from the deployed release \\(revision 1; since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ, upgrade failed: Upgrade "web" failed: .*spec\\.ports\\[0\\]\\.port: Invalid value: 70000.*\\)$`,
      ),
    );
    // The objects still compare with what revision 1 applied.
    assert.equal(
      released(report)
        .find((r) => r.startsWith('Deployment'))
        ?.endsWith('InSync'),
      true,
      released(report).join(),
    );
    const text = await cli(['check', repo, '--context', testCluster().adminContext]);
    assert.match(text.out, /release web: web 1\.2\.0, revision 1 deployed .*; revision 2 failed/);
    assert.ok(!text.out.includes(RELEASE_ONLY) && !text.err.includes(RELEASE_ONLY));
  });
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: process.cwd(),
    color: false,
    env: { KUBECONFIG: testCluster().kubeconfigPath },
  };
  return { code: await runCli(argv, io), out, err };
}
