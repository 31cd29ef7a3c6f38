/**
 * Zero false alarms right after a sync, for every environment of the example and of the Argo CD and Flux layouts,
 * whichever way desired state was applied: client-side apply, server-side apply, and server-side apply by another
 * manager (Argo CD's). Each run gets fresh namespaces, so it does not depend on the other suites.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DriftEngine } from '../../../src/core/engine';
import { sourcePath } from '../../../src/core/model/environment';
import { createKubeClusterReader, type KubeClusterReader } from '../../../src/node/kubeClusterReader';
import { NodeFileSystem } from '../../../src/node/nodeFileSystem';
import { testbedBin } from '../../testbed/bins';
import { freshNamespace, testCluster } from '../support';

const modes = [
  { name: 'client-side apply', args: ['apply', '-f', '-'] },
  { name: 'server-side apply', args: ['apply', '--server-side', '-f', '-'] },
  {
    name: 'server-side apply as argocd-controller',
    args: ['apply', '--server-side', '--field-manager=argocd-controller', '-f', '-'],
  },
];

const layouts = [
  {
    name: 'examples/shop',
    dir: resolve(__dirname, '..', '..', '..', 'examples', 'shop'),
    namespaces: ['shop-dev', 'shop-staging', 'shop-prod'],
    crds: ['storefronts.shop.example.com'],
  },
  {
    name: 'Argo CD guestbook',
    dir: join(__dirname, 'layouts', 'argocd-guestbook'),
    namespaces: ['guestbook-prod'],
    crds: [],
  },
  { name: 'Flux podinfo', dir: join(__dirname, 'layouts', 'flux-podinfo'), namespaces: ['podinfo-prod'], crds: [] },
];

function kubectl(args: string[], input?: string): string {
  const c = testCluster();
  return execFileSync(testbedBin('kubectl'), ['--kubeconfig', c.kubeconfigPath, '--context', c.adminContext, ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** The layout in a scratch folder, each namespace renamed (whole words) to a fresh one. */
function scratchCopy(dir: string, rename: Map<string, string>): string {
  const out = mkdtempSync(join(tmpdir(), 'gitops-drift-zero-'));
  cpSync(dir, out, { recursive: true, filter: (src) => !src.endsWith('live-snapshot.yaml') });
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
  for (const file of walk(out)) {
    let text = readFileSync(file, 'utf8');
    for (const [from, to] of rename) text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), to);
    writeFileSync(file, text);
  }
  return out;
}

describe('accuracy: zero drift right after a sync, every environment × every apply mode', function () {
  this.timeout(120_000);
  let reader: KubeClusterReader;
  let checked = 0;
  let objects = 0;

  before(async () => {
    reader = await createKubeClusterReader({
      kubeconfigPath: testCluster().kubeconfigPath,
      context: testCluster().adminContext,
    });
  });
  after(() => console.log(`      zero-drift: ${checked} environment checks, ${objects} objects, all in sync`));

  for (const layout of layouts) {
    for (const mode of modes) {
      it(`${layout.name}: ${mode.name}`, async () => {
        const rename = new Map<string, string>();
        for (const ns of layout.namespaces) rename.set(ns, await freshNamespace(ns.slice(0, 12)));
        const repo = scratchCopy(layout.dir, rename);
        try {
          const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: repo });
          const { environments } = await engine.load();
          assert.ok(environments.length >= 1);
          for (const env of environments) {
            // An app-of-apps root's objects are Argo CD Applications, which Argo CD applies into its own namespace:
            // this cluster serves no Argo CD CRDs, and the apps they point at are the layout's other environments.
            if (env.appOfAppsRoot) continue;
            // Each application's folder as its controller applies it (a Flux cluster holds several; an overlay, one).
            const folders = env.applications.map(sourcePath).filter((p): p is string => p !== undefined);
            const yaml = folders
              .map((p) => execFileSync(testbedBin('kustomize'), ['build', join(repo, p)], { encoding: 'utf8' }))
              .join('---\n');
            try {
              kubectl(mode.args, yaml);
            } catch {
              for (const crd of layout.crds)
                kubectl(['wait', '--for=condition=Established', `crd/${crd}`, '--timeout=60s']);
              kubectl(mode.args, yaml);
            }
            const report = await engine.check(env, { reader, context: reader.context, namespace: reader.namespace });
            assert.equal(report.error, null);
            const notInSync = report.resources
              .filter((r) => r.verdict !== 'InSync')
              .map(
                (r) =>
                  `${r.key.kind}/${r.key.name} ${r.verdict} ${r.fields.map((f) => f.path).join(',')} ${r.message ?? ''}`,
              );
            assert.deepEqual(notInSync, [], `${env.name} after ${mode.name}`);
            assert.ok(report.resources.length >= 2, `${env.name}: the whole environment was checked`);
            checked++;
            objects += report.resources.length;
          }
        } finally {
          rmSync(repo, { recursive: true, force: true });
        }
      });
    }
  }
});
