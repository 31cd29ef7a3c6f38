/**
 * The retag shortcut (core/history/retag.ts) against full renders, on a generated repo of many image bumps,
 * promotions, rollbacks and base changes: the history must be the same, commit for commit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistoryRepo } from '../../../bench/history/generate';
import { DriftEngine } from '../../../src/core/engine';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { doraMetrics } from '../../../src/core/history/dora';
import { loadHistory } from '../../../src/core/historyService';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';

describe('history: the retag shortcut', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'gd-retag-')), 'repo')
      .split('\\')
      .join('/');
    generateHistoryRepo(dir, { commits: 150, apps: 8, spanDays: 30, end: new Date('2026-12-01T00:00:00Z') });
  });
  after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('gives the history full renders give, with most commits retagged', async () => {
    const walk = (retag: boolean) =>
      loadHistory(
        {
          engine: new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir }),
          git: new SimpleGitAdapter(dir),
          repoRoot: dir,
          secretKey: new SnapshotKey(new Uint8Array(32).fill(1)),
          toolVersion: 'test',
        },
        { since: new Date('2026-11-15T00:00:00Z'), now: new Date('2026-12-01T00:00:00Z'), retag },
      );
    const fast = await walk(true);
    const full = await walk(false);
    assert.ok(fast.stats.retagged > fast.stats.rendered, JSON.stringify(fast.stats));
    assert.equal(full.stats.retagged, 0);
    assert.equal(fast.stats.rendered + fast.stats.retagged, full.stats.rendered);
    assert.ok(full.environments.every((e) => e.deployments.length > 5));
    assert.deepEqual(fast.environments, full.environments);
    assert.deepEqual(fast.arrivals, full.arrivals);
    assert.deepEqual(fast.current, full.current);
    assert.deepEqual(doraMetrics(fast), doraMetrics(full));
  });
});
