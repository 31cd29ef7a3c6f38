import { renderKustomization } from '../../src/core/render/kustomize/kustomize';
import type { RenderResult } from '../../src/core/render/types';
import { NodeFileSystem } from '../../src/node/nodeFileSystem';

/** Renders `root` (relative to `repoRoot`) with our in-process renderer over the real file system, no cache. */
export function renderOurs(repoRoot: string, root: string): Promise<RenderResult> {
  return renderKustomization(root, { fs: new NodeFileSystem(), repoRoot });
}
