import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { releaseFiles, WORKER_DIGEST_DEV, WORKER_DIGEST_STAGING } from './releaseRepo';
import { TempRepo } from './tempRepo';

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** The plan's item lines (mark, label, file:line:col) and the note under each, as printed. */
function planLines(out: string): string[] {
  return out
    .split('\n\n')[0]
    .split('\n')
    .slice(1)
    .filter((l) => !l.startsWith('  ([ ]'))
    .map((l) => l.trim());
}

describe('promote on the layout of issue #19 (regions, a shared prod variant, per-environment values; real renderer, real git)', function () {
  // A hang guard, not a speed check: each test runs the whole CLI in process several times, which took over the
  // suite's 10 s at load 21-24 (speed is for bench/).
  this.timeout(30_000);
  let repo: TempRepo;
  beforeEach(() => (repo = new TempRepo(releaseFiles)));
  afterEach(() => repo.remove());

  it('goes staging-eu → prod-eu by default, moves the artifact and the release flag, leaves out what differs by design and the downgrade', async () => {
    const { code, out, err } = await cli('promote', '--from', 'staging-eu', repo.root);
    assert.equal(code, 0);
    assert.match(out, /^Promote staging-eu → prod-eu: 2 of 10 item\(s\)$/m);
    assert.deepEqual(planLines(out), [
      '[ ] image ghcr.io/acme/web 3.0 → 2.0  (envs/prod-eu/kustomization.yaml:8:5)',
      '⚠ downgrade 3.0 → 2.0',
      '[x] image ghcr.io/acme/worker 1.4.0 → 1.5.0 (sha256:5a5a5a5a5a5a…)  (envs/prod-eu/kustomization.yaml:10:5)',
      '⚠ sha256:5a5a5a5a5a5a… never ran in dev',
      '[ ] web: replicas: 5 → 2  (envs/prod-eu/env.yaml:6:3)',
      'a replica count: sized per environment, left out',
      '[ ] web: containers[web].env[ENV]: prod-eu → staging-eu  (envs/prod-eu/env.yaml:13:15)',
      'names the environment: left out',
      '[ ] web: containers[web].env[API_URL]: https://e5.example.net → https://b2.example.net  (envs/prod-eu/env.yaml:15:15)',
      'differs in every environment (a URL or host): left out',
      '[x] web: containers[web].env[FEATURE_CHECKOUT]: v1 → v2  (envs/prod-eu/env.yaml:17:15)',
      "the same in dev, staging-eu, staging-us: a release's config, moves",
      '[ ] web: containers[web].env[DB_PASSWORD]: value differs (not shown)  (envs/prod-eu/env.yaml:19:15)',
      'a credential: left out',
      '[ ] web: containers[web].env[ENVIRONMENT_CLASS]: production → non-prod  (variants/prod/prod.yml:12:15)',
      'also changes prod-asia, prod-us; names the environment: left out',
      '[ ] web: containers[web].env[ENVIRONMENT_CLASS]: production → non-prod (a patch in envs/prod-eu/kustomization.yaml)  (envs/prod-eu/kustomization.yaml:13:3)',
      'names the environment: left out',
      '[ ] web: containers[web].resources.limits.cpu: 1 → 250m  (envs/prod-eu/env.yaml:22:15)',
      'a resource size: sized per environment, left out',
    ]);
    assert.equal(
      err,
      'warning: left out: image ghcr.io/acme/web 3.0 → 2.0 would move prod-eu backwards; pass --allow-downgrade to promote it\n',
    );
    assert.doesNotMatch(out + err, /pw-/, 'a credential was printed');
    assert.equal(repo.status(), '');
  });

  it("--commit edits only prod-eu's own files, byte for byte, and no other environment renders differently", async () => {
    const renderedBefore = await Promise.all(
      ['prod-asia', 'prod-us', 'staging-eu'].map((e) => cli('render', `${repo.root}/envs/${e}`)),
    );
    const { code, out } = await cli('promote', '--from', 'staging-eu', repo.root, '--commit');
    assert.equal(code, 0);
    assert.match(out, /on new branch promote\/staging-eu-to-prod-eu-[0-9a-f]{7} /);
    assert.equal(
      repo.git('show', '--name-only', '--format=', 'HEAD').trim(),
      'envs/prod-eu/env.yaml\nenvs/prod-eu/kustomization.yaml',
    );
    assert.equal(
      repo.read('envs/prod-eu/env.yaml'),
      releaseFiles['envs/prod-eu/env.yaml'].replace('value: v1\n', 'value: v2\n'),
    );
    assert.equal(
      repo.read('envs/prod-eu/kustomization.yaml'),
      releaseFiles['envs/prod-eu/kustomization.yaml'].replace(
        '    newTag: 1.4.0\n',
        `    newTag: 1.5.0\n    digest: ${WORKER_DIGEST_STAGING}\n`,
      ),
    );
    const renderedAfter = await Promise.all(
      ['prod-asia', 'prod-us', 'staging-eu'].map((e) => cli('render', `${repo.root}/envs/${e}`)),
    );
    assert.deepEqual(renderedAfter, renderedBefore);
    const prodEu = await cli('render', `${repo.root}/envs/prod-eu`);
    assert.match(prodEu.out, new RegExp(`image: ghcr.io/acme/worker:1.5.0@${WORKER_DIGEST_STAGING}`));
    assert.match(prodEu.out, /image: ghcr\.io\/acme\/web:3\.0$/m);
  });

  it('promotes the downgrade only with --allow-downgrade', async () => {
    const { code, err } = await cli(
      'promote',
      '--from',
      'staging-eu',
      repo.root,
      '--images-only',
      '--allow-downgrade',
      '--commit',
    );
    assert.equal(code, 0);
    assert.equal(err, '');
    assert.equal(repo.git('log', '-1', '--format=%s'), 'Promote staging-eu to prod-eu: 2 images\n');
    assert.match(repo.read('envs/prod-eu/kustomization.yaml'), /newTag: "2\.0"/);
  });

  it('refuses with exit code 2, changing nothing, when a downgrade is all there is to promote', async () => {
    repo.write({
      'envs/prod-eu/kustomization.yaml': releaseFiles['envs/prod-eu/kustomization.yaml'].replace(
        '    newTag: 1.4.0\n',
        `    newTag: 1.5.0\n    digest: ${WORKER_DIGEST_STAGING}\n`,
      ),
    });
    const head = repo.commitAll('prod-eu already runs the worker');
    const { code, err } = await cli('promote', '--from', 'staging-eu', repo.root, '--images-only', '--commit');
    assert.equal(code, 2);
    assert.equal(
      err,
      'refused: left out: image ghcr.io/acme/web 3.0 → 2.0 would move prod-eu backwards; pass --allow-downgrade to promote it\n',
    );
    assert.equal(repo.head(), head);
    assert.equal(repo.status(), '');
  });

  it("--all takes the patch in prod-eu's own overlay, not the edit of the shared prod variant", async () => {
    const { code, out, err } = await cli('promote', '--from', 'staging-eu', repo.root, '--all', '--commit');
    assert.equal(code, 0, err);
    assert.doesNotMatch(err, /also change/);
    // The credential moved with --all, and promote printed it nowhere (labels, diffs, commit message).
    assert.doesNotMatch(out + err + repo.git('log', '-1', '--format=%B'), /pw-/);
    assert.equal(repo.read('variants/prod/prod.yml'), releaseFiles['variants/prod/prod.yml']);
    assert.equal(
      repo.git('show', '--name-only', '--format=', 'HEAD').trim(),
      'envs/prod-eu/env.yaml\nenvs/prod-eu/kustomization.yaml',
    );
    const asia = await cli('render', `${repo.root}/envs/prod-asia`);
    assert.match(asia.out, /value: production/);
    const eu = await cli('render', `${repo.root}/envs/prod-eu`);
    assert.match(eu.out, /value: non-prod/);
    assert.match(eu.out, /value: pw-staging-eu-do-not-print/);
  });

  it('--format json gives the plan, the warnings and the environments touched, without credentials', async () => {
    const { code, out } = await cli('promote', '--from', 'staging-eu', repo.root, '--format', 'json');
    assert.equal(code, 0);
    assert.doesNotMatch(out, /pw-/);
    const doc = JSON.parse(out) as {
      source: string;
      target: string;
      items: {
        where: string;
        selected: boolean;
        class: string;
        direction?: string;
        from: unknown;
        to: unknown;
        alsoChanges: string[];
      }[];
      warnings: string[];
      environmentsTouched: string[];
      changes: { file: string }[];
      verify: string[];
    };
    assert.deepEqual([doc.source, doc.target], ['staging-eu', 'prod-eu']);
    assert.deepEqual(
      doc.items.map((i) => [i.where, i.class, i.selected, i.direction ?? '-']),
      [
        ['web: containers[web].image', 'artifact', false, 'downgrade'],
        ['web: containers[worker].image', 'artifact', true, 'upgrade'],
        ['web: replicas', 'replicas', false, '-'],
        ['web: containers[web].env[ENV]', 'environmentName', false, '-'],
        ['web: containers[web].env[API_URL]', 'perEnvironment', false, '-'],
        ['web: containers[web].env[FEATURE_CHECKOUT]', 'release', true, '-'],
        ['web: containers[web].env[DB_PASSWORD]', 'secret', false, '-'],
        ['web: containers[web].env[ENVIRONMENT_CLASS]', 'environmentName', false, '-'],
        ['web: containers[web].env[ENVIRONMENT_CLASS]', 'environmentName', false, '-'],
        ['web: containers[web].resources.limits.cpu', 'resources', false, '-'],
      ],
    );
    assert.deepEqual(doc.items.find((i) => i.class === 'secret')?.from, '***');
    assert.deepEqual(doc.items.find((i) => i.class === 'secret')?.to, '***');
    assert.deepEqual(
      doc.items.filter((i) => i.where.endsWith('ENVIRONMENT_CLASS]')).map((i) => i.alsoChanges),
      [['prod-asia', 'prod-us'], []],
    );
    assert.deepEqual(doc.warnings, [
      'image ghcr.io/acme/web 3.0 → 2.0: ⚠ downgrade 3.0 → 2.0',
      'image ghcr.io/acme/worker 1.4.0 → 1.5.0 (sha256:5a5a5a5a5a5a…): ⚠ sha256:5a5a5a5a5a5a… never ran in dev',
      'web: containers[web].env[ENVIRONMENT_CLASS]: production → non-prod: also changes prod-asia, prod-us',
    ]);
    assert.deepEqual(doc.environmentsTouched, ['prod-eu']);
    assert.deepEqual(
      doc.changes.map((c) => c.file),
      ['envs/prod-eu/env.yaml', 'envs/prod-eu/kustomization.yaml'],
    );
    assert.deepEqual(doc.verify, []);
  });

  it('does not flag a digest that an earlier stage ran before (git history), though it runs another one now', async () => {
    const devK = releaseFiles['envs/dev/kustomization.yaml'];
    repo.write({ 'envs/dev/kustomization.yaml': devK.replace(WORKER_DIGEST_DEV, WORKER_DIGEST_STAGING) });
    repo.commitAll('dev ran the worker staging runs now');
    repo.write({ 'envs/dev/kustomization.yaml': devK });
    repo.commitAll('dev moved on');
    const { code, out } = await cli('promote', '--from', 'staging-eu', repo.root);
    assert.equal(code, 0);
    assert.doesNotMatch(out, /never ran/);
    assert.match(
      out,
      /^ {2}\[x\] image ghcr\.io\/acme\/worker 1\.4\.0 → 1\.5\.0 \(sha256:5a5a5a5a5a5a…\) {2}\(envs\/prod-eu\/kustomization\.yaml:10:5\)$/m,
    );
  });
});

