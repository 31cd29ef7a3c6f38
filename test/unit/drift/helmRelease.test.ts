import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import type { ResourceType } from '../../../src/core/ports';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { textReport } from '../../../src/core/drift/textReport';
import { compareGitWithRelease, describeRelease, shortTime } from '../../../src/core/drift/helmRelease';
import { decodeReleaseRecord, type HelmReleaseRecord } from '../../../src/core/live/helmRelease';
import type { RenderedObject } from '../../../src/core/render/types';
import { FakeReader, types } from '../repo/fakes';
import { releaseRecord } from '../live/helmRecords';

const SECRET_MARK = 'marker-values-token';
/** A value only the release's config holds (git never had it): it must never be shown. */
const RELEASE_ONLY_MARK = 'marker-release-only';

const manifest = [
  '---',
  '# Source: web/templates/service.yaml',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: web',
  'spec:',
  '  ports:',
  '  - port: 80',
  '    targetPort: 8080',
  '---',
  '# Source: web/templates/deployment.yaml',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: web',
  '  labels:',
  '    app: web',
  'spec:',
  '  replicas: 2',
  '  selector:',
  '    matchLabels:',
  '      app: web',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app: web',
  '    spec:',
  '      containers:',
  '      - name: web',
  '        image: nginx:1.27',
  '',
].join('\n');

const release = (version: number, status: string, extra: Record<string, unknown> = {}) => ({
  name: 'web',
  namespace: 'apps',
  version,
  info: { status, last_deployed: `2026-12-06T14:0${version}:00Z`, description: `revision ${version}` },
  chart: { metadata: { name: 'web', version: '1.2.0' } },
  config: { replicas: 2, token: SECRET_MARK, ...(version > 1 ? { extra: RELEASE_ONLY_MARK } : {}) },
  manifest,
  ...extra,
});

const HELMRELEASE = [
  'apiVersion: helm.toolkit.fluxcd.io/v2',
  'kind: HelmRelease',
  'metadata:',
  '  name: web',
  'spec:',
  '  interval: 10m',
  '  chart:',
  '    spec:',
  '      chart: web',
  '      version: 1.2.0',
  '      sourceRef:',
  '        kind: HelmRepository',
  '        name: charts',
  '  values:',
  '    replicas: 2',
  `    token: ${SECRET_MARK}`,
  '',
].join('\n');

const allTypes: ResourceType[] = [
  ...types,
  { group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, verbs: ['list'] },
  {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    kind: 'HelmRelease',
    resource: 'helmreleases',
    namespaced: true,
    verbs: ['list'],
  },
];

/** The objects as Helm left them: its manifest with the namespace, Helm's own metadata, and what the server adds. */
function liveObjects(changes: { replicas?: number; image?: string } = {}): KubeObject[] {
  const helmMeta = {
    labels: { 'app.kubernetes.io/managed-by': 'Helm' },
    annotations: { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'apps' },
  };
  const time = '2026-12-06T15:00:00Z';
  const managedFields = [
    {
      manager: 'helm',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      time,
    },
    ...(changes.replicas !== undefined
      ? [
          {
            manager: 'kubectl-scale',
            operation: 'Update',
            apiVersion: 'apps/v1',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:replicas': {} } },
            subresource: 'scale',
            time,
          },
        ]
      : []),
  ];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'apps', ...helmMeta, uid: 'u1' },
      spec: {
        ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
        type: 'ClusterIP',
        clusterIP: '10.0.0.5',
        sessionAffinity: 'None',
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'apps',
        labels: { app: 'web', ...helmMeta.labels },
        annotations: helmMeta.annotations,
        managedFields,
      },
      spec: {
        replicas: changes.replicas ?? 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: changes.image ?? 'nginx:1.27' }] },
        },
      },
    },
  ];
}

function repo(helmRelease = HELMRELEASE) {
  return new MemoryFileSystem(
    {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - release.yaml\n',
      'envs/dev/release.yaml': helmRelease,
    },
    '/r',
  );
}

