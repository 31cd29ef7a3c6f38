/**
 * The history walk on in-memory data: a fake Git port (commits, trees and blobs in maps) and the engine over a
 * MemoryFileSystem. What moved for generated ConfigMaps and Secrets (never a Secret's value, in the result or the
 * cache), objects added and removed, and a commit that does not render, which hides neither later commits nor
 * other environments.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DriftEngine } from '../../../src/core/engine';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import type { RepoHistory } from '../../../src/core/history/types';
import { loadHistory } from '../../../src/core/historyService';
import { MemoryFileSystem } from '../../../src/core/memoryFileSystem';
import type { ChangedPath, Git, LoggedCommit } from '../../../src/core/ports';

const ROOT = '/repo';

/** A Git port over commits given as file changes (null deletes), one a day from 2026-11-01. */
class FakeGit {
  readonly commits: LoggedCommit[] = [];
  readonly blobs = new Map<string, string>();
  readonly trees: Map<string, string>[] = [];
  blobReads = 0;

  add(files: Record<string, string | null>, subject = `commit ${this.commits.length}`): string {
    const tree = new Map(this.trees[this.trees.length - 1] ?? []);
    const changes: ChangedPath[] = [];
    for (const [path, text] of Object.entries(files)) {
      if (text === null) {
        tree.delete(path);
        changes.push({ path, status: 'D' });
        continue;
      }
      const blob = createHash('sha1').update(text).digest('hex');
      this.blobs.set(blob, text);
      changes.push({ path, status: tree.has(path) ? 'M' : 'A', blob });
      tree.set(path, blob);
    }
    const sha = createHash('sha1').update(`${this.commits.length}`).digest('hex');
    const date = new Date(Date.parse('2026-11-01T12:00:00Z') + this.commits.length * 86_400_000).toISOString();
    this.commits.push({
      sha,
      parents: this.commits.length ? [this.commits[this.commits.length - 1].sha] : [],
      author: 'Ada',
      authorDate: date,
      date,
      subject,
      body: '',
      changes,
    });
    this.trees.push(tree);
    return sha;
  }

  /** The working tree: the last commit's files. */
  files(): MemoryFileSystem {
    const tree = this.trees[this.trees.length - 1];
    return new MemoryFileSystem(
      Object.fromEntries([...tree].map(([path, blob]) => [path, this.blobs.get(blob)!])),
      ROOT,
    );
  }

  port(): Git {
    const fail = () => Promise.reject(new Error('not in this fake'));
    const index = (rev: string) => this.commits.findIndex((c) => c.sha === rev);
    return {
      changedFiles: fail,
      stagedFiles: fail,
      operationInProgress: fail,
      currentBranch: fail,
      branchExists: async (name) => name === 'main',
      commitOnNewBranch: fail,
      push: fail,
      log: fail,
      commit: fail,
      revert: fail,
      resolve: async (rev) => (rev === 'main' ? this.commits[this.commits.length - 1]?.sha : undefined),
      firstParentLog: async (rev, after) => {
        const end = index(rev);
        const start = after ? index(after) + 1 : 0;
        return this.commits.slice(start, end + 1);
      },
      treeAt: async (rev) => new Map(this.trees[index(rev)] ?? []),
      blob: async (id) => {
        this.blobReads++;
        const text = this.blobs.get(id);
        if (text === undefined) throw new Error(`no blob ${id}`);
        return text;
      },
    };
  }
}

const KEY = new SnapshotKey(new Uint8Array(32).fill(3));

async function walk(git: FakeGit, cache?: Map<string, string>): Promise<RepoHistory> {
  const engine = new DriftEngine({ fs: git.files(), repoRoot: ROOT });
  return loadHistory(
    {
      engine,
      git: git.port(),
      repoRoot: ROOT,
      secretKey: KEY,
      toolVersion: 'test',
      ...(cache ? { cache: { read: async (k) => cache.get(k), write: async (k, v) => void cache.set(k, v) } } : {}),
    },
    { since: new Date('2026-11-02T00:00:00Z'), now: new Date('2026-12-01T00:00:00Z') },
  );
}

