import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { keyLabel, keyOf, type KubeObject, type ResourceKey } from '../model/resource';
import type { ApplyConflict, ClusterWriter, Logger, WriteOutcome } from '../ports';
import { isSecret, SecretRedactor } from '../drift/secrets';
import { RefusedError } from './refusal';

/** The field manager every put-live-back apply uses. */
export const FIELD_MANAGER = 'gitops-drift';

/** What putting one object back would do, as the server's dry-run says. */
export interface PutBackItem {
  key: ResourceKey;
  apiVersion: string;
  action: 'create' | 'update' | 'unchanged' | 'delete';
  /** The desired object to apply (absent for a delete). */
  desired?: KubeObject;
  /** Live object before, normalized (see normalize); Secret data masked. */
  before?: KubeObject;
  /** The dry-run result, normalized the same way; undefined for a delete. */
  after?: KubeObject;
  /** Unified diff live → after; Secret values never appear in it. */
  diff: string;
  /** Fields other managers own that the apply would take over (shown, and only forced when confirmed). */
  conflicts: ApplyConflict[];
  /** Why the server would not accept it (invalid object, unknown kind…): the run is refused while any item has one. */
  error?: string;
}

/** The preview of a put-live-back run. */
export interface PutBackPreview {
  items: PutBackItem[];
}

/** What to put back: desired objects (namespaces filled in) and, only when the user asked, Extra objects to delete. */
export interface PutBackRequest {
  apply: KubeObject[];
  /** Extra objects to delete: pass none unless the user chose "also delete Extra objects" for this run. */
  delete?: KubeObject[];
}

/**
 * Asks the server what applying the desired objects (server-side apply, field manager `gitops-drift`) and deleting
 * the chosen Extra objects would do, without persisting anything (`dryRun=All`). A conflicting field is previewed
 * as if forced and listed. A 403 means the context may not write: refused, with the server's message.
 */
export async function previewPutLiveBack(
  writer: ClusterWriter,
  request: PutBackRequest,
  logger: Logger,
): Promise<PutBackPreview> {
  const items: PutBackItem[] = [];
  for (const desired of request.apply) {
    const key = keyOf(desired);
    const live = await writer.get(desired.apiVersion, desired.kind, key.namespace, key.name);
    refuseForbidden(live, 'read', key);
    const before = live.status === 'ok' ? live.object : undefined;
    if (live.status !== 'ok' && live.status !== 'notFound') {
      items.push(failed(desired, key, 'update', secretRedactor(desired)?.text(live.message) ?? live.message));
      continue;
    }
    let dry = await writer.apply(desired, { fieldManager: FIELD_MANAGER, dryRun: true, force: false });
    refuseForbidden(dry, 'apply', key);
    let conflicts: ApplyConflict[] = [];
    if (dry.status === 'conflict' && dry.conflicts.length) {
      conflicts = dry.conflicts;
      dry = await writer.apply(desired, { fieldManager: FIELD_MANAGER, dryRun: true, force: true });
      refuseForbidden(dry, 'apply', key);
    }
    if (dry.status !== 'ok' || !dry.object) {
      const message = 'message' in dry ? dry.message : 'the server returned no object';
      items.push(
        failed(desired, key, before ? 'update' : 'create', secretRedactor(desired, before)?.text(message) ?? message),
      );
      continue;
    }
    const redactor = secretRedactor(desired, before, dry.object);
    const a = redact(redactor, normalize(before));
    const b = redact(redactor, normalize(dry.object));
    const diff = objectDiff(key, a, b);
    const action = !before ? 'create' : diff ? 'update' : 'unchanged';
    items.push({
      key,
      apiVersion: desired.apiVersion,
      action,
      desired,
      ...(a ? { before: a } : {}),
      after: b,
      diff,
      conflicts,
    });
  }
  for (const extra of request.delete ?? []) {
    const key = keyOf(extra);
    const dry = await writer.delete(extra.apiVersion, extra.kind, key.namespace, key.name, { dryRun: true });
    refuseForbidden(dry, 'delete', key);
    if (dry.status === 'notFound') continue;
    if (dry.status !== 'ok') {
      items.push({ key, apiVersion: extra.apiVersion, action: 'delete', diff: '', conflicts: [], error: dry.message });
      continue;
    }
    const a = redact(secretRedactor(extra), normalize(extra));
    items.push({
      key,
      apiVersion: extra.apiVersion,
      action: 'delete',
      ...(a ? { before: a } : {}),
      diff: objectDiff(key, a, undefined),
      conflicts: [],
    });
  }
  logger.info(`put live back: dry-run of ${items.length} object(s): ${summary(items)}`);
  return { items };
}

/** The result of applying one previewed item. */
export interface PutBackResult {
  key: ResourceKey;
  action: PutBackItem['action'];
  status: 'applied' | 'deleted' | 'skipped' | 'failed';
  message?: string;
  /** Whether the object the server persisted equals the dry-run preview (false: something changed in between). */
  matchesPreview: boolean;
  /** The persisted object, normalized and masked like the preview. */
  after?: KubeObject;
}