/** The HelmRelease as the cluster holds it: git's spec (`spec`), and helm-controller's status. */
const liveHelmRelease = (status: Record<string, unknown> = {}, spec = HELMRELEASE): KubeObject => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'web', namespace: 'apps', generation: 1 },
  spec: (parse(spec) as { spec: unknown }).spec,
  status: {
    observedGeneration: 1,
    conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded', message: 'ok' }],
    history: [{ version: 1, status: 'deployed', chartName: 'web', chartVersion: '1.2.0' }],
    ...status,
  },
});

async function check(objects: KubeObject[], helmRelease?: string) {
  const engine = new DriftEngine({ fs: repo(helmRelease), repoRoot: '/r' });
  const env = await engine.environment('dev');
  const reader = new FakeReader(objects, allTypes);
  return engine.check(env, { reader, context: 'test' });
}

describe('Helm releases in a check (questions 1 and 2, no chart needed)', () => {
  const records = [releaseRecord(release(1, 'deployed'), 'Secret')];

  it('finds nothing right after an install: namespace-less objects in the release namespace, Helm metadata known', async () => {
    const report = await check([...records, ...liveObjects(), liveHelmRelease()]);
    assert.equal(report.error, null);
    const app = report.applications.find((a) => a.kind === 'helm');
    assert.ok(app, 'the release is an application of the report');
    assert.equal(app.name, 'HelmRelease apps/web');
    assert.equal(app.state, 'rendered');
    assert.equal(app.release?.revision, 1);
    assert.equal(app.release?.git?.values, 'same');
    assert.equal(app.release?.git?.chart, 'same');
    const released = report.resources.filter((r) => r.application === 'HelmRelease apps/web');
    assert.deepEqual(
      released.map((r) => `${r.key.kind} ${r.key.namespace}/${r.key.name} ${r.verdict}`),
      ['Service apps/web InSync', 'Deployment apps/web InSync'],
    );
    assert.equal(released[1].template, 'web/templates/deployment.yaml');
    assert.deepEqual(
      report.problems.filter((p) => p.code === 'helm-release-not-applied'),
      [],
    );
  });

  it('finds each hand edit of a Helm-made object, naming who made it and the template', async () => {
    const report = await check([...records, ...liveObjects({ replicas: 5, image: 'nginx:1.28' }), liveHelmRelease()]);
    const deployment = report.resources.find((r) => r.key.kind === 'Deployment' && r.application?.startsWith('Helm'));
    assert.equal(deployment?.verdict, 'Drifted');
    const fields = deployment!.fields.map((f) => `${f.path} ${f.desired} → ${f.live} ${f.changedBy?.manager ?? ''}`);
    assert.ok(fields.includes('/spec/replicas 2 → 5 kubectl-scale'), fields.join('; '));
    assert.ok(fields.some((f) => f.startsWith('/spec/template/spec/containers/0/image nginx:1.27 → nginx:1.28')));
    // Git holds no line of the chart's objects: they point at the HelmRelease that released them.
    assert.equal(deployment!.fields[0].origin?.file, 'envs/dev/release.yaml');
    const text = textReport([report], { color: false });
    assert.match(
      text,
      /Deployment apps\/web .*replicas: git 2, live 5 \(kubectl-scale.*\(web\/templates\/deployment\.yaml\)/,
    );
  });

  it('says git values are not yet applied (pointing at the values line) and why: the failed upgrade', async () => {
    const failed = releaseRecord(
      release(2, 'failed', {
        info: {
          status: 'failed',
          last_deployed: '2026-12-06T14:02:00Z',
          description: 'Upgrade "web" failed: bad manifest',
        },
      }),
      'Secret',
    );
    const changed = HELMRELEASE.replace('replicas: 2', 'replicas: 3');
    const deployed = releaseRecord(
      { ...release(1, 'deployed'), config: { replicas: 2, token: SECRET_MARK, extra: RELEASE_ONLY_MARK } },
      'Secret',
    );
    const report = await check([deployed, failed, ...liveObjects(), liveHelmRelease({}, changed)], changed);
    const app = report.applications.find((a) => a.kind === 'helm')!;
    assert.equal(app.release?.revision, 1, 'compared with the deployed revision, not the failed one');
    assert.equal(app.release?.latest?.status, 'failed');
    assert.equal(app.release?.git?.values, 'differs');
    const problem = report.problems.find((p) => p.code === 'helm-release-not-applied');
    assert.equal(
      problem?.message,
      'HelmRelease apps/web: values in git differ from the deployed release (revision 1; since 2026-12-06 14:02Z, upgrade failed: Upgrade "web" failed: bad manifest)',
    );
    assert.deepEqual(problem?.location, { file: 'envs/dev/release.yaml', line: 14, column: 3 });
    // Values are never shown: not in the text, not in the JSON.
    const out = textReport([report], { color: false }) + JSON.stringify(jsonReport([report]));
    assert.ok(!out.includes(RELEASE_ONLY_MARK));
    assert.match(out, /values in git differ from the deployed release .*envs\/dev\/release\.yaml:14/);
  });

  it('masks the values of a Secret the chart made, as any Secret', async () => {
    const withSecret =
      manifest +
      '---\n# Source: web/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: web-db\ndata:\n  password: ' +
      Buffer.from('marker-chart-password').toString('base64') +
      '\n';
    const rec = releaseRecord({ ...release(1, 'deployed'), manifest: withSecret }, 'Secret');
    const liveSecret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web-db', namespace: 'apps' },
      data: { password: Buffer.from('marker-live-password').toString('base64') },
    };
    const report = await check([rec, ...liveObjects(), liveSecret, liveHelmRelease()]);
    const secret = report.resources.find((r) => r.key.kind === 'Secret' && r.key.name === 'web-db');
    assert.equal(secret?.verdict, 'Drifted');
    assert.equal(secret?.fields[0].secret, true);
    const out = textReport([report], { color: false }) + JSON.stringify(jsonReport([report]));
    for (const mark of ['marker-chart-password', 'marker-live-password'])
      for (const form of [mark, Buffer.from(mark).toString('base64')]) assert.ok(!out.includes(form), form);
  });

  it('finds a release Helm stored with its ConfigMap driver', async () => {
    const report = await check([
      releaseRecord(release(1, 'deployed'), 'ConfigMap'),
      ...liveObjects(),
      liveHelmRelease(),
    ]);
    const app = report.applications.find((a) => a.kind === 'helm')!;
    assert.equal(app.state, 'rendered', app.message);
    assert.equal(app.release?.revision, 1);
    assert.deepEqual(
      report.resources.filter((r) => r.application === 'HelmRelease apps/web').map((r) => r.verdict),
      ['InSync', 'InSync'],
    );
  });

  it('reports a release that is not installed, and a HelmRelease the cluster lacks, without failing the check', async () => {
    const report = await check([...liveObjects()]);
    assert.equal(report.error, null);
    const app = report.applications.find((a) => a.kind === 'helm')!;
    assert.equal(app.state, 'failed');
    assert.match(app.message ?? '', /release 'web' is not installed: no Helm release records in apps/);
    assert.equal(app.release?.controller?.found, false);
  });
});

