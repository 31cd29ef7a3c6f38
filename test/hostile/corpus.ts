/**
 * Generates the hostile corpus at test time, in a temp folder: one healthy template repo (git-initialised, with
 * marker Secrets), copied once per case and then damaged by the case's `setup`. Symlinks, FIFOs, invalid UTF-8,
 * NUL bytes and huge files are all made here, in code: nothing binary is kept in git.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SnapshotKey } from '../../src/core/drift/snapshotSecrets';

/** Values that must never appear in the output of any command but plain `render` (kustomize's contract). */
export interface Markers {
  /**
   * Secret values, each in a different place: generator literal, stringData, data (base64 in the file); then
   * values that exist only in the cluster (a live Secret's data, its last-applied annotation, a key git lacks).
   */
  secrets: string[];
  /** Text of a file outside every repo: nothing may read it, so no output may hold it. */
  outside: string;
}

/** What a case's `setup` damages, and the places outside it that the corpus provides. */
export interface Repo {
  /** Absolute path of this case's repo. */
  readonly root: string;
  readonly markers: Markers;
  /** An existing file outside the repo (holds `markers.outside`). */
  readonly outsideFile: string;
  /** An existing folder outside the repo with a kustomization (a ConfigMap holding `markers.outside`). */
  readonly outsideDir: string;
  write(rel: string, data: string | Buffer): void;
  /** An absolute path next to the repo, outside it (for a kubeconfig, or a file a plugin must never create). */
  beside(name: string): string;
  symlink(rel: string, target: string): void;
  /** A named pipe: opening it for reading blocks until a writer comes, which none will. */
  fifo(rel: string): void;
  remove(rel: string): void;
}

/** The corpus on disk: the shared pieces and a factory for case repos. */
export interface Corpus {
  readonly dir: string;
  readonly markers: Markers;
  /** A live snapshot for `check`/`diff --live-from`: the template's ConfigMap in sync, its Secrets missing. */
  readonly snapshot: string;
  /** A kubeconfig whose only server is a closed loopback port: commands that need a cluster fail fast. */
  readonly kubeconfig: string;
  /** The snapshot key file the snapshot was taken with (GITOPS_DRIFT_SECRET_KEY_FILE): the user's is never used. */
  readonly secretKey: string;
  /**
   * The snapshot's text with these live Secrets (YAML list items, indented 6) in namespace demo; with
   * `forbiddenConfigMaps`, the ConfigMap list was refused (RBAC) instead.
   */
  snapshotWith(liveSecrets: string[], options?: { forbiddenConfigMaps?: boolean }): string;
  /** A fresh copy of the template for case `id`. */
  repo(id: string): Repo;
  remove(): void;
}

const marker = (what: string) => `MARKER-${what}-${randomBytes(6).toString('hex')}`;

