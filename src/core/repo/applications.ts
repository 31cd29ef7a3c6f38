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
    .filter(
      (a) => a.source.type === 'folder' && !a.argo && (a.renderer === 'kustomize' || a.renderer === 'plain-directory'),
    );
  const kinds = await mapWithConcurrency(apps, 16, async (app) => {
    const entries = await fs.readDir(joinPath(repoRoot, sourcePath(app) ?? '')).catch(() => undefined);
    // An unreadable folder keeps `kustomize`: rendering it then names the folder and the reason.
    if (!entries) return 'kustomize' as const;
    return entries.some((e) => !e.isDirectory && KUSTOMIZATION_FILES.includes(e.name))
      ? ('kustomize' as const)
      : ('plain-directory' as const);
  });
  apps.forEach((app, i) => (app.renderer = kinds[i]));
  await settleArgoSources(fs, repoRoot, environments);
}

/**
 * An Argo CD source's type, as Argo CD discovers it when the Application names none (`util/app/discovery`): a
 * kustomization file in the folder makes it Kustomize, else `Chart.yaml` makes it Helm (a chart source, never read as
 * manifests), else a directory. `directory:` or `plugin:` in the source decide it whatever the folder holds.
 */
async function settleArgoSources(
  fs: FileSystem,
  repoRoot: string,
  environments: readonly Environment[],
): Promise<void> {
  const apps = environments
    .flatMap((e) => e.applications)
    .filter(
      (a) => a.argo && !a.argo.directory && !a.argo.plugin && (a.source.type === 'folder' || a.source.type === 'chart'),
    );
  await mapWithConcurrency(apps, 16, async (app) => {
    const path = sourcePath(app) ?? '';
    const entries = await fs.readDir(joinPath(repoRoot, path)).catch(() => undefined);
    if (!entries) return;
    if (entries.some((e) => !e.isDirectory && KUSTOMIZATION_FILES.includes(e.name))) {
      app.renderer = 'kustomize';
      app.source = { type: 'folder', path };
    } else if (entries.some((e) => e.isFile && e.name === 'Chart.yaml')) {
      app.renderer = 'helm';
      app.source = { type: 'chart', path };
    } else {
      app.renderer = 'argo-directory';
      app.source = { type: 'folder', path };
    }
  });
}

/** The environment's application called `name`, or undefined. */
export function applicationNamed(env: Environment, name: string): Application | undefined {
  return env.applications.find((a) => a.name === name);
}
