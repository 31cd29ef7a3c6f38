/**
 * The applications of an environment as discovery and the config name them, and the renderer each one needs.
 */
import { type Application, type Environment, sourcePath } from '../model/environment';
import type { FileSystem } from '../ports';
import { KUSTOMIZATION_FILES } from '../render/kustomize/kustomizationFields';
import { joinPath } from './config';
import { mapWithConcurrency } from '../pool';

/**
 * Sets each folder application's renderer from what its folder holds: `kustomize` with a kustomization file,
 * `plain-directory` without one (rendered from the kustomization Flux generates).
 */
export async function settleRenderers(
  fs: FileSystem,
  repoRoot: string,
  environments: readonly Environment[],
): Promise<void> {
  const apps = environments
    .flatMap((e) => e.applications)
    .filter((a) => a.source.type === 'folder' && (a.renderer === 'kustomize' || a.renderer === 'plain-directory'));
  const kinds = await mapWithConcurrency(apps, 16, async (app) => {
    const entries = await fs.readDir(joinPath(repoRoot, sourcePath(app) ?? '')).catch(() => undefined);
    // An unreadable folder keeps `kustomize`: rendering it then names the folder and the reason.
    if (!entries) return 'kustomize' as const;
    return entries.some((e) => !e.isDirectory && KUSTOMIZATION_FILES.includes(e.name))
      ? ('kustomize' as const)
      : ('plain-directory' as const);
  });
  apps.forEach((app, i) => (app.renderer = kinds[i]));
}

/** The environment's application called `name`, or undefined. */
export function applicationNamed(env: Environment, name: string): Application | undefined {
  return env.applications.find((a) => a.name === name);
}
