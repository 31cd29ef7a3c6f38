/**
 * Git repos with known histories for the history and DORA tests: commits with their dates set explicitly
 * (GIT_AUTHOR_DATE and GIT_COMMITTER_DATE), so every metric has one exact expected value.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A repo on disk that commits files at given dates. */
export class DatedRepo {
  readonly dir: string;

  constructor(prefix = 'gd-history-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix)).split('\\').join('/');
    this.git('init', '-q', '-b', 'main');
  }

  /** Writes (or, for null, deletes) files and commits them all at `date`; returns the commit id. */
  commit(date: string, message: string, files: Record<string, string | null>): string {
    for (const [path, text] of Object.entries(files)) {
      const file = join(this.dir, path);
      if (text === null) rmSync(file, { force: true });
      else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message, { date });
    return this.head();
  }

  /** `git revert` of `sha` at `date`. */
  revert(date: string, sha: string): string {
    this.git('revert', '--no-edit', sha, { date });
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  git(...args: (string | { date: string })[]): string {
    const last = args[args.length - 1];
    const date = typeof last === 'object' ? last.date : undefined;
    const argv = args.filter((a): a is string => typeof a === 'string');
    return execFileSync('git', argv, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: this.dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Ada',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
        ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
      },
    });
  }
}

const DEPLOYMENT = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
`;

/** An overlay of the shared base setting the web image (a tag, optionally a digest). */
export function overlay(env: string, tag: string, options: { digest?: string; comment?: string; hpa?: boolean } = {}) {
  return `${options.comment ? `# ${options.comment}\n` : ''}apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-${env}
resources:
  - ../../base
${options.hpa ? '  - hpa.yaml\n' : ''}images:
  - name: ghcr.io/acme/web
    newTag: ${tag}
${options.digest ? `    digest: ${options.digest}\n` : ''}`;
}

const HPA = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 5
`;

export const DIGEST_A = 'sha256:' + 'a'.repeat(64);
export const DIGEST_B = 'sha256:' + 'b'.repeat(64);

/**
 * The known history of docs/history.md's example (dates UTC, window 2026-11-01 to 2026-12-01):
 * c0 before the window (everything at 1.0.0, prod with an HPA staging has not); promotions dev → staging → prod of
 * 1.1.0 (c1–c3); a comment-only change in prod (c4); a base change reaching all three (c5, replicas 1 → 2); dev 1.2.0
 * reverted with `git revert` 12 h later (c6, c7); 1.3.0 with an app-commit trailer promoted through all three
 * (c8–c10) and rolled back in prod by retagging to 1.1.0 a day later (c11); a hotfix 1.3.1 straight to prod (c12);
 * a README change (c13); 1.4.0 by digest A in dev and by digest B in staging (c14, c15).
 */
export function knownHistory(): { repo: DatedRepo; commits: Record<string, string> } {
  const repo = new DatedRepo();
  const c: Record<string, string> = {};
  c.c0 = repo.commit('2026-10-20T09:00:00Z', 'Shop: base and three environments', {
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'base/deployment.yaml': DEPLOYMENT(1),
    'envs/dev/kustomization.yaml': overlay('dev', '1.0.0'),
    'envs/staging/kustomization.yaml': overlay('staging', '1.0.0'),
    'envs/prod/kustomization.yaml': overlay('prod', '1.0.0', { hpa: true }),
    'envs/prod/hpa.yaml': HPA,
    'README.md': '# shop\n',
  });
  c.c1 = repo.commit('2026-11-02T10:00:00Z', 'dev: web 1.1.0', {
    'envs/dev/kustomization.yaml': overlay('dev', '1.1.0'),
  });
  c.c2 = repo.commit('2026-11-03T10:00:00Z', 'staging: web 1.1.0', {
    'envs/staging/kustomization.yaml': overlay('staging', '1.1.0'),
  });
  c.c3 = repo.commit('2026-11-05T10:00:00Z', 'prod: web 1.1.0', {
    'envs/prod/kustomization.yaml': overlay('prod', '1.1.0', { hpa: true }),
  });
  c.c4 = repo.commit('2026-11-06T09:00:00Z', 'prod: a comment', {
    'envs/prod/kustomization.yaml': overlay('prod', '1.1.0', { hpa: true, comment: 'owned by the shop team' }),
  });
  c.c5 = repo.commit('2026-11-07T12:00:00Z', 'base: two replicas', { 'base/deployment.yaml': DEPLOYMENT(2) });
  c.c6 = repo.commit('2026-11-10T08:00:00Z', 'dev: web 1.2.0', {
    'envs/dev/kustomization.yaml': overlay('dev', '1.2.0'),
  });
  c.c7 = repo.revert('2026-11-10T20:00:00Z', c.c6);
  c.c8 = repo.commit('2026-11-12T08:00:00Z', 'dev: web 1.3.0\n\nApp-Commit-Date: 2026-11-11T08:00:00Z', {
    'envs/dev/kustomization.yaml': overlay('dev', '1.3.0'),
  });
  c.c9 = repo.commit('2026-11-13T08:00:00Z', 'staging: web 1.3.0', {
    'envs/staging/kustomization.yaml': overlay('staging', '1.3.0'),
  });
  c.c10 = repo.commit('2026-11-14T08:00:00Z', 'prod: web 1.3.0', {
    'envs/prod/kustomization.yaml': overlay('prod', '1.3.0', { hpa: true, comment: 'owned by the shop team' }),
  });
  c.c11 = repo.commit('2026-11-15T08:00:00Z', 'prod: back to 1.1.0', {
    'envs/prod/kustomization.yaml': overlay('prod', '1.1.0', { hpa: true, comment: 'owned by the shop team' }),
  });
  c.c12 = repo.commit('2026-11-20T08:00:00Z', 'prod: hotfix 1.3.1', {
    'envs/prod/kustomization.yaml': overlay('prod', '1.3.1', { hpa: true, comment: 'owned by the shop team' }),
  });
  c.c13 = repo.commit('2026-11-22T08:00:00Z', 'readme', { 'README.md': '# shop\n\nThe shop.\n' });
  c.c14 = repo.commit('2026-11-25T08:00:00Z', 'dev: web 1.4.0', {
    'envs/dev/kustomization.yaml': overlay('dev', '1.4.0', { digest: DIGEST_A }),
  });
  c.c15 = repo.commit('2026-11-26T08:00:00Z', 'staging: web 1.4.0', {
    'envs/staging/kustomization.yaml': overlay('staging', '1.4.0', { digest: DIGEST_B }),
  });
  return { repo, commits: c };
}
