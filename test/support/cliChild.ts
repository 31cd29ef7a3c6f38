/**
 * Runs the CLI as a child process and measures it: exit code, output, wall time and peak memory. For tests that
 * must show a command ends (a bound on time) without exhausting memory (a bound on RSS), which an in-process run
 * cannot show.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface ChildRun {
  /** The exit code; null when the child was killed for passing `killAfterMs`. */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident set size in MB. */
  maxRssMb: number;
}

const wrapper = resolve(__dirname, 'measuredCli.cjs');

/** Runs `gitops-drift ...args` with `env` (added to a minimal environment); kills it after `killAfterMs`. */
export async function runCliChild(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; killAfterMs?: number } = {},
): Promise<ChildRun> {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-child-'));
  const rssFile = join(dir, 'rss');
  const started = Date.now();
  const child = spawn(process.execPath, [wrapper, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_DISABLE_COMPILE_CACHE: '1',
      ...options.env,
      GITOPS_DRIFT_TEST_RSS_FILE: rssFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearTimeout(timer);
  const ms = Date.now() - started;
  let maxRssMb = NaN;
  try {
    maxRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // killed before exit: no figure
  }
  rmSync(dir, { recursive: true, force: true });
  return { code, stdout, stderr, ms, maxRssMb };
}
