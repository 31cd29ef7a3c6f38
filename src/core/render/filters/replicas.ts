/** `replicas:` entries (kustomize's replicacount transformer). */
import type { Origin } from '../../model/location';
import { replicaSpecs } from '../defaultConfig';
import { visitFieldSpecs } from '../fieldSpec';
import { nameOf, type Resource } from '../resource';
import { tscalar } from '../tree';

/** One `replicas:` entry. */
export interface ReplicaEdit {
  name: string;
  count: number;
  origin: Origin;
}

/** Sets spec.replicas of the workloads each entry names (current or earlier name); later entries win. */
export function applyReplicas(resources: Resource[], edits: ReplicaEdit[]): void {
  if (edits.length === 0) return;
  // Index by every name a resource had, so n entries cost one pass instead of n.
  const byName = new Map<string, Set<Resource>>();
  const index = (name: string, res: Resource) => {
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(res);
  };
  for (const res of resources) {
    index(nameOf(res), res);
    for (const h of res.history) index(h.name, res);
  }
  for (const edit of edits) {
    for (const res of byName.get(edit.name) ?? []) {
      visitFieldSpecs(res, replicaSpecs, edit.origin, (parent, key) => parent.entries.set(key, tscalar(edit.count, edit.origin)));
    }
  }
}
