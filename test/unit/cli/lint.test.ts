import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/command';

const repoRoot = resolve(__dirname, '..', '..', '..');

async function run(argv: string[], cwd = repoRoot): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, color: false, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx
`;

describe('CLI: lint', () => {
  let dir: string;
  const write = (files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gitops-drift-lint-'));
    write({
      'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
      'base/deploy.yaml': deployment,
      'envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n  - patch.yaml\n',
      'envs/prod/kustomization.yaml': 'resources:\n  - ../../base\ncommonLabels:\n  team: shop\n',
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const image =
    "image 'nginx' has no tag or digest, so it means ':latest' (prod): pin a digest (nginx@sha256:...) so every rollout runs the build that was tested";
  const deprecated =
    "'commonLabels' is deprecated. Use a labels entry with includeSelectors: true, which sets the same labels, selectors and pod templates.";
  const selector =
    "'commonLabels' adds label 'team' to the selector of Deployment web: selectors are immutable, so changing this label later makes apply fail; use 'labels:' with includeSelectors: false";

  it('text: one line per finding, then the counts; exit 1 with errors or warnings', async () => {
    const { code, out, err } = await run(['lint', dir]);
    assert.equal(err, '');
    assert.equal(
      out,
      [
        `base/deploy.yaml:16:18  information  mutable-image-tag  ${image}`,
        "envs/dev/kustomization.yaml:3:5  error  missing-path  resource 'patch.yaml' not found",
        `envs/prod/kustomization.yaml:3:1  warning  deprecated-field  ${deprecated}`,
        `envs/prod/kustomization.yaml:3:1  warning  selector-label  ${selector}`,
        '1 error, 2 warnings, 1 information in 3 kustomizations and 4 files (2 environments rendered)',
        '',
      ].join('\n'),
    );
    assert.equal(code, 1);
  });

  it('json: findings with their spans, and the summary', async () => {
    const { code, out } = await run(['lint', dir, '--format', 'json', '--env', 'dev']);
    assert.deepEqual(JSON.parse(out), {
      findings: [
        {
          code: 'missing-path',
          severity: 'error',
          message: "resource 'patch.yaml' not found",
          file: 'envs/dev/kustomization.yaml',
          line: 3,
          column: 5,
          endLine: 3,
          endColumn: 15,
        },
        {
          code: 'deprecated-field',
          severity: 'warning',
          message: deprecated,
          file: 'envs/prod/kustomization.yaml',
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 13,
          field: 'commonLabels',
        },
        // prod is not rendered (--env dev): its kustomization is rendered on its own for the selector check.
        {
          code: 'selector-label',
          severity: 'warning',
          message: selector,
          file: 'envs/prod/kustomization.yaml',
          line: 3,
          column: 1,
          endLine: 3,
          endColumn: 13,
        },
      ],
      summary: { errors: 1, warnings: 2, information: 0, kustomizations: 3, files: 4, environments: 1 },
    });
    assert.equal(code, 1);
  });

  it('sarif: one rule per code with its docs anchor, results on exact regions', async () => {
    const { code, out } = await run(['lint', dir, '--format', 'sarif']);
    const log = JSON.parse(out);
    const run0 = log.runs[0];
    assert.equal(log.version, '2.1.0');
    assert.equal(run0.tool.driver.rules.length, 13);
    assert.deepEqual(
      run0.tool.driver.rules.find((r: any) => r.id === 'missing-path'),
      {
        id: 'missing-path',
        shortDescription: { text: 'A path a kustomization names does not exist' },
        helpUri: 'https://github.com/gitops-drift/gitops-drift/blob/main/docs/authoring.md#missing-path',
        defaultConfiguration: { level: 'error' },
      },
    );
    assert.deepEqual(
      run0.results.map((r: any) => [
        r.ruleId,
        r.level,
        r.locations[0].physicalLocation.artifactLocation.uri,
        r.locations[0].physicalLocation.region,
      ]),
      [
        [
          'mutable-image-tag',
          'note',
          'base/deploy.yaml',
          { startLine: 16, startColumn: 18, endLine: 16, endColumn: 23 },
        ],
        [
          'missing-path',
          'error',
          'envs/dev/kustomization.yaml',
          { startLine: 3, startColumn: 5, endLine: 3, endColumn: 15 },
        ],
        [
          'deprecated-field',
          'warning',
          'envs/prod/kustomization.yaml',
          { startLine: 3, startColumn: 1, endLine: 3, endColumn: 13 },
        ],
        [
          'selector-label',
          'warning',
          'envs/prod/kustomization.yaml',
          { startLine: 3, startColumn: 1, endLine: 3, endColumn: 13 },
        ],
      ],
    );
    assert.equal(
      run0.results[1].ruleIndex,
      run0.tool.driver.rules.findIndex((r: any) => r.id === 'missing-path'),
    );
    assert.match(run0.results[1].partialFingerprints['gitopsDriftLint/v1'], /^[0-9a-f]{32}$/);
    assert.equal(code, 1);
  });

  it('exit 0 when only information is found', async () => {
    write({
      'envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
      'envs/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
    });
    const { code, out } = await run(['lint', dir]);
    assert.equal(
      out,
      `base/deploy.yaml:16:18  information  mutable-image-tag  ${image.replace('(prod)', '(dev, prod)')}\n0 errors, 0 warnings, 1 information in 3 kustomizations and 4 files (2 environments rendered)\n`,
    );
    assert.equal(code, 0);
  });

  it("obeys the repo's lint.disable: disabled codes are not reported and do not fail the run", async () => {
    write({ '.gitops-drift.yaml': 'lint:\n  disable: [deprecated-field, selector-label, missing-path]\n' });
    const { code, out } = await run(['lint', dir]);
    assert.equal(
      out,
      `base/deploy.yaml:16:18  information  mutable-image-tag  ${image}\n0 errors, 0 warnings, 1 information in 3 kustomizations and 5 files (2 environments rendered)\n`,
    );
    assert.equal(code, 0);
  });

  it('the example repo lints clean', async () => {
    const { code, out } = await run(['lint', 'examples/shop']);
    assert.match(out, /^no problems in 4 kustomizations and \d+ files \(3 environments rendered\)\n$/);
    assert.equal(code, 0);
  });

  it('exit 2 on bad usage or an unreadable repo', async () => {
    const bad = async (argv: string[], message: RegExp) => {
      const { code, err } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, message);
    };
    await bad(['lint', dir, '--format', 'xml'], /^gitops-drift lint: --format must be text, json or sarif, not xml\n/);
    await bad(['lint', join(dir, 'nowhere')], /^gitops-drift lint: .*nowhere is not a folder\n/);
    await bad(['lint', dir, dir], /^gitops-drift lint: expected at most one REPO\n/);
    await bad(['lint', dir, '--env', 'qa'], /^error: no environment 'qa' \(known: dev, prod\)\n$/);
  });

  it('loads no cluster client: the command imports neither client-node nor simple-git', async function () {
    this.timeout(30_000);
    const result = await build({
      entryPoints: [join(repoRoot, 'src/cli/commands/lint.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((i) => i.endsWith('src/core/authoring/lint.ts')));
    assert.deepEqual(
      inputs.filter((i) => /@kubernetes|simple-git|src\/node\/kube/.test(i)),
      [],
    );
  });
});
