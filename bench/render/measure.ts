import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Whole-process figures over several runs of one command. */
export interface ProcessFigures {
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Largest peak RSS over the runs. */
  peakRssMiB: number;
  /** Stdout of the first run, to check both tools printed the same objects. */
  stdout: string;
}

/**
 * Runs `command args` `runs` times under GNU time (for peak RSS) and times each run's wall clock from here,
 * so the figure is what a user waits for: process start, module loading, work and exit.
 */
export function measureProcess(command: string, args: string[], runs: number, cwd: string): ProcessFigures {
  const times: number[] = [];
  let peakKiB = 0;
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
    times.push(performance.now() - start);
    const errLines = r.stderr.trimEnd().split('\n');
    if (r.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${errLines.slice(-5).join('\n')}`);
    peakKiB = Math.max(peakKiB, Number(errLines[errLines.length - 1]));
    if (i === 0) stdout = r.stdout;
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    maxMs: times[times.length - 1],
    peakRssMiB: peakKiB / 1024,
    stdout,
  };
}
