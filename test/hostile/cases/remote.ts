/**
 * Content the renderer skips (nothing is fetched or run): remote resources and components, Helm charts, plugins.
 * An environment with skipped content is not checked: `check`/`diff`/`render` exit 2 unless --allow-incomplete,
 * and say why at the kustomization's line.
 */
import { each, type HostileCase, type Run } from './types';

const devWith = (extra: string) => `namespace: demo\nresources:\n  - ../../base\n${extra}`;

/** dev skips `what` at envs/dev/kustomization.yaml:`line`; prod is complete. */
function incomplete(line: number, what: RegExp): Run[] {
  const at = new RegExp(`envs/dev/kustomization\\.yaml:${line}\\b`);
  return [
    { command: 'check', exit: 2, says: [/^dev: not checked: incomplete/m, /prod: 1 in sync, 2 missing/, at, what] },
    { command: 'check', extraArgs: ['--allow-incomplete'], exit: 1, says: [/dev: 1 in sync, 2 missing/, at, what] },
    { command: 'check-json', exit: 2, says: [/"incomplete": \[\s*\{\s*"message": "/, what] },
    {
      command: 'check-sarif',
      exit: 2,
      says: [
        /"ruleId": "drift\/unchecked",\s*"level": "error",\s*"message": \{\s*"text": "dev: not checked: incomplete: /,
        what,
      ],
    },
    { command: 'diff', exit: 2, says: [/^dev: not checked: incomplete/m, at, what] },
    { command: 'diff', extraArgs: ['--allow-incomplete'], exit: 1, says: [at, what] },
    { command: 'render', exit: 2, says: [at, what] },
    { command: 'render', extraArgs: ['--allow-incomplete'], exit: 0, says: [at, what] },
    { command: 'lint', exit: 1, says: [at, what] },
  ];
}

export const remoteCases: HostileCase[] = [
  {
    id: 'remote/https-resource',
    what: 'a resource fetched over https',
    setup: (r) => r.write('envs/dev/kustomization.yaml', devWith('  - https://example.com/manifests/app.yaml\n')),
    runs: incomplete(4, /remote resource/),
  },
  {
    id: 'remote/github-resource',
    what: 'a github.com resource with a ref',
    setup: (r) => r.write('envs/dev/kustomization.yaml', devWith('  - github.com/example/config//deploy?ref=v1.2.3\n')),
    runs: incomplete(4, /remote resource/),
  },
  {
    id: 'remote/remote-component',
    what: 'a component fetched from git',
    setup: (r) =>
      r.write(
        'envs/dev/kustomization.yaml',
        devWith('components:\n  - https://github.com/example/config//components/tls?ref=main\n'),
      ),
    runs: incomplete(5, /remote component/),
  },
  {
    id: 'remote/helm-chart',
    what: 'a Helm chart kustomize would pull (not in charts/)',
    setup: (r) =>
      r.write(
        'envs/dev/kustomization.yaml',
        devWith('helmCharts:\n  - name: redis\n    repo: https://charts.example.com\n    version: 1.0.0\n'),
      ),
    // Said at the entry that names the chart, never downloaded.
    runs: incomplete(
      5,
      /helmCharts 'redis': chart charts\.example\.com\/redis 1\.0\.0 not downloaded: chart downloads are off/,
    ),
  },
  {
    id: 'remote/generator-plugin',
    what: 'a generator plugin (never executed)',
    setup: (r) => {
      r.write('envs/dev/plugin.yaml', 'apiVersion: example.com/v1\nkind: SecretsFromVault\nmetadata:\n  name: vault\n');
      r.write('envs/dev/kustomization.yaml', devWith('generators:\n  - plugin.yaml\n'));
    },
    // At the entry that lists the plugin's config (line 5), not the field.
    runs: incomplete(5, /generators/),
  },
  {
    id: 'remote/transformer-plugin',
    what: 'a transformer plugin (never executed)',
    setup: (r) => {
      r.write('envs/dev/plugin.yaml', 'apiVersion: example.com/v1\nkind: Injector\nmetadata:\n  name: inject\n');
      r.write('envs/dev/kustomization.yaml', devWith('transformers:\n  - plugin.yaml\n'));
    },
    runs: incomplete(5, /transformers/),
  },
  {
    id: 'remote/validator-plugin',
    what: 'a validator plugin: skipped, but it changes no content, so the verdict stands',
    setup: (r) => {
      r.write('envs/dev/plugin.yaml', 'apiVersion: example.com/v1\nkind: Policy\nmetadata:\n  name: policy\n');
      r.write('envs/dev/kustomization.yaml', devWith('validators:\n  - plugin.yaml\n'));
    },
    runs: [
      ...each(['check', 'diff'], { exit: 1, says: [/validators/] }),
      { command: 'render', exit: 0, says: [/validators/] },
    ],
  },
];
