import { strict as assert } from 'node:assert';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { driftOptions } from '../../../src/core/drift/options';
import { reconcileDetailed } from '../../../src/core/drift/reconcile';
import { sarifReport } from '../../../src/core/drift/sarifReport';
import { textReport } from '../../../src/core/drift/textReport';
import { diffPairs, unifiedDiff } from '../../../src/core/drift/unifiedDiff';
import type { EnvironmentDrift } from '../../../src/core/model/drift';
import { liveState, recorded, renderedFromYaml, testdata } from './support';

const desired = [
  ...renderedFromYaml('envs/dev/web.yaml', testdata('desired/web.yaml')),
  ...renderedFromYaml('envs/dev/nightly.yaml', testdata('desired/nightly.yaml')),
];
const live = liveState(
  [
    recorded('live/web-scaled-by-hand.json'),
    recorded('recorded/object-service-dev-web.json'),
    recorded('live/web-config-edited-by-hand.json'),
    recorded('live/nightly-suspended-by-hand.json'),
    recorded('live/db-secret-edited-by-hand.json'),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'old', namespace: 'dev', labels: { 'gitops-drift.io/environment': 'dev' } },
      spec: { rules: [] },
    },
  ],
  [['networking.k8s.io', 'Ingress', 'dev']],
);
const options = driftOptions({
  appliers: ['kustomize-controller'],
  tracking: { labels: { 'gitops-drift.io/environment': 'dev' } },
});
const details = reconcileDetailed(desired, live, options);
const envs: EnvironmentDrift[] = [
  {
    name: 'dev',
    path: 'envs/dev',
    context: 'dev-cluster',
    namespace: 'dev',
    error: null,
    resources: details.map((d) => d.result),
  },
  {
    name: 'prod',
    path: 'envs/prod',
    context: 'prod',
    error: 'the cluster at https://10.0.0.1:6443 is unreachable: connect ECONNREFUSED',
    resources: [],
  },
];
const PLAIN = ['s3cr3t-Pa55', 'hunter2-Changed', 'tok-Zq9'];

function assertNoPlain(value: unknown): void {
  const text = JSON.stringify(value);
  for (const p of PLAIN) assert.ok(!text.includes(p) && !text.includes(Buffer.from(p).toString('base64')), p);
}

