import assert from 'node:assert/strict';
import { loadRepoConfig, parseRepoConfig } from '../../../src/core/repo/config';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';

/** `file:line:col message` for each problem, the way a user reads them. */
function where(text: string): string[] {
  return parseRepoConfig(text).problems.map(
    (p) => `${p.location?.line}:${p.location?.column} ${p.severity} ${p.message}`,
  );
}

describe('repo config (.gitops-drift.yaml)', () => {
  it('parses environments, promotion, ignore rules, appliers and exact mode', () => {
    const { config, problems } = parseRepoConfig(
      [
        'environments:',
        '  - name: dev',
        '    path: ./envs/dev/',
        '    context: kind-dev',
        '    namespace: shop-dev',
        '  - name: prod',
        '    path: envs/prod',
        '    exact: true',
        'promotion: [dev, prod]',
        'ignore:',
        '  - kind: Deployment',
        '    name: web-*',
        '    jsonPointers: [/spec/replicas]',
        '  - managedFieldsManagers: [kube-controller-manager]',
        '    environments: [prod]',
        'appliers: [argocd-controller, kubectl]',
        'outOfBandManagers: [kubectl-edit]',
        'exact: false',
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      config.environments.map((e) => [e.name, e.path, e.context, e.namespace, e.exact, e.source, e.definedAt?.line]),
      [
        ['dev', 'envs/dev', 'kind-dev', 'shop-dev', undefined, 'config', 2],
        ['prod', 'envs/prod', undefined, undefined, true, 'config', 6],
      ],
    );
    assert.deepEqual(config.promotion, [['dev', 'prod']]);
    assert.deepEqual(
      config.promotionDefinedAt[0].map((l) => `${l.line}:${l.column}`),
      ['9:13', '9:18'],
    );
    assert.deepEqual(
      config.ignore.map((r) => ({ ...r, definedAt: r.definedAt?.line })),
      [
        { kind: 'Deployment', name: 'web-*', jsonPointers: ['/spec/replicas'], definedAt: 11 },
        { managers: ['kube-controller-manager'], environments: ['prod'], definedAt: 14 },
      ],
    );
    assert.deepEqual(config.appliers, ['argocd-controller', 'kubectl']);
    assert.deepEqual(config.outOfBandManagers, ['kubectl-edit']);
    assert.equal(config.exact, false);
  });

  it('reads tracking marks (for the Extra verdict) and points at bad ones', () => {
    const text = [
      'environments:', //                                       1
      '  - name: prod', //                                      2
      '    path: envs/prod', //                                 3
      '    tracking:', //                                       4
      '      argocdApp: shop-prod', //                          5
      '      fluxKustomization: flux-system/apps', //           6
      '      labels: { team: shop }', //                        7
      '  - name: dev', //                                       8
      '    path: envs/dev', //                                  9
      '    tracking:', //                                       10
      '      fluxKustomization: apps', //                       11
      '      labels: [team]', //                                12
    ].join('\n');
    const { config } = parseRepoConfig(text);
    assert.deepEqual(config.environments[0].tracking, {
      argocdApp: 'shop-prod',
      fluxKustomization: { namespace: 'flux-system', name: 'apps' },
      labels: { team: 'shop' },
    });
    assert.deepEqual(where(text), [
      "11:26 error fluxKustomization 'apps' must be namespace/name (e.g. flux-system/apps)",
      '12:15 error labels must be a mapping of label keys to values',
    ]);
  });

  it('accepts several promotion chains', () => {
    const { config, problems } = parseRepoConfig('promotion:\n  - [dev, staging, prod-eu]\n  - [dev, prod-us]\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(config.promotion, [
      ['dev', 'staging', 'prod-eu'],
      ['dev', 'prod-us'],
    ]);
  });

  it('reports YAML syntax errors at their line and column, with nothing half-parsed', () => {
    const { config, problems } = parseRepoConfig('environments:\n  - name: dev\n    path: envs/dev\n  - name: "prod\n');
    assert.equal(problems.length, 1);
    assert.equal(problems[0].severity, 'error');
    assert.deepEqual(problems[0].location, { file: '.gitops-drift.yaml', line: 5, column: 1 });
    assert.match(problems[0].message, /^Missing closing "quote$/);
    assert.deepEqual(config.environments, []);
  });

  it('reports duplicate keys', () => {
    const problems = where('exact: true\nexact: false\n');
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^2:1 error .*unique/);
  });

  it('reports a root that is not a mapping', () => {
    assert.deepEqual(where('- dev\n- prod\n'), [
      '1:1 error .gitops-drift.yaml must be a mapping with keys environments, promotion, ignore, appliers, outOfBandManagers, controllerManagers, exact, lint, promote, flux, argocd',
    ]);
  });

  it('treats an empty file as an empty config', () => {
    const { config, problems } = parseRepoConfig('# nothing yet\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(config.environments, []);
  });

  it('points at each invalid environment field and keeps the valid entries', () => {
    const text = [
      'environments:', //                1
      '  - name: dev', //                 2
      '    path: envs/dev', //            3
      '  - path: envs/x', //              4  missing name
      '  - name: dev', //                 5  duplicate
      '    path: envs/dev2', //           6
      '  - name: prod', //                7
      '    path: ../elsewhere', //        8  leaves the repo
      '  - name: qa', //                  9
      '    path: envs/qa', //             10
      '    namespace: Shop_QA', //        11 invalid namespace
      '  - name: 2024', //                12 number
      '    path: envs/y', //              13
      '  - name: st', //                  14
      '    path: envs/st', //             15
      '    exact: yes please', //         16
      '    contxt: foo', //               17 typo
      '  - just-a-string', //             18
      'promotion: [dev, nope]', //        19
    ].join('\n');
    const { config } = parseRepoConfig(text);
    assert.deepEqual(where(text), [
      "4:5 error environment is missing 'name'",
      "5:11 error duplicate environment name 'dev'",
      "8:11 error environment path '../elsewhere' must be relative to the repo root and stay inside it",
      "11:16 error namespace 'Shop_QA' is not a valid Kubernetes namespace name",
      '12:11 error environment name must be a non-empty string (quote it: "2024")',
      '16:12 error exact must be true or false',
      "17:5 warning unknown key 'contxt' in environment (did you mean 'context'?)",
      '18:5 error expected an environment: { name, path | applications, context?, namespace?, exact?, tracking? }',
      "19:18 error promotion: unknown environment 'nope' (known: dev, st)",
    ]);
    assert.deepEqual(
      config.environments.map((e) => e.name),
      ['dev', 'st'],
    );
  });

  it('points at invalid ignore rules', () => {
    const text = [
      'ignore:', //                                  1
      '  - kind: Deployment', //                     2  ignores nothing
      '  - kind: Service', //                        3
      '    jsonPointers: [spec/type, /a~2b]', //     4  not pointers
      '  - name: [a]', //                            5  not a string
      '    managedFieldsManagers: hpa', //           6  not a list
      'enviroments: []', //                          7  typo
      'appliers: kubectl', //                        8
    ].join('\n');
    assert.deepEqual(where(text), [
      '2:5 error ignore rule needs jsonPointers or managedFieldsManagers (otherwise it ignores nothing)',
      '3:5 error ignore rule needs jsonPointers or managedFieldsManagers (otherwise it ignores nothing)',
      "4:20 error JSON pointer 'spec/type' is not valid (RFC 6901: '/spec/replicas'; escape '/' as ~1 and '~' as ~0)",
      "4:31 error JSON pointer '/a~2b' is not valid (RFC 6901: '/spec/replicas'; escape '/' as ~1 and '~' as ~0)",
      '5:5 error ignore rule needs jsonPointers or managedFieldsManagers (otherwise it ignores nothing)',
      '5:11 error name must be a non-empty string',
      '6:28 error managedFieldsManagers must be a list',
      "7:1 warning unknown key 'enviroments' (did you mean 'environments'?)",
      '8:11 error appliers must be a list',
    ]);
  });

  it('loads from the repo root, drops environments whose folder is missing, and reports them', async () => {
    const fs = new MemoryFileSystem({
      '/repo/.gitops-drift.yaml':
        'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n    path: envs/prod\n',
      '/repo/envs/dev/kustomization.yaml': 'resources: []\n',
    });
    const { config, problems } = await loadRepoConfig(fs, '/repo');
    assert.deepEqual(
      config?.environments.map((e) => e.name),
      ['dev'],
    );
    assert.deepEqual(
      problems.map((p) => `${p.location?.file}:${p.location?.line}:${p.location?.column} ${p.message}`),
      [".gitops-drift.yaml:4:5 environment 'prod': path 'envs/prod' does not exist in the repo"],
    );
  });

  it('returns no config (and no problem) when the file does not exist', async () => {
    const { config, problems } = await loadRepoConfig(new MemoryFileSystem({ '/repo/a.yaml': '' }), '/repo');
    assert.equal(config, undefined);
    assert.deepEqual(problems, []);
  });
});

describe('repo config: lint', () => {
  it('reads the codes to disable; an unknown code is a warning at its entry, with the closest code, and left out', () => {
    const { config, problems } = parseRepoConfig(
      ['lint:', '  disable: [selector-label, mutable-image-tags]', ''].join('\n'),
    );
    assert.deepEqual(config.lint, { disable: ['selector-label'] });
    assert.deepEqual(
      problems.map((p) => `${p.location?.line}:${p.location?.column} ${p.severity} ${p.message}`),
      ["2:29 warning unknown lint code 'mutable-image-tags' in lint.disable (did you mean 'mutable-image-tag'?)"],
    );
  });

  it('defaults to nothing disabled, and refuses a lint value that is not a map', () => {
    assert.deepEqual(parseRepoConfig('exact: true\n').config.lint, { disable: [] });
    assert.deepEqual(where('lint: [selector-label]\n'), ['1:7 error expected lint: { disable: [lint codes] }']);
  });
});
