import { strict as assert } from 'node:assert';
import { parseYaml } from '../../../src/core/render/loader';
import { clone, collectOrigins, toPlain, TreeOrigins, type TMap } from '../../../src/core/render/tree';

describe('render tree (origin-tracked values)', () => {
  const text = 'a: 1\nb:\n  - x\n  - &y {k: v}\nc: *y\n';

  it('gives map entries their key position and list items their own, and expands aliases', () => {
    const [doc] = parseYaml(text, 'f.yaml', 'resource');
    const origins = collectOrigins(doc);
    assert.deepEqual(origins.get('/a'), { file: 'f.yaml', line: 1, column: 1, kind: 'resource' });
    assert.deepEqual(origins.get('/b/0'), { file: 'f.yaml', line: 3, column: 5, kind: 'resource' });
    assert.deepEqual(toPlain(doc), { a: 1, b: ['x', { k: 'v' }], c: { k: 'v' } });
    assert.equal(origins.get('/c')?.line, 5);
  });

  it('clones deeply: changing a copy leaves the cached parse alone', () => {
    const [doc] = parseYaml(text, 'f.yaml', 'resource') as TMap[];
    const copy = clone(doc);
    copy.entries.delete('a');
    ((copy.entries.get('b') as { items: unknown[] }).items).pop();
    assert.deepEqual(toPlain(doc), { a: 1, b: ['x', { k: 'v' }], c: { k: 'v' } });
  });

  it('computes origins on first use, with the same entries as an eager walk', () => {
    const [doc] = parseYaml(text, 'f.yaml', 'resource');
    const lazy = new TreeOrigins(doc);
    assert.equal(lazy.get('/b/0')?.line, 3);
    assert.deepEqual([...lazy], [...collectOrigins(doc)]);
    assert.equal(lazy.size, collectOrigins(doc).size);
    assert.deepEqual(Object.keys(Object.fromEntries(lazy)), [...collectOrigins(doc).keys()]);
  });
});
