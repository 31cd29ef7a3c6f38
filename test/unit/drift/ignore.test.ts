import { strict as assert } from 'node:assert';
import { isIgnored, pointerPatternCovers, ruleMatchesObject } from '../../../src/core/drift/ignore';
import { diffObject } from '../../../src/core/drift/diffObject';
import { driftOptions } from '../../../src/core/drift/options';
import type { KubeObject } from '../../../src/core/model/resource';
import { renderedFromYaml } from './support';

const key = { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web-canary' };

describe('ignore rules', () => {
  it('selects objects by group, kind, name and namespace globs (omitted = any)', () => {
    assert.ok(ruleMatchesObject({}, key));
    assert.ok(ruleMatchesObject({ group: 'apps', kind: 'Deploy*', name: 'web-*', namespace: 'shop-?rod' }, key));
    assert.ok(!ruleMatchesObject({ kind: 'StatefulSet' }, key));
    assert.ok(!ruleMatchesObject({ group: '', kind: 'Deployment' }, key), 'the core group is the empty string');
    assert.ok(!ruleMatchesObject({ name: 'web' }, key), 'globs are anchored');
    assert.ok(!ruleMatchesObject({ name: 'web.canary' }, { ...key, name: 'webxcanary' }), 'a dot is literal');
  });

  it('covers a pointer, its subtree and `*` segments, never a parent or a sibling', () => {
    assert.ok(pointerPatternCovers('/spec/replicas', '/spec/replicas'));
    assert.ok(pointerPatternCovers('/spec/template', '/spec/template/spec/containers/0/image'));
    assert.ok(pointerPatternCovers('/spec/template/spec/containers/*/image', '/spec/template/spec/containers/3/image'));
    assert.ok(pointerPatternCovers('/metadata/annotations/a~1b', '/metadata/annotations/a~1b'));
    assert.ok(!pointerPatternCovers('/spec/replicas', '/spec'));
    assert.ok(!pointerPatternCovers('/spec/replicas', '/spec/replicasX'));
    assert.ok(!pointerPatternCovers('/spec/template/spec/containers/*/image', '/spec/template/spec/containers/0/name'));
  });

  it('matches desired or live pointers, and owners by manager', () => {
    const rules = [
      { kind: 'Deployment', jsonPointers: ['/spec/template/spec/containers/1/image'] },
      { managers: ['vpa-updater'] },
    ];
    assert.ok(
      isIgnored(rules, key, ['/spec/template/spec/containers/0/image', '/spec/template/spec/containers/1/image'], []),
    );
    assert.ok(!isIgnored(rules, key, ['/spec/template/spec/containers/0/image', undefined], []));
    assert.ok(isIgnored(rules, key, ['/spec/x', undefined], [{ manager: 'vpa-updater', operation: 'Update' }]));
    assert.ok(!isIgnored(rules, key, ['/spec/x', undefined], [{ manager: 'kubectl-edit', operation: 'Update' }]));
  });

  it('drops only the ignored fields of a diff', () => {
    const live: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-canary', namespace: 'shop-prod', labels: { a: '2', b: '2' } },
      spec: { replicas: 5 },
    };
    const [desired] = renderedFromYaml(
      'x.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-canary\n  namespace: shop-prod\n  labels: {a: "1", b: "1"}\nspec:\n  replicas: 3\n',
    );
    const paths = (ignore: Parameters<typeof driftOptions>[0]) =>
      diffObject(desired, live, driftOptions(ignore)).fields.map((f) => f.path);
    assert.deepEqual(paths({}), ['/metadata/labels/a', '/metadata/labels/b', '/spec/replicas']);
    assert.deepEqual(paths({ ignore: [{ jsonPointers: ['/metadata/labels/*'] }] }), ['/spec/replicas']);
    assert.deepEqual(paths({ ignore: [{ namespace: 'other', jsonPointers: ['/spec'] }] }), [
      '/metadata/labels/a',
      '/metadata/labels/b',
      '/spec/replicas',
    ]);
  });
});
