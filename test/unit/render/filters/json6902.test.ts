import { applyJson6902 } from '../../../../src/core/render/kustomize/filters/json6902';
import { gvkOf, nameOf } from '../../../../src/core/render/kustomize/resource';
import { runFilterTable, trees } from '../../../support/filterTable';

/** A JSON6902 patch (a YAML list of operations) for the objects of one kind and name. */
interface Config {
  kind: string;
  name: string;
  ops: string;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

const cm = (data: string, meta = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${meta}}\ndata: ${data}\n`;
const onCm = (ops: string): Config => ({ kind: 'ConfigMap', name: 'c', ops });
const withList = (list: string) =>
  `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: ${list}}\n`;
const onWidget = (ops: string): Config => ({ kind: 'Widget', name: 'w', ops });

runFilterTable<Config>({
  title: 'json6902 filter (table)',
  apply(resources, { kind, name, ops }) {
    const [patch] = trees(ops, 'patch.yaml', 'json6902Patch');
    for (const res of resources) if (gvkOf(res).kind === kind && nameOf(res) === name) applyJson6902(res.node, patch);
  },
  kustomization: ({ kind, name, ops }) =>
    `patches:\n- target: {kind: ${kind}, name: ${name}}\n  patch: |-\n${indent(ops)}\n`,
  rows: [
    {
      name: 'add: a new key, and over an existing one',
      input: cm('{a: "1"}'),
      config: onCm('- {op: add, path: /data/b, value: "2"}\n- {op: add, path: /data/a, value: x}'),
      expected: cm('{a: x, b: "2"}'),
    },
    {
      name: 'add: into a list at an index, at its length, and at the end with -',
      input: withList('[a, b]'),
      config: onWidget(
        '- {op: add, path: /spec/items/1, value: x}\n- {op: add, path: /spec/items/3, value: q}\n- {op: add, path: /spec/items/-, value: z}',
      ),
      expected: withList('[a, x, b, q, z]'),
    },
    {
      name: 'negative list indices count from the end (add at -1 appends)',
      input: withList('[a, b, c]'),
      config: onWidget(
        '- {op: remove, path: /spec/items/-1}\n- {op: replace, path: /spec/items/-2, value: z}\n- {op: add, path: /spec/items/-1, value: e}',
      ),
      expected: withList('[z, b, e]'),
    },
    {
      name: 'values are typed as YAML 1.1: plain y and on are booleans',
      skip: "kustomize reads a JSON6902 patch through sigs.k8s.io/yaml (go-yaml v2, YAML 1.1), so plain y and on become true; we type the patch as kustomize's YAML 1.2 resources and keep the strings",
      input: cm('{a: "1"}'),
      config: onCm(
        '- {op: add, path: /data/b, value: y}\n- {op: add, path: /metadata/labels, value: {x: on, z: "on"}}',
      ),
      expected: cm('{a: "1", b: true}', ', labels: {x: true, z: "on"}'),
    },
    {
      name: 'add: a whole map, then a field inside it (ops run in order)',
      input: cm('{a: "1"}'),
      config: onCm(
        '- {op: add, path: /metadata/labels, value: {team: x}}\n- {op: add, path: /metadata/labels/tier, value: web}',
      ),
      expected: cm('{a: "1"}', ', labels: {team: x, tier: web}'),
    },
    {
      name: 'add: fails past the end of a list',
      input: withList('[a]'),
      config: onWidget('- {op: add, path: /spec/items/5, value: x}'),
      error: /list index 5 is out of range/,
    },
    {
      name: 'add: fails when a parent on the path is missing',
      input: cm('{a: "1"}'),
      config: onCm('- {op: add, path: /spec/template/x, value: "1"}'),
      error: /path '\/spec\/template\/x' does not exist in the target \(no 'spec'\)/,
    },
    {
      name: 'remove: a map key and a list item',
      input: `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b, c: d}}\nspec: {items: [a, b, c]}\n`,
      config: onWidget('- {op: remove, path: /metadata/labels/a}\n- {op: remove, path: /spec/items/1}'),
      expected: `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {c: d}}\nspec: {items: [a, c]}\n`,
    },
    {
      name: 'remove: fails on a missing key',
      input: cm('{a: "1"}'),
      config: onCm('- {op: remove, path: /data/zz}'),
      error: /cannot remove '\/data\/zz': it does not exist/,
    },
    {
      name: 'remove: fails on - (no index to remove)',
      input: withList('[a]'),
      config: onWidget('- {op: remove, path: /spec/items/-}'),
      error: /'-' is not a list index/,
    },
    {
      name: 'replace: an existing value, a list item, and a missing map key (which it adds)',
      input: withList('[a, b]'),
      config: onWidget('- {op: replace, path: /spec/items/0, value: z}\n- {op: replace, path: /spec/count, value: 3}'),
      expected: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [z, b], count: 3}\n',
    },
    {
      name: 'replace: fails on a list index past the end',
      input: withList('[a, b]'),
      config: onWidget('- {op: replace, path: /spec/items/2, value: z}'),
      error: /list index 2 is out of range/,
    },
    {
      name: 'move and copy: between map keys and list positions',
      input: cm('{a: "1", b: "2"}') + '---\n' + withList('[a, b, c]'),
      config: onCm('- {op: move, from: /data/a, path: /data/z}\n- {op: copy, from: /data/b, path: /data/y}'),
      expected: cm('{b: "2", z: "1", y: "2"}') + '---\n' + withList('[a, b, c]'),
    },
    {
      name: 'move: a list item to the end',
      input: withList('[a, b, c]'),
      config: onWidget('- {op: move, from: /spec/items/0, path: /spec/items/-}'),
      expected: withList('[b, c, a]'),
    },
    {
      name: 'copy: a missing key of an existing map copies null',
      input: cm('{a: "1"}'),
      config: onCm('- {op: copy, from: /data/nope, path: /data/b}'),
      expected: cm('{a: "1", b: null}'),
    },
    {
      name: 'copy: fails when the parent of from does not exist',
      input: cm('{a: "1"}'),
      config: onCm('- {op: copy, from: /spec/nope, path: /data/b}'),
      error: /path '\/spec\/nope' does not exist/,
    },
    {
      name: 'move: fails when from does not exist',
      input: cm('{a: "1"}'),
      config: onCm('- {op: move, from: /data/nope, path: /data/b}'),
      error: /cannot remove '\/data\/nope'/,
    },
    {
      name: 'escaped pointers: ~1 is a slash and ~0 a tilde in a key',
      input: cm('{a: "1"}', ', annotations: {example.com/team: x, "a~b": y}'),
      config: onCm(
        '- {op: replace, path: /metadata/annotations/example.com~1team, value: z}\n- {op: remove, path: /metadata/annotations/a~0b}\n- {op: add, path: /metadata/annotations/b~1c~0d, value: w}',
      ),
      expected: cm('{a: "1"}', ', annotations: {example.com/team: z, "b/c~d": w}'),
    },
    {
      name: 'a key that looks like a number is a map key, not an index',
      input: cm('{"0": zero}'),
      config: onCm('- {op: replace, path: /data/0, value: nil}\n- {op: add, path: /data/1, value: one}'),
      expected: cm('{"0": nil, "1": one}'),
    },
    {
      name: 'test: passes on an equal value (string, list, map), and the next ops run',
      input: withList('[a, b]'),
      config: onWidget(
        '- {op: test, path: /spec/items/0, value: a}\n- {op: test, path: /spec/items, value: [a, b]}\n- {op: test, path: /spec, value: {items: [a, b]}}\n- {op: add, path: /spec/ok, value: true}',
      ),
      expected: 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {items: [a, b], ok: true}\n',
    },
    {
      name: 'test: a missing key of an existing map equals null',
      input: cm('{a: "1"}'),
      config: onCm('- {op: test, path: /data/nope, value: null}\n- {op: add, path: /data/b, value: "2"}'),
      expected: cm('{a: "1", b: "2"}'),
    },
    {
      name: 'test: the whole metadata of an object',
      skip: "kustomize's test op sees the internal annotations kustomize keeps on each object during a build (config.kubernetes.io/index and others), so a test of /metadata fails there; ours compares the object as written",
      input: cm('{a: "1"}'),
      config: onCm('- {op: test, path: /metadata, value: {name: c}}'),
      error: /test failed/,
    },
    {
      name: 'test: fails on a different value',
      input: cm('{a: "1"}'),
      config: onCm('- {op: test, path: /data/a, value: "2"}'),
      error: /JSON6902 test failed at '\/data\/a'/,
    },
    {
      name: 'an unknown op fails',
      input: cm('{a: "1"}'),
      config: onCm('- {op: upsert, path: /data/a, value: "2"}'),
      error: /invalid JSON6902 op 'upsert'/,
    },
  ],
});
