import assert from 'node:assert/strict';
import type { Origin } from '../../../src/core/model/location';
import { applyEdits } from '../../../src/core/promote/applyEdits';
import { maskSecrets } from '../../../src/core/promote/maskSecrets';
import { planValueEdit, type ValueChange } from '../../../src/core/promote/valueEdit';
import { parseYamlFile } from '../../../src/core/yaml/yamlText';
import { originOf } from './renderedFixture';

/** Plans one change on `text` and returns the edited text (or the refusal reason). */
function edit(
  text: string,
  change: Omit<ValueChange, 'origin'>,
  needle: string,
  kind: Origin['kind'] = 'resource',
  file = 'x.yaml',
): string {
  const origin = originOf(file, text, needle, kind);
  const yaml = /\.ya?ml$/.test(file) ? parseYamlFile(file, text) : { file, text };
  const result = planValueEdit({ ...change, origin }, yaml);
  if ('reason' in result) return `REFUSED: ${result.reason}`;
  return applyEdits(new Map([[file, text]]), result.edits)[0]?.after ?? text;
}

describe('in-place value edits', () => {
  it('keeps each scalar style: plain, single and double quotes, and quotes a plain value that would change type', () => {
    const text = 'a: plain   # note\nb: \'single\'\nc: "double"\nd: 1.4\n';
    assert.equal(
      edit(text, { path: '/a', current: 'plain', next: 'other' }, 'a:'),
      'a: other   # note\nb: \'single\'\nc: "double"\nd: 1.4\n',
    );
    assert.equal(
      edit(text, { path: '/b', current: 'single', next: "it's" }, 'b:'),
      "a: plain   # note\nb: 'it''s'\nc: \"double\"\nd: 1.4\n",
    );
    assert.equal(
      edit(text, { path: '/c', current: 'double', next: 'tab\there' }, 'c:'),
      'a: plain   # note\nb: \'single\'\nc: "tab\\there"\nd: 1.4\n',
    );
    assert.equal(
      edit(text, { path: '/a', current: 'plain', next: '1.5' }, 'a:'),
      'a: "1.5"   # note\nb: \'single\'\nc: "double"\nd: 1.4\n',
    );
    assert.equal(
      edit(text, { path: '/d', current: 1.4, next: 2 }, 'd:'),
      'a: plain   # note\nb: \'single\'\nc: "double"\nd: 2\n',
    );
  });

  it('rewrites a block literal at its own indentation, keeping the chomping right', () => {
    const text = 'data:\n  app.conf: |\n    level=info\n    port=80\n  other: x\n';
    assert.equal(
      edit(
        text,
        { path: '/data/app.conf', current: 'level=info\nport=80\n', next: 'level=debug\nport=80\n' },
        'app.conf:',
      ),
      'data:\n  app.conf: |\n    level=debug\n    port=80\n  other: x\n',
    );
    assert.equal(
      edit(text, { path: '/data/app.conf', current: 'level=info\nport=80\n', next: 'one line' }, 'app.conf:'),
      'data:\n  app.conf: |-\n    one line\n  other: x\n',
    );
  });

  it('quotes a value with a comma inside a flow list', () => {
    const text = 'args: [--a, --b]\n';
    assert.equal(
      edit(text, { path: '/args/1', current: '--b', next: '--b=1,2' }, '--b', 'resource'),
      'args: [--a, "--b=1,2"]\n',
    );
  });

  it('edits the right document of a multi-document patch file', () => {
    const text = 'kind: A\nspec:\n  size: 1\n---\nkind: B\nspec:\n  size: 1\n';
    const origin = originOf('p.yaml', text, 'size:', 'strategicMergePatch', 'kind: B');
    const result = planValueEdit({ origin, path: '/spec/size', current: 1, next: 3 }, parseYamlFile('p.yaml', text));
    assert.ok('edits' in result);
    assert.equal(
      applyEdits(new Map([['p.yaml', text]]), result.edits)[0].after,
      'kind: A\nspec:\n  size: 1\n---\nkind: B\nspec:\n  size: 3\n',
    );
  });

  it('edits a value inside an inline JSON patch (YAML in a block literal), on its own line', () => {
    const k =
      'patches:\n  - target:\n      kind: Storefront\n    patch: |-\n      - op: replace\n        path: /spec/title\n        value: Example Shop (EU)\n      - op: add\n        path: /spec/x\n        value: y\n';
    assert.equal(
      edit(
        k,
        { path: '/spec/title', current: 'Example Shop (EU)', next: 'Example: Shop' },
        'value: Example',
        'json6902Patch',
        'kustomization.yaml',
      ),
      k.replace('value: Example Shop (EU)', 'value: "Example: Shop"'),
    );
    // A multi-line value stays on one line there, escaped.
    assert.equal(
      edit(
        k,
        { path: '/spec/title', current: 'Example Shop (EU)', next: 'two\nlines' },
        'value: Example',
        'json6902Patch',
        'kustomization.yaml',
      ),
      k.replace('value: Example Shop (EU)', 'value: "two\\nlines"'),
    );
  });

  it('edits a KEY=value line of an env file, and a replicas entry count', () => {
    assert.equal(
      edit(
        '# comment\nA=1\nLOG_LEVEL = info\n',
        { path: '/data/LOG_LEVEL', current: 'info', next: 'debug' },
        'LOG_LEVEL',
        'generatorEnv',
        'app.env',
      ),
      '# comment\nA=1\nLOG_LEVEL = debug\n',
    );
    const k = 'replicas:\n  - name: web\n    count: 2 # small\n';
    assert.equal(
      edit(k, { path: '/spec/replicas', current: 2, next: 4 }, 'name: web', 'replicas'),
      'replicas:\n  - name: web\n    count: 4 # small\n',
    );
  });

  it('refuses where the origin does not hold the rendered value, or the value was set by a transformer', () => {
    assert.match(
      edit('a: 1\n', { path: '/a', current: 2, next: 3 }, 'a:'),
      /^REFUSED: x\.yaml:1:1 holds 1, not the rendered 2$/,
    );
    assert.match(
      edit('namespace: dev\n', { path: '/metadata/namespace', current: 'dev', next: 'prod' }, 'namespace', 'namespace'),
      /^REFUSED: set by a namespace transformer/,
    );
  });

  it('refuses an edit that would leave invalid YAML and writes nothing', () => {
    assert.throws(
      () => applyEdits(new Map([['k.yaml', 'a: 1\n']]), [{ file: 'k.yaml', start: 3, end: 4, newText: '[' }]),
      /the edit would make the file invalid YAML .*nothing was written/,
    );
  });

  it('masks Secret values for display: secretGenerator literals and Secret data', () => {
    const k =
      'secretGenerator:\n- name: db\n  literals:\n  - DB_PASSWORD=hunter2\n  - "TOKEN=abc"\nconfigMapGenerator:\n- name: c\n  literals:\n  - LEVEL=info\n';
    assert.equal(
      maskSecrets(k),
      'secretGenerator:\n- name: db\n  literals:\n  - DB_PASSWORD=***\n  - "TOKEN=***"\nconfigMapGenerator:\n- name: c\n  literals:\n  - LEVEL=info\n',
    );
    const secret = 'apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMg==\nstringData:\n  user: admin\n';
    assert.equal(
      maskSecrets(secret),
      'apiVersion: v1\nkind: Secret\ndata:\n  password: "***"\nstringData:\n  user: "***"\n',
    );
  });
});
