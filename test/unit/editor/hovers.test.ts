import * as assert from 'node:assert/strict';
import {
  effectiveValues,
  type EnvironmentRender,
  environmentsUsing,
  fieldAtPosition,
  summarizeEffectiveValues,
} from '../../../src/core/authoring/effectiveValues';
import {
  DRIFT_HOVER_MAX_ENVIRONMENTS,
  driftHoverMarkdown,
  effectiveValuesHoverMarkdown,
  effectiveValuesTableMarkdown,
  HOVER_LINE_BUDGET,
  HOVER_MAX_GROUPS,
  TABLE_LINK,
  visibleHoverLines,
} from '../../../src/core/editor/hovers';
import type { FieldDrift } from '../../../src/core/model/drift';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';

/**
 * A promotion repo at the scale the issue measured: one base and 11 overlays, each with its own namePrefix and an
 * image tag (four share the base's, four share 1.1.0, three have their own long ones).
 */
const ENVIRONMENTS = [
  'dev',
  'qa',
  'test',
  'uat',
  'stage-us',
  'stage-eu',
  'canary',
  'prod-us',
  'prod-eu',
  'prod-ap',
  'dr',
];
const TAGS: Record<string, string | undefined> = {
  stage_us: '1.1.0',
  'stage-us': '1.1.0',
  'stage-eu': '1.1.0',
  canary: '1.1.0',
  'prod-us': '1.1.0',
  'prod-eu': '2.0.0-rc.1-with-a-long-build-suffix-0123456789',
  'prod-ap': '2.0.0-rc.2',
  dr: '2.0.0-rc.3',
};
const files: Record<string, string> = {
  'base/kustomization.yml': 'resources:\n  - deployment.yaml\n  - service.yaml\n',
  'base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: simple-deployment',
    'spec:',
    '  replicas: 1',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: simple-env-app:1.0',
    '',
  ].join('\n'),
  'base/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: simple-service\nspec:\n  ports:\n    - port: 80\n',
};
for (const env of ENVIRONMENTS)
  files[`envs/${env}/kustomization.yml`] = [
    'resources:',
    '  - ../../base',
    `namePrefix: ${env}-`,
    ...(TAGS[env] ? ['images:', '  - name: simple-env-app', `    newTag: ${TAGS[env]}`] : []),
    '',
  ].join('\n');

const links = {
  origin: (at: { file: string; line: number }) => `file:///repo/${at.file}#L${at.line}`,
  table: 'command:gitopsDrift.showFieldValues?%5B%5D',
};

/** The hover summary of the field at the first `needle` in a fixture file. */
function hoverAt(renders: EnvironmentRender[], file: string, needle: string) {
  const text = files[file];
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  const field = fieldAtPosition(text, file, before.length, before[before.length - 1].length + 1);
  assert.ok(field, `no field at ${needle}`);
  return summarizeEffectiveValues(field.key, effectiveValues(field, renders), environmentsUsing(file, renders));
}

function assertFits(md: string): string[] {
  const lines = visibleHoverLines(md);
  for (const line of lines)
    assert.ok(line.length <= HOVER_LINE_BUDGET, `${line.length} > ${HOVER_LINE_BUDGET}: ${line}`);
  assert.doesNotMatch(md, /^\|/m, 'no table in a hover');
  return lines;
}

