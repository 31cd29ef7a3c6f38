/**
 * Helpers for the accuracy suite: copy a config repo to a temp dir, render it with the real kustomize, apply it
 * to the test-bed API server as Argo CD / Flux / kubectl would, make hand changes with kubectl, and check it with
 * the engine exactly as the CLI does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import type { ResourceDrift } from '../../../src/core/model/drift';
import type { RepoEnvironment } from '../../../src/core/repo/config';
import { createKubeClusterReader, type KubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { parseAllDocuments, stringify } from 'yaml';
import { testbedBin } from '../../testbed/bins';
import { testCluster } from '../support';

/** How desired state reaches the cluster. */
export type ApplyMode =
  | { kind: 'client-side' } // kubectl apply (last-applied annotation)
  | { kind: 'server-side'; manager: string }; // kubectl apply --server-side --field-manager=…

export function copyRepo(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-accuracy-'));
  cpSync(source, dir, { recursive: true });
  return dir;
}

export function removeRepo(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs kubectl as the test bed's admin; returns stdout. */
export function kubectl(...args: string[]): string {
  return execFileSync(testbedBin('kubectl'), ['--kubeconfig', testCluster().kubeconfigPath, ...args], {
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Renders with the real kustomize and applies: CRDs first (waiting until established), then everything. */
export function applyEnvironment(
  repo: string,
  path: string,
  mode: ApplyMode,
  trackingLabels: Record<string, string> = {},
): void {
  const docs = parseAllDocuments(
    execFileSync(testbedBin('kustomize'), ['build', join(repo, path)], { encoding: 'utf8' }),
  ).map((d) => d.toJS() as any);
  // Argo CD and Flux add their tracking labels to every object they apply.
  for (const doc of docs)
    if (Object.keys(trackingLabels).length) doc.metadata.labels = { ...doc.metadata.labels, ...trackingLabels };
  const rendered = docs.map((d) => stringify(d)).join('---\n');
  const applyArgs =
    mode.kind === 'client-side' ? ['apply'] : ['apply', '--server-side', `--field-manager=${mode.manager}`];
  const crds = docs.filter((d) => d?.kind === 'CustomResourceDefinition');
  if (crds.length) {
    applyYaml(applyArgs, crds.map((d) => stringify(d)).join('---\n'));
    kubectl(
      'wait',
      '--for',
      'condition=established',
      '--timeout=30s',
      ...crds.map((d: any) => `crd/${d.metadata.name}`),
    );
  }
  applyYaml(applyArgs, rendered);
}

function applyYaml(applyArgs: string[], yaml: string): void {
  execFileSync(testbedBin('kubectl'), ['--kubeconfig', testCluster().kubeconfigPath, ...applyArgs, '-f', '-'], {
    input: yaml,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** One drifted field (or object verdict) as `Kind/name path @ file:line`, the suite's unit of comparison. */
export function findings(resources: ResourceDrift[]): string[] {
  const out: string[] = [];
  for (const r of resources) {
    if (r.verdict === 'InSync') continue;
    if (r.verdict !== 'Drifted') {
      out.push(`${r.key.kind}/${unhashed(r.key.name)} ${r.verdict}`);
      continue;
    }
    for (const f of r.fields)
      out.push(
        `${r.key.kind}/${unhashed(r.key.name)} ${f.path}${f.origin ? ` @ ${f.origin.file}:${f.origin.line}` : ''}`,
      );
  }
  return out.sort();
}

/** Checks environments the way `gitops-drift check` does, with one reader reused across checks. */
export class Checker {
  private reader: Promise<KubeClusterReader> | undefined;
  /** The environment of the last check, as the engine found it (discovery included). */
  lastEnvironment: RepoEnvironment | undefined;

  constructor(private readonly repo: string) {}

  async check(envName: string): Promise<ResourceDrift[]> {
    const reader = await (this.reader ??= createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    }));
    // A fresh engine per check: the repo may have been edited, and nothing must be cached across hand changes.
    const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: this.repo });
    const env = await engine.environment(envName);
    this.lastEnvironment = env;
    const report = await engine.check(env, { reader, context: reader.context });
    if (report.error) throw new Error(`${envName}: ${report.error}`);
    return report.resources;
  }
}

/** Generated names end in kustomize's 10-character hash; expectations name them `web-config-<hash>`. */
export function unhashed(name: string): string {
  return name.replace(/-[2456789bcdfghkmt]{10}$/, '-<hash>');
}

/** The live name of a generated object (`web-config` → `web-config-7g2h…`). */
export function generatedName(namespace: string, kind: string, prefix: string): string {
  const names = kubectl('-n', namespace, 'get', kind, '-o', 'name')
    .split('\n')
    .map((n) => n.split('/')[1])
    .filter(Boolean);
  const found = names.find((n) => unhashed(n) === `${prefix}-<hash>`);
  if (!found) throw new Error(`no ${kind} ${prefix}-<hash> in ${namespace}: ${names.join(', ')}`);
  return found;
}
