import { execFile } from 'node:child_process';
import type { KubeObject } from '../../src/core/model/resource';
import { testbedBin } from '../testbed/bins';
import { parseStream } from './kustomizeCli';

/** What Flux's own code rendered (test/testbed/fluxBuild): the objects, or its error text. */
export type FluxOutcome = { ok: true; objects: KubeObject[] } | { ok: false; stderr: string };

/**
 * Renders `dir` (absolute, inside `root`) as kustomize-controller does, with the Flux Kustomization in `kustomizationFile`
 * and the ConfigMaps/Secrets in `objectsFile` for substituteFrom (`strict`: the StrictPostBuildSubstitutions gate). It writes the folder's kustomization file: pass a copy.
 */
export function fluxBuild(
  kustomizationFile: string,
  root: string,
  dir: string,
  objectsFile?: string,
  options: { strict?: boolean } = {},
): Promise<FluxOutcome> {
  const bin = testbedBin('flux-build');
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      [kustomizationFile, root, dir, ...(objectsFile ? [objectsFile] : [])],
      {
        cwd: root,
        maxBuffer: 256 * 1024 * 1024,
        // Strict postBuild substitution, as the controller's StrictPostBuildSubstitutions feature gate.
        env: { ...process.env, FLUX_BUILD_STRICT: options.strict ? '1' : '0' },
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        if (err) return resolve({ ok: false, stderr: stderr.trim() });
        try {
          resolve({ ok: true, objects: parseStream(stdout) });
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}
