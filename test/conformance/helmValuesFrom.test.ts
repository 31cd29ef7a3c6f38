import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { KubeObject } from '../../src/core/model/resource';
import { helmReleaseValues } from '../../src/core/render/helm/helmRelease';
import { testbedBin } from '../testbed/bins';

/**
 * A HelmRelease's values (`spec.values`, `valuesFrom` with and without `targetPath`) as GitOps Drift merges them,
 * against the test bed's helm-values-from: the code helm-controller v1.4.3 runs (fluxcd/pkg chartutil v1.15.0
 * ChartValuesFromReferences, whose targetPath is Helm's strvals parser) over a fake client holding the objects.
 * Values must be equal; an error must be one on both sides, with Helm's reason in ours (a Secret's without its text).
 */
interface Case {
  name: string;
  values?: Record<string, unknown>;
  valuesFrom: Record<string, unknown>[];
  /** ConfigMaps and Secrets by name: `data` as text (a Secret's is base64-encoded here). */
  objects: { kind: 'ConfigMap' | 'Secret'; name: string; data: Record<string, string> }[];
}

const at = (targetPath: string, text: string, kind: 'ConfigMap' | 'Secret' = 'ConfigMap'): Omit<Case, 'name'> => ({
  valuesFrom: [{ kind, name: 'v', valuesKey: 'k', targetPath }],
  objects: [{ kind, name: 'v', data: { k: text } }],
});

const cases: Case[] = [
  // chartutil's TestReplacePathValue rows.
  { name: 'outer inner', ...at('outer.inner', 'value') },
  { name: 'inline list', ...at('name', '{a,b,c}') },
  { name: 'with escape', ...at('name', 'value1\\,value2') },
  { name: 'boolean', ...at('merge.at.specific.path', 'true') },
  { name: 'set-string behaviour', ...at('merge.at.specific.path', '"true"') },
  { name: 'array item', ...at('merge.at[2]', 'value') },
  { name: 'dot escaped in the path', ...at('nodeSelector.kubernetes\\.io/role', 'master') },
  // Types, quotes and text.
  { name: 'integers and strings', ...at('l', '{42,007,-7,1.5,null,0,FALSE,99999999999999999999}') },
  { name: 'a lone quote', ...at('a', "'") },
  { name: 'quotes at both ends, mixed', ...at('a', '\'"x"\'') },
  { name: 'a quote at one end only', ...at('a', '"x') },
  { name: 'a quoted list', ...at('a', '"{1,two}"') },
  { name: 'lines with a trailing newline', ...at('a', 'line one\nline two\n') },
  { name: 'a backslash before an ordinary character', ...at('a', 'x\\y') },
  // What setPathValue refused before it called the strvals parser.
  { name: 'a comma starts another assignment', ...at('a.b', 'x,c.d=2') },
  { name: 'a trailing comma', ...at('a', 'x,') },
  { name: 'a comma then a word', ...at('a', 'x,y') },
  { name: 'a quoted comma', ...at('a', '"x,b=1"') },
  { name: 'an index at the end of the line', values: { b: [1] }, ...at('a', 'x,b[0]') },
  { name: 'a list never closed', ...at('a', '{x,y') },
  // Paths.
  { name: 'an equals sign in the path', ...at('a=b', 'c') },
  { name: 'a comma in the path', ...at('a,b', '1') },
  { name: 'an empty key in the path', ...at('a..b', '1') },
  { name: 'an index that is no number', ...at('a[x]', '1') },
  { name: 'an index too large', ...at('a[70000]', '1') },
  { name: 'an index never closed', ...at('a[1', '1') },
  { name: '__proto__ and constructor are plain keys', ...at('__proto__.x', '1,constructor.y=2') },
  { name: 'a map where spec.values has a string', values: { a: 's' }, ...at('a.b', '1') },
  { name: 'a list in a list where spec.values has a string', values: { a: ['s'] }, ...at('a[0][0]', '1') },
  // Merging with spec.values (maps and lists shared, and changed in place, as in Go).
  { name: 'under a map of spec.values', values: { top: 1, a: { b: 1, c: 1 } }, ...at('a.b', '2') },
  { name: 'at a top-level key of spec.values', values: { top: 1 }, ...at('top', '2') },
  {
    name: 'several targetPaths over spec.values',
    values: { top: 1, a: { b: 1 }, l: [1, 2] },
    valuesFrom: [
      { kind: 'ConfigMap', name: 'v', valuesKey: 'top', targetPath: 'top' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'b', targetPath: 'a.b' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'l0', targetPath: 'l[0]' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'l5', targetPath: 'l[5]' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'deep', targetPath: 'l[1].x' },
    ],
    objects: [{ kind: 'ConfigMap', name: 'v', data: { top: '2', b: '2', l0: '9', l5: '9', deep: 'y' } }],
  },
  {
    name: 'values files and targetPaths in turn, an optional one missing',
    values: { a: { keep: true } },
    valuesFrom: [
      { kind: 'ConfigMap', name: 'v', valuesKey: 'values.yaml' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'k', targetPath: 'a.list[1]' },
      { kind: 'ConfigMap', name: 'gone', optional: true, targetPath: 'a.gone' },
      { kind: 'ConfigMap', name: 'v', valuesKey: 'more.yaml' },
    ],
    objects: [
      {
        kind: 'ConfigMap',
        name: 'v',
        data: { 'values.yaml': 'a: {list: [x, y], n: 1}\n', k: 'z', 'more.yaml': 'a: {n: 2}\n' },
      },
    ],
  },
  // Secrets: equal values, and a reason without the text.
  { name: 'a Secret with a comma', ...at('auth', 'pass,token=tok3n', 'Secret') },
  { name: 'a Secret the parser refuses', ...at('auth', 'hunter2,s3cret', 'Secret') },
];

