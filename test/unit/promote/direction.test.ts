import assert from 'node:assert/strict';
import { Classifier, namesEnvironment, type DifferenceFacts } from '../../../src/core/promote/classify';
import { humanPath } from '../../../src/core/promote/flatten';
import { parseImageRef } from '../../../src/core/promote/imageRef';
import { earlierStages, nextEnvironment } from '../../../src/core/promote/promotionOrder';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { folderApplication } from '../../../src/core/model/environment';
import { renderEnvironmentWith, verifyEnvironments } from '../../../src/core/promote/verifyPromotion';
import { compareTags, imageDirection } from '../../../src/core/promote/versionOrder';
import type { RenderedObject, RenderResult } from '../../../src/core/render/types';

describe('promote: version order', () => {
  const cases: [a: string, b: string, order: number | undefined][] = [
    ['1.4.0', '1.5.0', -1],
    ['3.0', '2.0', 1],
    ['v1.10.0', 'v1.9.3', 1],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.0-rc.2', '2.0.0-rc.10', -1],
    ['1.4.0+build.7', '1.4.0+build.9', 0],
    ['2026-11-01', '2026-10-30', 1],
    ['release-20261101-2', 'release-20261101-10', -1],
    ['2026.11.01', '2026-11-02', -1],
    ['latest', '1.0.0', undefined],
    ['2026-11-01', '1.0.0', undefined],
    ['main-4f3c2a1', 'main-9e8d7c6', undefined],
  ];
  for (const [a, b, order] of cases) it(`${a} vs ${b}: ${order}`, () => assert.equal(compareTags(a, b), order));

  it('orders a digest by the tag it was pushed under; digests alone, or one tag pushed twice, cannot be ordered', () => {
    const at = (ref: string) => parseImageRef(ref);
    assert.deepEqual(imageDirection(at('web:3.0@sha256:aaaa'), at('web:2.0@sha256:bbbb')), {
      direction: 'downgrade',
      text: '3.0 → 2.0',
    });
    assert.deepEqual(imageDirection(at('web:1.4.0'), at('web:1.5.0@sha256:bbbb')), {
      direction: 'upgrade',
      text: '1.4.0 → 1.5.0',
    });
    assert.equal(imageDirection(at('web@sha256:aaaa'), at('web@sha256:bbbb')).direction, 'unknown');
    assert.equal(imageDirection(at('web:1.4.0@sha256:aaaa'), at('web:1.4.0@sha256:bbbb')).direction, 'unknown');
    assert.equal(imageDirection(at('web:1.4.0'), at('web:1.4.0')).direction, 'same');
  });
});

describe('promote: promotion order with regions side by side', () => {
  const inferred = [['dev', 'staging-eu', 'staging-us', 'prod-asia', 'prod-eu', 'prod-us']];

  it('goes to the next stage, the same region first, never to a sibling of the same stage', () => {
    assert.equal(nextEnvironment(inferred, 'dev'), 'staging-eu');
    assert.equal(nextEnvironment(inferred, 'staging-eu'), 'prod-eu');
    assert.equal(nextEnvironment(inferred, 'staging-us'), 'prod-us');
    assert.equal(nextEnvironment(inferred, 'prod-eu'), undefined);
  });

  it("takes the next stage's first environment when no region matches, and follows chains without stage words in order", () => {
    assert.equal(nextEnvironment([['dev', 'staging-eu', 'prod-asia', 'prod-us']], 'staging-eu'), 'prod-asia');
    assert.equal(nextEnvironment([['alpha', 'beta', 'gamma']], 'alpha'), 'beta');
  });

  it("the earlier stages leave out the environment's own siblings", () => {
    assert.deepEqual(earlierStages(inferred, 'prod-eu'), ['dev', 'staging-eu', 'staging-us']);
    assert.deepEqual(earlierStages(inferred, 'staging-us'), ['dev']);
    assert.deepEqual(earlierStages(inferred, 'dev'), []);
  });
});

