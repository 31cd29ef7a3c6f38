/**
 * A known history for the editor's History view, DORA panel and images hover tests, committed into the workspace
 * (a copy of examples/shop) with explicit dates, leaving the files exactly as the example has them:
 *
 *   h0  day −20 09:00Z  Shop example               dev web 1.4.1, staging web 1.4.0 (everything added)
 *   h1  day −15 09:00Z  staging: web 1.4.1
 *   h2  day −12 09:00Z  dev: web 1.5.0-rc.2
 *   h3  day −10 09:00Z  prod: a comment            comment only: no deployment
 *   h4  day −9  09:00Z  dev: web 1.5.0-rc.3
 *   h5  day −9  21:00Z  Revert "dev: web 1.5.0-rc.3"   (git revert, 12 h later: h4 failed)
 *   h6  day −7  09:00Z  prod: no comment           comment only: no deployment
 *
 * Days count back from midnight UTC of the day the test runs, so the history is always inside the 90-day window.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DEV = 'envs/dev/kustomization.yaml';
const STAGING = 'envs/staging/kustomization.yaml';
const PROD = 'envs/prod/kustomization.yaml';
const DAY = 86_400_000;

export interface KnownCommit {
  sha: string;
  /** ISO date, UTC. */
  date: string;
  subject: string;
}

export type KnownHistory = Record<'h0' | 'h1' | 'h2' | 'h3' | 'h4' | 'h5' | 'h6', KnownCommit>;

/** Commits the known history in `root` (whose files are the example's, uncommitted or not). */
export function commitKnownHistory(root: string, now = new Date()): KnownHistory {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (days: number, hour: number) => new Date(midnight - days * DAY + hour * 3_600_000).toISOString();
  const git = (args: string[], date?: string) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Ada',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
        ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
      },
    }).trim();
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const edit = (file: string, from: string, to: string) => {
    const text = read(file);
    if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
    writeFileSync(join(root, file), text.replace(from, to));
  };
  const commit = (date: string, subject: string, all = false): KnownCommit => {
    git(all ? ['add', '-A'] : ['add', DEV, STAGING, PROD]);
    git(['commit', '-q', '-m', subject], date);
    return { sha: git(['rev-parse', 'HEAD']), date, subject };
  };
  const dev = read(DEV);
  const staging = read(STAGING);
  const prod = read(PROD);

  edit(DEV, 'newTag: 1.5.0-rc.2', 'newTag: 1.4.1');
  edit(STAGING, 'newTag: "1.4.1"', 'newTag: "1.4.0"');
  const h0 = commit(at(20, 9), 'Shop example', true);
  writeFileSync(join(root, STAGING), staging);
  const h1 = commit(at(15, 9), 'staging: web 1.4.1');
  writeFileSync(join(root, DEV), dev);
  const h2 = commit(at(12, 9), 'dev: web 1.5.0-rc.2');
  writeFileSync(join(root, PROD), `${prod}# owned by the shop team\n`);
  const h3 = commit(at(10, 9), 'prod: a comment');
  edit(DEV, 'newTag: 1.5.0-rc.2', 'newTag: 1.5.0-rc.3');
  const h4 = commit(at(9, 9), 'dev: web 1.5.0-rc.3');
  const h5date = at(9, 21); // 12 h after h4
  git(['revert', '--no-edit', h4.sha], h5date);
  const h5 = { sha: git(['rev-parse', 'HEAD']), date: h5date, subject: `Revert "dev: web 1.5.0-rc.3"` };
  writeFileSync(join(root, PROD), prod);
  const h6 = commit(at(7, 9), 'prod: no comment');
  return { h0, h1, h2, h3, h4, h5, h6 };
}