type Outcome = { values?: Record<string, unknown>; error?: string };

function oracle(): Outcome[] {
  const input = cases.map((c) => ({
    namespace: 'apps',
    values: c.values ?? null,
    valuesFrom: c.valuesFrom,
    objects: c.objects.map((o) => ({
      apiVersion: 'v1',
      kind: o.kind,
      metadata: { name: o.name, namespace: 'apps' },
      data:
        o.kind === 'Secret'
          ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))
          : o.data,
    })),
  }));
  const out = execFileSync(testbedBin('helm-values-from'), { input: JSON.stringify(input), encoding: 'utf8' });
  return JSON.parse(out) as Outcome[];
}

async function ours(c: Case) {
  const hr: KubeObject = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'web', namespace: 'apps' },
    spec: { ...(c.values ? { values: structuredClone(c.values) } : {}), valuesFrom: c.valuesFrom },
  };
  return helmReleaseValues(hr, 'apps', async (kind, namespace, name) => {
    const o = c.objects.find((x) => x.kind === kind && x.name === name);
    if (!o) return undefined;
    const data =
      kind === 'Secret'
        ? Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]))
        : o.data;
    return { object: { apiVersion: 'v1', kind, metadata: { name, namespace }, data } };
  });
}

describe("HelmRelease valuesFrom and targetPath against helm-controller's own code (chartutil)", function () {
  this.timeout(600_000);
  let expected: Outcome[];

  before(function () {
    expected = oracle();
    assert.equal(expected.length, cases.length);
  });

  for (const [i, c] of cases.entries())
    it(c.name, async () => {
      const want = expected[i];
      const got = await ours(c);
      if (want.error !== undefined) {
        assert.ok('message' in got, `helm-controller refuses (${want.error}); we gave ${JSON.stringify(got)}`);
        // Go: "could not resolve ConfigMap chart values reference 'apps/v' with key 'k': REASON".
        const reason = want.error.replace(/^could not resolve .*? with key '[^']*': /, '');
        const secret = c.objects.some((o) => o.kind === 'Secret');
        if (secret)
          for (const text of Object.values(c.objects[0].data).flatMap((t) => t.split(/[,=]/)))
            assert.ok(!got.message.includes(text), `the message leaves out the Secret's text: ${got.message}`);
        else assert.ok(got.message.endsWith(`: ${reason}`), `"${got.message}" ends with Helm's reason "${reason}"`);
        return;
      }
      assert.ok('values' in got, `helm-controller gives values; we said ${'message' in got ? got.message : ''}`);
      assert.deepEqual(JSON.parse(JSON.stringify(got.values)), want.values ?? {});
    });
});
