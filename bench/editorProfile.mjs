// `--profile DIR` of the editor benches (bench/flux/editor.mjs, bench/ui/editor.mjs): a CPU profile of one window's
// extension host and the CPU time it used, to say where a first opening's time goes in the editor.
//
// How: the window's URL carries the workbench payload `inspect-brk-extensions PORT` (what VS Code's own
// `--inspect-brk-extensions` sets), so code-server forks that window's extension host with `--inspect-brk=PORT`: it
// waits for a debugger before running any code. This helper connects over the Chrome DevTools Protocol (the `ws`
// client, already installed for @kubernetes/client-node), starts V8's sampling profiler, lets the host run, and stops
// the profiler when the bench has seen the tree filled. Meanwhile it samples /proc every 20 ms: the host process's CPU
// (every thread), its main thread's, and the whole machine's, so that a slow window can be told apart as our CPU or as
// waiting for a core. The profile's clock is CLOCK_MONOTONIC in µs (V8's TimeTicks), the same clock as
// process.hrtime, which is how a window of it (activation → filled, from the logs' wall clock) is cut out.
import { readdirSync, readFileSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, join } from 'node:path';
import WebSocket from 'ws';

/** The workbench payload that makes the window's extension host wait for a debugger on `port`. */
export function profilePayload(port) {
  return [['inspect-brk-extensions', String(port)]];
}

/** Microseconds on CLOCK_MONOTONIC minus microseconds since the epoch, now (to turn wall ms into profile time). */
function monoOffsetMicros() {
  return Number(process.hrtime.bigint() / 1000n) - Date.now() * 1000;
}

/** The process whose command line holds `--inspect-brk=PORT` (the extension host forked for this window). */
function pidInspecting(port) {
  const flag = `--inspect-brk=${port}`;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').includes(flag)) return Number(name);
    } catch {
      // Gone while we looked.
    }
  }
  return undefined;
}

/** utime + stime of a /proc …/stat file, in ms (clock ticks of 10 ms). */
function statCpuMs(file) {
  const text = readFileSync(file, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Busy and total jiffies of all cores together, from /proc/stat (in ms). */
function machineCpuMs() {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) * 10, total: total * 10 };
}

/** Samples the CPU of `pid` (whole process and main thread) and of the machine every `everyMs`, with wall stamps. */
function cpuSampler(pid, everyMs = 20) {
  const samples = [];
  const take = () => {
    try {
      const m = machineCpuMs();
      samples.push({
        wall: Date.now(),
        process: statCpuMs(`/proc/${pid}/stat`),
        main: statCpuMs(`/proc/${pid}/task/${pid}/stat`),
        machineBusy: m.busy,
        machineTotal: m.total,
      });
    } catch {
      // The process ended.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
    },
  };
}

/** The parent of each process now, from /proc. */
function parents() {
  const ppid = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      ppid.set(Number(name), Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone while we looked.
    }
  }
  return ppid;
}

/**
 * The extension hosts running now under the process `root` (a code-server: it forks each window's host with
 * `--type=extensionHost`); other engineers' editors on the same machine have hosts of their own.
 */
export function extensionHostPids(root) {
  const ppid = parents();
  const under = (pid) => {
    for (let p = pid; p > 1; p = ppid.get(p) ?? 0) if (p === root) return true;
    return false;
  };
  const pids = new Set();
  for (const pid of ppid.keys()) {
    if (!under(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--type=extensionHost')) pids.add(pid);
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

/**
 * Waits for an extension host under `root` that is not in `known` (the window's, opened after `known` was taken) and samples its
 * CPU from then on; `stop()` returns what the profiler's stop returns, without a profile.
 */
export async function watchExtensionHost({ root, known, timeout = 120_000 }) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const pid = [...extensionHostPids(root)].find((p) => !known.has(p));
    if (pid !== undefined) {
      const cpu = cpuSampler(pid);
      return {
        pid,
        async stop() {
          cpu.stop();
          return { cpu: cpu.samples, pid, monoOffset: monoOffsetMicros() };
        },
      };
    }
    if (Date.now() > deadline) throw new Error('no new extension host started');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The CPU used between two wall times (ms), linearly between the samples around each. */
export function cpuBetween(samples, fromWall, toWall) {
  const at = (wall, key) => {
    if (!samples.length) return undefined;
    if (wall <= samples[0].wall) return samples[0][key];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1];
      const b = samples[i];
      if (wall <= b.wall) return a[key] + ((b[key] - a[key]) * (wall - a.wall)) / Math.max(1, b.wall - a.wall);
    }
    return samples[samples.length - 1][key];
  };
  const d = (key) => at(toWall, key) - at(fromWall, key);
  const wall = toWall - fromWall;
  const total = d('machineTotal');
  return {
    wall,
    process: d('process'),
    main: d('main'),
    // Cores busy on average over the span (2 = both cores busy all the time), whoever used them.
    machineCores: total > 0 ? (d('machineBusy') / total) * coreCount() : undefined,
  };
}

function coreCount() {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((l) => /^cpu\d+ /.test(l)).length;
}

/** A Chrome DevTools Protocol session over a WebSocket: `send(method, params)` resolves with the result. */
async function cdpSession(url) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let next = 1;
  const waiting = new Map();
  const listeners = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id !== undefined) {
      const w = waiting.get(msg.id);
      waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else w?.resolve(msg.result);
    } else listeners.get(msg.method)?.(msg.params);
  });
  ws.on('close', () => {
    for (const w of waiting.values()) w.reject(new Error('the extension host closed the inspector connection'));
    waiting.clear();
  });
  return {
    send(method, params = {}) {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    on(method, listener) {
      listeners.set(method, listener);
    },
    close() {
      ws.close();
    },
  };
}

