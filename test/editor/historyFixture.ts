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

/** git in `root` as Ada; a commit given a date is authored and committed then. */
function datedGit(root: string): (args: string[], date?: string) => string {
  return (args, date) =>
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
}

/** Commits the known history in `root` (whose files are the example's, uncommitted or not). */
export function commitKnownHistory(root: string, now = new Date()): KnownHistory {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (days: number, hour: number) => new Date(midnight - days * DAY + hour * 3_600_000).toISOString();
  const git = datedGit(root);
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

/**
 * A richer history for the UI check's screenshots (the History view and the DORA panel): eight weeks of the web
 * image promoted dev → staging → prod with varying lead times, a staging release reverted, a hotfix straight to
 * prod, a base config change rolled back a day later, and one with an app-commit trailer. It ends with the files
 * exactly as the example has them (prod's own image override, added for the walk, goes at the end without changing
 * its render). Days count back from midnight UTC today.
 */
export function commitDemoHistory(root: string, now = new Date()): void {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const at = (days: number, hour: number) => new Date(midnight - days * DAY + hour * 3_600_000).toISOString();
  const git = datedGit(root);
  const BASE = 'base/kustomization.yaml';
  const original = Object.fromEntries([DEV, STAGING, PROD, BASE].map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const write = (file: string, text: string) => writeFileSync(join(root, file), text);
  const prodWith = (tag: string) =>
    `${original[PROD]}\nimages:\n  - name: ghcr.io/example/shop-web\n    newTag: "${tag}"\n`;
  const set = (file: string, tag: string) => {
    if (file === PROD) return write(PROD, prodWith(tag));
    const text = readFileSync(join(root, file), 'utf8');
    write(file, text.replace(/newTag: .*/, `newTag: "${tag}"`));
  };
  const commit = (date: string, message: string, all = false) => {
    git(all ? ['add', '-A'] : ['add', DEV, STAGING, PROD, BASE]);
    git(['commit', '-q', '-m', message], date);
    return git(['rev-parse', 'HEAD']);
  };
  const release = (env: 'dev' | 'staging' | 'prod', tag: string, days: number, hour: number, trailer?: string) => {
    set(env === 'dev' ? DEV : env === 'staging' ? STAGING : PROD, tag);
    return commit(at(days, hour), `${env}: web ${tag}${trailer ? `\n\nApp-Commit-Date: ${trailer}` : ''}`);
  };

  set(DEV, '1.1.0');
  set(STAGING, '1.1.0');
  set(PROD, '1.1.0');
  commit(at(60, 9), 'Shop example', true);
  release('dev', '1.2.0', 55, 10);
  release('staging', '1.2.0', 54, 14);
  release('prod', '1.2.0', 52, 9);
  release('dev', '1.2.1', 48, 11);
  const bad = release('staging', '1.2.1', 47, 10);
  git(['revert', '--no-edit', bad], at(47, 16));
  release('dev', '1.2.2', 46, 9);
  release('staging', '1.2.2', 45, 9);
  release('prod', '1.2.2', 43, 15);
  release('dev', '1.3.0', 41, 9, at(42, 17));
  release('staging', '1.3.0', 39, 11);
  release('prod', '1.3.0', 36, 10);
  release('prod', '1.3.1', 34, 22);
  release('dev', '1.3.1', 33, 9);
  release('staging', '1.3.1', 33, 13);
  write(BASE, original[BASE].replace('LOG_LEVEL=info', 'LOG_LEVEL=debug'));
  commit(at(30, 9), 'base: LOG_LEVEL debug');
  write(BASE, original[BASE]);
  commit(at(29, 12), 'base: LOG_LEVEL back to info');
  release('dev', '1.4.0', 27, 10);
  release('staging', '1.4.0', 26, 10);
  release('prod', '1.4.0', 22, 9);
  release('dev', '1.4.1', 18, 10);
  release('staging', '1.4.1', 15, 10);
  release('dev', '1.5.0-rc.1', 11, 10);
  release('dev', '1.5.0-rc.2', 6, 10);
  for (const f of [DEV, STAGING, PROD]) write(f, original[f]);
  commit(at(3, 9), 'prod: the base sets the web image');
}
