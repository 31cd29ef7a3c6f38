/**
 * A hostile S3 bucket behind a Flux `Bucket` chart source (issue #16), served by the test bed's S3 server (gofakes3,
 * anonymous) and read by the built CLI as a child process: an object of 6 MiB, keys that climb (`../x`, a `..` inside
 * the chart's folder) and a chart of 5,001 objects. Each bad chart is its release's message at its `chart:` line,
 * within time and memory bounds, with no stack trace (test/unit/node/bucketSource.test.ts checks that nothing of it is
 * downloaded); a good chart in the same bucket still renders.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testbedBin } from '../testbed/bins';
import { PROJECT_ROOT, runCli } from './runCli';

const LIMITS = { seconds: 60, megabytes: 400 };

const release = (name: string) =>
  `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: ${name}}\nspec:\n  interval: 10m\n  chart:\n    spec: {chart: charts/${name}, sourceRef: {kind: Bucket, name: charts}}\n`;

const chart = (name: string): Record<string, string> => ({
  [`charts/${name}/Chart.yaml`]: `apiVersion: v2\nname: ${name}\nversion: 1.0.0\n`,
  [`charts/${name}/templates/cm.yaml`]: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {a: b}\n`,
});

describe('hostile bucket chart sources (test bed S3 server, built CLI)', function () {
  this.timeout(600_000);
  let work: string;
  let server: ChildProcess;
  let endpoint: string;

  /** A raw PUT (no URL resolution: a key with `..` stays as it is). */
  const put = (key: string, body: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      const [host, port] = endpoint.split(':');
      const req = request({ host, port, method: 'PUT', path: `/hostile/${key}` }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PUT ${key}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });

  before(async () => {
    execFileSync(process.execPath, [join(PROJECT_ROOT, 'esbuild.js')], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    work = await mkdtemp(join(tmpdir(), 'gitops-drift-hostile-bucket-'));
    server = spawn(testbedBin('s3-server'), ['-bucket', 'hostile'], { stdio: ['ignore', 'pipe', 'pipe'] });
    endpoint = await new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.stdout?.on('data', (chunk: Buffer) => {
        const m = /listening on http:\/\/(\S+)/.exec(chunk.toString());
        if (m) resolve(m[1]);
      });
    });
    const objects: Record<string, string | Buffer> = {
      ...chart('web'),
      ...chart('big'),
      'charts/big/files/huge.bin': Buffer.alloc(6 * 1024 * 1024, 7),
      ...chart('climb'),
      'charts/climb/../climb/templates/evil.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: evil}\n',
      '../x': 'outside the bucket?\n',
      ...chart('many'),
    };
    for (const [key, body] of Object.entries(objects)) await put(key, body);
    const crowd = Array.from({ length: 5000 }, (_, i) => `charts/many/files/f${i}.txt`);
    for (let i = 0; i < crowd.length; i += 50) await Promise.all(crowd.slice(i, i + 50).map((k) => put(k, 'x')));
    const files: Record<string, string> = {
      '.gitops-drift.yaml': 'environments:\n  - name: dev\n    path: envs/dev\n    namespace: apps\n',
      'envs/dev/kustomization.yaml': 'resources:\n  - releases.yaml\n  - bucket.yaml\n',
      'envs/dev/releases.yaml': ['web', 'big', 'climb', 'many'].map(release).join('---\n'),
      'envs/dev/bucket.yaml': `apiVersion: source.toolkit.fluxcd.io/v1\nkind: Bucket\nmetadata: {name: charts}\nspec: {interval: 5m, bucketName: hostile, endpoint: "${endpoint}", insecure: true}\n`,
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(work, 'repo', name)), { recursive: true });
      await writeFile(join(work, 'repo', name), text);
    }
    execFileSync('git', ['init', '-q', '.'], { cwd: join(work, 'repo') });
  });
  after(async () => {
    server?.kill();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const render = (name: string) =>
    runCli(['render', '--env', 'dev', '--app', `HelmRelease apps/${name}`, '--chart-downloads'], {
      cwd: join(work, 'repo'),
      env: { GITOPS_DRIFT_CACHE: join(work, 'cache') },
      limits: LIMITS,
      rssFile: join(work, `rss-${name}`),
    });

  const expectRefused = async (name: string, line: number, message: RegExp) => {
    const run = await render(name);
    assert.equal(run.killed, undefined, `${name}: within ${LIMITS.seconds} s and ${LIMITS.megabytes} MB`);
    assert.equal(run.code, 2, `${name}: ${run.stderr}`);
    assert.match(
      run.stderr,
      new RegExp(`envs/dev/releases\\.yaml:${line}:3: HelmRelease apps/${name}: Bucket apps/charts`),
    );
    assert.match(run.stderr, message);
    assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
    assert.equal(run.stdout, '', 'nothing rendered');
  };

  it('a good chart in the same bucket renders, `../x` notwithstanding (it lands outside the chart)', async () => {
    const run = await render('web');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /kind: ConfigMap\nmetadata:\n(.*\n)*\s+name: web\n/);
  });

  it('an object over 5 MiB: refused from the listing', async () => {
    await expectRefused('big', 14, /charts\/big\/files\/huge\.bin is larger than 5 MiB$/m);
  });

  it('a key with `..` inside the chart folder: refused, never fetched by a URL that would resolve it', async () => {
    await expectRefused(
      'climb',
      22,
      /object key "charts\/climb\/\.\.\/climb\/templates\/evil\.yaml" is not a plain path$/m,
    );
  });

  it('a chart of 5,001 objects: refused before any download', async () => {
    await expectRefused('many', 30, /the chart charts\/many holds more than 5000 objects$/m);
  });
});
