#!/usr/bin/env node
// The editor's first opening of the 100-environment repo (bench/ui/generate.ts) without the editor: what the
// extension host's thread spends between the engine bundle and the filled tree. Each run is a fresh Node process that
// loads the production engine bundle (dist/vscode/lazyEntry.js, no code cache: as a first window) and does what the
// store's first load does (src/vscode/driftStore.ts): discovery, then every environment's preview at once, each
// followed by its check. Prints per phase the wall time and the process's CPU (user + system, thread pool included),
// medians over the runs, and the load. Also, once:
//   - a render worker's transfer cost: a structured clone (postMessage) of the 100 rendered environments and of the
//     preview reports;
//   - a read of a repo file through fs.promises, through node's callbacks (NodeFileSystem) and synchronously (CPU);
//   - with `--refused`, the same first load against a kubeconfig whose server refuses connections, counting them.
//   node bench/ui/firstLoad.mjs [--runs 5] [--refused] [--dist DIR] [--repo REPO]
// DIR: a build's dist/, default this repo's (built now). REPO: another repo to load instead of the generated one, e.g.
// the Flux benchmark's (bench/flux/serve.ts prints it), whose first opening is one environment of 120 Kustomizations.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { buildExtension } from '../../test/editor/harness/build.mjs';
import { repoRoot } from '../../test/editor/harness/codeServer.mjs';

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const RUNS = Number(arg('--runs', '5'));
const refused = process.argv.includes('--refused');
const dist = resolve(arg('--dist', join(repoRoot, 'dist')));
const givenRepo = arg('--repo', undefined);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One first load in this process (run as a child: `node firstLoad.mjs --child DIST REPO KUBECONFIG`). */
async function child([distDir, repo, kubeconfig]) {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const Module = require('node:module');
  const plain = Module._load;
  // The engine's half needs nothing of VS Code's API.
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? {} : plain.call(this, request, ...rest);
  };
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const { DriftSession } = require(join(distDir, 'vscode', 'lazyEntry.js'));
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, trace() {} };
  const settings = {
    environments: [],
    kubeconfig,
    watch: false,
    refreshDebounceMs: 300,
    ignore: [],
    allowExecCredentials: false,
    exactMode: false,
    promotePush: false,
    argocdServer: '',
    argocdFleetThreshold: 6,
    chartDownloads: false,
  };
  const session = new DriftSession({ repoRoot: repo, settings, logger: quiet, env: {}, trusted: true });
  const t1 = performance.now();
  const c1 = cpu();
  const { environments } = await session.load();
  const t2 = performance.now();
  const c2 = cpu();
  let rendered = 0;
  let renderedAt = 0;
  let renderedCpu = 0;
  let home = 0;
  await Promise.all(
    environments.map(async (env) => {
      await session.preview(env);
      if (env.name === 'home') home = performance.now() - t2;
      if (++rendered === environments.length) [renderedAt, renderedCpu] = [performance.now(), cpu()];
      await session.check(env);
    }),
  );
  const t3 = performance.now();
  const c3 = cpu();
  const out = {
    environments: environments.length,
    bundle: [t1 - t0, c1 - c0],
    discovery: [t2 - t1, c2 - c1],
    renders: [renderedAt - t2, renderedCpu - c2],
    checks: [t3 - renderedAt, c3 - renderedCpu],
    home,
  };
  if (process.argv.includes('--transfer')) {
    const { MessageChannel, receiveMessageOnPort } = await import('node:worker_threads');
    const renders = await Promise.all(environments.map((env) => session.engine.render(env)));
    const previews = await Promise.all(environments.map((env) => session.preview(env)));
    out.objects = renders.reduce((n, r) => n + r.objects.length, 0);
    for (const [name, value] of [
      ['renders', renders],
      ['previews', previews],
    ]) {
      const { port1, port2 } = new MessageChannel();
      const s0 = performance.now();
      const sc = cpu();
      port1.postMessage(value);
      const sent = [performance.now() - s0, cpu() - sc];
      const r0 = performance.now();
      const rc = cpu();
      receiveMessageOnPort(port2);
      out[name] = {
        send: sent,
        receive: [performance.now() - r0, cpu() - rc],
        jsonMB: JSON.stringify(value).length / 1e6,
      };
      port1.close();
    }
  }
  session.dispose();
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

/**
 * CPU of reading every YAML file of `repo` three times with fs.promises (a FileHandle: NodeFileSystem before), with
 * node's callback API (NodeFileSystem now) and synchronously (BatchFileSystem, the CLI's).
 */
