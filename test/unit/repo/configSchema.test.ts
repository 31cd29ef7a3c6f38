/**
 * The JSON Schema of `.gitops-drift.yaml` and the parser read the same file: these tests fail when they disagree
 * (a key one knows and the other does not, a lint code missing from the schema, a stale generated validator), and
 * pin the messages the schema's errors become.
 */
import { sourcePath } from '../../../src/core/model/environment';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { configValidatorSource, SCHEMA_FILE, VALIDATOR_FILE } from '../../../scripts/generate-config-validator';
import { LINT_CODES } from '../../../src/core/model/lintCodes';
import { CONFIG_KEYS, loadRepoConfig, parseRepoConfig } from '../../../src/core/repo/config';
import { CONFIG_SCHEMA, type ConfigSchemaNode } from '../../../src/core/repo/configSchema';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

/** `line:col severity message` for each problem. */
function where(text: string): string[] {
  return parseRepoConfig(text).problems.map(
    (p) => `${p.location?.line}:${p.location?.column} ${p.severity} ${p.message}`,
  );
}

function definition(name: string): ConfigSchemaNode {
  const found = CONFIG_SCHEMA.definitions?.[name];
  assert.ok(found, `the schema has no definitions.${name}`);
  return found;
}

/** The schema node of each section the parser reads. */
const SECTIONS: Record<keyof typeof CONFIG_KEYS, ConfigSchemaNode> = {
  topLevel: CONFIG_SCHEMA,
  environment: definition('environment'),
  application: definition('application'),
  tracking: definition('tracking'),
  ignoreRule: definition('ignoreRule'),
  lint: CONFIG_SCHEMA.properties!.lint,
  promote: CONFIG_SCHEMA.properties!.promote,
  flux: CONFIG_SCHEMA.properties!.flux,
  argocd: CONFIG_SCHEMA.properties!.argocd,
};

