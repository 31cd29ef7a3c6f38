import { driftOptions, type DriftOptions, type IgnoreRule } from '../drift/options';
import { ruleMatchesObject } from '../drift/ignore';
import type { ResourceKey } from '../model/resource';
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

/**
 * The options with each rule limited to some applications (an Argo CD Application's `ignoreDifferences` in an
 * environment of several Applications) narrowed to those applications' objects: one rule per object it matches,
 * naming it exactly. `objects` are the environment's rendered objects (placed in their namespaces) and their
 * applications. Unchanged when no rule is limited.
 */
export function narrowToApplications(
  options: DriftOptions,
  objects: readonly { key: ResourceKey; application?: string }[],
): DriftOptions {
  if (!options.ignore.some((r) => r.applications)) return options;
  const ignore: IgnoreRule[] = [];
  for (const rule of options.ignore) {
    if (!rule.applications) {
      ignore.push(rule);
      continue;
    }
    const { applications, ...rest } = rule;
    for (const { key, application } of objects)
      if (application !== undefined && applications.includes(application) && ruleMatchesObject(rest, key))
        ignore.push({ ...rest, group: key.group, kind: key.kind, name: key.name, namespace: key.namespace });
  }
  return { ...options, ignore };
}
