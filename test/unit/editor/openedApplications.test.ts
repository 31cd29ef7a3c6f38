/**
 * core/editor/openedApplications.ts: the Applications opened per destination, as the editor keeps them in the
 * workspace's state between windows (keyed by repo, environment and application).
 */
import assert from 'node:assert/strict';
import { OpenedApplications } from '../../../src/core/editor/openedApplications';

describe('OpenedApplications: the opened Applications of a repo, kept between windows', () => {
  const env = (name: string, apps: string[]) => ({ name, applications: apps.map((a) => ({ name: a })) });

  it("reads back what it saved, for its own repo only, and keeps other repos' entries", () => {
    const opened = new OpenedApplications(undefined, '/repo');
    assert.deepEqual(opened.add('prod', ['shop-3', 'shop-1']), ['shop-3', 'shop-1']);
    assert.deepEqual(opened.add('prod', ['shop-1', 'shop-7']), ['shop-7']);
    const saved = opened.saved({ '/other': { dev: ['a'] } });
    assert.deepEqual(saved, { '/other': { dev: ['a'] }, '/repo': { prod: ['shop-1', 'shop-3', 'shop-7'] } });
    // A reopened window: the same repo finds them; another repo does not.
    assert.deepEqual([...new OpenedApplications(saved, '/repo').of('prod')].sort(), ['shop-1', 'shop-3', 'shop-7']);
    assert.deepEqual([...new OpenedApplications(saved, '/third').of('prod')], []);
  });

  it('forgets what the repo no longer has, and a cancelled read', () => {
    const opened = new OpenedApplications({ '/repo': { prod: ['shop-1', 'gone'], removed: ['x'] } }, '/repo');
    assert.equal(opened.prune([env('prod', ['shop-1', 'shop-2'])]), true);
    assert.deepEqual(opened.saved(undefined), { '/repo': { prod: ['shop-1'] } });
    assert.equal(opened.prune([env('prod', ['shop-1'])]), false);
    opened.forget('prod', ['shop-1']);
    assert.deepEqual(opened.saved({ '/repo': { prod: ['shop-1'] } }), {});
  });

  it('reads nothing from a value it did not write', () => {
    for (const saved of [
      null,
      'x',
      [],
      { '/repo': 'prod' },
      { '/repo': { prod: 'shop-1' } },
      { '/repo': { prod: [1] } },
    ])
      assert.deepEqual([...new OpenedApplications(saved, '/repo').of('prod')], [], JSON.stringify(saved));
  });
});