/** Writes the template and the shared files into a new temp folder. */
export function createCorpus(): Corpus {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-hostile-'));
  const markers: Markers = {
    secrets: [
      marker('literal'),
      marker('stringdata'),
      marker('data'),
      marker('live'),
      marker('lastapplied'),
      marker('liveonly'),
    ],
    outside: `OUTSIDE-${randomBytes(6).toString('hex')}`,
  };

  const outsideFile = join(dir, 'outside', 'passwd');
  const outsideDir = join(dir, 'outside', 'env');
  write(outsideFile, `root:x:0:0:${markers.outside}:/root:/bin/sh\n`);
  write(join(outsideDir, 'kustomization.yaml'), 'resources:\n  - cm.yaml\n');
  write(
    join(outsideDir, 'cm.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n  namespace: demo\ndata:\n  secret: ${markers.outside}\n`,
  );

  const template = join(dir, 'template');
  for (const [rel, text] of Object.entries(templateFiles(markers))) write(join(template, rel), text);
  // A real repo: render finds its root by .git, and revert/promote read history.
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: template,
      stdio: 'ignore',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'hostile',
        GIT_AUTHOR_EMAIL: 'hostile@example.com',
        GIT_COMMITTER_NAME: 'hostile',
        GIT_COMMITTER_EMAIL: 'hostile@example.com',
      },
    });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'template');

  const secretKey = join(dir, 'secret-key');
  const key = randomBytes(32);
  write(secretKey, key.toString('hex') + '\n');
  const snapshot = join(dir, 'live-snapshot.yaml');
  const keyId = new SnapshotKey(key).id;
  write(snapshot, snapshotText(keyId));
  const kubeconfig = join(dir, 'kubeconfig');
  write(kubeconfig, unreachableKubeconfig());

  return {
    dir,
    markers,
    snapshot,
    kubeconfig,
    secretKey,
    snapshotWith: (liveSecrets, options) => snapshotText(keyId, liveSecrets, options?.forbiddenConfigMaps),
    repo(id: string): Repo {
      const root = join(dir, 'repos', id.replace(/[^A-Za-z0-9._-]/g, '_'));
      cpSync(template, root, { recursive: true });
      return {
        root,
        markers,
        outsideFile,
        outsideDir,
        write: (rel, data) => write(join(root, rel), data),
        beside: (name) => `${root}.${name}`,
        symlink: (rel, target) => {
          rmSync(join(root, rel), { recursive: true, force: true });
          mkdirSync(dirname(join(root, rel)), { recursive: true });
          symlinkSync(target, join(root, rel));
        },
        fifo: (rel) => {
          rmSync(join(root, rel), { force: true });
          mkdirSync(dirname(join(root, rel)), { recursive: true });
          execFileSync('mkfifo', [join(root, rel)]);
        },
        remove: (rel) => rmSync(join(root, rel), { recursive: true, force: true }),
      };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function write(file: string, data: string | Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

/**
 * The healthy repo every case starts from: a base with a ConfigMap, a Secret (stringData and data) and a
 * secretGenerator literal, and two overlays dev and prod (discovered: the config declares no environments),
 * promotion dev → prod.
 */
function templateFiles(m: Markers): Record<string, string> {
  return {
    // Only so that lint of the healthy repo is clean (exit 0): the template's Secrets are plaintext on purpose.
    '.gitops-drift.yaml': 'lint:\n  disable: [plaintext-secret]\n',
    'base/kustomization.yaml': [
      'resources:',
      '  - configmap.yaml',
      '  - secret.yaml',
      'secretGenerator:',
      '  - name: generated',
      '    literals:',
      `      - PASSWORD=${m.secrets[0]}`,
      '',
    ].join('\n'),
    'base/configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  level: info\n',
    'base/secret.yaml': [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: creds',
      'stringData:',
      `  TOKEN: ${m.secrets[1]}`,
      'data:',
      `  KEY: ${Buffer.from(m.secrets[2]).toString('base64')}`,
      '',
    ].join('\n'),
    'envs/dev/kustomization.yaml': 'namespace: demo\nresources:\n  - ../../base\n',
    'envs/prod/kustomization.yaml': 'namespace: demo\nresources:\n  - ../../base\n',
  };
}

const resourceType = (kind: string, resource: string, namespaced: boolean, group = '', version = 'v1') =>
  `  - group: "${group}"\n    version: ${version}\n    kind: ${kind}\n    resource: ${resource}\n    namespaced: ${namespaced}\n    verbs: [create, delete, get, list, patch, update, watch]\n`;

/** Live state for dev and prod: ConfigMap `app` as git has it (level: info); no Secrets, so they are Missing. */
function snapshotText(keyId: string, liveSecrets: string[] = [], forbiddenConfigMaps = false): string {
  const configMaps = forbiddenConfigMaps
    ? [
        '    status: forbidden',
        `    message: ${JSON.stringify('configmaps is forbidden: User "dev" cannot list resource "configmaps" in API group "" in the namespace "demo"')}`,
      ]
    : [
        '    status: ok',
        '    items:',
        '      - apiVersion: v1',
        '        kind: ConfigMap',
        '        metadata: { name: app, namespace: demo }',
        '        data: { level: info }',
      ];
  return [
    'apiVersion: gitops-drift.io/v1alpha1',
    'kind: LiveSnapshot',
    'takenAt: 2026-12-01T00:00:00Z',
    'context: hostile',
    'environments: [dev, prod]',
    'secrets:',
    '  mode: hmac-sha256',
    `  keyId: "${keyId}"`,
    'resourceTypes:',
    resourceType('ConfigMap', 'configmaps', true) +
      resourceType('Secret', 'secrets', true) +
      resourceType('Namespace', 'namespaces', false) +
      resourceType('Deployment', 'deployments', true, 'apps'),
    'scopes:',
    '  - group: ""',
    '    kind: ConfigMap',
    '    namespace: demo',
    ...configMaps,
    '  - group: ""',
    '    kind: Secret',
    '    namespace: demo',
    '    status: ok',
    liveSecrets.length ? `    items:\n${liveSecrets.join('\n')}` : '    items: []',
    '',
  ].join('\n');
}

/** Port 1 on loopback: nothing listens there, so a connection is refused at once (no DNS, no timeout). */
function unreachableKubeconfig(): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'current-context: hostile',
    'clusters:',
    '  - name: hostile',
    '    cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true }',
    'users:',
    '  - name: hostile',
    '    user: { token: hostile-token }',
    'contexts:',
    '  - name: hostile',
    '    context: { cluster: hostile, user: hostile, namespace: demo }',
    '',
  ].join('\n');
}

/** The base64 forms of `value` at each of the three byte alignments it can have inside a longer encoded text. */
export function base64Forms(value: string): string[] {
  const forms = [Buffer.from(value).toString('base64').replace(/=+$/, '')];
  for (const pad of [1, 2]) {
    const encoded = Buffer.from('x'.repeat(pad) + value).toString('base64');
    // The first 4 characters mix the padding bytes in, the last 4 the end of the text: the middle is the value's.
    forms.push(encoded.slice(4, -4));
  }
  // The unpadded whole encoding's last group depends on what follows; drop it as well.
  forms[0] = forms[0].slice(0, -4);
  return forms;
}
