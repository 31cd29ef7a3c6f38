import { NodeFileSystem } from '../../src/node/nodeFileSystem';
import type { RenderOptions, RenderResult } from '../../src/core/render/types';

type RenderKustomization = (dir: string, options: RenderOptions) => Promise<RenderResult>;

/** Renders `root` (relative to `repoRoot`) with our in-process renderer over the real file system. */
export async function renderOurs(repoRoot: string, root: string): Promise<RenderResult> {
  return (await renderer())(root, { fs: new NodeFileSystem(), repoRoot });
}

let cached: RenderKustomization | undefined;

async function renderer(): Promise<RenderKustomization> {
  if (cached) return cached;
  // The renderer is being written alongside this suite; resolving it at run time lets the suite load (and say
  // clearly what is missing) before src/core/render/kustomize.ts exists.
  const path = '../../src/core/render/kustomize';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path) as { renderKustomization?: RenderKustomization };
  if (typeof mod.renderKustomization !== 'function') throw new Error('src/core/render/kustomize.ts does not export renderKustomization');
  cached = mod.renderKustomization;
  return cached;
}
