import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runCli } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/command';
import { DriftEngine } from '../../../src/core/engine';
import { buildSnapshot, RecordingReader, serializeSnapshot } from '../../../src/core/repo/snapshot';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { FakeReader, types } from '../repo/fakes';

/** A snapshot key for tests' own snapshots (their ConfigMaps need none; the example's demo key is another). */
const testKey = new SnapshotKey(Buffer.alloc(32, 3));

const repoRoot = resolve(__dirname, '..', '..', '..');
const shop = join(repoRoot, 'examples', 'shop');

/** The example's own snapshot key (its snapshot compares Secret values only with it); never the user's real key. */
const demoKeyEnv = { GITOPS_DRIFT_SECRET_KEY_FILE: join(shop, 'demo-secret-key') };

async function run(
  argv: string[],
  cwd = repoRoot,
  env: NodeJS.ProcessEnv = demoKeyEnv,
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, color: false, env };
  const code = await runCli(argv, io);
  return { code, out, err };
}

/** A throw-away repo on disk, removed after the suite. */
function tempRepo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-cli-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('CLI: envs', () => {
  it('lists the example environments with where they are declared, and the promotion order', async () => {
    const { code, out } = await run(['envs', 'examples/shop']);
    assert.equal(code, 0);
    assert.deepEqual(
      out
        .split('\n')
        .slice(0, 4)
        .map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
      ['NAME PATH NAMESPACE', 'dev envs/dev shop-dev', 'staging envs/staging shop-staging', 'prod envs/prod shop-prod'],
    );
    assert.match(out, /dev +envs\/dev +shop-dev +\(current\) +\.gitops-drift\.yaml:3:5/);
    assert.match(out, /promotion: dev → staging → prod/);
  });

  it('prints JSON, and exits 2 with file:line when the config is invalid', async () => {
    const dir = tempRepo({
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n',
      'envs/dev/kustomization.yaml': 'resources: []\n',
    });
    try {
      const { code, out, err } = await run(['envs', dir, '--format', 'json']);
      assert.equal(code, 2);
      assert.deepEqual(
        JSON.parse(out).environments.map((e: { name: string }) => e.name),
        ['dev'],
      );
      assert.equal(err, "error: .gitops-drift.yaml:4:5: environment is missing 'path' (or 'applications')\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a hint when a folder has no environments', async () => {
    const dir = tempRepo({ 'README.md': 'nothing here\n' });
    try {
      const { code, err } = await run(['envs', dir]);
      assert.equal(code, 2);
      assert.match(err, /no environments found in .*: add \.gitops-drift\.yaml or use a conventional layout/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CLI: check against the example snapshot', () => {
  it('prints one line per drifted field with its origin, and exits 1', async () => {
    const { code, out, err } = await run(['check', 'examples/shop', '--live-from', 'examples/shop/live-snapshot.yaml']);
    assert.match(
      err,
      /^live state from examples\/shop\/live-snapshot\.yaml, recorded 2026-\S+ through testbed-admin\n$/,
    );
    assert.equal(code, 1);
    const lines = out.split('\n');
    const line = (re: RegExp) => lines.filter((l) => re.test(l));
    assert.equal(
      line(/^prod +Deployment shop-prod\/web +replicas: git 3, live 5 \(kubectl\) +envs\/prod\/web-patch\.yaml:6$/)
        .length,
      1,
    );
    assert.equal(
      line(
        /^prod +Deployment shop-prod\/api +containers\[api\]\.image: git ghcr\.io\/example\/shop-api:2\.1\.0, live ghcr\.io\/example\/shop-api:2\.1\.1-hotfix \(kubectl-set, [^)]+\) +base\/kustomization\.yaml:40$/,
      ).length,
      1,
    );
    assert.equal(
      line(/^dev +CronJob shop-dev\/cart-cleanup +missing from the cluster +base\/cleanup-cronjob\.yaml:1$/).length,
      1,
    );
    assert.equal(
      line(/^staging +Secret shop-staging\/api-credentials-\w+ +data\.DB_PASSWORD: secret value differs/).length,
      1,
    );
    // The HPA-owned replicas of prod's api are ignored by the example's config.
    assert.equal(line(/shop-prod\/api +replicas/).length, 0);
    assert.deepEqual(
      lines.filter((l) => /^\w+: \d+ in sync/.test(l)),
      [
        'dev: 10 in sync, 1 missing',
        'staging: 9 in sync, 2 drifted (2 fields)',
        'prod: 8 in sync, 4 drifted (5 fields)',
      ],
    );
    assert.ok(!out.includes('rotated-by-hand') && !out.includes('example-not-a-real-password'));
  });

  it('prints the documented JSON: every rendered object once, repo-relative origins, 1-based lines', async () => {
    const { code, out } = await run([
      'check',
      'examples/shop',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
      '--env',
      'prod',
      '--format',
      'json',
    ]);
    assert.equal(code, 1);
    const doc = JSON.parse(out);
    assert.equal(doc.environments.length, 1);
    const prod = doc.environments[0];
    assert.deepEqual([prod.name, prod.path, prod.error, prod.namespace], ['prod', 'envs/prod', null, 'shop-prod']);
    const rendered = new Set<string>();
    for (const r of prod.resources) {
      const id = `${r.kind}/${r.namespace}/${r.name}`;
      assert.ok(!rendered.has(id), `${id} appears once`);
      rendered.add(id);
      assert.equal(typeof r.apiVersion, 'string');
    }
    assert.equal(prod.resources.length, 12);
    const web = prod.resources.find((r: { kind: string; name: string }) => r.kind === 'Deployment' && r.name === 'web');
    assert.equal(web.verdict, 'Drifted');
    const replicas = web.fields.find((f: { path: string }) => f.path === '/spec/replicas');
    assert.deepEqual(
      { desired: replicas.desired, live: replicas.live, file: replicas.origin.file, line: replicas.origin.line },
      { desired: 3, live: 5, file: 'envs/prod/web-patch.yaml', line: 6 },
    );
    assert.ok(replicas.origin.column >= 1, 'columns are 1-based');
    assert.equal(prod.summary.Drifted, 4);
  });

  it('lists in-sync objects too with --verbose', async () => {
    const { code, out } = await run([
      'check',
      'examples/shop',
      '--env',
      'dev',
      '--verbose',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
    ]);
    assert.equal(code, 1);
    assert.equal(out.split('\n').filter((l) => / in sync /.test(l)).length, 10);
  });

  it('checks several environments given as --env a,b, in that order', async () => {
    const { code, out } = await run([
      'check',
      'examples/shop',
      '--env',
      'prod,dev',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
      '--format',
      'json',
    ]);
    assert.equal(code, 1);
    assert.deepEqual(
      JSON.parse(out).environments.map((e: { name: string }) => e.name),
      ['prod', 'dev'],
    );
  });

  it('prints SARIF with results at the git lines', async () => {
    const { code, out } = await run([
      'check',
      'examples/shop',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
      '--format',
      'sarif',
    ]);
    assert.equal(code, 1);
    const sarif = JSON.parse(out);
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results as {
      ruleId: string;
      locations?: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[];
    }[];
    assert.deepEqual(
      results
        .filter((r) => r.ruleId === 'drift/missing')
        .map(
          (r) =>
            `${r.locations?.[0].physicalLocation.artifactLocation.uri}:${r.locations?.[0].physicalLocation.region.startLine}`,
        ),
      ['base/cleanup-cronjob.yaml:1'],
    );
    assert.equal(results.filter((r) => r.ruleId === 'drift/field').length, 7);
  });

  it('exits 2 for an unknown environment, format, or a snapshot that is not there', async () => {
    const a = await run(['check', 'examples/shop', '--env', 'qa', '--live-from', 'examples/shop/live-snapshot.yaml']);
    assert.deepEqual([a.code, a.err], [2, "error: no environment 'qa' (known: dev, staging, prod)\n"]);
    const b = await run(['check', 'examples/shop', '--format', 'xml']);
    assert.equal(b.code, 2);
    assert.match(b.err, /--format must be text, json or sarif, not xml/);
    const c = await run(['check', 'examples/shop', '--live-from', 'nope.yaml']);
    assert.equal(c.code, 2);
    assert.match(c.err, /cannot read --live-from nope\.yaml: no such file/);
  });
});

describe('CLI: check exit codes on a small repo', function () {
  // A hang guard, not a speed check: each test runs the whole CLI in process several times, which took over the
  // suite's 10 s at load 21-24 (speed is for bench/).
  this.timeout(30_000);
  const cm = (level: string) =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  namespace: demo\ndata:\n  level: ${level}\n`;
  let dir: string;

  beforeEach(() => {
    dir = tempRepo({ 'envs/dev/kustomization.yaml': 'resources: [cm.yaml]\n', 'envs/dev/cm.yaml': cm('info') });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function snapshotOf(level: string): Promise<string> {
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir });
    const recorder = new RecordingReader(
      new FakeReader(
        [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'demo' }, data: { level } }],
        types,
      ),
      testKey,
    );
    await engine.check(await engine.environment('dev'), { reader: recorder, context: 'fake' });
    const file = join(dir, 'snap.yaml');
    writeFileSync(file, serializeSnapshot(recorder.snapshot('2026-11-22T00:00:00Z')));
    return file;
  }

  it('exits 0 when in sync, 1 on drift', async () => {
    const inSync = await run(['check', dir, '--live-from', await snapshotOf('info')]);
    assert.equal(inSync.code, 0);
    assert.match(inSync.out, /^\n?dev: 1 in sync\n$/);
    const drifted = await run(['check', dir, '--live-from', await snapshotOf('debug')]);
    assert.equal(drifted.code, 1);
    assert.match(
      drifted.out,
      /^dev {2}ConfigMap demo\/app {2}data\.level: git info, live debug {3}envs\/dev\/cm\.yaml:7\n/,
    );
  });

  it('reads `0755` in git as kustomize does (493), in check and in diff alike', async () => {
    // YAML 1.1 octal: kustomize applies 493; the API server returns 493. Reading 755 would be drift in one and
    // not the other.
    writeFileSync(join(dir, 'envs/dev/cm.yaml'), cm('info') + 'binaryMode:\n  mode: 0755\n');
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir });
    const snapshotWith = async (mode: number) => {
      const live = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'app', namespace: 'demo' },
        data: { level: 'info' },
        binaryMode: { mode },
      };
      const recorder = new RecordingReader(new FakeReader([live], types), testKey);
      await engine.check(await engine.environment('dev'), { reader: recorder, context: 'fake' });
      const file = join(dir, `snap-${mode}.yaml`);
      writeFileSync(file, serializeSnapshot(recorder.snapshot('2026-11-22T00:00:00Z')));
      return file;
    };
    const same = await snapshotWith(493);
    assert.equal((await run(['check', dir, '--live-from', same])).code, 0);
    const clean = await run(['diff', dir, '--live-from', same]);
    assert.deepEqual([clean.code, clean.out], [0, '']);
    const other = await snapshotWith(755);
    const check = await run(['check', dir, '--live-from', other]);
    assert.equal(check.code, 1);
    assert.match(check.out, /binaryMode\.mode: git 493, live 755/);
    const diff = await run(['diff', dir, '--live-from', other]);
    assert.equal(diff.code, 1);
    assert.match(diff.out, /\n-  mode: 493\n\+  mode: 755\n/);
  });

  it('replays a snapshot of several clusters, each environment from its own', async () => {
    mkdirSync(join(dir, 'envs/prod'), { recursive: true });
    writeFileSync(join(dir, 'envs/prod/kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(join(dir, 'envs/prod/cm.yaml'), cm('info'));
    writeFileSync(
      join(dir, '.gitops-drift.yaml'),
      'environments:\n  - { name: dev, path: envs/dev, context: dev-cluster }\n  - { name: prod, path: envs/prod, context: prod-cluster }\n',
    );
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: dir });
    const section = async (env: string, context: string, level: string) => {
      const recorder = new RecordingReader(
        new FakeReader(
          [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'demo' }, data: { level } }],
          types,
        ),
        testKey,
      );
      await engine.check(await engine.environment(env), { reader: recorder, context });
      return recorder.section(context, [env]);
    };
    const file = join(dir, 'snap.yaml');
    writeFileSync(
      file,
      serializeSnapshot(
        buildSnapshot('2026-11-22T00:00:00Z', testKey, [
          await section('dev', 'dev-cluster', 'info'),
          await section('prod', 'prod-cluster', 'debug'),
        ]),
      ),
    );
    const { code, out } = await run(['check', dir, '--live-from', file, '--format', 'json']);
    assert.equal(code, 1);
    assert.deepEqual(
      JSON.parse(out).environments.map(
        (e: { name: string; resources: { verdict: string }[] }) =>
          `${e.name} ${e.resources.map((r) => r.verdict).join(',')}`,
      ),
      ['dev InSync', 'prod Drifted'],
    );
    writeFileSync(
      join(dir, '.gitops-drift.yaml'),
      'environments:\n  - { name: dev, path: envs/dev, context: dev-cluster }\n  - { name: qa, path: envs/prod, context: qa-cluster }\n',
    );
    const missing = await run(['check', dir, '--live-from', file, '--env', 'qa']);
    assert.equal(missing.code, 2);
    assert.match(
      missing.out,
      /qa +error: .*snap\.yaml: the snapshot holds no cluster for environment 'qa' \(context qa-cluster\): it has dev-cluster \(dev\); prod-cluster \(prod\)/,
    );
  });

  it('exits 2 when a config entry had to be dropped, even if the rest is in sync', async () => {
    const snap = await snapshotOf('info');
    writeFileSync(
      join(dir, '.gitops-drift.yaml'),
      'environments:\n  - name: dev\n    path: envs/dev\n  - name: prod\n    path: envs/nowhere\n',
    );
    const { code, out, err } = await run(['check', dir, '--live-from', snap]);
    assert.equal(code, 2);
    assert.match(out, /^\n?dev: 1 in sync\n$/);
    assert.ok(
      err.startsWith(
        "error: .gitops-drift.yaml:4:5: environment 'prod': path 'envs/nowhere' does not exist in the repo\n",
      ),
      err,
    );
  });

  it('exits 2 with the file and line when the environment does not render', async () => {
    writeFileSync(join(dir, 'envs/dev/kustomization.yaml'), 'resources: [cm.yaml, gone.yaml]\n');
    const { code, out } = await run(['check', dir, '--live-from', await snapshotOfAfterFix()]);
    assert.equal(code, 2);
    assert.match(
      out,
      /^dev +error: render failed: envs\/dev\/kustomization\.yaml:1:22: envs\/dev\/gone\.yaml: file not found\n/,
    );

    async function snapshotOfAfterFix(): Promise<string> {
      const saved = readFileSync(join(dir, 'envs/dev/kustomization.yaml'), 'utf8');
      writeFileSync(join(dir, 'envs/dev/kustomization.yaml'), 'resources: [cm.yaml]\n');
      const file = await snapshotOf('info');
      writeFileSync(join(dir, 'envs/dev/kustomization.yaml'), saved);
      return file;
    }
  });

  it('reports an unreachable cluster as the environment error (exit 2), its objects not checked, and snapshot writes nothing', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: { server: "https://127.0.0.1:1" }\nusers:\n- name: u\n  user: { token: abc }\ncontexts:\n- name: down\n  context: { cluster: c, user: u }\ncurrent-context: down\n',
    );
    const { code, out } = await run(['check', dir, '--kubeconfig', kubeconfig, '--format', 'json']);
    assert.equal(code, 2);
    const env = JSON.parse(out).environments[0];
    assert.equal(env.context, 'down');
    assert.match(env.error, /127\.0\.0\.1:1/);
    assert.equal(env.noCluster, true);
    assert.equal(env.state, 'notChecked');
    // Render needs no cluster: the rendered objects are listed, not checked.
    assert.deepEqual(
      env.resources.map((r: { kind: string; name: string; verdict: string; state: string }) => [
        r.kind,
        r.name,
        r.verdict,
        r.state,
      ]),
      [['ConfigMap', 'app', 'NotChecked', 'notChecked']],
    );
    assert.deepEqual(env.states, { notChecked: 1 });
    const text = await run(['check', dir, '--kubeconfig', kubeconfig]);
    assert.equal(text.code, 2);
    assert.match(text.out, /^dev: not checked: no cluster \(1 object rendered\)$/m);
    const snap = await run(['snapshot', dir, '--kubeconfig', kubeconfig, '--out', join(dir, 'out.yaml')]);
    assert.equal(snap.code, 2);
    assert.match(snap.err, /nothing written/);
    assert.equal(existsSync(join(dir, 'out.yaml')), false);
  });

  it('needs --out for a snapshot', async () => {
    const { code, err } = await run(['snapshot', dir]);
    assert.equal(code, 2);
    assert.match(err, /--out FILE is required/);
  });
});

describe('CLI: check --only-drifted', () => {
  const snapshot = ['examples/shop', '--live-from', 'examples/shop/live-snapshot.yaml'];

  it('lists only the objects that need attention, with state names, and the same exit code', async () => {
    const all = await run(['check', ...snapshot, '--format', 'json']);
    const only = await run(['check', ...snapshot, '--format', 'json', '--only-drifted']);
    assert.equal(only.code, all.code);
    type Env = { name: string; states: Record<string, number>; resources: { name: string; state: string }[] };
    const full = JSON.parse(all.out).environments as Env[];
    const kept = JSON.parse(only.out).environments as Env[];
    assert.ok(kept.length > 0);
    for (const env of kept) {
      const whole = full.find((e) => e.name === env.name)!;
      assert.deepEqual(env.states, whole.states, `${env.name}: the counts cover every object`);
      assert.ok(
        whole.resources.some((r) => r.state === 'inSync'),
        `${env.name} has in-sync objects to leave out`,
      );
      assert.deepEqual(
        env.resources.map((r) => `${r.name}/${r.state}`),
        whole.resources.filter((r) => r.state !== 'inSync').map((r) => `${r.name}/${r.state}`),
      );
    }
    // dev's CronJob is missing, named so (not "drifted").
    const dev = kept.find((e) => e.name === 'dev')!;
    assert.deepEqual(
      dev.resources.map((r) => r.state),
      ['missing'],
    );
    const text = await run(['check', ...snapshot, '--only-drifted', '--verbose']);
    assert.doesNotMatch(text.out, / in sync +\S+:\d+$/m, 'no in-sync rows, even with --verbose');
    assert.match(text.out, /^dev: 10 in sync, 1 missing$/m);
  });
});

describe('CLI: diff', () => {
  it('prints a unified diff per drifted object, and exits 1', async () => {
    const { code, out } = await run([
      'diff',
      'examples/shop',
      '--env',
      'prod',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
    ]);
    assert.equal(code, 1);
    assert.match(
      out,
      /--- git\/prod\.apps\.v1\.Deployment\.shop-prod\.web\n\+\+\+ live\/prod\.apps\.v1\.Deployment\.shop-prod\.web\n/,
    );
    assert.match(out, /\n-  replicas: 3\n\+  replicas: 5\n/);
    assert.match(out, /\n-  LOG_LEVEL: warn\n\+  LOG_LEVEL: debug\n/);
    assert.ok(
      !out.includes('managedFields') && !out.includes('resourceVersion') && !out.includes('creationTimestamp'),
      'no server noise',
    );
  });

  it('limits the diff to KIND/NAME (generated names match without their hash), and masks Secret values', async () => {
    const cm = await run([
      'diff',
      'examples/shop',
      'configmap/web-config',
      '--env',
      'prod',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
    ]);
    assert.equal(cm.code, 1);
    assert.equal(cm.out.match(/^--- git\//gm)?.length, 1);
    const secret = await run([
      'diff',
      'examples/shop',
      'secret/api-credentials',
      '--env',
      'staging',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
    ]);
    assert.equal(secret.code, 1);
    assert.match(secret.out, /DB_PASSWORD: "?\(secret: #[0-9a-f]{12}\)/);
    const secretValues = [
      'example-not-a-real-password',
      'rotated-by-hand',
      Buffer.from('example-not-a-real-password').toString('base64'),
    ];
    assert.ok(secretValues.every((v) => !secret.out.includes(v)));
  });

  it('exits 2 when KIND/NAME matches nothing', async () => {
    const { code, err } = await run([
      'diff',
      'examples/shop',
      'deployment/nope',
      '--live-from',
      'examples/shop/live-snapshot.yaml',
    ]);
    assert.equal(code, 2);
    assert.match(err, /no object matches deployment\/nope/);
  });

  it('reads KIND/NAME alone when run inside the repo', async () => {
    const { code, out } = await run(['diff', 'deploy/web', '--env', 'prod', '--live-from', 'live-snapshot.yaml'], shop);
    assert.equal(code, 1);
    assert.equal(out.match(/^--- git\//gm)?.length, 1);
  });
});