describe('.gitops-drift.yaml: the JSON Schema and the parser agree', () => {
  for (const [section, schema] of Object.entries(SECTIONS)) {
    it(`${section}: the schema declares exactly the keys the parser reads, and refuses others`, () => {
      assert.deepEqual(
        Object.keys(schema.properties ?? {}).sort(),
        [...CONFIG_KEYS[section as keyof typeof CONFIG_KEYS]].sort(),
      );
      assert.equal(schema.additionalProperties, false, 'an unknown key is reported (as a likely typo)');
    });
  }

  it('the sections are where the schema uses them', () => {
    assert.deepEqual(CONFIG_SCHEMA.properties!.environments.items, { $ref: '#/definitions/environment' });
    assert.deepEqual(definition('environment').properties!.applications.items, { $ref: '#/definitions/application' });
    assert.deepEqual(definition('environment').properties!.tracking, { $ref: '#/definitions/tracking' });
    assert.deepEqual(CONFIG_SCHEMA.properties!.ignore.items, { $ref: '#/definitions/ignoreRule' });
  });

  it('lint.disable accepts exactly the lint codes', () => {
    assert.deepEqual(CONFIG_SCHEMA.properties!.lint.properties!.disable.items!.enum, [...LINT_CODES]);
  });

  it('every property has a description (the editor shows it on hover)', () => {
    const missing: string[] = [];
    const visit = (node: ConfigSchemaNode | boolean | undefined, path: string): void => {
      if (typeof node !== 'object' || node.$ref) return;
      for (const [key, child] of Object.entries(node.properties ?? {})) {
        if (!child.$ref && !child.description) missing.push(`${path}/properties/${key}`);
        visit(child, `${path}/properties/${key}`);
      }
      visit(node.items, `${path}/items`);
      visit(node.additionalProperties, `${path}/additionalProperties`);
    };
    visit(CONFIG_SCHEMA, '#');
    for (const [name, node] of Object.entries(CONFIG_SCHEMA.definitions ?? {})) {
      if (!node.description) missing.push(`#/definitions/${name}`);
      visit(node, `#/definitions/${name}`);
    }
    assert.deepEqual(missing, []);
  });

  it('the generated validator is current (else: npx tsx scripts/generate-config-validator.ts)', () => {
    assert.equal(readFileSync(VALIDATOR_FILE, 'utf8'), configValidatorSource());
    assert.deepEqual(
      CONFIG_SCHEMA,
      JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')),
      'messages are worded from the shipped schema',
    );
  });

  it('reads every key the schema declares into the config', () => {
    const { config, problems } = parseRepoConfig(
      [
        'environments:',
        '  - name: dev',
        '    path: envs/dev',
        '    context: kind-dev',
        '    namespace: shop-dev',
        '    exact: true',
        '    tracking: { argocdApp: shop-dev, argocdLabel: team/app, fluxKustomization: flux-system/dev, labels: { team: shop } }',
        '  - name: prod',
        '    applications:',
        '      - { name: shop, path: apps/shop/prod, namespace: shop }',
        'promotion: [dev, prod]',
        'ignore:',
        '  - { group: "", kind: Deployment, name: web, namespace: shop-*, environments: [prod], jsonPointers: [/spec/replicas], managedFieldsManagers: [hpa] }',
        'appliers: [kubectl]',
        'outOfBandManagers: [kubectl-edit]',
        'controllerManagers: [kube-controller-manager]',
        'exact: true',
        'lint: { disable: [selector-label] }',
        'promote: { move: ["*: data.FEATURE_*"], keep: ["web: containers[web].env[REGION]"] }',
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
    const [dev, prod] = config.environments;
    assert.deepEqual(
      { ...dev, definedAt: undefined },
      {
        name: 'dev',
        path: 'envs/dev',
        source: 'config',
        definedAt: undefined,
        applications: [{ name: 'dev', source: { type: 'folder', path: 'envs/dev' }, renderer: 'kustomize' }],
        context: 'kind-dev',
        namespace: 'shop-dev',
        exact: true,
        tracking: {
          argocdApp: 'shop-dev',
          argocdLabel: 'team/app',
          fluxKustomization: { namespace: 'flux-system', name: 'dev' },
          labels: { team: 'shop' },
        },
      },
    );
    assert.deepEqual(
      prod.applications.map((a) => [a.name, sourcePath(a), a.namespace]),
      [['shop', 'apps/shop/prod', 'shop']],
    );
    assert.deepEqual(config.promotion, [['dev', 'prod']]);
    assert.deepEqual(
      { ...config.ignore[0], definedAt: undefined },
      {
        group: '',
        kind: 'Deployment',
        name: 'web',
        namespace: 'shop-*',
        environments: ['prod'],
        jsonPointers: ['/spec/replicas'],
        managers: ['hpa'],
        definedAt: undefined,
      },
    );
    assert.deepEqual(
      [config.appliers, config.outOfBandManagers, config.controllerManagers],
      [['kubectl'], ['kubectl-edit'], ['kube-controller-manager']],
    );
    assert.equal(config.exact, true);
    assert.deepEqual(config.lint, { disable: ['selector-label'] });
    assert.deepEqual(config.promote, { move: ['*: data.FEATURE_*'], keep: ['web: containers[web].env[REGION]'] });
  });
});

describe('.gitops-drift.yaml: schema errors at their YAML node', () => {
  const cases: [what: string, yaml: string[], expected: string[]][] = [
    [
      'a wrong type at the top level, with the file name',
      ['environments: dev'],
      ['1:15 error environments must be a list'],
    ],
    [
      'an unknown key in a nested mapping, with the closest key',
      ['environments:', '  - name: dev', '    path: envs/dev', '    tracking: { argoApp: shop }'],
      ["4:17 warning unknown key 'argoApp' in tracking (did you mean 'argocdApp'?)"],
    ],
    [
      'an unknown key with no close one lists the keys',
      ['lint: { enable: [x] }'],
      ["1:9 warning unknown key 'enable' in lint (expected disable)"],
    ],
    ['a blank string', ['appliers: ["  "]'], ['1:12 error appliers entry must be a non-empty string']],
    [
      'a boolean where a name belongs, with how to quote it',
      ['promotion: [dev, true]'],
      ['1:18 error promotion entry must be a non-empty string or a list (quote it: "true")'],
    ],
    [
      'a mapping in a promotion chain',
      ['promotion: [dev, { a: b }]'],
      ['1:18 error promotion entry must be a non-empty string or a list'],
    ],
    [
      'names and chains mixed in one promotion list',
      ['promotion: [dev, [qa, prod]]'],
      ['1:18 error promotion entry must be a non-empty string (a list of chains holds only lists)'],
    ],
    [
      'a number in lint.disable is a wrong type, not an unknown code',
      ['lint:', '  disable: [3]'],
      ['2:13 error lint code must be a non-empty string (quote it: "3")'],
    ],
    [
      'an environment with both path and applications',
      ['environments:', '  - name: dev', '    path: envs/dev', '    applications: [{ name: a, path: envs/a }]'],
      ["2:5 error environment has both 'path' and 'applications': give only one"],
    ],
    [
      'an alias where a list belongs (aliases are not followed)',
      ['x: &x [dev]', 'promotion: *x'],
      [
        "1:1 warning unknown key 'x' (expected environments, promotion, ignore, appliers, outOfBandManagers, controllerManagers, exact, lint, promote, flux, argocd)",
        '2:12 error promotion must be a list',
      ],
    ],
    [
      'a key named __proto__ is an unknown key like any other',
      ['__proto__: { exact: true }', 'exact: false'],
      [
        "1:1 warning unknown key '__proto__' (expected environments, promotion, ignore, appliers, outOfBandManagers, controllerManagers, exact, lint, promote, flux, argocd)",
      ],
    ],
  ];
  for (const [what, yaml, expected] of cases) {
    it(what, () => assert.deepEqual(where(yaml.join('\n')), expected));
  }

  it('a root that is a list names the file and its keys, and nothing else is read', () => {
    const { config, problems } = parseRepoConfig('- exact: true\n');
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        '.gitops-drift.yaml must be a mapping with keys environments, promotion, ignore, appliers, outOfBandManagers, controllerManagers, exact, lint, promote, flux, argocd',
      ],
    );
    assert.equal(config.exact, false);
  });

  it('a refused list of environments for an ignore rule reads as none, not as every environment', () => {
    const { config, problems } = parseRepoConfig(
      'ignore:\n  - environments: prod\n    jsonPointers: [/spec/replicas]\n',
    );
    assert.deepEqual(
      problems.map((p) => p.message),
      ['environments must be a list'],
    );
    assert.deepEqual(
      config.ignore.map((r) => r.environments),
      [[]],
    );
  });

  it('an Object.prototype key in the file does not reach the prototype', () => {
    parseRepoConfig('environments:\n  - { name: dev, path: envs/dev, __proto__: { polluted: true } }\n');
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  });
});

