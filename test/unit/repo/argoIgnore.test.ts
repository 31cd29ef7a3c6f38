import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { KubeObject } from '../../../src/core/model/resource';
import { jqPath } from '../../../src/core/repo/argoIgnore';
import { ignoringRule } from '../../../src/core/drift/ignore';
import { textReport } from '../../../src/core/drift/textReport';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { FakeReader, types } from './fakes';
import { argoApplication, argoApplicationIn } from '../../support/argoApplication';

const application = [
  'apiVersion: argoproj.io/v1alpha1', // 1
  'kind: Application', // 2
  'metadata:', // 3
  '  name: guestbook', // 4
  '  namespace: argocd', // 5
  'spec:', // 6
  '  destination:', // 7
  '    namespace: guestbook', // 8
  '    server: https://kubernetes.default.svc', // 9
  '  source:', // 10
  '    repoURL: https://github.com/example/apps.git', // 11
  '    path: guestbook', // 12
  '  ignoreDifferences:', // 13
  '    - group: apps', // 14
  '      kind: Deployment', // 15
  '      jsonPointers:', // 16
  '        - /spec/replicas', // 17
  '    - group: apps', // 18
  '      kind: Deployment', // 19
  '      name: guestbook-ui', // 20
  '      jqPathExpressions:', // 21
  '        - .spec.template.spec.containers[].image', // 22
  '        - .spec.template.spec.containers[] | select(.name == "sidecar")', // 23
  '    - kind: Deployment', // 24: no group = the core group in Argo CD: matches no apps/Deployment
  '      jsonPointers:', // 25
  '        - /metadata/annotations', // 26
  '',
].join('\n');

const argocdCm = [
  'apiVersion: v1', // 1
  'kind: ConfigMap', // 2
  'metadata:', // 3
  '  name: argocd-cm', // 4
  '  namespace: argocd', // 5
  'data:', // 6
  '  resource.customizations.ignoreDifferences.apps_Deployment: |', // 7
  '    jsonPointers:', // 8
  '    - /metadata/labels/team', // 9
  '  resource.customizations.ignoreDifferences.all: |', // 10
  '    managedFieldsManagers:', // 11
  '    - vpa-recommender', // 12
  '',
].join('\n');

const deployment = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: guestbook-ui',
  '  labels:',
  '    team: web',
  '  annotations:',
  '    note: from-git',
  'spec:',
  '  replicas: 1',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: guestbook-ui',
  '          image: gcr.io/heptio-images/ks-guestbook-demo:0.2',
  '',
].join('\n');

function repo(): MemoryFileSystem {
  return new MemoryFileSystem({
    '/r/apps/guestbook.yaml': application,
    '/r/argocd/argocd-cm.yaml': argocdCm,
    '/r/guestbook/guestbook-ui-deployment.yaml': deployment,
  });
}

function live(edits: { replicas?: number; image?: string; team?: string; note?: string }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'guestbook-ui',
      namespace: 'guestbook',
      labels: { team: edits.team ?? 'web' },
      annotations: { note: edits.note ?? 'from-git' },
    },
    spec: {
      replicas: edits.replicas ?? 1,
      template: {
        spec: {
          containers: [{ name: 'guestbook-ui', image: edits.image ?? 'gcr.io/heptio-images/ks-guestbook-demo:0.2' }],
        },
      },
    },
  };
}

