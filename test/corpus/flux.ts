/**
 * Flux corpus conformance: for every Flux Kustomization our discovery finds in a folder of public repos (one folder
 * per repo), renders it with our flux-kustomization renderer and with the code kustomize-controller runs
 * (github.com/fluxcd/pkg/kustomize, the test bed's flux-build), and compares the objects one by one, in order. Not
 * part of `npm test`: the corpus is other people's repos, checked out by hand (CI has no network).
 *
 *   npx tsx test/corpus/flux.ts CORPUS_DIR [--verbose] [--only SUBSTRING]
 *
 * Each Kustomization is given to Flux as our render of its cluster applies it (a parent's patches included), with
 * the ConfigMaps and Secrets our renders of the same cluster hold for `substituteFrom`. A value substituted from a
 * Secret is a placeholder in ours (git does not know it) and is taken as equal. Verdicts: match, mismatch, both fail,
 * only ours fails, only Flux fails. Kustomizations whose source is outside the repo are not rendered (counted apart).
 */
import { cp, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { DriftEngine } from '../../src/core/engine';
import { type Application, sourcePath } from '../../src/core/model/environment';
import type { KubeObject } from '../../src/core/model/resource';
import type { RenderedObject } from '../../src/core/render/types';
import { parentPointer, pointerSegments, valueAt } from '../../src/core/yaml/pointer';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import { compareObjects } from '../conformance/compareObjects';
import { fluxBuild } from '../conformance/fluxCli';

type Verdict = 'match' | 'mismatch' | 'both fail' | 'only ours fails' | 'only Flux fails';

const args = process.argv.slice(2);
const corpus = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--only');
const verbose = args.includes('--verbose');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

/** Flux's objects with ours' Secret placeholders put where ours has them (git does not know those values). */
function maskSecretValues(flux: KubeObject[], ours: RenderedObject[]): void {
  ours.forEach((o, i) => {
    for (const [pointer, origin] of o.origins) {
      if (!origin.secret || !flux[i]) continue;
      const segments = pointerSegments(pointer);
      const parent = valueAt(flux[i], parentPointer(pointer)) as Record<string, unknown> | undefined;
      if (parent && typeof parent === 'object') parent[segments[segments.length - 1]] = valueAt(o.object, pointer);
    }
  });
}

async function main(): Promise<void> {
  if (!corpus) throw new Error('usage: npx tsx test/corpus/flux.ts CORPUS_DIR [--verbose] [--only SUBSTRING]');
  const scratch = await mkdtemp(join(tmpdir(), 'gitops-drift-flux-corpus-'));
  const counts = new Map<Verdict, number>();
  let outside = 0;
  try {
    for (const repo of (await readdir(corpus)).sort()) {
      const root = await realpath(join(corpus, repo));
      const engine = new DriftEngine({ fs: new NodeFileSystem(), repoRoot: root, filesFixed: true });
      const model = await engine.load();
      for (const env of model.environments) {
        const fluxApps = env.applications.filter((a) => a.renderer === 'flux-kustomization' && a.controller);
        if (fluxApps.length === 0) continue;
        // Ours first: every Kustomization of the cluster, for the applied objects and substituteFrom's sources.
        const ours = new Map<Application, Awaited<ReturnType<DriftEngine['renderApplication']>> | Error>();
        for (const app of fluxApps)
          ours.set(app, await engine.renderApplication(env, app).catch((e: unknown) => e as Error));
        const rendered = [...ours.values()].flatMap((r) => (r instanceof Error ? [] : r.objects.map((o) => o.object)));
        const kustomizations = rendered.filter(
          (o) => o.kind === 'Kustomization' && o.apiVersion?.startsWith('kustomize.toolkit.fluxcd.io'),
        );
        // As the engine finds it (appliedObject): same name in the declared namespace or naming none, else the only one.
        const appliedOf = (declared: KubeObject): KubeObject | undefined => {
          const named = kustomizations.filter((o) => o.metadata?.name === declared.metadata?.name);
          const ns = declared.metadata?.namespace;
          return (
            named.find((o) => o.metadata?.namespace === ns) ??
            named.find((o) => !o.metadata?.namespace) ??
            (named.length === 1 ? named[0] : undefined)
          );
        };
        const objectsFile = join(scratch, 'objects.yaml');
        await writeFile(
          objectsFile,
          rendered
            .filter((o) => (o.kind === 'ConfigMap' || o.kind === 'Secret') && o.apiVersion === 'v1')
            .map((o) => stringify(o))
            .join('---\n'),
        );
        for (const app of fluxApps) {
          const label = `${repo} ${env.name} ${app.name}`;
          if (only && !label.includes(only)) continue;
          const path = sourcePath(app);
          if (path === undefined) {
            outside++;
            continue;
          }
          const declared = app.controller!.object;
          const found = appliedOf(declared);
          // The parent's render may leave the namespace to the apply (Flux's default): the declared one stays then.
          const object = found
            ? {
                ...found,
                metadata: { ...found.metadata, namespace: found.metadata?.namespace ?? declared.metadata?.namespace },
              }
            : declared;
          const copy = join(scratch, 'repo');
          await rm(copy, { recursive: true, force: true });
          // flux-build writes the folder's kustomization file: a fresh copy per Kustomization.
          await cp(root, copy, { recursive: true });
          const ksFile = join(scratch, 'ks.yaml');
          await writeFile(ksFile, stringify(object));
          const want = await fluxBuild(ksFile, copy, join(copy, path), objectsFile);
          const got = ours.get(app)!;
          let verdict: Verdict;
          let detail = '';
          if (!want.ok && got instanceof Error) {
            verdict = 'both fail';
            detail = `Flux: ${want.stderr}\nours: ${got.message}`;
          } else if (!want.ok) {
            verdict = 'only Flux fails';
            detail = want.stderr;
          } else if (got instanceof Error) {
            verdict = 'only ours fails';
            detail = got.message;
          } else {
            maskSecretValues(want.objects, got.objects);
            const diff = compareObjects(
              want.objects,
              got.objects.map((o) => o.object),
            );
            verdict = diff ? 'mismatch' : 'match';
            detail = diff ?? '';
          }
          counts.set(verdict, (counts.get(verdict) ?? 0) + 1);
          if (verdict !== 'match' && (verdict !== 'both fail' || verbose)) {
            process.stdout.write(`${verdict.toUpperCase()} ${label} (${path})\n`);
            if (verbose) process.stdout.write(`${detail}\n\n`);
          }
        }
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const identical = (counts.get('match') ?? 0) + (counts.get('both fail') ?? 0);
  process.stdout.write(
    `\n${total} Flux Kustomizations rendered by both: ${identical} identical (${counts.get('match') ?? 0} match, ` +
      `${counts.get('both fail') ?? 0} fail in both); ${counts.get('mismatch') ?? 0} differ, ` +
      `${counts.get('only ours fails') ?? 0} fail only with us, ${counts.get('only Flux fails') ?? 0} only in Flux; ` +
      `${outside} with a source outside the repo (not rendered).\n`,
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 2;
});