describe('git HelmRelease against the release', () => {
  const record = (config: Record<string, unknown>, version = '1.2.0'): HelmReleaseRecord =>
    decodeReleaseRecord(
      releaseRecord({ ...release(1, 'deployed'), config, chart: { metadata: { name: 'web', version } } }, 'Secret'),
    );
  const git = (spec: Record<string, unknown>): RenderedObject => ({
    object: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'web' }, spec },
    key: { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', namespace: 'apps', name: 'web' },
    origins: new Map([['/spec/values', { file: 'r.yaml', line: 9, column: 3, kind: 'resource' as const }]]),
    source: { file: 'r.yaml', line: 1, column: 1 },
  });

  it('compares values exactly without valuesFrom, and only git’s own leaves with it', () => {
    const deployed = record({ a: { b: 1 }, list: [1, 2] });
    const cmp = (spec: Record<string, unknown>) => compareGitWithRelease(git(spec), [deployed], deployed, undefined);
    assert.equal(cmp({ values: { a: { b: 1 }, list: [1, 2] } }).values, 'same');
    assert.equal(cmp({ values: { a: { b: 1 } } }).values, 'differs');
    assert.equal(cmp({ values: { a: { b: 1 } }, valuesFrom: [{ kind: 'ConfigMap', name: 'x' }] }).values, 'same');
    assert.equal(cmp({ values: { list: [1] }, valuesFrom: [{ kind: 'Secret', name: 'x' }] }).values, 'differs');
    assert.equal(compareGitWithRelease(git({}), [record({})], record({}), undefined).values, 'same');
  });

  it('compares an exact chart version, and leaves a range alone', () => {
    const deployed = record({}, '1.2.0');
    const cmp = (version: string) =>
      compareGitWithRelease(git({ chart: { spec: { version } } }), [deployed], deployed, undefined);
    assert.equal(cmp('1.2.0').chart, 'same');
    const newer = cmp('1.3.0');
    assert.equal(newer.chart, 'differs');
    assert.equal(
      newer.message,
      'chart version (git 1.3.0, deployed 1.2.0) in git differs from the deployed release (revision 1)',
    );
    assert.equal(cmp('1.x').chart, 'range');
  });

  it('hides the release values Helm quotes in a failed upgrade description (8 characters or more)', () => {
    const deployed = record({ host: 'db.internal.example', port: 5432 });
    const failed = decodeReleaseRecord(
      releaseRecord(
        {
          ...release(2, 'failed'),
          info: { status: 'failed', description: 'Upgrade "web" failed: cannot resolve db.internal.example:5432' },
          config: { host: 'db.internal.example', port: 5432 },
        },
        'Secret',
      ),
    );
    const out = compareGitWithRelease(git({ values: { host: 'other' } }), [failed, deployed], deployed, undefined);
    assert.match(out.message!, /upgrade failed: Upgrade "web" failed: cannot resolve \(value hidden\):5432\)$/);
  });

  it('says why when the HelmRelease is not ready, and one line per release', () => {
    const deployed = record({ a: 1 });
    const out = compareGitWithRelease(git({ values: { a: 2 } }), [deployed], deployed, {
      ready: {
        status: 'False',
        reason: 'InstallFailed',
        message: 'timeout',
        lastTransitionTime: '2026-12-06T09:30:00Z',
      },
      suspended: false,
      driftDetection: 'disabled',
      history: [],
      observed: true,
    });
    assert.match(out.message!, /since 2026-12-06 09:30Z, HelmRelease not ready \(InstallFailed\): timeout\)$/);
    assert.equal(shortTime('2026-12-06T14:02:05.123456789Z'), '2026-12-06 14:02Z');
    assert.equal(
      describeRelease({
        releaseName: 'web',
        namespace: 'apps',
        storageNamespace: 'apps',
        found: true,
        revision: 2,
        status: 'deployed',
        chart: 'web',
        chartVersion: '1.2.0',
        lastDeployed: '2026-12-06T14:02:00Z',
        controller: {
          kind: 'HelmRelease',
          name: 'web',
          namespace: 'apps',
          found: true,
          ready: { status: 'True' },
          suspended: false,
          driftDetection: 'warn',
          history: [],
          observed: true,
        },
      }),
      'web 1.2.0, revision 2 deployed 2026-12-06 14:02Z; HelmRelease ready, drift detection warn',
    );
  });
});
