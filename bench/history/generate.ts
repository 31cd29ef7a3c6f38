/**
 * A config repo with a long history for bench/history: one base of APPS apps (a Deployment, a Service and a
 * ConfigMap each: 300 objects for 100 apps) and three overlays (dev, staging, prod) setting each app's image tag,
 * written with `git fast-import` (seconds for 5,000 commits). The commits, spread evenly over `spanDays` up to `end`,
 * mimic a busy config repo: image bumps in dev, promotions to staging and prod, base changes reaching all three,
 * rollbacks in prod, and commits that touch no environment (docs).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HistoryRepoOptions {
  commits: number;
  apps: number;
  spanDays: number;
  /** The last commit's time. */
  end: Date;
  seed?: number;
}

const ENVS = ['dev', 'staging', 'prod'] as const;

/** Creates the repo in `dir` (empty or missing) with a checked-out `main`; returns the commit counts by kind. */
export function generateHistoryRepo(dir: string, options: HistoryRepoOptions): Record<string, number> {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  let seed = options.seed ?? 42;
  const random = () => {
    // mulberry32: the same repo every run
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const apps = Array.from({ length: options.apps }, (_, i) => `app${String(i).padStart(3, '0')}`);
  const versions: Record<(typeof ENVS)[number], number[]> = {
    dev: apps.map(() => 1),
    staging: apps.map(() => 1),
    prod: apps.map(() => 1),
  };
  const previousProd = apps.map(() => 1);
  const replicas = apps.map(() => 1);
  const levels = apps.map(() => 'info');
  const chunks: string[] = [];
  const stream: string[] = [];
  const file = (path: string, text: string) =>
    chunks.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
  const counts: Record<string, number> = {};
  const start = options.end.getTime() - options.spanDays * 86_400_000;
  const step = (options.spanDays * 86_400_000) / Math.max(1, options.commits - 1);
  for (let n = 0; n < options.commits; n++) {
    const time = Math.floor((start + n * step) / 1000);
    let message: string;
    let kind: string;
    const a = Math.floor(random() * apps.length);
    if (n === 0) {
      kind = 'initial';
      message = 'initial: base and three environments';
      file('base/kustomization.yaml', `resources:\n${apps.map((app) => `  - ${app}.yaml\n`).join('')}`);
      apps.forEach((app, i) => file(`base/${app}.yaml`, appYaml(app, replicas[i], levels[i])));
      for (const env of ENVS) file(`envs/${env}/kustomization.yaml`, overlay(env, apps, versions[env]));
      file('README.md', '# bench\n');
    } else {
      const r = random();
      if (r < 0.45) {
        kind = 'dev bump';
        versions.dev[a]++;
        message = `dev: ${apps[a]} 1.${versions.dev[a]}.0`;
        file('envs/dev/kustomization.yaml', overlay('dev', apps, versions.dev));
      } else if (r < 0.65) {
        kind = 'staging promotion';
        versions.staging[a] = versions.dev[a];
        message = `staging: ${apps[a]} 1.${versions.staging[a]}.0`;
        file('envs/staging/kustomization.yaml', overlay('staging', apps, versions.staging));
      } else if (r < 0.8) {
        kind = 'prod promotion';
        previousProd[a] = versions.prod[a];
        versions.prod[a] = versions.staging[a];
        message = `prod: ${apps[a]} 1.${versions.prod[a]}.0`;
        file('envs/prod/kustomization.yaml', overlay('prod', apps, versions.prod));
      } else if (r < 0.82) {
        kind = 'prod rollback';
        versions.prod[a] = previousProd[a];
        message = `prod: ${apps[a]} back to 1.${versions.prod[a]}.0`;
        file('envs/prod/kustomization.yaml', overlay('prod', apps, versions.prod));
      } else if (r < 0.9) {
        kind = 'base change';
        if (random() < 0.5) replicas[a] = 1 + Math.floor(random() * 4);
        else levels[a] = levels[a] === 'info' ? 'debug' : 'info';
        message = `base: ${apps[a]} replicas ${replicas[a]}, log level ${levels[a]}`;
        file(`base/${apps[a]}.yaml`, appYaml(apps[a], replicas[a], levels[a]));
      } else {
        kind = 'docs';
        message = `docs: note ${n}`;
        file(`docs/notes-${n % 50}.md`, `# note ${n}\n`);
      }
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    const header =
      `commit refs/heads/main\nmark :${n + 1}\n` +
      `author Bench <bench@example.com> ${time} +0000\ncommitter Bench <bench@example.com> ${time} +0000\n` +
      `data ${Buffer.byteLength(message)}\n${message}\n` +
      (n ? `from :${n}\n` : '');
    stream.push(header + chunks.splice(0).join(''));
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: stream.join(''), maxBuffer: 1 << 30 });
  git(dir, 'checkout', '-q', '-f', 'main');
  return counts;
}

/** One app: a Deployment, a Service and a ConfigMap in one file. */
function appYaml(app: string, replicas: number, level: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${app}
  labels:
    app: ${app}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: ${app}
          image: registry.example.com/shop/${app}:1.0.0
          envFrom:
            - configMapRef:
                name: ${app}-config
          ports:
            - containerPort: 8080
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: ${app}
spec:
  selector:
    app: ${app}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${app}-config
data:
  LOG_LEVEL: ${level}
  FEATURE_FLAGS: "a,b,c"
`;
}

function overlay(env: string, apps: string[], versions: number[]): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-${env}
resources:
  - ../../base
images:
${apps.map((app, i) => `  - name: registry.example.com/shop/${app}\n    newTag: 1.${versions[i]}.0\n`).join('')}`;
}

/** Adds one commit through git itself, a dev bump of the first app (a deployment): the incremental case. */
export function addOneCommit(dir: string, date: Date, n: number): void {
  const path = join(dir, 'envs/dev/kustomization.yaml');
  writeFileSync(path, readFileSync(path, 'utf8').replace(/newTag: .*/, `newTag: 9.${n}.0`));
  git(dir, 'commit', '-q', '-a', '-m', `dev: app000 9.${n}.0`, { date });
}

function git(dir: string, ...args: (string | { date: Date })[]): string {
  const last = args[args.length - 1];
  const date = typeof last === 'object' ? last.date.toISOString() : undefined;
  return execFileSync(
    'git',
    args.filter((a): a is string => typeof a === 'string'),
    {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'Bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
        ...(date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}),
      },
    },
  );
}
