import assert from 'node:assert/strict';
import { parsePath, setPathValue } from '../../../src/core/render/helm/setValues';

/** Rows as Helm's strvals.ParseInto / ParseIntoString answer `PATH=VALUE` (pkg/strvals/parser_test.go). */
describe("valuesFrom targetPath: Helm's --set syntax", () => {
  const set = (path: string, value: string, into: Record<string, unknown> = {}) => {
    setPathValue(into, path, value);
    return into;
  };

  it('types values as strvals does, and keeps quoted ones as strings', () => {
    assert.deepEqual(set('a', 'true'), { a: true });
    assert.deepEqual(set('a', 'FALSE'), { a: false });
    assert.deepEqual(set('a', 'null'), { a: null });
    assert.deepEqual(set('a', '0'), { a: 0 });
    assert.deepEqual(set('a', '42'), { a: 42 });
    assert.deepEqual(set('a', '-7'), { a: -7 });
    assert.deepEqual(set('a', '007'), { a: '007' });
    assert.deepEqual(set('a', '1.5'), { a: '1.5' });
    assert.deepEqual(set('a', '"42"'), { a: '42' });
    assert.deepEqual(set('a', "'true'"), { a: 'true' });
    assert.deepEqual(set('a', 'x\\,y'), { a: 'x,y' });
    assert.deepEqual(set('a', 'line one\nline two'), { a: 'line one\nline two' });
  });

  it('walks dotted keys, escaped dots and list indices, keeping what is beside them', () => {
    assert.deepEqual(set('a.b.c', 'x', { a: { d: 1 } }), { a: { d: 1, b: { c: 'x' } } });
    assert.deepEqual(set('a\\.b', 'x'), { 'a.b': 'x' });
    assert.deepEqual(set('list[2]', 'x'), { list: [null, null, 'x'] });
    assert.deepEqual(set('hosts[0].name', 'h', { hosts: [{ name: 'old', port: 1 }] }), {
      hosts: [{ name: 'h', port: 1 }],
    });
    assert.deepEqual(set('a.b', 'x', { a: 'scalar' }), { a: { b: 'x' } });
    assert.deepEqual(parsePath('a.b\\.c[0].d'), ['a', 'b.c', 0, 'd']);
  });

  it('refuses what it does not read as Helm would, without quoting the value', () => {
    assert.throws(() => set('a', 'x,y'), /--set syntax/);
    assert.throws(() => set('a', '{x,y}'), /--set syntax/);
    assert.throws(() => set('a[x]', '1'), /list index must be a number/);
    assert.throws(() => set('a..b', '1'), /empty key/);
    assert.throws(() => set('a[70000]', '1'), /greater than maximum supported index/);
  });
});
