/** The Git adapter's history calls on a real repo: first-parent log with changed paths and blobs, blob reader. */
import assert from 'node:assert/strict';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { DatedRepo } from '../../support/historyRepo';

describe('SimpleGitAdapter: history', function () {
  this.timeout(20_000);
  let repo: DatedRepo;
  beforeEach(() => (repo = new DatedRepo()));
  afterEach(() => repo.remove());

  it('reads the first-parent log oldest first with each commit changes and blob ids; a merge is one commit', async () => {
    const c0 = repo.commit('2026-11-01T10:00:00Z', 'start', { 'config/envs/dev/k.yaml': 'a: 1\n', 'other.txt': 'x' });
    repo.git('switch', '-q', '-c', 'feature');
    repo.commit('2026-11-02T10:00:00Z', 'feature work', { 'config/envs/dev/k.yaml': 'a: 2\n' });
    repo.commit('2026-11-02T11:00:00Z', 'more feature work', { 'config/envs/dev/new.yaml': 'b: 1\n' });
    repo.git('switch', '-q', 'main');
    repo.commit('2026-11-03T10:00:00Z', 'remove\n\nApp-Commit-Date: 2026-11-01T00:00:00Z', { 'other.txt': null });
    repo.git('merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature', { date: '2026-11-04T10:00:00Z' });
    const head = repo.head();
    // The adapter on a folder inside the work tree: paths relative to it, others left out.
    const git = new SimpleGitAdapter(`${repo.dir}/config`);
    const log = await git.firstParentLog(head);
    assert.deepEqual(
      log.map((c) => [c.subject, Date.parse(c.date), c.changes.map((ch) => `${ch.status} ${ch.path}`)]),
      [
        ['start', Date.parse('2026-11-01T10:00:00Z'), ['A envs/dev/k.yaml']],
        ['remove', Date.parse('2026-11-03T10:00:00Z'), []],
        ['Merge feature', Date.parse('2026-11-04T10:00:00Z'), ['M envs/dev/k.yaml', 'A envs/dev/new.yaml']],
      ],
    );
    assert.equal(log[0].sha, c0);
    assert.equal(log[1].body, 'App-Commit-Date: 2026-11-01T00:00:00Z');
    assert.equal(log[2].parents.length, 2);
    assert.equal(log[1].parents[0], c0);
    const reader = git.blobReader();
    try {
      const texts = await Promise.all(log[2].changes.map((ch) => reader.read(ch.blob!)));
      assert.deepEqual(texts, ['a: 2\n', 'b: 1\n']);
      await assert.rejects(reader.read('0'.repeat(40)), /no blob/);
      assert.equal(await reader.read(log[0].changes[0].blob!), 'a: 1\n');
    } finally {
      reader.close();
    }
    assert.deepEqual(
      (await git.firstParentLog(head, log[1].sha)).map((c) => c.subject),
      ['Merge feature'],
    );
    assert.equal(await git.resolve('main'), head);
    assert.equal(await git.resolve('no-such-branch'), undefined);
    assert.deepEqual(await git.firstParentLog('no-such-branch'), []);
    const added = await git.addedLines(log[1].sha, ['envs/dev/k.yaml']);
    assert.equal(added, 'a: 1');
    // Open Commit's fallback: the commit as text, and no option smuggled in as a revision.
    const shown = await git.show(log[1].sha);
    assert.match(shown, /^commit [0-9a-f]{40}\n/);
    assert.match(shown, /App-Commit-Date: 2026-11-01T00:00:00Z/);
    assert.match(shown, /-x/);
    await assert.rejects(git.show('--output=/tmp/x'), /not a commit id/);
  });
});