describe('reports', () => {
  it('text: one aligned line per finding, with the git line, then a summary per environment', () => {
    const text = textReport(envs);
    const lines = text.trimEnd().split('\n');
    assert.match(
      lines[0],
      /^dev +Deployment dev\/web +replicas: git 2, live 5 \(kubectl-scale, 2026-11-22 16:01Z\) +envs\/dev\/web\.yaml:11$/,
    );
    assert.ok(
      lines.some((l) =>
        /^dev +ConfigMap dev\/web-config +data\.LOG_LEVEL: git info, live debug \(kubectl-edit, .*\) +envs\/dev\/web\.yaml:59$/.test(
          l,
        ),
      ),
    );
    assert.ok(
      lines.some((l) =>
        /^dev +ConfigMap dev\/web-config +labels\.team: not in git, live payments \(kubectl-label, .*\) +envs\/dev\/web\.yaml:55$/.test(
          l,
        ),
      ),
    );
    assert.ok(lines.some((l) => /^dev +Ingress dev\/web +missing from the cluster +envs\/dev\/web\.yaml:61$/.test(l)));
    assert.ok(
      lines.some((l) =>
        /^dev +CronJob dev\/nightly +suspend: not in git, live true \(kubectl-patch, .*\) +envs\/dev\/nightly\.yaml:8$/.test(
          l,
        ),
      ),
    );
    assert.ok(
      lines.some((l) =>
        /^dev +Secret dev\/db +stringData\.password: secret value differs \(kubectl-edit, .*\) +envs\/dev\/nightly\.yaml:30$/.test(
          l,
        ),
      ),
    );
    assert.ok(lines.some((l) => /^dev +Ingress dev\/old +in the cluster, not in git$/.test(l)));
    assert.ok(lines.some((l) => /^prod +error: the cluster at https:\/\/10\.0\.0\.1:6443 is unreachable/.test(l)));
    // The location column lines up.
    const columns = lines.filter((l) => / {3}envs\//.test(l)).map((l) => l.indexOf('   envs/'));
    assert.equal(new Set(columns).size, 1, text);
    assert.equal(lines.at(-2), 'dev: 1 in sync, 4 drifted (6 fields), 1 missing, 1 extra');
    assert.equal(lines.at(-1), 'prod: error');
    for (const p of PLAIN) assert.ok(!text.includes(p));
    // Colour only when asked.
    assert.ok(!text.includes('\u001b['));
    assert.ok(textReport(envs, { color: true }).includes('\u001b[33m'));
  });

  it('JSON: the documented shape, every rendered object once, null for absent values', () => {
    const doc = JSON.parse(JSON.stringify(jsonReport(envs)));
    assert.equal(doc.schemaVersion, 1);
    const [dev, prod] = doc.environments;
    assert.deepEqual(Object.keys(dev), [
      'name',
      'path',
      'context',
      'namespace',
      'error',
      'noCluster',
      'state',
      'summary',
      'states',
      'incomplete',
      'problems',
      'applications',
      'resources',
    ]);
    assert.deepEqual([dev.name, dev.path, dev.context, dev.error], ['dev', 'envs/dev', 'dev-cluster', null]);
    assert.equal(dev.resources.length, desired.length + 1);
    const web = dev.resources[0];
    assert.deepEqual(
      { apiVersion: web.apiVersion, kind: web.kind, namespace: web.namespace, name: web.name, verdict: web.verdict },
      { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'dev', name: 'web', verdict: 'Drifted' },
    );
    assert.deepEqual(web.fields[0], {
      path: '/spec/replicas',
      livePath: null,
      label: 'spec.replicas',
      desired: 2,
      live: 5,
      secret: false,
      cause: null,
      origin: { file: 'envs/dev/web.yaml', line: 11, column: 13, kind: 'resource' },
      changedBy: { manager: 'kubectl-scale', operation: 'Update', time: '2026-11-22T16:01:10Z' },
    });
    const suspend = dev.resources.find((r: { kind: string }) => r.kind === 'CronJob').fields[0];
    assert.deepEqual([suspend.desired, suspend.live, suspend.cause], [null, true, 'outOfBand']);
    assert.deepEqual(dev.summary, { Drifted: 4, InSync: 1, Missing: 1, Extra: 1 });
    // The states, in the one vocabulary: missing is not counted as drifted.
    assert.deepEqual(dev.states, { inSync: 1, drifted: 4, missing: 1, extra: 1 });
    assert.equal(dev.state, 'missing');
    assert.equal(web.state, 'drifted');
    assert.equal(dev.resources.find((r: { verdict: string }) => r.verdict === 'Missing').state, 'missing');
    assert.deepEqual([prod.state, prod.noCluster], ['error', false]);
    assert.deepEqual(dev.problems, []);
    assert.equal('message' in web, false);
    assert.equal(prod.error, envs[1].error);
    for (const p of PLAIN) assert.ok(!JSON.stringify(doc).includes(p));
  });

  it('--only-drifted: only the environments and objects that need attention, counts of them all', () => {
    const calm: EnvironmentDrift = {
      name: 'calm',
      path: 'envs/calm',
      context: 'c',
      error: null,
      resources: [{ ...envs[0].resources[0], verdict: 'InSync', fields: [] }],
    };
    const all = [...envs, calm];
    const doc = JSON.parse(JSON.stringify(jsonReport(all, [], { onlyProblems: true })));
    assert.deepEqual(
      doc.environments.map((e: { name: string }) => e.name),
      ['dev', 'prod'],
    );
    const [dev] = doc.environments;
    assert.ok(dev.resources.length > 0);
    assert.ok(dev.resources.every((r: { state: string }) => r.state !== 'inSync'));
    assert.equal(dev.states.inSync, 1, 'the counts still cover the in-sync object');
    const text = textReport(all, { onlyProblems: true, verbose: true });
    assert.doesNotMatch(text, /^calm/m);
    assert.doesNotMatch(text, / in sync$/m, 'no in-sync rows, even with --verbose');
    assert.match(text, /^dev: 1 in sync, 4 drifted/m);
    assert.match(textReport(all), /^calm: 1 in sync$/m);
  });

  it('SARIF 2.1.0: one result per drifted field at its git line, rules for every kind of finding', () => {
    const log = sarifReport(envs, { version: '0.1.0' }) as {
      version: string;
      runs: { tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[] }[];
    };
    assert.equal(log.version, '2.1.0');
    const [run] = log.runs;
    const ids = run.tool.driver.rules.map((r) => r.id);
    for (const r of run.results) assert.ok(ids.includes(r.ruleId as string));
    assert.equal(run.results.filter((r) => r.ruleId === 'drift/field').length, 6);
    const replicas = run.results[0] as {
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } };
      }[];
      partialFingerprints: Record<string, string>;
    };
    assert.deepEqual(replicas.locations[0].physicalLocation.artifactLocation.uri, 'envs/dev/web.yaml');
    assert.deepEqual(replicas.locations[0].physicalLocation.region, { startLine: 11, startColumn: 13 });
    assert.match(replicas.partialFingerprints['gitopsDrift/v1'], /^[0-9a-f]{32}$/);
    assert.deepEqual(
      run.results.map((r) => r.ruleId).filter((id) => id !== 'drift/field'),
      ['drift/missing', 'drift/extra', 'drift/unchecked'],
    );
    const extra = run.results.find((r) => r.ruleId === 'drift/extra') as { locations: Record<string, unknown>[] };
    assert.equal(extra.locations[0].physicalLocation, undefined);
    for (const p of PLAIN) assert.ok(!JSON.stringify(log).includes(p));
  });

  it('JSON and SARIF carry the related lines of a value (where a Flux postBuild variable is defined)', () => {
    const withVariable: EnvironmentDrift = {
      name: 'prod',
      path: 'clusters/prod',
      context: 'prod',
      error: null,
      resources: [
        {
          apiVersion: 'v1',
          key: { group: '', kind: 'ConfigMap', namespace: 'shop', name: 'web' },
          verdict: 'Drifted',
          source: { file: 'apps/web.yaml', line: 1, column: 1 },
          fields: [
            {
              path: '/data/url',
              desired: 'https://shop.example.com/',
              live: 'https://hand.example/',
              origin: {
                file: 'apps/web.yaml',
                line: 6,
                column: 8,
                kind: 'resource',
                related: [
                  {
                    location: { file: 'config/settings.yaml', line: 7, column: 3 },
                    message: '${DOMAIN} is set by ConfigMap cluster-settings',
                  },
                ],
              },
            },
            {
              path: '/data/level',
              desired: 'info',
              live: 'debug',
              origin: { file: 'apps/web.yaml', line: 7, column: 10, kind: 'resource' },
            },
          ],
        },
      ],
    };
    const [field, plain] = jsonReport([withVariable]).environments[0].resources[0].fields;
    assert.deepEqual(field.origin, {
      file: 'apps/web.yaml',
      line: 6,
      column: 8,
      kind: 'resource',
      related: [
        { file: 'config/settings.yaml', line: 7, column: 3, message: '${DOMAIN} is set by ConfigMap cluster-settings' },
      ],
    });
    assert.equal(plain.origin && 'related' in plain.origin, false, 'no related lines: no related key');
    const log = sarifReport([withVariable], { version: '0.1.0' }) as { runs: { results: Record<string, unknown>[] }[] };
    const [url, level] = log.runs[0].results;
    assert.deepEqual(url.relatedLocations, [
      {
        id: 0,
        physicalLocation: {
          artifactLocation: { uri: 'config/settings.yaml', uriBaseId: 'REPO_ROOT' },
          region: { startLine: 7, startColumn: 3 },
        },
        message: { text: '${DOMAIN} is set by ConfigMap cluster-settings' },
      },
    ]);
    assert.equal(level.relatedLocations, undefined);
  });

  it('unified diff: only what git sets and what drifted, Secret values masked, colour on request', () => {
    const text = unifiedDiff(diffPairs(details, 'dev'));
    assert.match(
      text,
      /^--- git\/dev\.apps\.v1\.Deployment\.dev\.web\n\+\+\+ live\/dev\.apps\.v1\.Deployment\.dev\.web\n@@ /,
    );
    assert.match(text, /\n- {2}replicas: 2\n\+ {2}replicas: 5\n/);
    assert.match(text, /\n\+ {2}suspend: true\n/);
    assert.match(text, /\n- {2}LOG_LEVEL: info\n\+ {2}LOG_LEVEL: debug\n/);
    assert.match(text, /\n\+ {4}team: payments\n/);
    // Missing: all minus; Extra: all plus.
    assert.match(text, /--- git\/dev\.networking\.k8s\.io\.v1\.Ingress\.dev\.web\n\+\+\+ \/dev\/null\n/);
    assert.match(text, /--- \/dev\/null\n\+\+\+ live\/dev\.networking\.k8s\.io\.v1\.Ingress\.dev\.old\n/);
    // No noise: defaults, server fields, status, managedFields.
    for (const noise of [
      'progressDeadlineSeconds',
      'managedFields',
      'resourceVersion',
      'status:',
      'terminationMessagePath',
      'last-applied',
      'uid:',
    ])
      assert.ok(!text.includes(noise), noise);
    assert.match(text, /\n- {2}password: "\(secret: #[0-9a-f]{12}\)"\n\+ {2}password: "\(secret: #[0-9a-f]{12}\)"\n/);
    for (const p of PLAIN) assert.ok(!text.includes(p) && !text.includes(Buffer.from(p).toString('base64')), p);
    // The in-sync Service is not printed.
    assert.ok(!text.includes('v1.Service.dev.web'));
    assert.ok(unifiedDiff(diffPairs(details), { color: true }).includes('\u001b[31m-  replicas: 2'));
  });

  it('every shown side is normalised and masked: a Missing Secret shows no value, an Extra one neither', () => {
    const missing = details.find((d) => d.result.key.kind === 'Ingress' && d.result.verdict === 'Missing');
    assert.ok(missing?.diff?.desired && missing.diff.live === undefined);
    const [secret] = renderedFromYaml('s.yaml', testdata('desired/nightly.yaml')).filter(
      (r) => r.key.kind === 'Secret',
    );
    const extraSecret = {
      ...recorded('live/db-secret.json'),
      metadata: {
        ...recorded('live/db-secret.json').metadata,
        name: 'old-db',
        labels: { 'gitops-drift.io/environment': 'dev' },
      },
    };
    const result = reconcileDetailed([secret], liveState([extraSecret], [['', 'Secret', 'dev']]), options);
    assert.deepEqual(
      result.map((r) => r.result.verdict),
      ['Missing', 'Extra'],
    );
    assert.equal(result[0].diff?.live, undefined);
    assert.equal(result[1].diff?.desired, undefined);
    assertNoPlain(result.map((r) => [r.diff?.desired, r.diff?.live]));
    assert.match(
      String((result[0].diff?.desired?.data as Record<string, string>).password),
      /^\(secret: #[0-9a-f]{12}\)$/,
    );
  });

  it('unified diff: differences that are not drift (controller-owned, ignored) are not printed', () => {
    const [api] = renderedFromYaml('desired/api.yaml', testdata('desired/api.yaml'));
    const state = liveState([recorded('live/api-scaled-by-hpa.json')]);
    const byHpa = reconcileDetailed([api], state, driftOptions({ appliers: ['gitops-tool'] }));
    assert.equal(byHpa[0].result.verdict, 'InSync');
    assert.equal((byHpa[0].diff?.live?.spec as { replicas: number }).replicas, 1);
    const ignored = reconcileDetailed(
      [api],
      state,
      driftOptions({
        appliers: ['gitops-tool'],
        controllerManagers: [],
        ignore: [{ jsonPointers: ['/spec/replicas'] }],
      }),
    );
    assert.equal(unifiedDiff(diffPairs(ignored)), '');
    const shown = reconcileDetailed([api], state, driftOptions({ appliers: ['gitops-tool'], controllerManagers: [] }));
    assert.match(unifiedDiff(diffPairs(shown)), /\n- {2}replicas: 1\n\+ {2}replicas: 4\n/);
  });
});
