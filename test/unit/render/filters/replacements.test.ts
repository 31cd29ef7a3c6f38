import { strict as assert } from 'node:assert';
import { applyReplacement } from '../../../../src/core/render/kustomize/filters/replacements';
import type { TMap } from '../../../../src/core/yaml/tree';
import { runFilterTable, trees } from '../../../support/filterTable';

/** A `replacements:` list, as YAML. */
interface Config {
  replacements: string;
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

const cm = (name: string, data: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: ${data}\n`;
const deploy = (name: string, containers: string, meta = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}${meta}}\nspec:\n  template:\n    spec:\n      containers: ${containers}\n`;

runFilterTable<Config>({
  title: 'replacements filter (table)',
  apply(resources, { replacements }) {
    const [list] = trees(replacements, 'kustomization.yaml', 'replacement');
    assert.equal(list.kind, 'seq');
    for (const entry of list.items) applyReplacement(resources, entry as TMap);
  },
  kustomization: ({ replacements }) => `replacements:\n${indent(replacements)}\n`,
  rows: [
    {
      name: "copies a source's name (the default fieldPath) into a target field",
      input: cm('settings', '{}') + '---\n' + deploy('web', '[{name: app, env: [{name: CFG, value: x}]}]'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: settings}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.[name=app].env.[name=CFG].value"]\n',
      },
      expected: cm('settings', '{}') + '---\n' + deploy('web', '[{name: app, env: [{name: CFG, value: settings}]}]'),
    },
    {
      name: 'reads a source field inside a list item selected by [name=...], keeping its type',
      input:
        deploy('web', '[{name: side, image: s:1}, {name: app, image: app:2, ports: [{containerPort: 8080}]}]') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80, targetPort: 1}]}\n',
      config: {
        replacements:
          '- source: {kind: Deployment, name: web, fieldPath: "spec.template.spec.containers.[name=app].ports.0.containerPort"}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [spec.ports.0.targetPort]\n',
      },
      expected:
        deploy('web', '[{name: side, image: s:1}, {name: app, image: app:2, ports: [{containerPort: 8080}]}]') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80, targetPort: 8080}]}\n',
    },
    {
      name: 'splits the source with delimiter and index; an existing string target stays a string ("4.2")',
      input: deploy('web', '[{name: app, image: "example/app:4.2"}]', ', labels: {version: old}'),
      config: {
        replacements:
          '- source: {kind: Deployment, name: web, fieldPath: "spec.template.spec.containers.[name=app].image", options: {delimiter: ":", index: 1}}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [metadata.labels.version]\n',
      },
      expected: deploy('web', '[{name: app, image: "example/app:4.2"}]', ', labels: {version: "4.2"}'),
    },
    {
      name: 'a created target has no type: the part is typed on output (4.2 becomes a number)',
      input: deploy('web', '[{name: app, image: "example/app:4.2"}]'),
      config: {
        replacements:
          '- source: {kind: Deployment, name: web, fieldPath: "spec.template.spec.containers.[name=app].image", options: {delimiter: ":", index: 1}}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [metadata.labels.version]\n    options: {create: true}\n',
      },
      expected: deploy('web', '[{name: app, image: "example/app:4.2"}]', ', labels: {version: 4.2}'),
    },
    {
      name: 'into an existing scalar only the text is copied: the target keeps its type',
      input:
        cm('src', '{port: "8080", flag: "true"}') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: web, annotations: {port: "1"}}\nspec: {ports: [{port: 80, targetPort: 1}]}\n',
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.port}\n  targets:\n  - select: {kind: Service}\n    fieldPaths: [spec.ports.0.targetPort, metadata.annotations.port]\n',
      },
      expected:
        cm('src', '{port: "8080", flag: "true"}') +
        '---\napiVersion: v1\nkind: Service\nmetadata: {name: web, annotations: {port: "8080"}}\nspec: {ports: [{port: 80, targetPort: 8080}]}\n',
    },
    {
      name: 'replaces one part of a delimited target; an index past the end appends, a negative one prepends',
      input: cm('src', '{v: "2"}') + '---\n' + cm('dst', '{a: "x.y.z", b: "x.y", c: "x.y"}'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {name: dst}\n    fieldPaths: [data.a]\n    options: {delimiter: ".", index: 1}\n' +
          '  - select: {name: dst}\n    fieldPaths: [data.b]\n    options: {delimiter: ".", index: 5}\n  - select: {name: dst}\n    fieldPaths: [data.c]\n    options: {delimiter: ".", index: -1}\n',
      },
      expected: cm('src', '{v: "2"}') + '---\n' + cm('dst', '{a: "x.2.z", b: "x.y.2", c: "2.x.y"}'),
    },
    {
      name: 'creates missing maps with options.create',
      input: cm('src', '{v: hello}') + '---\n' + cm('dst', '{}'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {name: dst}\n    fieldPaths: [metadata.annotations.greeting, data.copy]\n    options: {create: true}\n',
      },
      expected:
        cm('src', '{v: hello}') +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst, annotations: {greeting: hello}}\ndata: {copy: hello}\n',
    },
    {
      name: 'fails on a missing target field without options.create',
      input: cm('src', '{v: hello}') + '---\n' + cm('dst', '{}'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {name: dst}\n    fieldPaths: [data.missing]\n',
      },
      error: /replacement target field 'data.missing' not found in ConfigMap dst/,
    },
    {
      name: 'fails when the source matches nothing',
      input: cm('a', '{v: "1"}'),
      config: {
        replacements:
          '- source: {kind: Secret, name: a}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.v]\n',
      },
      error: /replacement source matches no object/,
    },
    {
      name: 'fails when the source matches several objects',
      input: cm('a', '{v: "1"}') + '---\n' + cm('b', '{v: "2"}'),
      config: {
        replacements:
          '- source: {kind: ConfigMap}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [metadata.name]\n',
      },
      error: /replacement source matches 2 objects/,
    },
    {
      name: 'fails when the source field is missing',
      input: cm('a', '{v: "1"}'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: a, fieldPath: data.nope}\n  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.v]\n',
      },
      error: /replacement source field 'data.nope' not found/,
    },
    {
      name: 'selects targets by label and namespace, and reject leaves some out',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {v: new}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {tier: web}}\ndata: {v: old}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: other, labels: {tier: web}}\ndata: {v: old}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: db}}\ndata: {v: old}\n',
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {labelSelector: "tier=web"}\n    reject: [{namespace: other}]\n    fieldPaths: [data.v]\n',
      },
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src}\ndata: {v: new}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {tier: web}}\ndata: {v: new}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: other, labels: {tier: web}}\ndata: {v: old}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {tier: db}}\ndata: {v: old}\n',
    },
    {
      name: 'a * in the target path sets the field in every list item',
      input: cm('src', '{img: "app:9"}') + '---\n' + deploy('web', '[{name: a, image: x}, {name: b, image: y}]'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.img}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.*.image"]\n',
      },
      expected:
        cm('src', '{img: "app:9"}') + '---\n' + deploy('web', '[{name: a, image: "app:9"}, {name: b, image: "app:9"}]'),
    },
    {
      name: 'copies a whole map',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src, labels: {a: "1", b: "2"}}\n---\n' + deploy('web', '[]'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: metadata.labels}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.metadata.labels]\n    options: {create: true}\n',
      },
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: src, labels: {a: "1", b: "2"}}\n---\n' +
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {a: "1", b: "2"}}\n    spec:\n      containers: []\n',
    },
    {
      name: 'a key holding dots goes in brackets',
      input:
        cm('src', '{v: issuer}') +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst, annotations: {cert-manager.io/inject-ca-from: x}}\n',
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {name: dst}\n    fieldPaths: ["metadata.annotations.[cert-manager.io/inject-ca-from]"]\n',
      },
      expected:
        cm('src', '{v: issuer}') +
        '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: dst, annotations: {cert-manager.io/inject-ca-from: issuer}}\n',
    },
    {
      name: 'creates a list and its item selected by [name=...] with options.create; the created value is untyped ("1" becomes 1)',
      input: cm('src', '{v: "1"}') + '---\n' + deploy('web', '[{name: app}]'),
      config: {
        replacements:
          '- source: {kind: ConfigMap, name: src, fieldPath: data.v}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: ["spec.template.spec.containers.[name=app].env.[name=LEVEL].value"]\n    options: {create: true}\n',
      },
      expected: cm('src', '{v: "1"}') + '---\n' + deploy('web', '[{name: app, env: [{name: LEVEL, value: 1}]}]'),
    },
  ],
});
