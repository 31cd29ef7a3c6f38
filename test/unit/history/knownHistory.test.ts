/**
 * The history and the DORA four over a real git repo whose history is known to the second (test/support/
 * historyRepo.ts): promotions dev → staging → prod, a skipped stage, a revert, a rollback by retagging, a
 * comment-only change and a base change reaching three environments. Every metric is asserted to its exact value.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { doraMetrics } from '../../../src/core/history/dora';
import type { RepoHistory } from '../../../src/core/history/types';
import { loadHistory } from '../../../src/core/historyService';
import type { CacheStore } from '../../../src/core/ports';
import { runCli } from '../../../src/cli/main';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { SimpleGitAdapter } from '../../../src/node/simpleGit';
import { type DatedRepo, DIGEST_A, DIGEST_B, knownHistory, overlay } from '../../support/historyRepo';

const SINCE = new Date('2026-11-01T00:00:00Z');
const NOW = new Date('2026-12-01T00:00:00Z');
const DAY = 86_400;

function memoryCache(): CacheStore & { stored: Map<string, string> } {
  const stored = new Map<string, string>();
  return { stored, read: async (k) => stored.get(k), write: async (k, v) => void stored.set(k, v) };
}

async function historyOf(
  dir: string,
  cache?: CacheStore,
  options: { now?: Date; since?: Date; retag?: boolean } = {},
): Promise<RepoHistory> {
  const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir });
  return loadHistory(
    {
      engine,
      git: new SimpleGitAdapter(dir),
      repoRoot: dir,
      ...(cache ? { cache } : {}),
      secretKey: new SnapshotKey(new Uint8Array(32).fill(7)),
      toolVersion: 'test',
    },
    { since: options.since ?? SINCE, now: options.now ?? NOW, ...(options.retag === false ? { retag: false } : {}) },
  );
}

describe('history and DORA over a known git history', function () {
  this.timeout(60_000);
  let repo: DatedRepo;
  let c: Record<string, string>;
  let history: RepoHistory;

  before(async () => {
    ({ repo, commits: c } = knownHistory());
    history = await historyOf(repo.dir);
  });
  after(() => repo.remove());

  const deployments = (env: string) =>
    history.environments.find((e) => e.environment === env)!.deployments.map((d) => d.commit.sha);

  it('finds the deployments of each environment, newest first: a comment is none, a base change one of each', () => {
    assert.deepEqual(deployments('dev'), [c.c14, c.c8, c.c7, c.c6, c.c5, c.c1]);
    assert.deepEqual(deployments('staging'), [c.c15, c.c9, c.c5, c.c2]);
    assert.deepEqual(deployments('prod'), [c.c12, c.c11, c.c10, c.c5, c.c3]);
    // c4 touched prod's kustomization (a candidate), c13 touched nothing an environment reads.
    assert.equal(history.stats.commits, 15);
    assert.equal(history.stats.candidates, 16);
    // 3 at the window's start, then 16 candidates: the 10 plain retags (c1-c3, c6-c12) from the last render, the
    // comment (c4), the base change (c5, three environments) and the two digests added (c14, c15) rendered.
    assert.equal(history.stats.rendered, 9);
    assert.equal(history.stats.retagged, 10);
  });

  it('gives the same history when every candidate is rendered in full (no retag shortcut)', async () => {
    const full = await historyOf(repo.dir, undefined, { retag: false });
    assert.equal(full.stats.rendered, 19);
    assert.equal(full.stats.retagged, 0);
    assert.deepEqual(full.environments, history.environments);
    assert.deepEqual(full.arrivals, history.arrivals);
    assert.deepEqual(full.current, history.current);
  });

  it('says what moved, with the line that set it at that commit', () => {
    const prod = history.environments.find((e) => e.environment === 'prod')!.deployments;
    const hotfix = prod.find((d) => d.commit.sha === c.c12)!;
    assert.equal(hotfix.commit.author, 'Ada');
    assert.equal(hotfix.commit.subject, 'prod: hotfix 1.3.1');
    assert.equal(Date.parse(hotfix.commit.date), Date.parse('2026-11-20T08:00:00Z'));
    assert.deepEqual(hotfix.moved, [
      {
        kind: 'image',
        object: { kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
        container: 'web',
        image: 'ghcr.io/acme/web',
        from: { tag: '1.1.0' },
        to: { tag: '1.3.1' },
        // The comment added in c4 moved the `images:` entry a line down.
        at: { file: 'envs/prod/kustomization.yaml', line: 10, column: 5 },
      },
    ]);
    const base = prod.find((d) => d.commit.sha === c.c5)!;
    assert.deepEqual(base.moved, [
      {
        kind: 'replicas',
        object: { kind: 'Deployment', namespace: 'shop-prod', name: 'web' },
        from: 1,
        to: 2,
        at: { file: 'base/deployment.yaml', line: 6, column: 3 },
      },
    ]);
  });

  it('marks the reverted and the rolled-back deployment failed, with the time to restore', () => {
    const all = history.environments.flatMap((e) => e.deployments);
    const undone = all
      .filter((d) => d.undone)
      .map((d) => [d.environment, d.commit.sha, d.undone!.how, d.undone!.by.sha]);
    assert.deepEqual(undone, [
      ['dev', c.c6, 'git-revert', c.c7],
      ['prod', c.c10, 'rollback', c.c11],
    ]);
    assert.deepEqual(
      all.filter((d) => d.failed).map((d) => [d.commit.sha, d.undone!.afterSeconds]),
      [
        [c.c6, 12 * 3600],
        [c.c10, DAY],
      ],
    );
  });

  it('computes the four metrics per environment to their exact values', () => {
    const report = doraMetrics(history);
    const byEnv = Object.fromEntries(report.environments.map((e) => [e.environment, e]));
    assert.deepEqual(
      report.environments.map((e) => [
        e.environment,
        e.deploymentFrequency.deployments,
        e.deploymentFrequency.perDay,
        e.deploymentFrequency.perWeek,
      ]),
      [
        ['dev', 6, 0.2, 1.4],
        ['staging', 4, 0.133, 0.933],
        ['prod', 5, 0.167, 1.167],
      ],
    );
    assert.deepEqual(
      byEnv.dev.deploymentFrequency.weekly.map((w) => [w.weekStart, w.deployments]),
      [
        ['2026-10-26', 0],
        ['2026-11-02', 2],
        ['2026-11-09', 3],
        ['2026-11-16', 0],
        ['2026-11-23', 1],
        ['2026-11-30', 0],
      ],
    );
    assert.deepEqual(byEnv.dev.changeFailureRate, { deployments: 6, failed: 1, rate: 0.167 });
    assert.deepEqual(byEnv.staging.changeFailureRate, { deployments: 4, failed: 0, rate: 0 });
    assert.deepEqual(byEnv.prod.changeFailureRate, { deployments: 5, failed: 1, rate: 0.2 });
    assert.deepEqual(byEnv.dev.timeToRestore, {
      restored: 1,
      medianSeconds: 12 * 3600,
      p90Seconds: 12 * 3600,
      samples: [12 * 3600],
    });
    assert.deepEqual(byEnv.prod.timeToRestore, { restored: 1, medianSeconds: DAY, p90Seconds: DAY, samples: [DAY] });
    assert.deepEqual(byEnv.staging.timeToRestore, { restored: 0, samples: [] });
    // dev is the first stage: only 1.3.0 has a start before it (its app-commit trailer, a day earlier).
    assert.deepEqual(byEnv.dev.leadTime, {
      artifacts: 1,
      medianSeconds: DAY,
      p90Seconds: DAY,
      samples: [{ artifact: 'ghcr.io/acme/web:1.3.0', seconds: DAY, startFrom: 'commit-trailer' }],
    });
    assert.deepEqual(byEnv.staging.leadTime, {
      artifacts: 2,
      medianSeconds: 1.5 * DAY,
      p90Seconds: 2 * DAY,
      samples: [
        { artifact: 'ghcr.io/acme/web:1.1.0', seconds: DAY, startFrom: 'first-environment' },
        { artifact: 'ghcr.io/acme/web:1.3.0', seconds: 2 * DAY, startFrom: 'commit-trailer' },
      ],
    });
    assert.deepEqual(byEnv.prod.leadTime.samples, [
      { artifact: 'ghcr.io/acme/web:1.1.0', seconds: 3 * DAY, startFrom: 'first-environment' },
      { artifact: 'ghcr.io/acme/web:1.3.0', seconds: 3 * DAY, startFrom: 'commit-trailer' },
    ]);
    assert.deepEqual(
      report.promotionLeadTime.map((p) => [p.chain, p.artifacts, p.medianSeconds, p.p90Seconds]),
      [[['dev', 'staging', 'prod'], 2, 3 * DAY, 3 * DAY]],
    );
  });

  it('finds the skipped stages, the tag with two digests and the extra object, each at its line in git', () => {
    const findings = doraMetrics(history).findings.map((f) => [
      f.kind,
      f.environment,
      f.at && `${f.at.file}:${f.at.line}`,
      f.commit,
    ]);
    assert.deepEqual(findings, [
      ['skipped-stage', 'staging', 'envs/staging/kustomization.yaml:8', c.c15],
      ['skipped-stage', 'prod', 'envs/prod/kustomization.yaml:10', c.c12],
      ['tag-digest-mismatch', 'staging', 'envs/staging/kustomization.yaml:8', c.c15],
      ['topology', 'prod', 'envs/prod/hpa.yaml:1', c.c15],
    ]);
    const mismatch = doraMetrics(history).findings.find((f) => f.kind === 'tag-digest-mismatch')!;
    assert.match(mismatch.message, new RegExp(`${DIGEST_B} in staging but ${DIGEST_A} in dev`));
  });

  it('walks only the new commits on the second run, with the same result', async () => {
    const cache = memoryCache();
    const cold = await historyOf(repo.dir, cache);
    assert.equal(cold.stats.fromCache, 0);
    const warm = await historyOf(repo.dir, cache);
    assert.equal(warm.stats.fromCache, 1);
    assert.equal(warm.stats.rendered, 0);
    assert.deepEqual(warm.environments, cold.environments);
    assert.deepEqual(doraMetrics(warm), doraMetrics(cold));
    try {
      // One more commit: dev 1.5.0; only dev renders again.
      repo.commit('2026-11-28T08:00:00Z', 'dev: web 1.5.0', {
        'envs/dev/kustomization.yaml': overlay('dev', '1.5.0'),
      });
      const next = await historyOf(repo.dir, cache);
      assert.equal(next.stats.fromCache, 1);
      assert.equal(next.stats.commits, 1);
      assert.equal(next.stats.rendered, 1);
      assert.equal(next.environments[0].deployments.length, 7);
      const fresh = await historyOf(repo.dir);
      assert.deepEqual(next.environments, fresh.environments);
      assert.deepEqual(doraMetrics(next), doraMetrics(fresh));
      // Then a plain retag: retagged from the cached snapshot, nothing rendered.
      repo.commit('2026-11-29T08:00:00Z', 'dev: web 1.5.1', {
        'envs/dev/kustomization.yaml': overlay('dev', '1.5.1'),
      });
      const retagged = await historyOf(repo.dir, cache);
      assert.deepEqual([retagged.stats.commits, retagged.stats.rendered, retagged.stats.retagged], [1, 0, 1]);
      const fresh2 = await historyOf(repo.dir);
      assert.deepEqual(retagged.environments, fresh2.environments);
      assert.deepEqual(retagged.current, fresh2.current);
      assert.deepEqual(doraMetrics(retagged), doraMetrics(fresh2));
    } finally {
      repo.git('reset', '-q', '--hard', c.c15);
    }
  });

  it('starts again when the branch was rewritten under the cache', async () => {
    const cache = memoryCache();
    await historyOf(repo.dir, cache);
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    try {
      const rewritten = repo.commit('2026-11-27T08:00:00Z', 'staging: web 1.4.1', {
        'envs/staging/kustomization.yaml': overlay('staging', '1.4.1'),
      });
      const after = await historyOf(repo.dir, cache);
      assert.equal(after.stats.fromCache, 0);
      assert.equal(after.environments[1].deployments[0].commit.sha, rewritten);
      assert.ok(!after.environments[1].deployments.some((d) => d.commit.sha === c.c15));
    } finally {
      repo.git('reset', '-q', '--hard', c.c15);
    }
  });

  it('gitops-drift history and dora: text and JSON, exit 0; 2 for an unknown environment', async () => {
    const home = mkdtempSync(join(tmpdir(), 'gd-history-home-'));
    const env = {
      GITOPS_DRIFT_SECRET_KEY_FILE: join(home, 'key'),
      GITOPS_DRIFT_HISTORY_CACHE: join(home, 'cache'),
    };
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(argv, {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        cwd: repo.dir,
        color: false,
        env,
      });
      return { code, out, err };
    };
    try {
      const text = await run('history', '--env', 'prod', '--since', '2026-11-01');
      assert.equal(text.code, 0, text.err);
      assert.match(text.out, /prod: 5 deployments/);
      assert.match(
        text.out,
        /prod: web 1\.3\.0 {2}\[rolled back by [0-9a-f]{7} after 1d: failed\]\n {6}Deployment shop-prod\/web \[web\] image ghcr\.io\/acme\/web 1\.1\.0 → 1\.3\.0 {3}envs\/prod\/kustomization\.yaml:10/,
      );
      assert.doesNotMatch(text.out, /dev:/);
      const json = await run('history', '--since', '2026-11-01', '--format', 'json');
      assert.equal(json.code, 0, json.err);
      const parsed = JSON.parse(json.out) as RepoHistory;
      assert.deepEqual(
        parsed.environments.map((e) => e.deployments.length),
        [6, 4, 5],
      );
      const dora = await run('dora', '--since', '2026-11-01', '--format', 'json');
      assert.equal(dora.code, 0, dora.err);
      const report = JSON.parse(dora.out) as ReturnType<typeof doraMetrics>;
      assert.deepEqual(
        report.environments.map((e) => e.changeFailureRate),
        [
          { deployments: 6, failed: 1, rate: 0.167 },
          { deployments: 4, failed: 0, rate: 0 },
          { deployments: 5, failed: 1, rate: 0.2 },
        ],
      );
      const doraText = await run('dora', '--since', '2026-11-01');
      assert.equal(doraText.code, 0);
      assert.match(doraText.out, /^prod +5 .* 20% \(1 of 5\) +1d \/ 1d \(1\)$/m);
      assert.match(doraText.out, /skipped-stage {2}prod {2}envs\/prod\/kustomization\.yaml:10 @ [0-9a-f]{7}/);
      const unknown = await run('history', '--env', 'nope');
      assert.equal(unknown.code, 2);
      assert.match(unknown.err, /no environment 'nope' \(known: dev, staging, prod\)/);
      const badSince = await run('dora', '--since', 'yesterday');
      assert.equal(badSince.code, 2);
      assert.match(badSince.err, /--since must be like 90d/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
