/**
 * The user's secret key for snapshots: 32 random bytes, hex, in `$GITOPS_DRIFT_SECRET_KEY_FILE`, else
 * `$XDG_CONFIG_HOME/gitops-drift/secret-key`, else `~/.config/gitops-drift/secret-key`. Made on first use with
 * mode 0600 (its folder 0700); never written into a repo or a snapshot. Share the file with whoever must compare
 * your snapshots, as you would share any other credential.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { SnapshotKey } from '../core/drift/snapshotSecrets';

/** Where the key lives for this environment (absolute). */
export function secretKeyPath(env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.GITOPS_DRIFT_SECRET_KEY_FILE) return resolve(cwd, env.GITOPS_DRIFT_SECRET_KEY_FILE);
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(config, 'gitops-drift', 'secret-key');
}

/** Reads the key; with `create`, makes one when the file does not exist yet. */
export async function loadSecretKey(
  env: NodeJS.ProcessEnv,
  cwd: string,
  options: { create: boolean },
): Promise<SnapshotKey> {
  const file = secretKeyPath(env, cwd);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read the secret key ${file}: ${(e as Error).message}`);
  }
  if (text === undefined) {
    if (!options.create)
      throw new Error(
        `no secret key at ${file}: the snapshot's Secret values can only be compared with the key that took it (set GITOPS_DRIFT_SECRET_KEY_FILE to that key's file)`,
      );
    return createKey(file);
  }
  const hex = text.trim();
  if (!/^[0-9a-f]{32,}$/i.test(hex) || hex.length % 2)
    throw new Error(`${file}: not a gitops-drift secret key (expected at least 32 hex digits)`);
  return new SnapshotKey(Buffer.from(hex, 'hex'));
}

async function createKey(file: string): Promise<SnapshotKey> {
  const bytes = randomBytes(32);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // `wx`: two processes creating the key at once must not end up with two keys; the loser reads the winner's.
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(bytes.toString('hex') + '\n');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      return new SnapshotKey(Buffer.from((await readFile(file, 'utf8')).trim(), 'hex'));
    throw new Error(`cannot create the secret key ${file}: ${(e as Error).message}`);
  }
  return new SnapshotKey(bytes);
}
