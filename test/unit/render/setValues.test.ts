import assert from 'node:assert/strict';
import { StrvalsError } from '../../../src/core/render/helm/helmValues';
import { helmReleaseValues } from '../../../src/core/render/helm/helmRelease';
import { setPathValue } from '../../../src/core/render/helm/setValues';
import type { KubeObject } from '../../../src/core/model/resource';

// Rows from fluxcd/pkg chartutil's TestReplacePathValue (v1.15.0, the version helm-controller v1.4.3 runs) and Helm's
// pkg/strvals/parser_test.go (TestParseSet, TestParseInto, TestParseIntoString); the conformance suite checks the same
// and more against the real chartutil code (test/conformance/helmValuesFrom.test.ts).
describe("valuesFrom targetPath: helm-controller's ReplacePathValue over Helm's strvals", () => {
  const set = (path: string, value: string, into: Record<string, unknown> = {}) => {
    setPathValue(into, path, value);
    return into;
  };

  it("chartutil's TestReplacePathValue rows", () => {
    assert.deepEqual(set('outer.inner', 'value'), { outer: { inner: 'value' } });
    assert.deepEqual(set('name', '{a,b,c}'), { name: ['a', 'b', 'c'] });
    assert.deepEqual(set('name', 'value1\\,value2'), { name: 'value1,value2' });
    assert.deepEqual(set('merge.at.specific.path', 'true'), { merge: { at: { specific: { path: true } } } });
    assert.deepEqual(set('merge.at.specific.path', '"true"'), { merge: { at: { specific: { path: 'true' } } } });
    assert.deepEqual(set('merge.at[2]', 'value'), { merge: { at: [null, null, 'value'] } });
    assert.deepEqual(set('nodeSelector.kubernetes\\.io/role', 'master'), {
      nodeSelector: { 'kubernetes.io/role': 'master' },
    });
  });

  it('types values as strvals does; a value between like quotes is a string', () => {
    assert.deepEqual(set('a', 'FALSE'), { a: false });
    assert.deepEqual(set('a', 'null'), { a: null });
    assert.deepEqual(set('a', '0'), { a: 0 });
    assert.deepEqual(set('a', '-7'), { a: -7 });
    assert.deepEqual(set('a', '007'), { a: '007' });
    assert.deepEqual(set('a', '1.5'), { a: '1.5' });
    assert.deepEqual(set('a', '99999999999999999999'), { a: '99999999999999999999' });
    assert.deepEqual(set('a', "'42'"), { a: '42' });
    assert.deepEqual(set('a', 'line one\nline two\n'), { a: 'line one\nline two\n' });
    // Quotes only at one end are kept, and typing applies.
    assert.deepEqual(set('a', '"x'), { a: '"x' });
  });

  // Each of these was refused or read differently before setPathValue became a call into parseSetInto.
  it("parses ',' and '{…}' in the value as Helm does, where it used to refuse them", () => {
    assert.deepEqual(set('a', 'x,b=2'), { a: 'x', b: 2 }, 'a comma starts another assignment, at the top level');
    assert.deepEqual(set('a', 'x,'), { a: 'x' }, 'a trailing comma ends the line');
    assert.throws(() => set('a', 'x,y'), /key "y" has no value/);
    assert.deepEqual(set('a', '{1,two}'), { a: [1, 'two'] });
    assert.deepEqual(set('a', '"{1,two}"'), { a: ['1', 'two'] }, 'quoted: ParseIntoString, still a list');
    assert.deepEqual(set('a', '"x,b=1"'), { a: 'x', b: '1' }, 'quoted: the comma still splits');
    assert.deepEqual(set('a', "'"), { a: '' }, 'a lone quote starts and ends with a quote: trimmed to nothing');
    assert.deepEqual(set('a', '\'"x"\''), { a: 'x' }, 'every quote at either end is trimmed');
    assert.deepEqual(set('a', 'x\\y'), { a: 'xy' }, 'a backslash escapes the next character');
    assert.deepEqual(set('a', 'x,b[0]'), { a: 'x', b: [] }, "an index at the line's end sets the list");
  });

  it('reads the path as strvals does: "=" is part of the value, "," is refused, an empty key leaves nothing', () => {
    assert.deepEqual(set('a=b', 'c'), { a: 'b=c' });
    assert.throws(() => set('a,b', '1'), /key "a" has no value \(cannot end with ,\)/);
    assert.throws(() => set('a..b', '1'), /key map "a" has no value/);
    assert.throws(() => set('a[x]', '1'), /error parsing index: strconv.Atoi: parsing "x": invalid syntax/);
    assert.throws(() => set('a[70000]', '1'), /index of 70000 is greater than maximum supported index of 65536/);
    assert.throws(() => set('a[1', '1'), /error parsing index: EOF/);
    assert.throws(() => set('a.b', '1', { a: 'scalar' }), /interface {} is string, not map\[string]interface {}/);
    assert.throws(() => set('a[0][0]', '1', { a: ['s'] }), /interface {} is string, not \[]interface {}/);
    assert.deepEqual(set(Array.from({ length: 30 }, () => 'k').join('.'), '1').k !== undefined, true);
    assert.throws(() => set(Array.from({ length: 32 }, () => 'k').join('.'), '1'), /nested level/);
  });

  it('changes maps and lists where they are, as a Go map and slice are', () => {
    const inner = { d: 1 };
    const list = [{ name: 'old', port: 1 }];
    const values = { a: inner, hosts: list };
    set('a.b', 'x', values);
    set('hosts[0].name', 'h', values);
    assert.deepEqual(inner, { d: 1, b: 'x' });
    assert.deepEqual(list, [{ name: 'h', port: 1 }]);
    const short = [1];
    const grown = set('l[2]', '3', { l: short });
    assert.deepEqual(short, [1], 'a longer list is a new one');
    assert.deepEqual(grown, { l: [1, null, 3] });
  });

  it('sets __proto__ and constructor as plain keys', () => {
    const values = set('__proto__.polluted', 'yes');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(values, '__proto__')?.value, { polluted: 'yes' });
    assert.deepEqual(set('constructor.x', '1'), { constructor: { x: 1 } });
  });

  it('has a reason without the parsed text for values that must not be shown', () => {
    try {
      set('a', 'hunter2,s3cret');
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(e instanceof StrvalsError);
      assert.equal(e.message, 'key "s3cret" has no value');
      assert.equal(e.withoutText, 'key "…" has no value');
    }
  });
});