const BASE = (level: string, password: string, extra = '') => ({
  'base/kustomization.yaml': `resources:
  - deployment.yaml
${extra}configMapGenerator:
  - name: web-config
    literals:
      - LOG_LEVEL=${level}
secretGenerator:
  - name: web-secret
    literals:
      - PASSWORD=${password}
`,
  'base/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          envFrom:
            - configMapRef:
                name: web-config
            - secretRef:
                name: web-secret
`,
});

const OVERLAY = (env: string) => `resources:\n  - ../../base\nnamespace: shop-${env}\n`;

describe('history walk (in-memory git)', () => {
  it('says which config key moved; a Secret only by name, its value in neither the result nor the cache', async () => {
    const git = new FakeGit();
    git.add({ ...BASE('info', 'hunter2-old'), 'envs/dev/kustomization.yaml': OVERLAY('dev') });
    const level = git.add(BASE('debug', 'hunter2-old'));
    const secret = git.add(BASE('debug', 'hunter2-new'));
    const cache = new Map<string, string>();
    const history = await walk(git, cache);
    const dev = history.environments[0];
    assert.deepEqual(
      dev.deployments.map((d) => [d.commit.sha, d.moved]),
      [
        [
          secret,
          [
            {
              kind: 'config',
              object: { kind: 'Secret', namespace: 'shop-dev', name: 'web-secret' },
              key: 'PASSWORD',
              secret: true,
              at: { file: 'base/kustomization.yaml', line: 10, column: 9 },
            },
          ],
        ],
        [
          level,
          [
            {
              kind: 'config',
              object: { kind: 'ConfigMap', namespace: 'shop-dev', name: 'web-config' },
              key: 'LOG_LEVEL',
              from: 'info',
              to: 'debug',
              at: { file: 'base/kustomization.yaml', line: 6, column: 9 },
            },
          ],
        ],
      ],
    );
    const everything = JSON.stringify(history) + [...cache.values()].join('');
    for (const value of ['hunter2-old', 'hunter2-new'])
      for (const form of [value, Buffer.from(value).toString('base64')]) assert.ok(!everything.includes(form), form);
  });

  it('lists objects added and removed, and a changed field outside images, replicas and config', async () => {
    const git = new FakeGit();
    git.add({ ...BASE('info', 'x'), 'envs/dev/kustomization.yaml': OVERLAY('dev') });
    const added = git.add({
      ...BASE('info', 'x', '  - service.yaml\n'),
      'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 80\n',
    });
    const changed = git.add({
      'base/service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n    - port: 8080\n',
    });
    const removed = git.add({ ...BASE('info', 'x'), 'base/service.yaml': null });
    const history = await walk(git);
    assert.deepEqual(
      history.environments[0].deployments.map((d) => [d.commit.sha, d.moved]),
      [
        [
          removed,
          [
            {
              kind: 'removed',
              object: { kind: 'Service', namespace: 'shop-dev', name: 'web' },
              at: { file: 'base/service.yaml', line: 1, column: 1 },
            },
          ],
        ],
        [
          changed,
          [
            {
              kind: 'changed',
              object: { kind: 'Service', namespace: 'shop-dev', name: 'web' },
              paths: ['ports[0].port'],
              at: { file: 'base/service.yaml', line: 7, column: 7 },
            },
          ],
        ],
        [
          added,
          [
            {
              kind: 'added',
              object: { kind: 'Service', namespace: 'shop-dev', name: 'web' },
              at: { file: 'base/service.yaml', line: 1, column: 1 },
            },
          ],
        ],
      ],
    );
  });

  it('lists a commit that does not render; the next good one is compared with the last good one', async () => {
    const git = new FakeGit();
    git.add({
      ...BASE('info', 'x'),
      'envs/dev/kustomization.yaml': OVERLAY('dev'),
      'envs/prod/kustomization.yaml': OVERLAY('prod'),
    });
    const broken = git.add({ 'envs/dev/kustomization.yaml': 'resources: [../../base\n', ...BASE('warn', 'x') });
    const fixed = git.add({ 'envs/dev/kustomization.yaml': OVERLAY('dev') + 'commonLabels:\n  team: shop\n' });
    const history = await walk(git);
    const [dev, prod] = history.environments;
    assert.deepEqual(
      dev.renderErrors.map((g) => g.commit.sha),
      [broken],
    );
    assert.match(dev.renderErrors[0].message, /envs\/dev\/kustomization\.yaml/);
    // The fix brings the base change of the broken commit and the label: one deployment.
    assert.deepEqual(
      dev.deployments.map((d) => d.commit.sha),
      [fixed],
    );
    assert.ok(dev.deployments[0].moved.some((m) => m.kind === 'config' && m.to === 'warn'));
    // prod rendered the broken commit's base change as usual.
    assert.deepEqual(
      prod.deployments.map((d) => d.commit.sha),
      [broken],
    );
  });

  it('an environment created in the window: its first render is a deployment adding everything', async () => {
    const git = new FakeGit();
    git.add({ ...BASE('info', 'x'), 'envs/dev/kustomization.yaml': OVERLAY('dev') });
    const created = git.add({ 'envs/prod/kustomization.yaml': OVERLAY('prod') });
    const history = await walk(git);
    const prod = history.environments.find((e) => e.environment === 'prod')!;
    assert.deepEqual(
      prod.deployments.map((d) => [d.commit.sha, d.moved.map((m) => `${m.kind} ${m.object.kind}`)]),
      [[created, ['added ConfigMap', 'added Secret', 'added Deployment']]],
    );
    assert.equal(history.environments.find((e) => e.environment === 'dev')!.deployments.length, 0);
  });

  it('reads each blob once across the walk', async () => {
    const git = new FakeGit();
    git.add({ ...BASE('info', 'x'), 'envs/dev/kustomization.yaml': OVERLAY('dev') });
    for (let i = 0; i < 5; i++)
      git.add({ 'envs/dev/kustomization.yaml': OVERLAY('dev') + `commonLabels:\n  n: "${i}"\n` });
    await walk(git);
    // 3 files at the start, then one new overlay blob per commit.
    assert.equal(git.blobReads, 3 + 5);
  });
});