/**
 * Applies a preview for real. Refuses, writing nothing, when any item failed its dry-run, or when an item has
 * conflicts and `forceConflicts` (the user's second, explicit confirmation) is not set.
 */
export async function applyPutLiveBack(
  writer: ClusterWriter,
  preview: PutBackPreview,
  options: { forceConflicts: boolean },
  logger: Logger,
): Promise<PutBackResult[]> {
  const broken = preview.items.filter((i) => i.error);
  if (broken.length)
    throw new RefusedError(
      `nothing was applied: the dry-run failed for ${broken.map((i) => `${keyLabel(i.key)} (${i.error})`).join('; ')}`,
    );
  const conflicted = preview.items.filter((i) => i.conflicts.length);
  if (conflicted.length && !options.forceConflicts) {
    throw new RefusedError(
      `nothing was applied: ${describeConflicts(conflicted)}. Confirm again with force to take these fields over.`,
    );
  }
  const results: PutBackResult[] = [];
  for (const item of preview.items) {
    if (item.action === 'unchanged') {
      results.push({ key: item.key, action: item.action, status: 'skipped', matchesPreview: true });
    } else if (item.action === 'delete') {
      const out = await writer.delete(item.apiVersion, item.key.kind, item.key.namespace, item.key.name, {
        dryRun: false,
      });
      results.push(
        out.status === 'ok' || out.status === 'notFound'
          ? { key: item.key, action: item.action, status: 'deleted', matchesPreview: true }
          : { key: item.key, action: item.action, status: 'failed', message: out.message, matchesPreview: false },
      );
    } else {
      const out = await writer.apply(item.desired!, {
        fieldManager: FIELD_MANAGER,
        dryRun: false,
        force: item.conflicts.length > 0,
      });
      if (out.status !== 'ok' || !out.object) {
        results.push({
          key: item.key,
          action: item.action,
          status: 'failed',
          message: 'message' in out ? out.message : 'no object returned',
          matchesPreview: false,
        });
        continue;
      }
      const after = redact(secretRedactor(item.desired, out.object), normalize(out.object))!;
      results.push({
        key: item.key,
        action: item.action,
        status: 'applied',
        matchesPreview: stringify(after) === stringify(item.after),
        after,
      });
    }
  }
  logger.info(`put live back: ${results.map((r) => `${keyLabel(r.key)} ${r.status}`).join(', ')}`);
  return results;
}

/** `Deployment shop/web: .spec.replicas is managed by "kubectl-edit"` lines. */
export function describeConflicts(items: PutBackItem[]): string {
  return items
    .map((i) => `${keyLabel(i.key)}: ${i.conflicts.map((c) => `${c.field} is managed by "${c.manager}"`).join(', ')}`)
    .join('; ');
}

function summary(items: PutBackItem[]): string {
  const count = (a: PutBackItem['action']) => items.filter((i) => i.action === a && !i.error).length;
  return `${count('create')} to create, ${count('update')} to update, ${count('delete')} to delete, ${count('unchanged')} unchanged, ${items.filter((i) => i.error).length} failed`;
}

function refuseForbidden(outcome: WriteOutcome, verb: string, key: ResourceKey): void {
  if (outcome.status === 'forbidden') {
    throw new RefusedError(
      `this context may not change ${keyLabel(key)}: the API server refused the dry-run ${verb} (403 Forbidden: ${outcome.message}). Nothing was changed; use a context with write access.`,
    );
  }
}

function failed(desired: KubeObject, key: ResourceKey, action: PutBackItem['action'], message: string): PutBackItem {
  return { key, apiVersion: desired.apiVersion, action, desired, diff: '', conflicts: [], error: message };
}

/** Drops what the server assigns on every write (identity, versions, ownership, status): not the object's content. */
export function normalize(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const copy = structuredClone(obj);
  const {
    managedFields: _m,
    resourceVersion: _r,
    generation: _g,
    uid: _u,
    creationTimestamp: _c,
    ...metadata
  } = copy.metadata;
  copy.metadata = metadata;
  delete copy.status;
  return copy;
}

/** A redactor for a Secret's versions (what is applied, what was live, what the server returned); none otherwise. */
function secretRedactor(...objects: (KubeObject | undefined)[]): SecretRedactor | undefined {
  return objects.some((o) => o && isSecret(o)) ? new SecretRedactor(objects) : undefined;
}

/** The object as the preview shows it: a Secret's values masked wherever they hide (data, last-applied, …). */
function redact(redactor: SecretRedactor | undefined, obj: KubeObject | undefined): KubeObject | undefined {
  return obj && redactor ? redactor.object(obj) : obj;
}

function objectDiff(key: ResourceKey, before: KubeObject | undefined, after: KubeObject | undefined): string {
  const a = before ? stringify(before, { lineWidth: 0 }) : '';
  const b = after ? stringify(after, { lineWidth: 0 }) : '';
  if (a === b) return '';
  const name = `${key.kind}/${key.namespace ? key.namespace + '/' : ''}${key.name}`;
  return createTwoFilesPatch(`live/${name}`, `${after ? 'applied' : 'deleted'}/${name}`, a, b, undefined, undefined, {
    context: 3,
  });
}