describe("promote: a value set in a shared variant goes into the target's own overlay (real renderer, real git)", () => {
  let repo: TempRepo;
  beforeEach(() => {
    // The repo wants the environment class to move (promote.move), so the own-overlay way is preselected.
    repo = new TempRepo({
      ...releaseFiles,
      '.gitops-drift.yaml': 'promote:\n  move: ["web: containers[web].env[ENVIRONMENT_CLASS]"]\n',
    });
  });
  afterEach(() => repo.remove());

  it("offers both ways, preselects the patch in prod-eu's kustomization, and commits it without changing prod-asia or prod-us", async () => {
    const { code, out } = await cli('promote', '--from', 'staging-eu', repo.root);
    assert.equal(code, 0);
    assert.match(
      out,
      /^ {2}\[ \] web: containers\[web\]\.env\[ENVIRONMENT_CLASS\]: production → non-prod {2}\(variants\/prod\/prod\.yml:12:15\)\n {8}also changes prod-asia, prod-us; moves by promote\.move in \.gitops-drift\.yaml$/m,
    );
    assert.match(
      out,
      /^ {2}\[x\] web: containers\[web\]\.env\[ENVIRONMENT_CLASS\]: production → non-prod \(a patch in envs\/prod-eu\/kustomization\.yaml\) {2}\(envs\/prod-eu\/kustomization\.yaml:13:3\)$/m,
    );
    const others = await Promise.all(['prod-asia', 'prod-us'].map((e) => cli('render', `${repo.root}/envs/${e}`)));
    const committed = await cli('promote', '--from', 'staging-eu', repo.root, '--commit');
    assert.equal(committed.code, 0, committed.err);
    assert.equal(repo.read('variants/prod/prod.yml'), releaseFiles['variants/prod/prod.yml']);
    assert.equal(
      repo.read('envs/prod-eu/kustomization.yaml'),
      releaseFiles['envs/prod-eu/kustomization.yaml'].replace(
        '    newTag: 1.4.0\n',
        `    newTag: 1.5.0\n    digest: ${WORKER_DIGEST_STAGING}\n`,
      ) +
        [
          '  - patch: |-',
          '      apiVersion: apps/v1',
          '      kind: Deployment',
          '      metadata:',
          '        name: web',
          '      spec:',
          '        template:',
          '          spec:',
          '            containers:',
          '              - name: web',
          '                env:',
          '                  - name: ENVIRONMENT_CLASS',
          '                    value: non-prod',
          '',
        ].join('\n'),
    );
    assert.deepEqual(
      await Promise.all(['prod-asia', 'prod-us'].map((e) => cli('render', `${repo.root}/envs/${e}`))),
      others,
    );
    const prodEu = await cli('render', `${repo.root}/envs/prod-eu`);
    assert.match(prodEu.out, /- name: ENVIRONMENT_CLASS\n {10}value: non-prod/);
  });
});

describe('promote: a config repo that is not a git work tree', () => {
  it('plans and previews (a digest is then judged by what the earlier stages run now)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gitops-drift-no-git-'));
    try {
      for (const [file, text] of Object.entries(releaseFiles)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      }
      const { code, out } = await cli('promote', '--from', 'staging-eu', root);
      assert.equal(code, 0);
      assert.match(out, /^ {8}⚠ sha256:5a5a5a5a5a5a… never ran in dev$/m);
      assert.match(out, /^Nothing was changed/m);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
