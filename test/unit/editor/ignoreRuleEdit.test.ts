import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { addIgnoreRule } from '../../../src/core/editor/ignoreRuleEdit';
import { ProblemError } from '../../../src/core/model/problem';

const rule = {
  key: { group: 'apps', kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
  pointer: '/spec/replicas',
  environment: 'prod',
};

describe('ignore rule edit', () => {
  it('appends to an existing ignore list and keeps comments', () => {
    const before =
      '# settings\nenvironments:\n  - name: prod\n    path: envs/prod # the prod overlay\nignore:\n  - kind: Deployment\n    name: api\n    jsonPointers: [/spec/replicas]\n';
    const after = addIgnoreRule(before, rule, '.gitops-drift.yaml');
    assert.ok(after.startsWith('# settings\n'));
    assert.ok(after.includes('# the prod overlay'));
    assert.deepEqual(parse(after).ignore[1], {
      group: 'apps',
      kind: 'Deployment',
      name: 'web',
      namespace: 'shop-prod',
      environments: ['prod'],
      jsonPointers: ['/spec/replicas'],
    });
    assert.equal(parse(after).ignore.length, 2);
  });

  it('creates the file content and the list when absent, and does not add a rule twice', () => {
    const once = addIgnoreRule(
      undefined,
      { ...rule, key: { ...rule.key, group: '', kind: 'ConfigMap' } },
      '.gitops-drift.yaml',
    );
    assert.deepEqual(parse(once), {
      ignore: [
        {
          kind: 'ConfigMap',
          name: 'web',
          namespace: 'shop-prod',
          environments: ['prod'],
          jsonPointers: ['/spec/replicas'],
        },
      ],
    });
    const twice = addIgnoreRule(
      once,
      { ...rule, key: { ...rule.key, group: '', kind: 'ConfigMap' } },
      '.gitops-drift.yaml',
    );
    assert.equal(parse(twice).ignore.length, 1);
    assert.deepEqual(parse(addIgnoreRule('environments: []\n', rule, '.gitops-drift.yaml')).environments, []);
  });

  it('refuses broken YAML with the file and line', () => {
    assert.throws(
      () => addIgnoreRule('a: [\n', rule, '.gitops-drift.yaml'),
      (e: unknown) =>
        e instanceof ProblemError && e.problem.location?.file === '.gitops-drift.yaml' && e.problem.location.line > 0,
    );
    assert.throws(() => addIgnoreRule('- a\n', rule, '.gitops-drift.yaml'), /not a YAML mapping/);
    assert.throws(() => addIgnoreRule('ignore: 3\n', rule, '.gitops-drift.yaml'), /`ignore` is not a list/);
  });
});
