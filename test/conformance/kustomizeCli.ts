import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource';
import { testbedBin } from '../testbed/bins';

/** What `kustomize build` did: the parsed objects it printed, or its error text. */
export type KustomizeOutcome = { ok: true; objects: KubeObject[]; stdout: string } | { ok: false; stderr: string };

/** Runs the real `kustomize build` (test bed binary, default options) on `root` inside `repoRoot`. */
export function kustomizeBuild(repoRoot: string, root: string): Promise<KustomizeOutcome> {
  const bin = testbedBin('kustomize');
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ['build', join(repoRoot, root)],
      { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err); // could not start the binary at all
        if (err) return resolve({ ok: false, stderr: stderr.trim() });
        try {
          resolve({ ok: true, objects: parseStream(stdout), stdout });
        } catch (e) {
          reject(e);
        }
      },
    );
  });
}

/**
 * Parses a multi-document YAML stream, as YAML 1.2 (how kyaml writes and reads it) unless asked for 1.1 (how
 * older readers such as go-yaml v2 in kubectl's libraries type `yes`, `on`, `0755`...). `intAsBigInt` keeps
 * integers beyond 2^53 exact, so printed text that a lossy parse would hide still compares.
 */
export function parseStream(text: string, version: '1.1' | '1.2' = '1.2', intAsBigInt = false): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text, { version, intAsBigInt })) {
    if (doc.errors.length) throw new Error(`unparsable YAML stream: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value as KubeObject);
  }
  return objects;
}