describe('.gitops-drift.yaml: environments made of applications', () => {
  it('reads applications, normalises their paths, and gives the environment the first one as its path', () => {
    const text = [
      'environments:', //                                     1
      '  - name: prod', //                                    2
      '    namespace: shop', //                               3
      '    applications:', //                                 4
      '      - name: frontend', //                            5
      '        path: ./apps/frontend/prod/', //               6
      '      - name: backend', //                             7
      '        path: apps/backend/prod', //                   8
      '        namespace: shop-backend', //                   9
    ].join('\n');
    const { config, problems } = parseRepoConfig(text);
    assert.deepEqual(problems, []);
    const [prod] = config.environments;
    assert.equal(prod.path, 'apps/frontend/prod');
    assert.equal(prod.namespace, 'shop');
    assert.deepEqual(prod.applications, [
      {
        name: 'frontend',
        source: { type: 'folder', path: 'apps/frontend/prod' },
        renderer: 'kustomize',
        declaredAt: { file: '.gitops-drift.yaml', line: 5, column: 9 },
      },
      {
        name: 'backend',
        source: { type: 'folder', path: 'apps/backend/prod' },
        renderer: 'kustomize',
        namespace: 'shop-backend',
        declaredAt: { file: '.gitops-drift.yaml', line: 7, column: 9 },
      },
    ]);
  });

  it('gives an environment given by path its one application, named after it and declared nowhere of its own', () => {
    const { config } = parseRepoConfig('environments:\n  - name: dev\n    path: envs/dev\n');
    assert.deepEqual(config.environments[0].applications, [
      { name: 'dev', source: { type: 'folder', path: 'envs/dev' }, renderer: 'kustomize' },
    ]);
  });

  it('points at each invalid application, and drops its environment', () => {
    const text = [
      'environments:', //                                     1
      '  - name: a', //                                       2
      '    applications:', //                                 3
      '      - { name: web, path: apps/web }', //             4
      '      - { name: web, path: apps/web2 }', //            5  duplicate name
      '  - name: b', //                                       6
      '    applications:', //                                 7
      '      - { name: api, path: ../outside }', //           8  leaves the repo
      '      - { name: "my app", path: apps/x }', //          9  invalid name
      '      - { name: db }', //                              10 no path
      '      - { name: q, path: apps/q, namespce: x }', //    11 typo: a warning, the application stays
      '  - name: c', //                                       12
      '    applications: []', //                              13 empty
      '  - name: d', //                                       14 neither
      '  - name: e', //                                       15
      '    applications: [apps/e]', //                        16 not a mapping
      '  - name: ok', //                                      17
      '    applications:', //                                 18
      '      - { name: one, path: apps/one, namespace: Bad_NS }', // 19
    ].join('\n');
    const { config } = parseRepoConfig(text);
    assert.deepEqual(where(text), [
      "5:17 error duplicate application name 'web' in one environment",
      "8:28 error application path '../outside' must be relative to the repo root and stay inside it",
      "9:17 error application name 'my app' may only contain letters, digits, '.', '_' and '-'",
      "10:9 error application is missing 'path'",
      "11:34 warning unknown key 'namespce' in application (did you mean 'namespace'?)",
      '13:19 error applications must not be empty',
      "14:5 error environment is missing 'path' (or 'applications')",
      '16:20 error expected an application: { name, path, namespace? }',
      "19:49 error namespace 'Bad_NS' is not a valid Kubernetes namespace name",
    ]);
    assert.deepEqual(config.environments, []);
  });

  it('loads only environments whose every application folder exists, and says which is missing', async () => {
    const fs = new MemoryFileSystem({
      '/repo/.gitops-drift.yaml': [
        'environments:',
        '  - name: dev',
        '    applications:',
        '      - { name: web, path: apps/web/dev }',
        '  - name: prod',
        '    applications:',
        '      - { name: web, path: apps/web/prod }',
        '      - { name: api, path: apps/api/prod }',
      ].join('\n'),
      '/repo/apps/web/dev/kustomization.yaml': 'resources: []\n',
      '/repo/apps/web/prod/kustomization.yaml': 'resources: []\n',
    });
    const { config, problems } = await loadRepoConfig(fs, '/repo');
    assert.deepEqual(
      config?.environments.map((e) => e.name),
      ['dev'],
    );
    assert.deepEqual(
      problems.map((p) => `${p.location?.line}:${p.location?.column} ${p.message}`),
      ["8:9 environment 'prod': application 'api': path 'apps/api/prod' does not exist in the repo"],
    );
  });
});