describe('Argo CD ignoreDifferences', () => {
  it('reads the jq path subset exactly and refuses the rest', () => {
    assert.deepEqual(jqPath('.spec.replicas'), ['spec', 'replicas']);
    assert.deepEqual(jqPath('.metadata.annotations["argocd.argoproj.io/x"]'), [
      'metadata',
      'annotations',
      'argocd.argoproj.io/x',
    ]);
    assert.deepEqual(jqPath('.a."b-c".[0][]'), ['a', 'b-c', '0', null]);
    for (const unsupported of [
      '.',
      '.a | .b',
      '.a[] | select(.name == "x")',
      '.a[-1]',
      '.a[1:2]',
      '..',
      '.a?',
      '.a-b',
      'a.b',
      '.a["\\(x)"]',
    ])
      assert.equal(jqPath(unsupported), undefined, unsupported);
  });

  it('matches as Argo CD does: literal `*` in pointers, `[]` any one element, core group when none is given', () => {
    const key = { group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web' };
    const literal = [
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/metadata/labels/*'], literalPointers: true },
    ];
    assert.equal(ignoringRule(literal, key, ['/metadata/labels/team'], []), undefined);
    assert.ok(ignoringRule(literal, key, ['/metadata/labels/*'], []));
    const any = [{ group: 'apps', kind: 'Deployment', paths: [['spec', 'containers', null, 'image']] }];
    assert.ok(ignoringRule(any, key, ['/spec/containers/3/image'], []));
    assert.equal(ignoringRule(any, key, ['/spec/containers/3/name'], []), undefined);
    assert.equal(
      ignoringRule([{ group: '', kind: 'Deployment', jsonPointers: ['/spec'] }], key, ['/spec'], []),
      undefined,
    );
  });

  it("an Application's ignoreDifferences and argocd-cm's hide exactly their fields, each at its rule's line", async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
    const model = await engine.repo();
    const env = argoApplicationIn(model.environments, 'guestbook');
    // The unsupported jq expression: a warning on its own line, and not ignored.
    const jqProblem = model.problems.find((p) => p.message.includes('not supported'));
    assert.ok(jqProblem, model.problems.map((p) => p.message).join('; '));
    assert.equal(jqProblem.location?.file, 'apps/guestbook.yaml');
    assert.equal(jqProblem.location?.line, 23);
    assert.match(jqProblem.message, /not supported: \.spec\.template\.spec\.containers\[\] \| select/);

    const reader = new FakeReader(
      [live({ replicas: 5, image: 'gcr.io/heptio-images/ks-guestbook-demo:0.3', team: 'ops', note: 'by-hand' })],
      types,
    );
    const report = await engine.check(env, { reader, context: 'test' });
    const [web] = report.resources.filter((r) => r.key.name === 'guestbook-ui');
    // Replicas, image and the team label are ignored; the annotation's rule has no group (the core group): drift.
    assert.deepEqual(
      web.fields.map((f) => f.path),
      ['/metadata/annotations/note'],
    );
    const ignored = Object.fromEntries((web.ignored ?? []).map((i) => [i.path, `${i.rule?.file}:${i.rule?.line}`]));
    assert.deepEqual(ignored, {
      '/spec/replicas': 'apps/guestbook.yaml:14',
      '/spec/template/spec/containers/0/image': 'apps/guestbook.yaml:18',
      '/metadata/labels/team': 'argocd/argocd-cm.yaml:7',
    });
    const text = textReport([report], { verbose: true });
    assert.match(text, /ignored: spec\.replicas +apps\/guestbook\.yaml:14/);
    const json = jsonReport([report]);
    const jsonIgnored = json.environments[0].resources.find((r) => r.ignored)?.ignored;
    assert.equal(jsonIgnored?.length, 3);
  });

  it('argocd-cm managedFieldsManagers (the `all` key) hide what those managers own', async () => {
    const engine = new DriftEngine({ fs: repo(), repoRoot: '/r' });
    const env = await argoApplication(engine, 'guestbook');
    const object = live({ note: 'by-vpa' });
    object.metadata.managedFields = [
      {
        manager: 'vpa-recommender',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:annotations': { 'f:note': {} } } },
      },
    ];
    const report = await engine.check(env, { reader: new FakeReader([object], types), context: 'test' });
    const [web] = report.resources.filter((r) => r.key.name === 'guestbook-ui');
    assert.deepEqual(web.fields, []);
    assert.deepEqual(
      web.ignored?.map((i) => `${i.path} ${i.rule?.file}:${i.rule?.line}`),
      ['/metadata/annotations/note argocd/argocd-cm.yaml:10'],
    );
  });

  it('argocd-cm: a jq expression it cannot take is reported on its own line inside the block, a bad key at the key', async () => {
    const cm = [
      'apiVersion: v1', // 1
      'kind: ConfigMap', // 2
      'metadata:', // 3
      '  name: argocd-cm', // 4
      'data:', // 5
      '  resource.customizations.ignoreDifferences.admissionregistration.k8s.io_MutatingWebhookConfiguration: |', // 6
      '    jqPathExpressions:', // 7
      '    - .webhooks[]?.clientConfig.caBundle', // 8
      '    - .webhooks[].clientConfig.caBundle', // 9
      '  resource.customizations.ignoreDifferences.apps_Deploy_ment: |', // 10
      '    jsonPointers: [/spec]', // 11
      '',
    ].join('\n');
    const fs = repo();
    fs.write('/r/argocd/argocd-cm.yaml', cm);
    const engine = new DriftEngine({ fs, repoRoot: '/r' });
    const model = await engine.repo();
    const cmProblems = model.problems
      .filter((p) => p.location?.file === 'argocd/argocd-cm.yaml')
      .map((p) => `${p.location?.line}: ${p.message}`);
    assert.equal(cmProblems.length, 2, cmProblems.join('\n'));
    assert.match(cmProblems[0], /^8: jqPathExpressions: not supported: \.webhooks\[\]\?\.clientConfig\.caBundle/);
    assert.match(cmProblems[1], /^10: .*must end in <group>_<kind>, <kind> or all/);
    const env = argoApplicationIn(model.environments, 'guestbook');
    const rule = env.ignore?.find((r) => r.kind === 'MutatingWebhookConfiguration');
    assert.equal(rule?.group, 'admissionregistration.k8s.io');
    assert.deepEqual(rule?.paths, [['webhooks', null, 'clientConfig', 'caBundle']]);
    assert.equal(rule?.definedAt?.line, 6);
  });
});
