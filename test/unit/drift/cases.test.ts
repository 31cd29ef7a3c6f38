import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { diffObject } from '../../../src/core/drift/diffObject';
import { type DriftOptions, driftOptions } from '../../../src/core/drift/options';
import { recorded, renderedFromYaml, testdata } from './support';

interface Expected {
  path: string;
  desired?: unknown;
  live?: unknown;
  line: number;
  changedBy?: string;
  cause?: string;
  label?: string;
  livePath?: string;
  /** The server recorded no time for the change. */
  untimed?: boolean;
}
interface Case {
  name: string;
  desired: string;
  live: string;
  options?: Partial<DriftOptions>;
  expect: Expected[];
}

const file = parse(testdata('cases.yaml')) as { defaults: Partial<DriftOptions>; cases: Case[] };

describe('drift cases (desired + recorded live + expected, testdata/cases.yaml)', () => {
  for (const c of file.cases) {
    it(c.name, () => {
      const [path, ref] = c.desired.split('#');
      const [kind, name] = ref.split('/');
      const rendered = renderedFromYaml(path, testdata(path)).find((r) => r.key.kind === kind && r.key.name === name);
      assert.ok(rendered, `${ref} in ${path}`);
      const { fields } = diffObject(rendered, recorded(c.live), driftOptions({ ...file.defaults, ...c.options }));
      const actual = fields.map(
        (f) => `${f.path} ${f.origin?.file}:${f.origin?.line} ${f.changedBy?.manager ?? '-'} ${f.cause ?? '-'}`,
      );
      const wanted = c.expect.map((e) => `${e.path} ${path}:${e.line} ${e.changedBy ?? '-'} ${e.cause ?? '-'}`);
      assert.deepEqual(actual.sort(), wanted.sort());
      for (const e of c.expect) {
        const f = fields.find((x) => x.path === e.path);
        assert.ok(f);
        if ('desired' in e) assert.deepEqual(f.desired, e.desired, `${e.path} desired`);
        else assert.equal(f.desired, undefined, `${e.path}: git does not set it`);
        if (e.live === null) assert.equal(f.live, undefined, `${e.path}: absent in the cluster`);
        else if ('live' in e) assert.deepEqual(f.live, e.live, `${e.path} live`);
        else assert.notEqual(f.live, undefined, `${e.path} live`);
        if (e.label) assert.equal(f.label, e.label);
        if (e.livePath) assert.equal(f.livePath ?? f.path, e.livePath);
        if (e.changedBy && e.untimed) assert.equal(f.changedBy?.time, undefined);
        else if (e.changedBy) assert.match(f.changedBy?.time ?? '', /^2026-11-22T/);
      }
    });
  }
});
