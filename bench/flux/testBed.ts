/**
 * The Flux benchmark's test bed: a real API server with Flux's CRDs (the test bed's `flux-crds`: Kustomization, the
 * sources, HelmRelease), holding the generated home-ops repo's cluster as kustomize-controller would leave it:
 *   - every Kustomization rendered by Flux's own code (test/testbed/fluxBuild), children from the objects their
 *     parent's render holds (patched by the parent, as the controller applies them), substituteFrom reading the
 *     cluster-settings ConfigMap;
 *   - applied with server-side apply as `kustomize-controller`, and each Kustomization's status written as the
 *     controller writes it (Ready, lastAppliedRevision = the repo's HEAD, the inventory of what it applied);
 *   - then three hand changes (`handChanges`), one of them on a substituted value.
 * The flux-build runs are timed: the peer figure for rendering (one process per Kustomization, as a person checking
 * a render with Flux's tools runs it).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { testbedBin, testbedFluxCrds } from '../../test/testbed/bins';
import { startTestCluster, type TestCluster } from '../../test/testbed/cluster';
import { generateFluxRepo, type FluxRepoOptions, type GeneratedFluxRepo } from './generate';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  spec?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface FluxTestBed {
  cluster: TestCluster;
  /** The generated repo (a git repository, one commit). */
  dir: string;
  repo: GeneratedFluxRepo;
  /** Every object the cluster's Kustomizations applied, as one YAML stream (what kubectl diff reads). */
  renderedFile: string;
  /** Wall time of each flux-build run (one per Kustomization), ms. */
  fluxBuildMs: number[];
  kubectl: string;
  /** The hand changes: kind/namespace/name of each drifted object. */
  handChanges: string[];
  stop(): Promise<void>;
}

const FIELD_MANAGER = 'kustomize-controller';

/** Starts a cluster, generates the repo, renders it with Flux's code and applies it as the controller would. */
export async function startFluxTestBed(options: FluxRepoOptions = {}): Promise<FluxTestBed> {
  const kubectl = testbedBin('kubectl');
  const fluxBuild = testbedBin('flux-build');
  const crds = testbedFluxCrds();
  const cluster = await startTestCluster();
  const dir = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-flux-'));
  const scratch = mkdtempSync(join(tmpdir(), 'gitops-drift-bench-flux-build-'));
  const stop = async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    await cluster.stop();
  };
  try {
    const repo = generateFluxRepo(dir, options);
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '-q', '-m', 'home-ops');
    const head = git('rev-parse', 'HEAD');

    const kube = (...args: string[]) =>
      execFileSync(kubectl, ['--kubeconfig', cluster.kubeconfigPath, ...args], {
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
    kube('apply', '--server-side', '--field-manager=flux-install', '-f', crds);
    kube('wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all');
    kube('create', 'namespace', 'flux-system');

    // flux-build writes the folder's kustomization: it renders a copy.
    const root = join(scratch, 'repo');
    cpSync(dir, root, { recursive: true, filter: (src) => !src.endsWith('/.git') });
    const fluxBuildMs: number[] = [];
    const build = (ks: Obj, objectsFile?: string): Obj[] => {
      const file = join(scratch, `${ks.metadata.name}.ks.json`);
      writeFileSync(file, JSON.stringify(ks));
      const path = String(ks.spec?.path ?? './').replace(/^\.\//, '');
      const started = process.hrtime.bigint();
      const out = execFileSync(fluxBuild, [file, root, join(root, path), ...(objectsFile ? [objectsFile] : [])], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
      });
      fluxBuildMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      return parseAllDocuments(out)
        .map((d) => d.toJS() as Obj)
        .filter(Boolean);
    };
    const isKustomization = (o: Obj) =>
      o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');

    // The controller's way down the tree: flux-system (bootstrap's manifest), then every Kustomization its render
    // holds, from the object there.
    const bootstrap = parseAllDocuments(
      readFileSync(join(dir, 'clusters', repo.cluster, 'flux-system', 'gotk-sync.yaml'), 'utf8'),
    )
      .map((d) => d.toJS() as Obj)
      .find((o) => o && isKustomization(o))!;
    const applied: { ks: Obj; objects: Obj[] }[] = [];
    const objectsFile = join(scratch, 'substitute-from.json');
    const queue: Obj[] = [bootstrap];
    const all: Obj[] = [];
    while (queue.length) {
      const ks = queue.shift()!;
      const objects = build(ks, applied.length ? objectsFile : undefined);
      applied.push({ ks, objects });
      all.push(...objects);
      if (applied.length === 1) {
        const settings = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === 'cluster-settings');
        writeFileSync(objectsFile, settings.map((o) => JSON.stringify(o)).join('\n---\n'));
      }
      queue.push(...objects.filter((o) => isKustomization(o) && o.metadata.name !== ks.metadata.name));
    }
    const renderedFile = join(scratch, 'rendered.yaml');
    writeFileSync(renderedFile, all.map((o) => JSON.stringify(o)).join('\n---\n'));
    process.stderr.write(
      `flux-build rendered ${applied.length} Kustomizations, ${all.length} objects; applying them as ${FIELD_MANAGER}…\n`,
    );
    // Namespaces and CRD-backed sources first (kubectl applies a stream in order), as the controller's dependsOn would.
    kube('apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', renderedFile);

    // Each Kustomization's status, as kustomize-controller writes it after a successful apply.
    const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
    for (const { ks, objects } of applied) {
      const ns = ks.metadata.namespace ?? 'flux-system';
      const revision = `main@sha1:${head}`;
      const status = {
        observedGeneration: 1,
        lastAppliedRevision: revision,
        lastAttemptedRevision: revision,
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: `Applied revision: ${revision}`,
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            observedGeneration: 1,
          },
        ],
        inventory: {
          entries: objects.map((o) => ({
            id: `${o.metadata.namespace ?? ''}_${o.metadata.name}_${group(o.apiVersion)}_${o.kind}`,
            v: o.apiVersion.split('/').pop(),
          })),
        },
      };
      const res = await cluster.adminRequest(
        'PATCH',
        `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations/${ks.metadata.name}/status?fieldManager=${FIELD_MANAGER}`,
        { status },
        'application/merge-patch+json',
      );
      if (res.status !== 200)
        throw new Error(`status of Kustomization ${ks.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
    }

    // Hand changes, as people make them: a plain Deployment scaled, a substituted ConfigMap value edited, a
    // HelmRelease's interval patched.
    const app = (kind: 'helm' | 'plain') =>
      repo.apps.find((a) => (kind === 'helm' ? a.helmReleases.length > 0 : a.helmReleases.length === 0))!;
    const plain = app('plain');
    const helm = app('helm');
    kube('-n', plain.namespace, 'scale', `deployment/${plain.name}`, '--replicas=3');
    kube('-n', helm.namespace, 'patch', 'configmap', `${helm.name}-config`, '-p', '{"data":{"TZ":"UTC"}}');
    kube(
      '-n',
      helm.namespace,
      'patch',
      'helmrelease',
      helm.helmReleases[0],
      '--type=merge',
      '-p',
      '{"spec":{"interval":"2h"}}',
    );
    const handChanges = [
      `Deployment/${plain.namespace}/${plain.name}`,
      `ConfigMap/${helm.namespace}/${helm.name}-config`,
      `HelmRelease/${helm.namespace}/${helm.helmReleases[0]}`,
    ];
    return { cluster, dir, repo, renderedFile, fluxBuildMs, kubectl, handChanges, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
