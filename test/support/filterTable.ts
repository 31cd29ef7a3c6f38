/**
 * Table-driven filter tests in the style of kustomize's `api/filters/*_test.go`: one row per case (name, input
 * YAML, filter config, expected YAML). Each row runs our filter over the input, in memory.
 *
 * The expected YAML is what the real kustomize prints. `FILTER_TABLES_KUSTOMIZE=1` adds a second check per row that
 * proves it: the input goes through `kustomize build` (the test bed's binary) with the same transformation written
 * as a kustomization (`table.kustomization`), and its objects must equal the row's. The ordinary unit run never
 * needs the binary:
 *   FILTER_TABLES_KUSTOMIZE=1 npx mocha --config .mocharc.unit.json 'test/unit/render/filters/*.test.ts'
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { OriginKind } from '../../src/core/model/location';
import { parseYaml } from '../../src/core/yaml/parseYaml';
import type { Resource } from '../../src/core/render/kustomize/resource';
import { toPlain, type TMap, type TNode } from '../../src/core/yaml/tree';
import { testbedBin } from '../testbed/bins';

/** One case. Exactly one of `expected` and `error` is set. */
export interface FilterRow<C> {
  name: string;
  /** The objects the filter runs over (a multi-document YAML stream). */
  input: string;
  config: C;
  /** The objects after the filter, as `kustomize build` prints them (order included). */
  expected?: string;
  /** Our filter throws a message matching this; kustomize fails on the same input. */
  error?: RegExp;
  /** Set when our filter differs from kustomize here: says how. The row is skipped in the unit run. */
  skip?: string;
}

/** A filter's rows, how to run our filter, and how kustomize runs the same transformation. */
export interface FilterTable<C> {
  title: string;
  /** Runs our filter over the resources, in place. */
  apply(resources: Resource[], config: C): void;
  /** The kustomization fields (YAML, no `resources:`) with which `kustomize build` does what `apply` does. */
  kustomization(config: C): string;
  rows: Array<FilterRow<C>>;
}

/** Parses YAML text into one tree per document (positions in `file`). */
export function trees(text: string, file: string, kind: OriginKind = 'resource'): TNode[] {
  return parseYaml(text, file, kind);
}

/** Parses a single YAML map (a patch, a replacement). */
export function yamlMap(text: string, file: string, kind: OriginKind): TMap {
  const [doc] = trees(text, file, kind);
  assert.equal(doc?.kind, 'map', `${file} must hold a YAML map`);
  return doc as TMap;
}

/** The input stream as resources fresh from their files: no renames yet. */
export function resourcesOf(input: string): Resource[] {
  return trees(input, 'input.yaml').map((node) => {
    assert.equal(node.kind, 'map', 'every input document must be a map');
    const { file, line, column } = node.origin;
    return {
      node: node as TMap,
      source: { file, line, column },
      history: [],
      prefixes: [],
      suffixes: [],
      needsHash: false,
    };
  });
}

function plainDocuments(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(`unparsable YAML: ${d.errors[0].message}`);
      return d.toJS() as unknown;
    })
    .filter((v) => v !== null && v !== undefined);
}

/** Registers one mocha test per row (and, with FILTER_TABLES_KUSTOMIZE=1, one kustomize check per row). */
export function runFilterTable<C>(table: FilterTable<C>): void {
  describe(table.title, () => {
    for (const row of table.rows) {
      assert.ok(
        (row.expected === undefined) !== (row.error === undefined),
        `${row.name}: set exactly one of expected and error`,
      );
      const test = row.skip ? it.skip : it;
      test(row.skip ? `${row.name} (differs from kustomize: ${row.skip})` : row.name, () => {
        const resources = resourcesOf(row.input);
        if (row.error) {
          assert.throws(() => table.apply(resources, row.config), row.error);
          return;
        }
        table.apply(resources, row.config);
        assert.deepStrictEqual(
          resources.map((r) => toPlain(r.node)),
          plainDocuments(row.expected!),
        );
      });
      if (process.env.FILTER_TABLES_KUSTOMIZE === '1') {
        it(`${row.name}: kustomize build agrees with the row`, () => {
          const out = kustomizeBuild(row.input, table.kustomization(row.config));
          if (row.error) assert.equal(out.ok, false, `kustomize accepted the input of an error row:\n${out.text}`);
          else {
            assert.ok(out.ok, `kustomize build failed:\n${out.text}`);
            assert.deepStrictEqual(
              plainDocuments(out.text),
              plainDocuments(row.expected!),
              `kustomize printed:\n${out.text}`,
            );
          }
        });
      }
    }
  });
}

/** `kustomize build` of the input under the given fields, objects kept in input order. */
function kustomizeBuild(input: string, fields: string): { ok: boolean; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'filter-table-'));
  try {
    writeFileSync(join(dir, 'input.yaml'), input);
    writeFileSync(join(dir, 'kustomization.yaml'), `resources: [input.yaml]\nsortOptions: {order: fifo}\n${fields}`);
    try {
      return {
        ok: true,
        text: execFileSync(testbedBin('kustomize'), ['build', dir], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      };
    } catch (e) {
      return { ok: false, text: String((e as { stderr?: unknown }).stderr ?? e) };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