async function reads(repo) {
  const fs = await import('node:fs');
  const files = execFileSync('find', [repo, '-name', '*.yaml', '-type', 'f'], { encoding: 'utf8' }).trim().split('\n');
  const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;
  const viaPromises = async (f) => {
    const handle = await fs.promises.open(await fs.promises.realpath(f), flags);
    try {
      const st = await handle.stat();
      await handle.read(Buffer.allocUnsafe(st.size + 1), 0, st.size + 1, null);
    } finally {
      await handle.close();
    }
  };
  const call = (fn, ...args) => new Promise((resolve, reject) => fn(...args, (e, v) => (e ? reject(e) : resolve(v))));
  const viaCallbacks = async (f) => {
    const fd = await call(fs.open, await call(fs.realpath.native, f), flags);
    try {
      const st = await call(fs.fstat, fd);
      await call(fs.read, fd, Buffer.allocUnsafe(st.size + 1), 0, st.size + 1, null);
    } finally {
      await call(fs.close, fd);
    }
  };
  const viaSync = (f) => {
    const fd = fs.openSync(fs.realpathSync.native(f), flags);
    try {
      const st = fs.fstatSync(fd);
      fs.readSync(fd, Buffer.allocUnsafe(st.size + 1), 0, st.size + 1, null);
    } finally {
      fs.closeSync(fd);
    }
  };
  const cpu = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };
  let c = cpu();
  for (let i = 0; i < 3; i++) await Promise.all(files.map(viaPromises));
  const promiseCpu = cpu() - c;
  c = cpu();
  for (let i = 0; i < 3; i++) await Promise.all(files.map(viaCallbacks));
  const callbackCpu = cpu() - c;
  c = cpu();
  for (let i = 0; i < 3; i++) files.forEach(viaSync);
  return { reads: files.length * 3, promiseCpu, callbackCpu, syncCpu: cpu() - c };
}

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else {
  const stateDir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-first-load-'));
  let server;
  try {
    const loadBefore = load();
    if (!process.argv.includes('--dist')) await buildExtension({ production: true });
    const repo = givenRepo ? resolve(givenRepo) : join(stateDir, 'repo');
    if (!givenRepo) {
      const { generateScaleRepo } = await tsImport('./generate.ts', import.meta.url);
      generateScaleRepo(repo);
    }
    let kubeconfig = join(stateDir, 'no-such-kubeconfig');
    let connections = 0;
    if (refused) {
      // A server that takes each connection and hangs up at once: every attempt is counted, each fails.
      server = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      await new Promise((done) => server.listen(0, '127.0.0.1', done));
      kubeconfig = join(stateDir, 'kubeconfig');
      writeFileSync(
        kubeconfig,
        `apiVersion: v1\nkind: Config\ncurrent-context: down\ncontexts:\n- name: down\n  context: {cluster: down, user: down}\nclusters:\n- name: down\n  cluster: {server: "https://127.0.0.1:${server.address().port}", insecure-skip-tls-verify: true}\nusers:\n- name: down\n  user: {token: not-a-real-token}\n`,
      );
    }
    const runOnce = (extra = []) => {
      const before = connections;
      return new Promise((done, fail) => {
        // Asynchronous, so this process's server can answer the child's connections.
        import('node:child_process').then(({ execFile }) =>
          execFile(
            process.execPath,
            [import.meta.filename, '--child', dist, repo, kubeconfig, ...extra],
            { encoding: 'utf8', maxBuffer: 1 << 24 },
            (error, stdout) =>
              error
                ? fail(error)
                : done({ ...JSON.parse(stdout.trim().split('\n').pop()), connections: connections - before }),
          ),
        );
      });
    };
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      const s = await runOnce();
      samples.push(s);
      const f = ([ms, cpu]) => `${ms.toFixed(0)} ms (CPU ${cpu.toFixed(0)})`;
      console.log(
        `run ${i + 1}: bundle ${f(s.bundle)}, discovery ${f(s.discovery)}, renders ${f(s.renders)} (home's ${s.home.toFixed(0)} ms), checks ${f(s.checks)}${refused ? `, ${s.connections} connections` : ''}`,
      );
    }
    const med = (key) =>
      `${median(samples.map((s) => s[key][0])).toFixed(0)} ms, CPU ${median(samples.map((s) => s[key][1])).toFixed(0)} ms`;
    const transfer = await runOnce(['--transfer']);
    const t = (x) =>
      `send ${x.send[0].toFixed(0)} ms (CPU ${x.send[1].toFixed(0)}), receive ${x.receive[0].toFixed(0)} ms (CPU ${x.receive[1].toFixed(0)}), ${x.jsonMB.toFixed(1)} MB as JSON`;
    const r = await reads(repo);
    console.log(
      `\nfirst load of ${givenRepo ? repo : 'the 100-environment repo'} outside the editor (${samples[0].environments} environments, ${refused ? 'a server that refuses' : 'no kubeconfig'}; ${dist}), medians of ${RUNS}: bundle ${med('bundle')}; discovery ${med('discovery')}; renders ${med('renders')}; checks ${med('checks')}${refused ? `; connections ${median(samples.map((s) => s.connections))}` : ''}\n` +
        `  a render worker's transfer (structured clone): the ${transfer.objects} rendered objects ${t(transfer.renders)}; the preview reports ${t(transfer.previews)}\n` +
        `  ${r.reads} reads of the repo's YAML files: fs.promises CPU ${r.promiseCpu.toFixed(0)} ms, callbacks (NodeFileSystem) CPU ${r.callbackCpu.toFixed(0)} ms, synchronous CPU ${r.syncCpu.toFixed(0)} ms\n` +
        `  load ${loadBefore} before, ${load()} after`,
    );
  } finally {
    server?.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