describe('hovers that fit: 11 environments', () => {
  let renders: EnvironmentRender[];
  before(async () => {
    const fs = new MemoryFileSystem(files, '/repo');
    renders = await Promise.all(
      ENVIRONMENTS.map(async (name) => ({
        name,
        result: await renderKustomization(`envs/${name}`, { fs, repoRoot: '/repo' }),
      })),
    );
  });

  it("an overlay's own line shows that environment alone, and one line counting the others that differ", () => {
    const summary = hoverAt(renders, 'envs/prod-eu/kustomization.yml', 'namePrefix');
    assert.equal(summary.own, 'prod-eu');
    assert.deepEqual(
      summary.groups.map((g) => [g.value, g.environments]),
      [
        ['prod-eu-simple-service', ['prod-eu']],
        ['prod-eu-simple-deployment', ['prod-eu']],
      ],
    );
    assert.deepEqual(summary.others, { total: 10, differ: 10 });
    assert.equal(summary.rows.length, 22, 'the table behind the link still has every environment');
    const md = effectiveValuesHoverMarkdown(summary, links);
    assert.deepEqual(assertFits(md), [
      'namePrefix in prod-eu · GitOps Drift',
      'prod-eu-simple-service · kustomization.yml:3',
      'prod-eu-simple-deployment · kustomization.yml:3',
      `10 of 10 other environments differ · ${TABLE_LINK}`,
    ]);
    assert.match(
      md,
      /\[kustomization\\\.yml:3\]\(file:\/\/\/repo\/envs\/prod-eu\/kustomization\.yml#L3 "envs\/prod-eu\/kustomization\.yml:3"\)/,
    );
    assert.ok(md.endsWith(`[${TABLE_LINK.replace(/ /g, ' ')}](${links.table})`), md);
  });

  it("an overlay's own image tag: that environment, and how many others have another tag", () => {
    const summary = hoverAt(renders, 'envs/canary/kustomization.yml', 'newTag');
    assert.deepEqual(summary.others, { total: 10, differ: 7 }, 'stage-us, stage-eu and prod-us have 1.1.0 too');
    const lines = assertFits(effectiveValuesHoverMarkdown(summary, links));
    assert.deepEqual(lines, [
      'newTag in canary · GitOps Drift',
      'simple-env-app:1.1.0 · kustomization.yml:6',
      `7 of 10 other environments differ · ${TABLE_LINK}`,
    ]);
  });

  it('a shared base line: one row per distinct value, with the environments that have it', () => {
    const summary = hoverAt(renders, 'base/deployment.yaml', 'image:');
    assert.equal(summary.own, undefined);
    assert.deepEqual(
      summary.groups.map((g) => [g.value, g.environments.length, g.origins.length]),
      [
        ['simple-env-app:1.0', 4, 1],
        ['simple-env-app:1.1.0', 4, 4],
        // Values are shortened at 60 characters (formatValue); the hover shortens them further.
        ['simple-env-app:2.0.0-rc.1-with-a-long-build-suffix-01234567…', 1, 1],
        ['simple-env-app:2.0.0-rc.2', 1, 1],
        ['simple-env-app:2.0.0-rc.3', 1, 1],
      ],
    );
    const md = effectiveValuesHoverMarkdown(summary, links);
    const lines = assertFits(md);
    assert.equal(lines.length, 1 + 5 + 1, md);
    assert.deepEqual(lines.slice(0, 3), [
      'image in 11 environments · GitOps Drift',
      'simple-env-app:1.0 · dev, qa, test, uat · deployment.yaml:11',
      'simple-env-app:1.1.0 · stage-us, stage-eu, canary, prod-us · 4 places',
    ]);
    // A value longer than a hover line is cut (never wrapped): the table has it whole.
    assert.equal(lines[3], 'simple-env-app:2.0.0-rc.1-with-a-long-b… · prod-eu · kustomization.yml:6');
    assert.match(md, /^`simple-env-app:1\.0` · dev, qa, test, uat · \[deployment\\\.yaml:11\]/m);
    const table = effectiveValuesTableMarkdown(summary, { file: 'base/deployment.yaml', line: 11, column: 11 });
    const block = /^```text\n([\s\S]*?)\n```$/m.exec(table)?.[1].split('\n');
    assert.ok(block, table);
    assert.equal(block.length, 1 + 11, 'a header and a row per environment');
    assert.equal(block[0], `environment  value${' '.repeat(57)}set at`);
    // Aligned columns, each value whole on its row (the block scrolls, it never wraps).
    assert.equal(
      block[9],
      `prod-eu      simple-env-app:2.0.0-rc.1-with-a-long-build-suffix-01234567…  envs/prod-eu/kustomization.yml:6`,
    );
    assert.equal(block[1], `dev          simple-env-app:1.0${' '.repeat(44)}base/deployment.yaml:11`);
    assert.match(table, /^The field at `base\/deployment\.yaml:11`: 5 distinct values in 11 environments\.$/m);
  });

  it('more distinct values than the hover lists: the first ones, then "+N more values"', () => {
    const groups = Array.from({ length: 9 }, (_, i) => ({
      value: `v${i}`,
      environments: [`env-${i}`],
      origins: [{ file: `envs/env-${i}/patch.yaml`, line: 3, column: 5 }],
    }));
    const md = effectiveValuesHoverMarkdown(
      { key: 'replicas', groups, rows: groups.map((g) => ({ environment: g.environments[0], value: g.value })) },
      links,
    );
    const lines = assertFits(md);
    assert.equal(lines.length, 1 + HOVER_MAX_GROUPS + 1);
    assert.equal(lines[lines.length - 1], `+4 more values · ${TABLE_LINK}`);
  });

  it('a long environment list is cut to what fits: "a, b +9"', () => {
    const environments = Array.from({ length: 11 }, (_, i) => `cluster-apps-environment-${i}`);
    const md = effectiveValuesHoverMarkdown(
      {
        key: 'replicas',
        groups: [{ value: '3', environments, origins: [{ file: 'base/deployment.yaml', line: 6, column: 13 }] }],
        rows: environments.map((environment) => ({ environment, value: '3' })),
      },
      links,
    );
    const [, row] = assertFits(md);
    assert.equal(row, '3 · cluster-apps-environment-0 +10 · deployment.yaml:6');
  });
});

describe('the drift hover: first, short, the table behind a link', () => {
  const now = new Date('2026-12-06T12:00:00Z');
  const field = (desired: unknown, live: unknown): FieldDrift => ({
    path: '/spec/template/spec/containers/0/image',
    label: 'spec.template.spec.containers[app].image',
    desired,
    live,
    changedBy: { manager: 'kubectl-set', operation: 'Update', time: '2026-12-06T11:48:00Z' },
  });

  it('one line per environment with git → live and who changed it; the environment links to its diff', () => {
    const md = driftHoverMarkdown(
      [{ env: 'prod', field: field('simple-env-app:1.0', 'simple-env-app:1.1'), diff: 'command:diff-prod' }],
      now,
      { table: links.table },
    );
    assert.deepEqual(assertFits(md), [
      'GitOps Drift · containers[app].image: git → live',
      'prod simple-env-app:1.0 → simple-env-app:1.1 · kubectl-set 12 min ago',
      TABLE_LINK,
    ]);
    // Values that need the room: who changed it goes (the diagnostic above the hover says it too), values stay whole.
    const long = driftHoverMarkdown(
      [{ env: 'prod', field: field('simple-env-app:1.0', 'simple-env-app:1.0-hotfix.20261206'), diff: 'command:d' }],
      now,
      {},
    );
    assert.deepEqual(assertFits(long), [
      'GitOps Drift · containers[app].image: git → live',
      'prod simple-env-app:1.0 → simple-env-app:1.0-hotfix.20261206',
    ]);
  });

  it('at most three environments, then one line: how many more, and the link', () => {
    const entries = ENVIRONMENTS.map((env) => ({
      env,
      field: field('registry.example.com/team/simple-env-app:1.0', 'registry.example.com/team/simple-env-app:1.1'),
      diff: `command:diff-${env}`,
    }));
    const md = driftHoverMarkdown(entries, now, { table: links.table });
    const lines = assertFits(md);
    assert.equal(lines.length, 1 + DRIFT_HOVER_MAX_ENVIRONMENTS + 1, md);
    assert.equal(lines[lines.length - 1], `+8 more environments (see Problems) · ${TABLE_LINK}`);
    assert.match(md, /^\[dev\]\(command:diff-dev "Show the diff in dev"\) /m);
  });
});