/**
 * Waits for the extension host that inspects `port` (the window opened with `profilePayload(port)`), starts the
 * profiler and the CPU sampler, and lets it run. `stop()` ends both: the profile (CLOCK_MONOTONIC µs), the CPU
 * samples, the host's pid.
 */
export async function attachProfiler({ port, timeout = 120_000, samplingMicros = 500 }) {
  const deadline = Date.now() + timeout;
  let target;
  while (!target) {
    if (Date.now() > deadline) throw new Error(`no extension host listened for a debugger on port ${port}`);
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      target = list.find((t) => t.webSocketDebuggerUrl);
    } catch {
      // Not listening yet.
    }
    if (!target) await new Promise((r) => setTimeout(r, 25));
  }
  const pid = pidInspecting(port);
  if (pid === undefined) throw new Error(`no process runs with --inspect-brk=${port}`);
  const cpu = cpuSampler(pid);
  const session = await cdpSession(target.webSocketDebuggerUrl);
  // `--inspect-brk` also pauses on the first statement once a debugger is enabled: never enabled here, but resumed
  // if a pause comes anyway.
  session.on('Debugger.paused', () => void session.send('Debugger.resume').catch(() => undefined));
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: samplingMicros });
  await session.send('Profiler.start');
  await session.send('Runtime.runIfWaitingForDebugger');
  return {
    pid,
    async stop() {
      const { profile } = await session.send('Profiler.stop');
      cpu.stop();
      session.close();
      return { profile, cpu: cpu.samples, pid, monoOffset: monoOffsetMicros() };
    },
  };
}

/** Writes `profile` as DIR/NAME.cpuprofile (Chrome DevTools and VS Code open it); returns the path. */
export function writeProfile(dir, name, profile) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

/**
 * Source maps of the bundles the profile ran (by file name: extension.js, activation.js, lazyEntry.js), from the
 * build's dist folder: the packaged bundle is minified, so its names and lines say little without them.
 */
export function bundleSourceMaps(distDir) {
  const maps = new Map();
  for (const rel of ['extension.js', 'activation.js', 'vscode/lazyEntry.js']) {
    const file = join(distDir, `${rel}.map`);
    if (!existsSync(file)) continue;
    try {
      maps.set(basename(rel), new SourceMap(JSON.parse(readFileSync(file, 'utf8'))));
    } catch {
      // An unreadable map: that bundle's frames stay minified.
    }
  }
  return maps;
}

/** `name file:line` of a profile node's frame, through the bundle's source map when there is one. */
function frameName(frame, maps) {
  const file = frame.url ? basename(frame.url.replace(/^file:\/\//, '')) : '';
  const map = maps.get(file);
  if (map && frame.lineNumber >= 0) {
    const e = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (e && e.originalSource) {
      const source = e.originalSource.replace(/^.*?(?=(src|node_modules)\/)/, '');
      // The mapped name where the map has one (minified names say nothing), else the frame's own.
      const name = e.name || frame.functionName || '(anonymous)';
      return `${name} ${source}:${e.originalLine + 1}`;
    }
  }
  const name = frame.functionName || (frame.url ? '(anonymous)' : frame.functionName);
  return frame.url ? `${name} ${file}:${frame.lineNumber + 1}` : name || '(native)';
}

/**
 * Self and inclusive time by function over the samples between `fromMono` and `toMono` (µs, the profile's clock;
 * either may be undefined for the profile's start or end). Inclusive time counts a function once per sample however
 * deep it recurses.
 */
export function profileTimes(profile, { fromMono, toMono, maps = new Map() } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const names = new Map();
  const nameOf = (id) => {
    let s = names.get(id);
    if (s === undefined) names.set(id, (s = frameName(byId.get(id).callFrame, maps)));
    return s;
  };
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const span = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if ((fromMono !== undefined && t < fromMono) || (toMono !== undefined && t > toMono)) continue;
    total += span;
    const id = profile.samples[i];
    const key = nameOf(id);
    self.set(key, (self.get(key) ?? 0) + span);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const k = nameOf(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + span);
    }
  }
  return { total, self, inclusive };
}

/**
 * Where the engine's first opening spends its time, inclusive: the functions a first load goes through (matched on
 * the mapped `name file`), so a summary names them whatever their rank.
 */
