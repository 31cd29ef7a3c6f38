import { resolve } from 'node:path';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { DIGEST, shopFiles } from './shopRepo';
import { TempRepo } from './tempRepo';

/** Runs the CLI in-process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: '/', color: false, env: {} };
  const code = await runCli(argv, io);
  return { code, out, err };
}

describe('gitops-drift promote / revert (real renderer, real git)', () => {
  let repo: TempRepo;
  beforeEach(() => (repo = new TempRepo(shopFiles)));
  afterEach(() => repo.remove());

  it('promote without --commit prints the plan, the diff and the message, and changes nothing', async () => {
    const head = repo.head();
    const { code, out, err } = await cli('promote', '--from', 'dev', repo.root);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.match(out, /^Promote dev → staging: 4 of 5 item\(s\)$/m);
    assert.match(
      out,
      /^ {2}\[x\] image ghcr\.io\/acme\/web 1\.4\.0 → 1\.5\.0 \(sha256:4f3c2a1b0e9d…\) {2}\(envs\/staging\/kustomization\.yaml:\d+:\d+\)$/m,
    );
    assert.match(out, /^ {2}\[ \] web: replicas: 3 → 1 {2}\(envs\/staging\/sidecar\.yaml:7:3\)$/m);
    assert.match(
      out,
      /^-  newTag: 1\.4\.0 # promoted 2026-11-01\n\+  newTag: 1\.5\.0 # promoted 2026-11-01\n\+  digest: sha256:/m,
    );
    assert.match(out, /^Nothing was changed/m);
    assert.equal(repo.head(), head);
    assert.equal(repo.status(), '');
  });

  it("on the example, staging → prod leaves prod's own title and log level, and moves the image and the release's flag", async () => {
    const { code, out } = await cli(
      'promote',
      '--from',
      'staging',
      '--to',
      'prod',
      resolve(__dirname, '..', '..', '..', 'examples', 'shop'),
    );
    assert.equal(code, 0);
    assert.match(out, /^Promote staging → prod: 2 of 6 item\(s\)$/m);
    assert.match(
      out,
      /^ {2}\[x\] ConfigMap web-config FEATURE_RECOMMENDATIONS: false → true .*\n {8}the same in dev, staging: a release's config, moves$/m,
    );
    assert.match(
      out,
      /^ {2}\[ \] main: title: Example Shop \(EU\) → Example Shop .*\n {8}prod sets its own value, staging takes the shared one: left out$/m,
    );
    assert.match(
      out,
      /^ {2}\[ \] ConfigMap web-config LOG_LEVEL: warn → info .*\n {8}prod sets its own value, staging takes the shared one: left out$/m,
    );
  });

  it("promote --commit edits exactly the target's own files, as the renderer located them, on a new branch", async () => {
    const { code, out, err } = await cli('promote', '--from', 'dev', '--to', 'staging', repo.root, '--commit');
    assert.equal(err, '');
    assert.equal(code, 0);
    const branch = /on new branch (\S+) /.exec(out)?.[1] ?? '';
    assert.match(branch, /^promote\/dev-to-staging-[0-9a-f]{7}$/);
    assert.equal(repo.git('branch', '--show-current').trim(), branch);
    assert.equal(
      repo.read('envs/staging/kustomization.yaml'),
      shopFiles['envs/staging/kustomization.yaml']
        .replace(
          '  newTag: 1.4.0 # promoted 2026-11-01\n',
          `  newTag: 1.5.0 # promoted 2026-11-01\n  digest: ${DIGEST}\n`,
        )
        .replace('- LOG_LEVEL=info', '- LOG_LEVEL=debug')
        .replace(`'GREETING="hello"'`, `'GREETING="hello, world"'`),
    );
    assert.equal(
      repo.read('envs/staging/sidecar.yaml'),
      shopFiles['envs/staging/sidecar.yaml'].replace('sidecar:2.0.0', 'sidecar:2.1.0'),
    );
    // What the real renderer now gives staging is what dev has.
    const rendered = await cli('render', `${repo.root}/envs/staging`);
    assert.match(rendered.out, new RegExp(`image: ghcr.io/acme/web:1.5.0@${DIGEST}`));
    assert.match(rendered.out, /image: ghcr.io\/acme\/sidecar:2\.1\.0/);
    assert.match(rendered.out, /LOG_LEVEL: debug/);
  });

  it('adds an images entry to the target when it inherits the image from a base the source also uses', async () => {
    repo.write({
      'envs/staging/kustomization.yaml': shopFiles['envs/staging/kustomization.yaml'].replace(
        /\nimages:\n- name: ghcr.io\/acme\/web\n {2}newTag: 1\.4\.0 # promoted 2026-11-01\n/,
        '\n',
      ),
    });
    repo.commitAll('staging follows the base image');
    const before = repo.read('envs/staging/kustomization.yaml');
    const { code, err } = await cli('promote', '--from', 'dev', repo.root, '--images-only', '--commit');
    assert.equal(err, '');
    assert.equal(code, 0);
    // Most of the file's lists are not indented under their keys, so neither is the new one.
    assert.equal(
      repo.read('envs/staging/kustomization.yaml'),
      `${before}\nimages:\n- name: ghcr.io/acme/web\n  newTag: 1.5.0\n  digest: ${DIGEST}\n`,
    );
    const rendered = await cli('render', `${repo.root}/envs/staging`);
    assert.match(rendered.out, new RegExp(`image: ghcr.io/acme/web:1.5.0@${DIGEST}`));
  });

  it("adds a literal to the target's own generator entry when the target lacks the key", async () => {
    repo.write({
      'envs/staging/kustomization.yaml': shopFiles['envs/staging/kustomization.yaml'].replace(
        `  - 'GREETING="hello"'\n`,
        '',
      ),
    });
    repo.commitAll('staging without a greeting');
    const before = repo.read('envs/staging/kustomization.yaml');
    const { code, out, err } = await cli('promote', '--from', 'dev', repo.root, '--commit');
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.match(
      out,
      /^ {2}\[x\] ConfigMap web-config GREETING: \(not set\) → hello, world {2}\(envs\/staging\/kustomization\.yaml:13:3\)$/m,
    );
    assert.equal(
      repo.read('envs/staging/kustomization.yaml').replace('  - GREETING=hello, world\n', ''),
      before
        .replace('LOG_LEVEL=info', 'LOG_LEVEL=debug')
        .replace(
          /newTag: 1\.4\.0 # promoted 2026-11-01\n/,
          `newTag: 1.5.0 # promoted 2026-11-01\n  digest: ${DIGEST}\n`,
        ),
    );
    assert.match(
      repo.read('envs/staging/kustomization.yaml'),
      /  - LOG_LEVEL=debug\n  - GREETING=hello, world\npatches:/,
    );
  });

  it('adds a merge entry for a base generator the target does not override yet', async () => {
    const files = {
      'base/kustomization.yaml':
        'resources:\n  - deployment.yaml\nconfigMapGenerator:\n  - name: web-config\n    literals:\n      - LOG_LEVEL=info\n',
      'base/deployment.yaml': shopFiles['base/deployment.yaml'],
      'envs/dev/kustomization.yaml':
        'resources:\n  - ../../base\nconfigMapGenerator:\n  - name: web-config\n    behavior: merge\n    literals:\n      - LOG_LEVEL=debug\n',
      'envs/staging/kustomization.yaml': 'resources:\n  - ../../base\n',
    };
    const other = new TempRepo(files);
    try {
      const { code, err } = await cli('promote', '--from', 'dev', '--to', 'staging', other.root, '--commit');
      assert.equal(err, '');
      assert.equal(code, 0);
      assert.equal(
        other.read('envs/staging/kustomization.yaml'),
        'resources:\n  - ../../base\n\nconfigMapGenerator:\n  - name: web-config\n    behavior: merge\n    literals:\n      - LOG_LEVEL=debug\n',
      );
      assert.match((await cli('render', `${other.root}/envs/staging`)).out, /LOG_LEVEL: debug/);
    } finally {
      other.remove();
    }
  });

  it('promote --commit --push pushes the new branch to the remote, and never forces', async () => {
    const remote = mkdtempSync(join(tmpdir(), 'gitops-drift-remote-'));
    try {
      execFileSync('git', ['init', '-q', '--bare', remote]);
      repo.git('remote', 'add', 'origin', remote);
      const { code, out, err } = await cli(
        'promote',
        '--from',
        'dev',
        repo.root,
        '--images-only',
        '--commit',
        '--push',
        'origin',
      );
      assert.equal(err, '');
      assert.equal(code, 0);
      const branch = /on new branch (\S+) /.exec(out)![1];
      assert.match(out, /, pushed to origin\.$/m);
      assert.equal(
        execFileSync('git', ['rev-parse', `refs/heads/${branch}`], { cwd: remote, encoding: 'utf8' }).trim(),
        repo.head(),
      );
      // The remote branch moved on meanwhile: a second push of a diverged branch is rejected, not forced.
      repo.git('commit', '-q', '--amend', '-m', 'rewritten');
      await assert.rejects(
        new SimpleGitAdapter(repo.root).push(branch, 'origin'),
        /rejected|non-fast-forward|fetch first/,
      );
      assert.notEqual(
        execFileSync('git', ['rev-parse', `refs/heads/${branch}`], { cwd: remote, encoding: 'utf8' }).trim(),
        repo.head(),
      );
    } finally {
      rmSync(remote, { recursive: true, force: true });
    }
  });

  it('notes other environments that read an edited file (an overlay built on the target)', async () => {
    repo.write({
      'envs/staging-eu/kustomization.yaml': 'resources:\n  - ../staging\nnamePrefix: eu-\n',
      '.gitops-drift.yaml':
        'environments:\n  - name: dev\n    path: envs/dev\n  - name: staging\n    path: envs/staging\n  - name: staging-eu\n    path: envs/staging-eu\n',
    });
    repo.commitAll('an EU copy of staging');
    const { code, out, err } = await cli('promote', '--from', 'dev', '--to', 'staging', repo.root, '--images-only');
    assert.equal(code, 0, err);
    assert.equal(err, 'note: the chosen edits also change staging-eu\n');
    // Each edit says so; staging's own kustomization is read by staging-eu too, so no entry there would spare it.
    assert.match(
      out,
      /^ {2}\[x\] image ghcr\.io\/acme\/web 1\.4\.0 → 1\.5\.0 \(sha256:4f3c2a1b0e9d…\) {2}\(envs\/staging\/kustomization\.yaml:8:3\)\n {8}also changes staging-eu$/m,
    );
    // Without --images-only the shared edits are not chosen: only what changes staging alone would be.
    const byDefault = await cli('promote', '--from', 'dev', '--to', 'staging', repo.root);
    assert.match(byDefault.out, /^Promote dev → staging: 0 of 5 item\(s\)$/m);
  });

  it('works when the config repo is a folder inside the git work tree', async () => {
    const nested = new TempRepo(
      Object.fromEntries([
        ...Object.entries(shopFiles).map(([p, t]) => [`deploy/gitops/${p}`, t]),
        ['app/main.go', 'package main\n'],
      ]),
    );
    try {
      const root = `${nested.root}/deploy/gitops`;
      const promoted = await cli('promote', '--from', 'dev', root, '--images-only', '--commit');
      assert.equal(promoted.err, '');
      assert.equal(promoted.code, 0);
      assert.equal(
        nested.git('show', '--name-only', '--format=', 'HEAD').trim(),
        'deploy/gitops/envs/staging/kustomization.yaml\ndeploy/gitops/envs/staging/sidecar.yaml',
      );
      const list = await cli('revert', root, '--env', 'staging');
      const entry = /Promote dev to staging: 2 images\n {10}(.*)\n {10}files: (.*)\n/.exec(list.out);
      assert.ok(entry, list.out);
      assert.deepEqual(entry[1].split('; ').sort(), [
        'Deployment web image ghcr.io/acme/sidecar 2.0.0 → 2.1.0',
        'Deployment web image ghcr.io/acme/web 1.4.0 → 1.5.0 (sha256:4f3c2a1b0e9d…)',
      ]);
      assert.equal(entry[2], 'envs/staging/kustomization.yaml, envs/staging/sidecar.yaml');
      nested.git('switch', '-q', 'main');
      nested.write({
        'deploy/gitops/envs/staging/kustomization.yaml': shopFiles['envs/staging/kustomization.yaml'] + '# wip\n',
      });
      const dirty = await cli('promote', '--from', 'dev', root, '--commit');
      assert.equal(dirty.code, 2);
      assert.match(dirty.err, /^error: uncommitted changes in envs\/staging\/kustomization\.yaml: /m);
    } finally {
      nested.remove();
    }
  });

  it('promote refuses a dirty target file and names it', async () => {
    repo.write({ 'envs/staging/kustomization.yaml': shopFiles['envs/staging/kustomization.yaml'] + '# wip\n' });
    const { code, err } = await cli('promote', '--from', 'dev', repo.root, '--commit');
    assert.equal(code, 2);
    assert.match(
      err,
      /^error: uncommitted changes in envs\/staging\/kustomization\.yaml: commit or stash them first, then promote again\. Nothing was changed\.$/m,
    );
    assert.equal(repo.git('branch', '--show-current').trim(), 'main');
  });

  it("revert lists the environment's commits and reverts one; a conflict exits 2 and leaves the repo as it was", async function () {
    // Four whole commands and a dozen git processes: 10 s was exceeded twice at load 20 (a hang guard, not a target).
    this.timeout(30_000);
    await cli('promote', '--from', 'dev', repo.root, '--images-only', '--commit');
    const promoted = repo.head();
    repo.write({
      'envs/staging/kustomization.yaml': repo
        .read('envs/staging/kustomization.yaml')
        .replace('newTag: 1.5.0', 'newTag: 1.5.1'),
    });
    const hotfix = repo.commitAll('staging: web 1.5.1');

    const list = await cli('revert', repo.root, '--env', 'staging', '--list');
    assert.equal(list.code, 0);
    const lines = list.out.split('\n').filter((l) => /^[0-9a-f]{7} /.test(l));
    assert.equal(lines.length, 3);
    assert.match(
      lines[0],
      new RegExp(`^${hotfix.slice(0, 7)}  \\d{4}-\\d\\d-\\d\\d  Test Author  staging: web 1\\.5\\.1$`),
    );
    assert.match(lines[1], new RegExp(`^${promoted.slice(0, 7)}  .*  Promote dev to staging: 2 images$`));

    const conflict = await cli('revert', repo.root, '--env', 'staging', '--commit', promoted.slice(0, 7));
    assert.equal(conflict.code, 2);
    assert.match(
      conflict.err,
      /conflicts in envs\/staging\/kustomization\.yaml; the revert was aborted and the repository is as it was/,
    );
    assert.equal(repo.head(), hotfix);
    assert.equal(repo.status(), '');

    const ok = await cli('revert', repo.root, '--env', 'staging', '--commit', hotfix);
    assert.equal(ok.err, '');
    assert.equal(ok.code, 0);
    assert.match(ok.out, /^Reverted [0-9a-f]{7} \(staging: web 1\.5\.1\) in new commit [0-9a-f]{7}\.$/m);
    assert.match(repo.read('envs/staging/kustomization.yaml'), /newTag: 1\.5\.0 #/);
  });

  it('revert refuses a commit that does not touch the environment', async () => {
    repo.write({ 'envs/dev/kustomization.yaml': shopFiles['envs/dev/kustomization.yaml'] + '# dev\n' });
    const dev = repo.commitAll('dev only');
    const { code, err } = await cli('revert', repo.root, '--env', 'staging', '--commit', dev);
    assert.equal(code, 2);
    assert.match(err, /does not touch staging's files; nothing was changed/);
    assert.equal(repo.head(), dev);
  });
});
