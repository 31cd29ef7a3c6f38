import { driftOptions, type DriftOptions, type IgnoreRule } from '../drift/options';
import type { RepoConfig, RepoEnvironment } from './config';

/**
 * The drift engine's options for one environment: the config's appliers and managers, its ignore rules that apply
 * to this environment, the environment's own (Argo CD's), plus `extraIgnore` (the editor's `gitopsDrift.ignore` setting), and the environment's
 * tracking marks.
 */
export function driftOptionsFor(
  env: RepoEnvironment,
  config: RepoConfig,
  extraIgnore: IgnoreRule[] = [],
): DriftOptions {
  const ignore: IgnoreRule[] = [
    ...config.ignore
      .filter((r) => !r.environments || r.environments.includes(env.name))
      .map(({ environments: _e, ...rule }) => rule),
    // An Argo CD Application's `ignoreDifferences` and argocd-cm's, as Argo CD applies them to it.
    ...(env.ignore ?? []),
    ...extraIgnore,
  ];
  const partial: Partial<DriftOptions> = { ignore, tracking: env.tracking ?? {} };
  if (config.appliers) partial.appliers = config.appliers;
  if (config.outOfBandManagers) partial.outOfBandManagers = config.outOfBandManagers;
  if (config.controllerManagers) partial.controllerManagers = config.controllerManagers;
  return driftOptions(partial);
}
