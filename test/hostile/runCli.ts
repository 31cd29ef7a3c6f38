/**
 * Runs the built CLI (dist/cli.js) as a child process and measures it: exit code, output, wall time and peak
 * memory. A process over its time or memory bound is killed (it is a failing case, and on a shared machine a
 * runaway must not take the others down with it).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
export const CLI = join(PROJECT_ROOT, 'dist', 'cli.js');
const PRELOAD = join(__dirname, 'peakRss.cjs');
/** Output kept per stream: enough for any message; a flood past it is cut (and still counted). */
const OUTPUT_CAP = 2 * 1024 * 1024;

export interface CliRun {
  /** Exit code; null when killed. */
  code: number | null;
  /** Why the suite killed the process, if it did. */
  killed?: 'time' | 'memory';
  stdout: string;
  stderr: string;
  /** Bytes written to stdout + stderr, including what was cut. */
  outputBytes: number;
  seconds: number;
  /** Peak resident set size in MB: the larger of the process's own getrusage and the /proc samples. */
  peakMb: number;
}

export interface RunLimits {
  seconds: number;
  megabytes: number;
}

/** Starts `node dist/cli.js ARGS` in `cwd` with `env` (nothing inherited but PATH and HOME). */
export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; limits: RunLimits; rssFile: string },
): Promise<CliRun> {
  const started = process.hrtime.bigint();
  rmSync(options.rssFile, { force: true });
  const child = spawn(process.execPath, ['--require', PRELOAD, CLI, ...args], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? options.cwd,
      NO_COLOR: '1',
      ...options.env,
      GITOPS_DRIFT_HOSTILE_RSS_FILE: options.rssFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const kept = [0, 0];
  let outputBytes = 0;
  const collect = (chunks: Buffer[], i: number) => (chunk: Buffer) => {
    outputBytes += chunk.length;
    if (kept[i] >= OUTPUT_CAP) return;
    chunks.push(chunk.subarray(0, OUTPUT_CAP - kept[i]));
    kept[i] += Math.min(chunk.length, OUTPUT_CAP - kept[i]);
  };
  child.stdout.on('data', collect(out, 0));
  child.stderr.on('data', collect(err, 1));
  let killed: CliRun['killed'];
  let sampledKb = 0;
  const status = `/proc/${child.pid}/status`;
  const sample = () => {
    try {
      const text = readFileSync(status, 'utf8');
      const hwm = Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0);
      sampledKb = Math.max(sampledKb, hwm);
    } catch {
      // Gone already, or no /proc (not Linux): the preload's number is all there is.
    }
    if (!killed && sampledKb > options.limits.megabytes * 1024) {
      killed = 'memory';
      child.kill('SIGKILL');
    }
  };
  const sampler = setInterval(sample, 25);
  const timer = setTimeout(() => {
    killed ??= 'time';
    child.kill('SIGKILL');
  }, options.limits.seconds * 1000);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const ownKb = existsSync(options.rssFile) ? Number(readFileSync(options.rssFile, 'utf8')) || 0 : 0;
      done({
        code: killed ? null : code,
        ...(killed ? { killed } : {}),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        outputBytes,
        seconds,
        peakMb: Math.max(ownKb, sampledKb) / 1024,
      });
    });
  });
}

/** Runs `jobs` with at most `limit` at a time, results in input order. */
export async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}
