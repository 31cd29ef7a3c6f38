/**
 * A CommonJS bundle compiled with V8's cached data, and that cache written back: shared by the CLI's launcher
 * (src/cli/launch.ts, on Node < 22) and the editor's lazy half (src/vscode/codeCache.ts). The cache file's name carries
 * the build (Node's version and arch, the bundle's size and time); V8 also refuses a cache made by another V8 or with
 * other flags. Any trouble with a cache only costs speed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

export interface CachedScript {
  /** The bundle wrapped as Node's CommonJS loader wraps it, compiled. */
  script: Script;
  /** The cache was there and V8 took it. */
  used: boolean;
  /** The cache was there and V8 refused it. */
  rejected: boolean;
  build: string;
  cacheFile: string;
}

/** Compiles `bundle` with the cache `cacheFileOf(build)` names, if it exists. Throws when the bundle cannot be read. */
export function compileWithCodeCache(bundle: string, cacheFileOf: (build: string) => string): CachedScript {
  const source = readFileSync(bundle, 'utf8');
  const stat = statSync(bundle);
  const build = `${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}`;
  const cacheFile = cacheFileOf(build);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const wrap = (Module as unknown as { wrap(source: string): string }).wrap;
  const script = new Script(wrap(source), { filename: bundle, cachedData });
  const used = cachedData !== undefined && !script.cachedDataRejected;
  return { script, used, rejected: cachedData !== undefined && !used, build, cacheFile };
}

/**
 * Writes a cache whole (a temporary file renamed over it) and drops the caches of other builds (the files of its
 * folder named `prefix…` that do not end with this build). Returns the error's message, if any.
 */
export function writeCodeCache(
  cacheFile: string,
  prefix: string,
  build: string,
  data: () => Buffer,
): string | undefined {
  try {
    const dir = dirname(cacheFile);
    mkdirSync(dir, { recursive: true });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, data());
    renameSync(temp, cacheFile);
    for (const name of readdirSync(dir))
      if (name.startsWith(prefix) && !name.endsWith(`-${build}.bin`)) unlinkSync(join(dir, name));
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
