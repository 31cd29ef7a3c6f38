import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CliIO } from '../../../src/cli/command';
import { runCli } from '../../../src/cli/main';
import { RecordingReader, serializeSnapshot } from '../../../src/core/repo/snapshot';
import { SnapshotKey } from '../../../src/core/drift/snapshotSecrets';
import { DriftEngine } from '../../../src/core/engine';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { FakeReader, types } from '../repo/fakes';

// Every command that reads the repo, on repos whose dev environment reads a file it must not (docs/security.md,
// "Files read"): one line naming the file and line, the command's error exit, and prod still checked; put-back and
// snapshot without a cluster (they render first).

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;
const bomb = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...'bcdefghi'.split('').map(
    (n, i) =>
      `${n}: &${n} [${Array(9)
        .fill('*' + 'abcdefghi'[i])
        .join(', ')}]`,
  ),
];

interface Case {
  name: string;
  /** Files of envs/dev (a Buffer for bytes). */
  dev: Record<string, string | Buffer>;
  links?: Record<string, string>;
  fifo?: string;
  env?: Record<string, string>;
  /** What every command says: `file:line` and a part of the message. */
  where: string;
  says: RegExp;
}

const cases: Case[] = [
  {
    name: 'a generator file linked to a file outside the repo',
    dev: { 'kustomization.yaml': 'resources: [cm.yaml]\nconfigMapGenerator:\n- name: g\n  files:\n  - passwd\n' },
    links: { passwd: 'OUTSIDE/passwd' },
    where: 'envs/dev/kustomization.yaml:5:5',
    says: /envs\/dev\/passwd resolves to .*outside\/passwd through a symbolic link/,
  },
  {
    name: 'a resource linked outside the repo',
    dev: { 'kustomization.yaml': 'resources: [cm.yaml, link.yaml]\n' },
    links: { 'link.yaml': 'OUTSIDE/passwd' },
    where: 'envs/dev/kustomization.yaml:1',
    says: /envs\/dev\/link\.yaml resolves to/,
  },
  {
    name: 'a FIFO as a resource',
    dev: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- fifo.yaml\n' },
    fifo: 'fifo.yaml',
    where: 'envs/dev/kustomization.yaml:3:3',
    says: /fifo\.yaml: is a FIFO \(named pipe\), not a regular file/,
  },
  {
    name: 'a file over the read limit',
    dev: {
      'kustomization.yaml': 'resources:\n- cm.yaml\n- big.yaml\n',
      'big.yaml': cm('big') + `data:\n  x: ${'x'.repeat(4096)}\n`,
    },
    env: { GITOPS_DRIFT_MAX_FILE_MB: '0.001' },
    where: 'envs/dev/kustomization.yaml:3:3',
    says: /big\.yaml: larger than the 1048-byte read limit/,
  },
  {
    name: 'an alias bomb in a resource',
    dev: {
      'kustomization.yaml': 'resources: [cm.yaml, bomb.yaml]\n',
      'bomb.yaml': `${cm('b')}data:\n${bomb.map((l) => '  ' + l).join('\n')}\n`,
    },
    where: 'envs/dev/bomb.yaml:',
    says: /document contains excessive aliasing/,
  },
  {
    name: 'an alias bomb in a kustomization',
    dev: { 'kustomization.yaml': `resources: [cm.yaml]\nx-bomb:\n${bomb.map((l) => '  ' + l).join('\n')}\n` },
    where: 'envs/dev/kustomization.yaml:',
    says: /document contains excessive aliasing/,
  },
  {
    name: 'invalid UTF-8',
    dev: {
      'kustomization.yaml': 'resources: [cm.yaml, bad.yaml]\n',
      'bad.yaml': Buffer.concat([Buffer.from(cm('bad') + 'data:\n  a: "'), Buffer.from([0xff]), Buffer.from('"\n')]),
    },
    where: 'envs/dev/bad.yaml:7:7',
    says: /invalid UTF-8 \(byte 0xff\)/,
  },
  {
    name: 'a NUL byte',
    dev: {
      'kustomization.yaml': 'resources: [cm.yaml, nul.yaml]\n',
      'nul.yaml': cm('nul') + 'data:\n  a: "x\u0000"\n',
    },
    where: 'envs/dev/nul.yaml:7:8',
    says: /control characters are not allowed in YAML \(U\+0000\)/,
  },
  {
    name: 'an empty kustomization',
    dev: { 'kustomization.yaml': '# nothing yet\n' },
    where: 'envs/dev/kustomization.yaml:1:1',
    says: /envs\/dev\/kustomization\.yaml is empty/,
  },
  {
    name: 'a kustomization listing itself',
    dev: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- .\n' },
    where: 'envs/dev/kustomization.yaml:3:3',
    says: /kustomization cycle: envs\/dev -> envs\/dev/,
  },
  {
    name: 'a symbolic link loop',
    dev: { 'kustomization.yaml': 'resources:\n- cm.yaml\n- loop.yaml\n' },
    links: { 'loop.yaml': 'loop2.yaml', 'loop2.yaml': 'loop.yaml' },
    where: 'envs/dev/kustomization.yaml:3:3',
    says: /'loop\.yaml': symbolic link loop/,
  },
];

