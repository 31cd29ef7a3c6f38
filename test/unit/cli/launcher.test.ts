import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..', '..');
const cli = join(root, 'dist', 'cli.js');

/** Runs the built `gitops-drift` with a cache folder of its own; stderr carries the cache's report. */
function run(
  cacheDir: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; cache: string[] } {
  // Node ≥ 22 reads NODE_DISABLE_COMPILE_CACHE itself, set to anything: leave it out unless a test sets it.
  const { NODE_DISABLE_COMPILE_CACHE: _inherited, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...inherited, GITOPS_DRIFT_CODE_CACHE_DIR: cacheDir, GITOPS_DRIFT_DEBUG_CODE_CACHE: '1', ...env },
  });
  const cache = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('code cache: '))
    .map((l) => l.slice('code cache: '.length));
  return { status: r.status, stdout: r.stdout, cache };
}

describe('the gitops-drift launcher (dist/cli.js) and its code cache', function () {
  this.timeout(60_000);
  let cacheDir: string;
  /** What Node ≥ 22 does itself (module.enableCompileCache), our vm.Script cache does on older Node. */
  const ownCache = !('enableCompileCache' in Module);
  const render = ['render', 'examples/shop/envs/dev'];

  before(function () {
    if (!existsSync(join(root, 'dist', 'cliMain.js'))) {
      const build = spawnSync(process.execPath, ['esbuild.js'], { cwd: root, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
    }
  });
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'gitops-drift-code-cache-'));
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('writes a cache on the first run of a command, uses it on the next, and prints the same', function () {
    if (!ownCache) this.skip();
    const first = run(cacheDir, render);
    assert.equal(first.status, 0);
    assert.deepEqual(first.cache, ['none', 'written']);
    assert.match(first.stdout, /kind: Deployment/);
    assert.equal(readdirSync(cacheDir).filter((f) => f.startsWith('cliMain-render-')).length, 1);

    const second = run(cacheDir, render);
    assert.deepEqual(second.cache, ['used']);
    assert.equal(second.stdout, first.stdout);
    assert.equal(second.status, 0);
  });

  it('keeps one cache per command, and the exit code of the command', function () {
    if (!ownCache) this.skip();
    run(cacheDir, render);
    const envs = run(cacheDir, ['envs', 'examples/shop']);
    assert.deepEqual(envs.cache, ['none', 'written']);
    assert.match(envs.stdout, /prod/);
    const failing = run(cacheDir, ['render', 'examples/does-not-exist']);
    assert.equal(failing.status, 2);
    assert.deepEqual(failing.cache, ['used']);
    assert.deepEqual(
      readdirSync(cacheDir)
        .map((f) => f.split('-')[1])
        .sort(),
      ['envs', 'render'],
    );
  });

  it('ignores a damaged cache: the command still runs, and the cache is written again', function () {
    if (!ownCache) this.skip();
    run(cacheDir, render);
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file), 'not a V8 code cache');
    const damaged = run(cacheDir, render);
    assert.equal(damaged.status, 0);
    assert.deepEqual(damaged.cache, ['rejected', 'written']);
    assert.match(damaged.stdout, /kind: Deployment/);
    assert.deepEqual(run(cacheDir, render).cache, ['used']);
  });

  it('drops the caches of other builds when it writes one', function () {
    if (!ownCache) this.skip();
    writeFileSync(join(cacheDir, 'cliMain-render-v0.0.0-x64-1-1.bin'), 'old build');
    run(cacheDir, render);
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1);
    assert.notEqual(files[0], 'cliMain-render-v0.0.0-x64-1-1.bin');
  });

  it("on Node >= 22, hands the folder to Node's own compile cache", function () {
    if (ownCache) this.skip();
    const first = run(cacheDir, render);
    assert.deepEqual(first.cache, ['node']);
    assert.match(first.stdout, /kind: Deployment/);
    assert.ok(readdirSync(cacheDir).length > 0, 'Node wrote its cache there');
    assert.equal(run(cacheDir, render).stdout, first.stdout);
  });

  it('runs without a cache when NODE_DISABLE_COMPILE_CACHE is set, or when the cache folder cannot be written', () => {
    const off = run(cacheDir, render, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.deepEqual(off.cache, ['off']);
    assert.equal(off.status, 0);
    assert.deepEqual(readdirSync(cacheDir), []);

    const blocker = join(cacheDir, 'a-file');
    writeFileSync(blocker, '');
    const unwritable = run(join(blocker, 'cache'), render);
    assert.equal(unwritable.status, 0);
    assert.match(unwritable.stdout, /kind: Deployment/);
    if (ownCache) assert.match(unwritable.cache.join('|'), /^none\|not written \(/);
  });
  it('stops writing when its reader goes away (`| head`), without a crash, and keeps the exit code', async () => {
    const { NODE_DISABLE_COMPILE_CACHE: _inherited, ...inherited } = process.env;
    const child = spawn(process.execPath, [cli, ...render], {
      cwd: root,
      env: { ...inherited, GITOPS_DRIFT_CODE_CACHE_DIR: cacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader is gone before the render is written: every write to stdout fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    assert.equal(stderr, '');
    assert.equal(status, 0);
  });
});
