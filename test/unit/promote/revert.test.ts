import assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/ports';
import { RefusedError } from '../../../src/core/promote/refusal';
import { summarizeCommit } from '../../../src/core/promote/changeSummary';
import { environmentHistory, revertCommit } from '../../../src/core/promote/revert';
import type { FileSystem } from '../../../src/core/ports';
import { renderKustomization } from '../../../src/core/render/kustomize/kustomize';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { shopFiles } from './shopRepo';
import { TempRepo } from './tempRepo';

const stagingFiles = [
  'base/kustomization.yaml',
  'base/deployment.yaml',
  'envs/staging/kustomization.yaml',
  'envs/staging/sidecar.yaml',
];

describe('revert (real git repository)', () => {
  let repo: TempRepo;
  let git: SimpleGitAdapter;
  const bump = (from: string, to: string) => {
    repo.write({
      'envs/staging/kustomization.yaml': repo
        .read('envs/staging/kustomization.yaml')
        .replace(`newTag: ${from}`, `newTag: ${to}`),
    });
    return repo.commitAll(`staging: web ${to}`);
  };

  beforeEach(() => {
    repo = new TempRepo(shopFiles);
    git = new SimpleGitAdapter(repo.root);
  });
  afterEach(() => repo.remove());

  it('lists commits touching the environment and the bases it includes, newest first, with author and date', async () => {
    const tag = bump('1.4.0', '1.5.0');
    repo.write({ 'envs/dev/kustomization.yaml': shopFiles['envs/dev/kustomization.yaml'] + '# dev only\n' });
    repo.commitAll('dev: note');
    repo.write({ 'base/deployment.yaml': shopFiles['base/deployment.yaml'].replace('replicas: 1', 'replicas: 2') });
    const base = repo.commitAll('base: two replicas');
    const history = await environmentHistory(git, stagingFiles);
    assert.deepEqual(
      history.map((c) => [c.sha, c.subject, c.files]),
      [
        [base, 'base: two replicas', ['base/deployment.yaml']],
        [tag, 'staging: web 1.5.0', ['envs/staging/kustomization.yaml']],
        [history[2].sha, 'initial config', stagingFiles.slice().sort((a, b) => (a < b ? -1 : 1))],
      ],
    );
    assert.equal(history[0].author, 'Test Author');
    assert.ok(!Number.isNaN(Date.parse(history[0].date)), history[0].date);
  });

  it('summarises what a commit changed in the rendered environment, from git objects (not the working tree)', async () => {
    const tag = bump('1.4.0', '1.5.0');
    repo.write({
      'envs/staging/kustomization.yaml': repo
        .read('envs/staging/kustomization.yaml')
        .replace('LOG_LEVEL=info', 'LOG_LEVEL=warn'),
    });
    const literal = repo.commitAll('staging: quieter logs');
    repo.write({ 'envs/staging/kustomization.yaml': 'this: [is not valid\n' }); // uncommitted: must not matter
    const render = (fs: FileSystem) => renderKustomization(`${repo.root}/envs/staging`, { fs, repoRoot: repo.root });
    const [c2, c1] = await environmentHistory(git, stagingFiles, 2);
    assert.deepEqual([c2.sha, c1.sha], [literal, tag]);
    assert.equal(
      await summarizeCommit(c1, { git, repoRoot: repo.root, render }),
      'Deployment web image ghcr.io/acme/web 1.4.0 → 1.5.0',
    );
    assert.equal(
      await summarizeCommit(c2, { git, repoRoot: repo.root, render }),
      'ConfigMap web-config LOG_LEVEL info → warn',
    );
  });

  it('reverts a commit into a new commit', async () => {
    const tag = bump('1.4.0', '1.5.0');
    const result = await revertCommit(git, tag, silentLogger);
    assert.equal(result.status, 'reverted');
    assert.equal(repo.head(), result.status === 'reverted' ? result.sha : '');
    assert.equal(repo.git('log', '-1', '--format=%s').trim(), 'Revert "staging: web 1.5.0"');
    assert.equal(repo.read('envs/staging/kustomization.yaml'), shopFiles['envs/staging/kustomization.yaml']);
    assert.equal(repo.status(), '');
  });

  it('on conflict aborts, leaves the repository exactly as it was and names the conflicting files', async () => {
    const first = bump('1.4.0', '1.5.0');
    bump('1.5.0', '1.6.0');
    repo.write({ 'notes.txt': 'untracked work\n' });
    const head = repo.head();
    const result = await revertCommit(git, first, silentLogger);
    assert.deepEqual(result.status === 'conflict' ? result.files : result, ['envs/staging/kustomization.yaml']);
    assert.equal(repo.head(), head);
    assert.equal(repo.status(), '?? notes.txt\n');
    assert.equal(await git.operationInProgress(), undefined);
    assert.match(repo.read('envs/staging/kustomization.yaml'), /newTag: 1\.6\.0 #/);
  });

  it('refuses when a file the commit touched has uncommitted changes, changing nothing', async () => {
    const tag = bump('1.4.0', '1.5.0');
    const edited = repo.read('envs/staging/kustomization.yaml') + '# editing\n';
    repo.write({ 'envs/staging/kustomization.yaml': edited });
    await assert.rejects(
      revertCommit(git, tag, silentLogger),
      (e: unknown) =>
        e instanceof RefusedError && /uncommitted changes in envs\/staging\/kustomization\.yaml/.test(e.message),
    );
    assert.equal(repo.head(), tag);
    assert.equal(repo.read('envs/staging/kustomization.yaml'), edited);
  });

  it('refuses while unrelated changes are staged (git revert would stop on them), naming them', async () => {
    const tag = bump('1.4.0', '1.5.0');
    repo.write({ 'README.md': 'staged work\n' });
    repo.git('add', 'README.md');
    await assert.rejects(
      revertCommit(git, tag, silentLogger),
      /staged changes in README\.md: git revert needs nothing staged/,
    );
    assert.equal(repo.head(), tag);
    assert.equal(repo.status(), 'A  README.md\n');
  });

  it('refuses an unknown revision, and one that looks like an option', async () => {
    await assert.rejects(revertCommit(git, 'deadbeef', silentLogger), /no commit deadbeef in this repository/);
    await assert.rejects(revertCommit(git, '--abort', silentLogger), /no commit --abort/);
  });
});
