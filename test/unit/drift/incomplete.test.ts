import { strict as assert } from 'node:assert';
import { isIncomplete } from '../../../src/core/drift/incomplete';
import { jsonReport } from '../../../src/core/drift/jsonReport';
import { sarifReport } from '../../../src/core/drift/sarifReport';
import { textReport } from '../../../src/core/drift/textReport';
import { environmentDescription } from '../../../src/core/editor/presentation';
import type { EnvironmentDrift } from '../../../src/core/model/drift';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { SKIPPED_CONTENT } from '../../../src/core/model/problem';

const inSync = {
  apiVersion: 'v1',
  key: { group: '', kind: 'ConfigMap', namespace: 'demo', name: 'app' },
  verdict: 'InSync' as const,
  fields: [],
};
const skipped = {
  message: "remote resource 'https://example.com/app.yaml' is not fetched; skipped",
  location: { file: 'envs/dev/kustomization.yaml', line: 4, column: 5 },
};
const dev: EnvironmentDrift = {
  name: 'dev',
  path: 'envs/dev',
  context: 'c',
  error: null,
  resources: [inSync],
  skipped: [skipped],
};
const prod: EnvironmentDrift = { name: 'prod', path: 'envs/prod', context: 'c', error: null, resources: [inSync] };

describe('incomplete verdicts (content the render skipped)', () => {
  it('the renderer tags what it skips, and only that', async () => {
    const fs = new MemoryFileSystem(
      {
        'app/kustomization.yaml':
          'resources:\n- a.yaml\n- https://github.com/x/y//base?ref=v1\ncomponents:\n- https://github.com/x/y//c\nhelmCharts:\n- name: redis\n  repo: https://charts.example.com\ngenerators:\n- g.yaml\ntransformers:\n- t.yaml\nvalidators:\n- v.yaml\nopenapi:\n  path: s.json\n',
        'app/a.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
        // Plugin configs (not apiVersion: builtin): reported at their entries and never run.
        'app/g.yaml': 'apiVersion: example.com/v1\nkind: Generator\nmetadata:\n  name: g\n',
        'app/t.yaml': 'apiVersion: example.com/v1\nkind: Transformer\nmetadata:\n  name: t\n',
      },
      '/repo',
    );
    const r = await renderKustomization('app', { fs, repoRoot: '/repo' });
    assert.deepEqual(
      r.problems.map((p) => [p.location?.line, p.code === SKIPPED_CONTENT]),
      [
        [3, true],
        [5, true],
        [7, true],
        [10, true],
        [12, true],
        [13, false],
        [15, false],
      ],
    );
  });

  it('text: the skipped parts at their lines, and "not checked: incomplete" instead of the verdict', () => {
    const text = textReport([dev, prod]);
    assert.match(
      text,
      /^dev +not checked: remote resource 'https:\/\/example\.com\/app\.yaml' is not fetched; skipped +envs\/dev\/kustomization\.yaml:4$/m,
    );
    assert.match(text, /^dev: not checked: incomplete, 1 part skipped \(rendered: 1 in sync\)$/m);
    assert.match(text, /^prod: 1 in sync$/m);
    assert.match(textReport([dev], { allowIncomplete: true }), /^dev: 1 in sync \(incomplete: 1 part skipped\)$/m);
  });

  it('JSON and SARIF carry the skipped parts; a complete environment has none', () => {
    const json = jsonReport([dev, prod]);
    assert.deepEqual(json.environments[0].incomplete, [
      { message: skipped.message, location: { file: 'envs/dev/kustomization.yaml', line: 4, column: 5 } },
    ]);
    assert.deepEqual(json.environments[1].incomplete, []);
    const results = (sarifReport([dev, prod]) as any).runs[0].results;
    assert.equal(results.length, 1);
    assert.equal(results[0].ruleId, 'drift/unchecked');
    assert.equal(results[0].message.text, `dev: not checked: incomplete: ${skipped.message}`);
    assert.deepEqual(results[0].locations[0].physicalLocation.region, { startLine: 4, startColumn: 5 });
  });

  it('the editor never calls an incomplete environment "in sync"', () => {
    assert.equal(environmentDescription(dev), 'not checked: incomplete (1 part skipped) · ctx c');
    assert.equal(environmentDescription(prod), 'in sync · ctx c');
    // An environment that failed outright is an error, not incomplete.
    assert.equal(isIncomplete({ ...dev, error: 'render failed' }), false);
  });
});
