import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { WasmHelmEngine } from '../../src/node/helmEngine';

const repoRoot = resolve(__dirname, '..', '..');
let engineDir: string | undefined;

/**
 * The folder of the Helm engine (helm.wasm.gz, wasm_exec.js) built by scripts/build-helm-wasm.sh from helm-wasm/:
 * built on first use, then reused from the cache ($GITOPS_DRIFT_CACHE/helm-wasm/<stamp>) while the sources stay.
 */
export function testHelmEngineDir(): string {
  if (!engineDir || !existsSync(join(engineDir, 'helm.wasm.gz'))) {
    const out = execFileSync('bash', [join(repoRoot, 'scripts', 'build-helm-wasm.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    engineDir = out.trim().split('\n').pop() ?? '';
  }
  return engineDir;
}

/** A started engine over testHelmEngineDir(); `dispose()` it after the suite. */
export async function startTestHelmEngine(): Promise<WasmHelmEngine> {
  const engine = new WasmHelmEngine({ dir: testHelmEngineDir() });
  const error = await engine.start();
  if (error !== undefined) throw new Error(error);
  return engine;
}
