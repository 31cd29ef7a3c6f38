/** `replicas:` entries (kustomize's replicacount transformer). */
import type { Origin, SourceLocation } from '../../../model/location';
import { ProblemError } from '../../../model/problem';
import { replicaSpecs } from '../defaultConfig';
import { visitFieldSpecs } from '../fieldSpec';
import { gvkOf, nameOf, type Resource } from '../resource';
import { tscalar } from '../../../yaml/tree';

/** One `replicas:` entry. */
export interface ReplicaEdit {
  name: string;
  count: number;
  origin: Origin;
  /** The entry (its `name:`), where a name matching nothing is reported. */
  entry: SourceLocation;
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
    const named = [...(byName.get(edit.name) ?? [])];
    if (named.length === 0)
      throw new ProblemError({
        severity: 'error',
        message: `replicas: no object is named '${edit.name}'`,
        location: edit.entry,
      });
    let set = false;
    for (const res of named) {
      visitFieldSpecs(res, replicaSpecs, edit.origin, (parent, key) => {
        parent.entries.set(key, tscalar(edit.count, edit.origin));
        set = true;
      });
    }
    // As in kustomize: a name that only matches kinds it cannot scale (a Rollout, a CRD) is an error.
    if (!set)
      throw new ProblemError({
        severity: 'error',
        message: `replicas: '${edit.name}' is a ${named.map((r) => gvkOf(r).kind).join(', ')}; replicas can only set Deployment, ReplicationController, ReplicaSet and StatefulSet`,
        location: edit.entry,
      });
  }
}
