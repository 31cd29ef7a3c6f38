/** A throw-away repo on disk and the CLI run in it, in-process: what the CLI tests over small repos share. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/main';

/** Writes `files` (repo-relative path → text) into a new temp folder and returns it; the caller removes it. */
export function writeRepo(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Runs `gitops-drift ARGV` with `cwd` as its folder, no colour and no environment variables. */
export async function runCliIn(cwd: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd, color: false, env: {} });
  return { code, out, err };
}
