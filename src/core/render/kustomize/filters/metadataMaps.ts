/** `commonLabels`, `labels` and `commonAnnotations`: set key/value pairs in the maps field specs select. */
import type { Origin } from '../../../model/location';
import { visitFieldSpecs, type FieldSpec } from '../fieldSpec';
import type { Resource } from '../resource';
import { tmap, tscalar, type TMap } from '../../../yaml/tree';

/** One pair to set, with the line that declares it. */
export interface Pair {
  key: string;
  value: string;
  origin: Origin;
}

/** Sets every pair in every map the specs select (creating maps where the spec says so). */
export function applyPairs(resources: Resource[], pairs: Pair[], specs: FieldSpec[], mapOrigin: Origin): void {
  if (pairs.length === 0) return;
  for (const res of resources) {
    visitFieldSpecs(res, specs, mapOrigin, (parent, key) => {
      let map = parent.entries.get(key);
      if (map === undefined || (map.kind === 'scalar' && map.value === null)) {
        map = tmap(mapOrigin);
        parent.entries.set(key, map);
      }
      if (map.kind !== 'map') return;
      for (const p of pairs) (map as TMap).entries.set(p.key, tscalar(p.value, p.origin));
    });
  }
}
