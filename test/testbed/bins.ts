import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type TestbedTool =
  | 'etcd'
  | 'kube-apiserver'
  | 'kubectl'
  | 'kustomize'
  | 'kustomize-schema'
  | 'flux-build'
  | 'helm'
  | 'helm-values-from'
  | 'kustomize-controller'
  | 'oci-registry'
  | 'appset-oracle'
  | 's3-server';

const repoRoot = resolve(__dirname, '..', '..');
const binDirs = new Map<string, string>();

/**
 * Absolute path of a test-bed binary built from pinned Go modules by scripts/setup-testbed.sh.
 * Builds it on first use (cached outside the clone; later calls and fresh clones reuse it).
 */
export function testbedBin(tool: TestbedTool): string {
  let dir = binDirs.get(tool);
  if (!dir || !existsSync(join(dir, tool))) {
    const out = execFileSync('bash', [join(repoRoot, 'scripts', 'setup-testbed.sh'), tool], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    dir = out.trim().split('\n').pop() ?? '';
    binDirs.set(tool, dir);
  }
  return join(dir, tool);
}

/**
 * The path of a test-bed binary when scripts/setup-testbed.sh has built it, else undefined; never builds (for a
 * binary whose first build takes minutes, which a test skips without rather than build inside a hook).
 */
export function builtTestbedBin(tool: TestbedTool): string | undefined {
  const dir = execFileSync('bash', [join(repoRoot, 'scripts', 'setup-testbed.sh'), 'where'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
    .trim()
    .split('\n')
    .pop();
  const path = dir ? join(dir, tool) : undefined;
  return path && existsSync(path) ? path : undefined;
}

let fluxCrdDir: string | undefined;

/**
 * The folder of Flux's CRD manifests (kustomize.toolkit.fluxcd.io, source.toolkit.fluxcd.io, helm.toolkit.fluxcd.io), copied by
 * scripts/setup-testbed.sh from the pinned controllers' modules on first use.
 */
export function testbedFluxCrds(): string {
  if (!fluxCrdDir || !existsSync(join(fluxCrdDir, '.ready'))) {
    const out = execFileSync('bash', [join(repoRoot, 'scripts', 'setup-testbed.sh'), 'flux-crds'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    fluxCrdDir = out.trim().split('\n').pop() ?? '';
  }
  return fluxCrdDir;
}

let argocdCrdDir: string | undefined;

/**
 * The folder of Argo CD's CRD manifests (Application, ApplicationSet, AppProject of argoproj.io), copied by
 * scripts/setup-testbed.sh from the pinned github.com/argoproj/argo-cd/v3 module on first use. Its API's published
 * schema is beside it: `testbedArgoCdSwagger()`.
 */
export function testbedArgoCdCrds(): string {
  if (!argocdCrdDir || !existsSync(join(argocdCrdDir, '..', '.ready'))) {
    const out = execFileSync('bash', [join(repoRoot, 'scripts', 'setup-testbed.sh'), 'argocd-crds'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    argocdCrdDir = out.trim().split('\n').pop() ?? '';
  }
  return argocdCrdDir;
}

/** Argo CD's API schema (assets/swagger.json of the same pinned module). */
export function testbedArgoCdSwagger(): string {
  return join(testbedArgoCdCrds(), '..', 'swagger.json');
}
