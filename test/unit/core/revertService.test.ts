import assert from 'node:assert/strict';
import { DriftEngine } from '../../../src/core/engine';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import { type Git, type GitCommit, type RevertOutcome, silentLogger } from '../../../src/core/ports';
import { RefusedError } from '../../../src/core/promote/refusal';
import { environmentChanges, revertEnvironmentChange } from '../../../src/core/revertService';

/**
 * An in-memory Git: each commit is a whole tree (path → text). Records the reverts it is asked for; `conflicts`
 * makes one answer with a conflict.
 */
class MemoryGit implements Git {
  readonly commits: (GitCommit & { tree: Map<string, string> })[] = [];
  readonly reverts: string[] = [];
  conflicts = new Set<string>();

  commitFiles(subject: string, changes: Record<string, string>): string {
    const parent = this.commits[0];
    const tree = new Map(parent?.tree ?? []);
    for (const [path, text] of Object.entries(changes)) tree.set(path, text);
    const sha = `${String(this.commits.length + 1).padStart(2, '0')}${'0'.repeat(38)}`;
    this.commits.unshift({
      sha,
      author: 'Test Author',
      date: '2026-12-06T12:00:00Z',
      subject,
      files: Object.keys(changes).sort(),
      parents: parent ? [parent.sha] : [],
      tree,
    });
    return sha;
  }

  async log(paths: string[], maxCount: number): Promise<GitCommit[]> {
    return this.commits.filter((c) => c.files.some((f) => paths.includes(f))).slice(0, maxCount);
  }
  async commit(rev: string): Promise<GitCommit | undefined> {
    return this.find(rev);
  }
  async treeAt(rev: string): Promise<Map<string, string>> {
    // Blob ids are the revision and path: enough to read a file back.
    const tree = this.find(rev)?.tree ?? new Map<string, string>();
    return new Map([...tree.keys()].map((p) => [p, `${rev}:${p}`]));
  }
  async blob(id: string): Promise<string> {
    const [rev, path] = id.split(':');
    return this.find(rev)!.tree.get(path)!;
  }
  private find(rev: string) {
    return this.commits.find((c) => rev.length >= 4 && c.sha.startsWith(rev));
  }
  async revert(sha: string): Promise<RevertOutcome> {
    this.reverts.push(sha);
    return this.conflicts.has(sha)
      ? { status: 'conflict', files: (await this.commit(sha))!.files }
      : { status: 'ok', sha: 'f'.repeat(40) };
  }
  async changedFiles(): Promise<string[]> {
    return [];
  }
  async stagedFiles(): Promise<string[]> {
    return [];
  }
  async operationInProgress(): Promise<string | undefined> {
    return undefined;
  }
  async currentBranch(): Promise<string | undefined> {
    return 'main';
  }
  async branchExists(): Promise<boolean> {
    return false;
  }
  commitOnNewBranch(): Promise<{ sha: string }> {
    throw new Error('not used');
  }
  push(): Promise<void> {
    throw new Error('not used');
  }
}

