/**
 * When the editor reads Argo CD environments as their Applications' status only (one LIST of Argo CD's
 * Applications, no live object) until one is opened: Argo CD's fleet shape. At that scale Argo CD's controllers have
 * compared every object already; an opened environment's objects are read then (its live objects, or Argo CD's
 * managed resources).
 */
import { argoApplicationOf } from '../live/argoApplication';
import type { RepoEnvironment } from '../repo/config';
import { FEW_ENVIRONMENTS } from './treeLayout';

/**
 * `gitopsDrift.argocd.fleetThreshold`'s default: beyond this many Argo CD Applications the fleet shape starts. The
 * tree's fold threshold, which was the fleet threshold before it was a setting (one Application was one environment).
 */
export const DEFAULT_FLEET_THRESHOLD = FEW_ENVIRONMENTS;

/** How many Argo CD Applications the environments hold (a multi-source Application once). */
export function argoApplicationCount(environments: readonly RepoEnvironment[]): number {
  const names = new Set<string>();
  for (const env of environments)
    for (const app of env.applications) {
      const ref = argoApplicationOf(app, env.tracking);
      if (ref) names.add(`${ref.namespace}/${ref.name}`);
    }
  return names.size;
}

/**
 * Whether an environment is read as its Argo CD status only: it holds an Argo CD Application, it is not opened, and
 * the repo has more Argo CD Applications than `threshold`.
 */
export function readsStatusOnly(
  env: RepoEnvironment,
  applications: number,
  opened: boolean,
  threshold: number = DEFAULT_FLEET_THRESHOLD,
): boolean {
  return !opened && applications > threshold && env.applications.some((a) => argoApplicationOf(a, env.tracking));
}