describe('promote: classification', () => {
  const facts = (over: Partial<DifferenceFacts>): DifferenceFacts => ({
    label: 'web: containers[web].env[LOG_LEVEL]',
    pointer: '/spec/template/spec/containers/0/env/1/value',
    objectKind: 'Deployment',
    isImage: false,
    source: { env: 'staging', value: 'debug' },
    target: { env: 'prod', value: 'info' },
    elsewhere: new Map([
      ['dev', 'debug'],
      ['staging', 'debug'],
    ]),
    earlierStages: ['dev', 'staging'],
    ...over,
  });

  it('a value the earlier stages agree on moves; one they disagree on stays, naming them', () => {
    assert.deepEqual(new Classifier().classify(facts({})), {
      class: 'release',
      moves: true,
      reason: "the same in dev, staging: a release's config, moves",
    });
    assert.deepEqual(
      new Classifier().classify(
        facts({
          elsewhere: new Map([
            ['dev', 'trace'],
            ['staging', 'debug'],
          ]),
        }),
      ),
      {
        class: 'differs',
        moves: false,
        reason: 'differs between the earlier stages (staging, dev): left out',
      },
    );
  });

  it('a value the target overrides in its own files, where the source takes the shared one, stays', () => {
    assert.deepEqual(new Classifier().classify(facts({ targetOverrides: true })), {
      class: 'targetOverride',
      moves: false,
      reason: 'prod sets its own value, staging takes the shared one: left out',
    });
  });

  it('promote.keep and promote.move in the config override the built-in classes; keep wins', () => {
    const policy = new Classifier({
      move: ['*: containers[*].env[API_URL]'],
      keep: ['web: containers[web].env[LOG_*]'],
    });
    assert.equal(policy.classify(facts({})).moves, false);
    assert.match(policy.classify(facts({})).reason, /promote\.keep/);
    const url = facts({
      label: 'web: containers[web].env[API_URL]',
      elsewhere: new Map([
        ['dev', 'https://a.example'],
        ['staging', 'https://b.example'],
        ['prod-us', 'https://c.example'],
      ]),
    });
    assert.equal(new Classifier().classify(url).class, 'perEnvironment');
    assert.deepEqual(policy.classify(url), {
      class: 'configured',
      moves: true,
      reason: 'moves by promote.move in .gitops-drift.yaml',
    });
  });

  it('recognises values that name their environment', () => {
    assert.equal(namesEnvironment('staging-eu', 'staging-eu'), true);
    assert.equal(namesEnvironment('production', 'prod-eu'), true);
    assert.equal(namesEnvironment('https://api.eu.example.com', 'prod-eu'), true);
    assert.equal(namesEnvironment('non-prod', 'staging-eu'), false);
    assert.equal(namesEnvironment('debug', 'dev'), false);
  });

  it('labels fields as people read them', () => {
    assert.equal(
      humanPath('/spec/template/spec/containers/[web]/env/[LOG_LEVEL]/value'),
      'containers[web].env[LOG_LEVEL]',
    );
    assert.equal(humanPath('/spec/replicas'), 'replicas');
    assert.equal(humanPath('/data/app.properties'), 'data.app.properties');
    assert.equal(humanPath('/spec/jobTemplate/spec/template/spec/containers/[job]/args/0'), 'containers[job].args[0]');
    assert.equal(humanPath('/metadata/annotations/example.com~1owner'), 'metadata.annotations.example.com/owner');
  });
});

describe('promote: re-render every environment before committing', () => {
  const obj = (name: string, image: string): RenderedObject => ({
    object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name }, spec: { image } },
    key: { group: 'apps', kind: 'Deployment', namespace: '', name },
    origins: new Map(),
    source: { file: 'x.yaml', line: 1, column: 1 },
  });
  const result = (objects: RenderedObject[]): RenderResult => ({ root: '', objects, problems: [], files: [] });
  const before = [
    { name: 'prod-eu', objects: [obj('web', '1.0')] },
    { name: 'prod-asia', objects: [obj('web', '1.0'), obj('api', '1.0')] },
    { name: 'prod-us', objects: [obj('web', '1.0')] },
  ];

  it('accepts the target and the environments the user accepted, refuses any other that changes', async () => {
    const after: Record<string, RenderResult> = {
      'prod-eu': result([obj('web', '2.0')]),
      'prod-asia': result([obj('api', '1.0'), obj('web', '1.0')]),
      'prod-us': result([obj('web', '2.0')]),
    };
    const check = await verifyEnvironments(before, ['prod-eu'], (n) => Promise.resolve(after[n]));
    // prod-asia's objects came back in another order: the same environment.
    assert.deepEqual(check, {
      changed: ['prod-eu', 'prod-us'],
      unaccepted: ['prod-us would change too, and that was not accepted'],
    });
    assert.deepEqual(
      (await verifyEnvironments(before, ['prod-eu', 'prod-us'], (n) => Promise.resolve(after[n]))).unaccepted,
      [],
    );
  });

  it('an environment that no longer renders counts as changed', async () => {
    const check = await verifyEnvironments(before.slice(0, 2), ['prod-eu'], (n) =>
      n === 'prod-asia' ? Promise.reject(new Error('bad yaml')) : Promise.resolve(result([obj('web', '2.0')])),
    );
    assert.deepEqual(check.unaccepted, ['prod-asia would no longer render, and that was not accepted']);
  });
});

describe('promote: rendering an environment with the edits', () => {
  const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
  const env = (paths: string[]) => ({
    name: 'prod',
    path: paths[0],
    source: 'config' as const,
    applications: paths.map((p) => folderApplication(p, p)),
  });

  it('joins its applications, leaves out one that does not render, and throws only when none renders', async () => {
    const fs = new MemoryFileSystem({
      '/repo/a/kustomization.yaml': 'resources: [cm.yaml]\n',
      '/repo/a/cm.yaml': cm('a'),
      '/repo/b/kustomization.yaml': 'resources: [missing.yaml]\n',
    });
    const result = await renderEnvironmentWith(env(['a', 'b']), fs, '/repo');
    assert.deepEqual(
      result.objects.map((o) => o.key.name),
      ['a'],
    );
    await assert.rejects(renderEnvironmentWith(env(['b']), fs, '/repo'), /missing\.yaml/);
  });
});
