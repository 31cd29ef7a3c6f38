/**
 * Starts the Flux benchmark's test bed (bench/flux/testBed.ts) and keeps it until interrupted, printing its
 * KUBECONFIG and repo folder: for profiling by hand and for `bench/flux/editor.mjs --reuse`.
 *   npx tsx bench/flux/serve.ts   # then, in another shell: export the printed line
 */
import { startFluxTestBed } from './testBed';

async function main(): Promise<void> {
  const bed = await startFluxTestBed();
  const ms = bed.fluxBuildMs;
  console.log(`export KUBECONFIG=${bed.cluster.kubeconfigPath} REPO=${bed.dir} RENDERED=${bed.renderedFile}`);
  console.log(
    `flux-build: ${ms.length} runs, ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms in all; hand changes: ${bed.handChanges.join(' ')}`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await bed.stop();
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
