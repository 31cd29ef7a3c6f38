/**
 * Exact mode: asks the API server what applying git would do (server-side apply, dry run, our field manager) and
 * trusts that over the local diff. Admission webhooks and defaulting then cannot cause a false alarm (a value the
 * server would rewrite to what is live anyway) nor hide a change (a value it would rewrite to something new).
 */
import type { ReconcileDetail as ObjectComparison } from './reconcile';
import { nearestOrigin } from './diffObject';
import { childPointer, canonicalJson, isMap, valueAt } from '../yaml/pointer';
import { isSecret, isSecretValuePath, SecretRedactor } from './secrets';
import type { FieldDrift } from '../model/drift';
import type { ClusterWriter } from '../ports';
import { mapWithConcurrency } from '../pool';

/** The field manager of our dry runs. */
export const EXACT_FIELD_MANAGER = 'gitops-drift';

/** Fields the server changes on every write: never drift. */
const VOLATILE = [
  '/metadata/managedFields',
  '/metadata/resourceVersion',
  '/metadata/generation',
  '/metadata/creationTimestamp',
  '/metadata/uid',
  '/status',
];

/**
 * Re-judges each object that exists in the cluster by a dry-run apply of its desired state. When the server says
 * applying git changes nothing, differences git sets are dropped (fields git does not set, such as hand-added
 * ones, stay: an apply would not remove them). When it says something would change that the local diff missed,
 * those fields are added, with the origin of the nearest desired value. A failed dry run keeps the local verdict
 * and says why in the message.
 */
export async function refineWithDryRun(
  objects: ObjectComparison[],
  writer: ClusterWriter,
  concurrency = 8,
): Promise<void> {
  await mapWithConcurrency(
    objects.filter((o) => (o.result.verdict === 'InSync' || o.result.verdict === 'Drifted') && o.desired && o.live),
    concurrency,
    async (o) => {
      const outcome = await writer.apply(o.desired!.object, {
        fieldManager: EXACT_FIELD_MANAGER,
        dryRun: true,
        force: true,
      });
      if (outcome.status !== 'ok' || !outcome.object) {
        o.result.message = `exact mode: the dry-run apply failed (${outcome.status}${'message' in outcome ? `: ${outcome.message}` : ''}); local diff shown`;
        return;
      }
      const after = outcome.object;
      const live = o.live!;
      const changes = differingPaths(after, live).filter(
        (p) => !VOLATILE.some((v) => p === v || p.startsWith(v + '/')),
      );
      const redactor = isSecret(o.result.key) ? new SecretRedactor([after, live]) : undefined;
      if (!changes.length) {
        o.result.fields = o.result.fields.filter((f) => f.desired === undefined);
      } else {
        const known = new Set(o.result.fields.map((f) => f.path));
        for (const path of changes) {
          if (known.has(path) || [...known].some((k) => path.startsWith(k + '/'))) continue;
          const field: FieldDrift = { path, desired: valueAt(after, path), live: valueAt(live, path) };
          const origin = nearestOrigin(o.desired!.origins, path);
          if (origin) field.origin = origin;
          if (redactor) {
            field.desired = redactor.value(path, field.desired);
            field.live = redactor.value(path, field.live);
            if (isSecretValuePath(path)) field.secret = true;
          }
          o.result.fields.push(field);
        }
      }
      o.result.verdict = o.result.fields.length ? 'Drifted' : 'InSync';
    },
  );
}

/** JSON pointers of the leaves (or whole lists, when their lengths differ) where two objects differ. */
export function differingPaths(a: unknown, b: unknown, pointer = ''): string[] {
  if (isMap(a) && isMap(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].sort().flatMap((k) => differingPaths(a[k], b[k], childPointer(pointer, k)));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length)
    return a.flatMap((item, i) => differingPaths(item, b[i], childPointer(pointer, i)));
  return canonicalJson(a) === canonicalJson(b) ? [] : [pointer];
}