describe('HelmRelease values: spec.values and valuesFrom, as chartutil.ChartValuesFromReferences merges them', () => {
  const object = (kind: string, name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'apps' },
    ...(kind === 'Secret'
      ? { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) }
      : { data }),
  });
  const release = (values: unknown, valuesFrom: unknown[]): KubeObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { values, valuesFrom },
  });
  const valuesOf = async (hr: KubeObject, objects: KubeObject[]) =>
    helmReleaseValues(hr, 'apps', async (kind, _ns, name) => {
      const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
      return found ? { object: found } : undefined;
    });

  it("keeps a targetPath in spec.values' own maps and lists that the merge shared, as Go's in-place parser does", async () => {
    const single = release({ top: 1, a: { b: 1 } }, [
      { kind: 'ConfigMap', name: 'v', valuesKey: 'b', targetPath: 'a.b' },
    ]);
    assert.deepEqual(await valuesOf(single, [object('ConfigMap', 'v', { b: '2' })]), {
      values: { top: 1, a: { b: 2 } },
      secret: [],
    });
    // The second targetPath's merge copies `a` (a map on both sides), so spec.values' `a` is not changed and wins;
    // lists are always shared, and changed within their length.
    const hr = release({ top: 1, a: { b: 1 }, l: [1, 2] }, [
      { kind: 'ConfigMap', name: 'v', valuesKey: 'top', targetPath: 'top' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'b', targetPath: 'a.b' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'l0', targetPath: 'l[0]' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'l5', targetPath: 'l[5]' },
    ]);
    const result = await valuesOf(hr, [object('ConfigMap', 'v', { top: '2', b: '2', l0: '9', l5: '9' })]);
    assert.deepEqual(result, { values: { top: 1, a: { b: 1 }, l: [9, 2] }, secret: [] });
    assert.deepEqual((hr.spec as { values: unknown }).values, { top: 1, a: { b: 1 }, l: [1, 2] }, 'git unchanged');
  });

  it("masks each value a Secret's text set, and never quotes it in the reason", async () => {
    const ok = await valuesOf(release({}, [{ kind: 'Secret', name: 's', valuesKey: 'k', targetPath: 'a' }]), [
      object('Secret', 's', { k: 'pass,token=tok3n' }),
    ]);
    assert.ok('values' in ok);
    assert.deepEqual(ok.values, { a: 'pass', token: 'tok3n' });
    assert.ok(ok.secret.includes('pass') && ok.secret.includes('tok3n'));
    const bad = await valuesOf(release({}, [{ kind: 'Secret', name: 's', valuesKey: 'k', targetPath: 'a' }]), [
      object('Secret', 's', { k: 'hunter2,s3cret' }),
    ]);
    assert.ok('message' in bad);
    assert.equal(bad.message, 'Secret apps/s (valuesFrom[0]): targetPath a: key "…" has no value');
    const config = await valuesOf(release({}, [{ kind: 'ConfigMap', name: 'c', valuesKey: 'k', targetPath: 'a' }]), [
      object('ConfigMap', 'c', { k: 'x,y' }),
    ]);
    assert.deepEqual(config, { message: 'ConfigMap apps/c (valuesFrom[0]): targetPath a: key "y" has no value' });
  });
});
