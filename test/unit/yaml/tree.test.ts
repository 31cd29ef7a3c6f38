import { strict as assert } from 'node:assert';
import { parseYaml } from '../../../src/core/yaml/parseYaml';
import {
  clone,
  collectExact,
  collectOrigins,
  plainWithOrigins,
  toPlain,
  TreeOrigins,
  type TMap,
} from '../../../src/core/yaml/tree';

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

  it('keeps integers beyond 2^53 exact beside their nearest double; smaller ones are plain numbers', () => {
    const exact = { seen: false };
    const [doc] = parseYaml(
      'a: 12345678901234567890\nb: [-9007199254740993, 42]\n',
      'f.yaml',
      'resource',
      undefined,
      exact,
    );
    assert.ok(exact.seen);
    assert.deepEqual(toPlain(doc), { a: 12345678901234567890, b: [-9007199254740992, 42] });
    assert.deepEqual(
      [...collectExact(doc)],
      [
        ['/a', 12345678901234567890n],
        ['/b/0', -9007199254740993n],
      ],
    );
  });

  it('folds U+0085 (NEL) like a line break, as go-yaml reads it: one → space, n → n-1 newlines', () => {
    const [doc] = parseYaml('a: "x \u0085 y"\nb: "x\u0085\u0085y"\nc: \'p\u0085q\'\n', 'f.yaml', 'resource');
    assert.deepEqual(toPlain(doc), { a: 'x y', b: 'x\ny', c: 'p q' });
  });

  it('clones deeply: changing a copy leaves the cached parse alone', () => {
    const [doc] = parseYaml(text, 'f.yaml', 'resource') as TMap[];
    const copy = clone(doc);
    copy.entries.delete('a');
    (copy.entries.get('b') as { items: unknown[] }).items.pop();
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

  it('plainWithOrigins gives toPlain and every origin in collectOrigins order, and does not see later edits of the tree', () => {
    // Keys that a plain object would reorder (integer-like) and a __proto__ key keep the tree's order in the origins.
    const [doc] = parseYaml(
      'z: 1\n"2": [a, {b: c}]\n"1": {}\n__proto__: x\nlist: [[1, 2], []]\n',
      'f.yaml',
      'resource',
    ) as TMap[];
    const expected = [...collectOrigins(doc)];
    const plain = toPlain(doc);
    const { value, origins } = plainWithOrigins(doc);
    doc.entries.delete('z');
    assert.deepEqual(value, plain);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
    assert.deepEqual([...origins], expected);
    assert.deepEqual(
      expected.map(([p]) => p),
      [
        '',
        '/z',
        '/2',
        '/2/0',
        '/2/1',
        '/2/1/b',
        '/1',
        '/__proto__',
        '/list',
        '/list/0',
        '/list/0/0',
        '/list/0/1',
        '/list/1',
      ],
    );
    assert.equal(origins.get('/2/1/b')?.line, 2);
  });
});