export const ENTRY_POINTS = [
  /^activate src\/extension\.ts/,
  /src\/vscode\/codeCache\.ts/,
  /^load src\/core\/engine\.ts/,
  /^loadRepository /,
  /^preview src\/vscode\/driftSession\.ts/,
  /^renderedReport src\/core\/engine\.ts/,
  /^renderApp src\/core\/engine\.ts/,
  /^renderUncached src\/core\/engine\.ts/,
  /^lookupIn src\/core\/engine\.ts/,
  /^joinApplicationRenders /,
  /^readFile src\/core\/fileCache\.ts/,
  /^stampOf src\/core\/fileCache\.ts/,
  /^readFile src\/core\/recordingFileSystem\.ts/,
  /^readFile src\/node\/nodeFileSystem\.ts/,
  /^stat src\/node\/nodeFileSystem\.ts/,
  /^check src\/vscode\/driftSession\.ts/,
  /^fire .*event/i,
  /^getChildren src\/vscode\//,
  /^getTreeItem src\/vscode\//,
  /^saveLastKnown /,
  /^lintRepo|^lint src\/core\/authoringTools\.ts/,
  /^\(garbage collector\)$/,
  /^\(program\)$/,
  /^\(idle\)$/,
];

/** A short text summary: total, the top `top` functions by self time, the entry points' inclusive times. */
export function summarizeProfile(profile, options = {}) {
  const { top = 30, entryPoints = ENTRY_POINTS } = options;
  const { total, self, inclusive } = profileTimes(profile, options);
  const pct = (v) => `${((100 * v) / Math.max(total, 1e-9)).toFixed(1).padStart(5)} %`;
  const row = ([k, v]) => `  ${v.toFixed(0).padStart(6)} ms ${pct(v)}  ${k}`;
  const lines = [`profiled ${total.toFixed(0)} ms of the main thread (samples; waiting for a core counts too)`];
  lines.push(`self time, top ${top}:`);
  for (const e of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(row(e));
  lines.push('inclusive, the first load’s entry points:');
  const picked = [...inclusive].filter(([k]) => entryPoints.some((re) => re.test(k))).sort((a, b) => b[1] - a[1]);
  for (const e of picked) lines.push(row(e));
  return lines.join('\n');
}

/**
 * One window's profile (when it was profiled), written as DIR/NAME.cpuprofile, and for each span (`{ label, from, to }`, wall ms since the
 * epoch; the first one is the window's, e.g. activation → filled) the extension host's CPU over it and a summary of the
 * profile's samples in it. Returns the lines to print, the first span's CPU figures and the file.
 */
export function reportWindow({ dir, name, stopped, spans, maps, top }) {
  const file = stopped.profile ? writeProfile(dir, name, stopped.profile) : undefined;
  const toMono = (wall) => wall * 1000 + stopped.monoOffset;
  const lines = [
    file ? `profile of the extension host (pid ${stopped.pid}): ${file}` : `extension host (pid ${stopped.pid}):`,
  ];
  let first;
  for (const { label, from, to } of spans) {
    if (from === undefined || to === undefined || to <= from) {
      lines.push(`  ${label}: not in this window's log`);
      continue;
    }
    const cpu = cpuBetween(stopped.cpu, from, to);
    first ??= cpu;
    lines.push(
      `  ${label}: ${cpu.wall} ms wall; extension host CPU ${cpu.process.toFixed(0)} ms (main thread ${cpu.main.toFixed(0)} ms, ${((100 * cpu.main) / Math.max(cpu.wall, 1)).toFixed(0)} % of the wall); cores busy on the machine ${cpu.machineCores?.toFixed(2) ?? 'n/a'} of ${coreCount()}`,
    );
    if (stopped.profile)
      lines.push(
        summarizeProfile(stopped.profile, { fromMono: toMono(from), toMono: toMono(to), maps, top })
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n'),
      );
  }
  return { lines: lines.join('\n'), cpu: first, file };
}

/** The value after `flag` in argv (`--profile DIR`), or undefined. */
export function argValue(argv, flag) {
  const at = argv.indexOf(flag);
  return at > 0 ? argv[at + 1] : undefined;
}

/**
 * The .vsix an editor bench installs: `--vsix FILE` (another build's, e.g. main's for an A/B), else this tree's,
 * built now (with source maps in dist/ when profiling, for the summaries' names). Also the maps to name frames with.
 */
export async function benchVsix({ argv, stateDir, buildExtension, packageVsix, distDir }) {
  const given = argValue(argv, '--vsix');
  if (given) return { vsix: given, maps: new Map() };
  const profiling = argValue(argv, '--profile') !== undefined;
  const vsix = await packageVsix({
    stateDir,
    buildExtension: (o) => buildExtension({ ...o, ...(profiling ? { sourcemap: true } : {}) }),
  });
  return { vsix, maps: profiling ? bundleSourceMaps(distDir) : new Map() };
}