const deploy = (tag: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:${tag}\n`;

/** A repo in git and the same files in the working tree; `apps/prod` is a plain folder (no kustomization file). */
function setUp() {
  const git = new MemoryGit();
  const initial = {
    '.gitops-drift.yaml':
      'environments:\n  - name: staging\n    path: envs/staging\n  - name: dev\n    path: envs/dev\n  - name: plain\n    path: apps/plain\n',
    'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
    'base/deploy.yaml': deploy('1.0.0'),
    'envs/staging/kustomization.yaml':
      'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.4.0\n',
    'envs/dev/kustomization.yaml': 'resources:\n  - ../../base\n',
    'apps/plain/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\ndata:\n  beta: "off"\n',
  };
  const shas = {
    initial: git.commitFiles('initial config', initial),
    staging: git.commitFiles('staging: web 1.5.0', {
      'envs/staging/kustomization.yaml': initial['envs/staging/kustomization.yaml'].replace('1.4.0', '1.5.0'),
    }),
    dev: git.commitFiles('dev: a note', {
      'envs/dev/kustomization.yaml': initial['envs/dev/kustomization.yaml'] + '# dev only\n',
    }),
    plain: git.commitFiles('plain: beta on', {
      'apps/plain/cm.yaml': initial['apps/plain/cm.yaml'].replace('"off"', '"on"'),
    }),
  };
  // The working tree has moved on (uncommitted): the summaries must come from git objects, not from it.
  const tree = Object.fromEntries([...git.commits[0].tree].map(([p, t]) => [`/r/${p}`, t]));
  tree['/r/envs/staging/kustomization.yaml'] = tree['/r/envs/staging/kustomization.yaml'].replace('1.5.0', '9.9.9');
  const engine = new DriftEngine({ fs: new MemoryFileSystem(tree), repoRoot: '/r' });
  return { git, engine, shas, deps: { engine, git, repoRoot: '/r' } };
}

describe('revert service (engine, in-memory git)', () => {
  it("lists the commits touching the files an environment's render reads, and says what each did to its objects", async () => {
    const { deps, engine, shas } = setUp();
    const history = await environmentChanges(deps, await engine.environment('staging'), 10);
    assert.deepEqual(
      history.changes.map((c) => [c.commit.sha, c.files]),
      [
        [shas.staging, ['envs/staging/kustomization.yaml']],
        [shas.initial, ['base/deploy.yaml', 'base/kustomization.yaml', 'envs/staging/kustomization.yaml']],
      ],
    );
    assert.equal(await history.summarize(history.changes[0]), 'Deployment web image ghcr.io/acme/web 1.4.0 → 1.5.0');
    assert.equal(await history.summarize(history.changes[1]), '1 object(s) (did not render before)');
    assert.deepEqual(
      (await environmentChanges(deps, await engine.environment('staging'), 1)).changes.map((c) => c.commit.sha),
      [shas.staging],
      'at most maxCount',
    );
  });

  it('renders past revisions the way the engine renders the environment: a plain folder without a kustomization file', async () => {
    const { deps, engine, shas } = setUp();
    const history = await environmentChanges(deps, await engine.environment('plain'), 10);
    assert.deepEqual(
      history.changes.map((c) => c.commit.sha),
      [shas.plain, shas.initial],
    );
    assert.equal(await history.summarize(history.changes[0]), 'ConfigMap flags beta off → on');
  });

  it("reverts a commit touching the environment's files, and refuses one that does not or names none, reverting nothing", async () => {
    const { deps, engine, git, shas } = setUp();
    const staging = await engine.environment('staging');
    await assert.rejects(
      revertEnvironmentChange(deps, staging, shas.dev, silentLogger),
      (e: unknown) =>
        RefusedError.is(e) &&
        e.message === `${shas.dev.slice(0, 7)} (dev: a note) does not touch staging's files; nothing was changed`,
    );
    await assert.rejects(
      revertEnvironmentChange(deps, staging, 'abcdef12', silentLogger),
      (e: unknown) => RefusedError.is(e) && e.message === 'no commit abcdef12 in this repository',
    );
    assert.deepEqual(git.reverts, []);
    const done = await revertEnvironmentChange(deps, staging, shas.staging.slice(0, 7), silentLogger);
    assert.deepEqual(done, {
      status: 'reverted',
      sha: 'f'.repeat(40),
      reverted: git.commits.find((c) => c.sha === shas.staging),
    });
    assert.deepEqual(git.reverts, [shas.staging]);
  });

  it('reports a conflict with the files git named (the revert itself aborted it)', async () => {
    const { deps, engine, git, shas } = setUp();
    git.conflicts.add(shas.staging);
    const result = await revertEnvironmentChange(deps, await engine.environment('staging'), shas.staging, silentLogger);
    assert.deepEqual(result.status === 'conflict' ? result.files : result, ['envs/staging/kustomization.yaml']);
  });
});