const key = new SnapshotKey(Buffer.alloc(32, 7));

describe('CLI: files a command must not read, in every command', function () {
  let top: string;
  before(function () {
    if (process.platform === 'win32') this.skip();
    top = realpathSync(mkdtempSync(join(tmpdir(), 'gitops-drift-cli-files-')));
    mkdirSync(join(top, 'outside'));
    writeFileSync(join(top, 'outside', 'passwd'), 'root:x:0:0:marker-outside\n');
  });
  after(() => {
    if (top) rmSync(top, { recursive: true, force: true });
  });

  async function run(
    argv: string[],
    cwd: string,
    env: Record<string, string> = {},
  ): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      cwd,
      color: false,
      env: { GITOPS_DRIFT_SECRET_KEY_FILE: join(top, 'no-key'), ...env },
    };
    return { code: await runCli(argv, io), out, err };
  }

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const repo = join(top, String(i));
      const files: Record<string, string | Buffer> = {
        'envs/prod/kustomization.yaml': 'resources: [cm.yaml]\n',
        'envs/prod/cm.yaml': cm('p'),
        'envs/dev/cm.yaml': cm('a'),
      };
      for (const [p, content] of Object.entries(c.dev)) files[`envs/dev/${p}`] = content;
      for (const [p, content] of Object.entries(files)) {
        mkdirSync(dirname(join(repo, p)), { recursive: true });
        writeFileSync(join(repo, p), content);
      }
      mkdirSync(join(repo, '.git'));
      for (const [p, target] of Object.entries(c.links ?? {}))
        symlinkSync(target.replace('OUTSIDE', join(top, 'outside')), join(repo, 'envs/dev', p));
      if (c.fifo) execFileSync('mkfifo', [join(repo, 'envs/dev', c.fifo)]);
      // prod's live state, for check and diff: in sync.
      const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
      const recorder = new RecordingReader(
        new FakeReader([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p', namespace: 'default' } }], types),
        key,
      );
      await engine.check(await engine.environment('prod'), { reader: recorder, context: 'fake' });
      const snap = join(top, `snap-${i}.yaml`);
      writeFileSync(snap, serializeSnapshot(recorder.snapshot('2026-12-06T00:00:00Z')));

      const named = (text: string, command: string) => {
        const line = text.split('\n').find((l) => l.includes(c.where) && c.says.test(l));
        assert.ok(line, `${command} does not name ${c.where} with ${c.says}:\n${text}`);
        assert.ok(!/marker-outside/.test(text), `${command} printed the outside file`);
      };

      const render = await run(['render', 'envs/dev'], repo, c.env);
      assert.equal(render.code, 2, render.err);
      assert.equal(render.out, '');
      named(render.err, 'render');

      const lint = await run(['lint', repo], repo, c.env);
      assert.notEqual(lint.code, 0, lint.out);
      named(lint.out + lint.err, 'lint');

      const check = await run(['check', repo, '--live-from', snap], repo, c.env);
      assert.equal(check.code, 2, check.out + check.err);
      named(check.out, 'check');
      assert.match(check.out, /^prod: 1 in sync/m, `prod is still checked:\n${check.out}`);

      const diff = await run(['diff', repo, '--live-from', snap], repo, c.env);
      assert.equal(diff.code, 2, diff.out + diff.err);
      named(diff.err, 'diff');

      const promote = await run(['promote', repo, '--from', 'dev', '--to', 'prod'], repo, c.env);
      assert.equal(promote.code, 2, promote.out + promote.err);
      named(promote.err, 'promote');

      // No cluster here: they render first, so the repo's error is what they say.
      const noCluster = { ...c.env, KUBECONFIG: join(top, 'no-kubeconfig') };
      const putBack = await run(['put-back', repo, '--env', 'dev'], repo, noCluster);
      assert.equal(putBack.code, 2, putBack.out + putBack.err);
      named(putBack.err, 'put-back');
      const out = join(top, `out-${i}.yaml`);
      const snapshot = await run(['snapshot', repo, '--out', out], repo, noCluster);
      assert.equal(snapshot.code, 2, snapshot.out + snapshot.err);
      named(snapshot.err, 'snapshot');
      assert.equal(existsSync(out), false, 'nothing written');

      const envs = await run(['envs', repo], repo, c.env);
      assert.match(envs.out, /^dev +envs\/dev/m);
      assert.match(envs.out, /^prod +envs\/prod/m);
      // envs renders nothing; a cycle is the one case it can see (discovery reads kustomizations), and names.
      if (/cycle/.test(c.says.source)) {
        assert.equal(envs.code, 2);
        named(envs.err, 'envs');
      } else assert.equal(envs.code, 0, envs.err);
    });
  });
});
