/** `replicas:` entries (kustomize's replicacount transformer). */
import type { Origin } from '../../model/location';
import { replicaSpecs } from '../defaultConfig';
import { visitFieldSpecs } from '../fieldSpec';
import { hadName, type Resource } from '../resource';
import { tscalar } from '../tree';

/** Sets spec.replicas of the workloads named `name` (current or earlier name). */
export function applyReplicas(resources: Resource[], name: string, count: number, origin: Origin): void {
  for (const res of resources) {
    if (!hadName(res, name)) continue;
    visitFieldSpecs(res, replicaSpecs, origin, (parent, key) => parent.entries.set(key, tscalar(count, origin)));
  }
}
