/**
 * The diff of one desired object against its live counterpart: walk 1 (values git sets), walk 2 (values git does
 * not set but an applier or a hand edit did), then controller ownership, ignore rules, who-changed-it, origins and
 * Secret masking. Also yields the normalised pair the unified diff prints.
 */
import type { FieldChange, FieldDrift, IgnoredField } from '../model/drift';
import type { Origin } from '../model/location';
import type { KubeObject, ResourceKey } from '../model/resource';
import type { RenderedObject } from '../render/types';
import { type Coverage, DesiredWalk, isSkippedPath, type RawDrift } from './compare';
import { typeIdOf } from './listKeys';
import { type ExtraDrift, findExtras } from './extras';
import { ignoringRule } from './ignore';
import { type ManagedEntry, readOwnership } from './managedFields';
import type { DriftOptions } from './options';
import { childPointer, isMap, parentPointer, pointerSegments } from '../yaml/pointer';
import { GlobSet } from '../glob';
import { foldStringData, isSecret, isSecretValuePath, maskSecret, SecretRedactor } from './secrets';
import { setOwn } from '../ownKeys';
import { argoApplicationsTracked } from './tracking';

/** The drifted fields and the normalised, Secret-masked sides behind them; a side is absent when the object is. */
export interface ObjectPair {
  fields: FieldDrift[];
  /** Differences an ignore rule hides, with the rule's place. */
  ignored?: IgnoredField[];
  desired?: KubeObject;
  live?: KubeObject;
}

/** An object diff: the drifted fields and the normalised pair behind them. */
export interface ObjectDiff extends ObjectPair {
  /** Desired without server fields and status; Secret `stringData` folded into `data`, values masked. */
  desired: KubeObject;
  /** Live projected onto what git sets plus the drifted live-only values; Secret values masked. */
  live: KubeObject;
}

/** What `diffObject` derives from the options; compile once per reconcile with `compileDriftOptions`. */
export interface CompiledDriftOptions {
  injected: GlobSet;
}

/** Compiles the parts of the options that are costly to derive per object. */
export function compileDriftOptions(options: DriftOptions): CompiledDriftOptions {
  return { injected: new GlobSet(injectedKeys(options)) };
}

/** Diffs one rendered object against the live object with the same key. */
export function diffObject(
  rendered: RenderedObject,
  live: KubeObject,
  options: DriftOptions,
  compiled = compileDriftOptions(options),
): ObjectDiff {
  const key = rendered.key;
  const secret = isSecret(key);
  const desired = secret ? foldStringData(rendered.object) : rendered.object;
  const ownership = readOwnership(live);
  const walk = new DesiredWalk(typeIdOf(live), secret, ownership);
  walk.run(desired as Record<string, unknown>, live as Record<string, unknown>);
  const extras = findExtras(live, ownership, walk.coverage, options, compiled.injected);

  // One redactor for both sides: a value only the cluster holds is still found in the other side's annotations.
  const redactor = secret ? new SecretRedactor([desired, live]) : undefined;
  const fields: FieldDrift[] = [];
  // Differences that are not drift (controller-owned, ignored): left out of the printed pair too.
  const suppressed = new Set<string>();
  const keptExtras: ExtraDrift[] = [];
  const ignored: IgnoredField[] = [];
  for (const raw of (extras.length ? [...walk.drifts, ...extras] : walk.drifts) as ExtraDrift[]) {
    const owners = raw.livePath !== undefined && raw.live !== undefined ? ownership.ownersOf(raw.livePath) : [];
    // A field a controller owns (HPA → spec.replicas) follows the controller, not git.
    const controllerOwned =
      !raw.cause &&
      raw.livePath !== undefined &&
      ownership.ownersOf(raw.livePath, false).some((o) => options.controllerManagers.includes(o.manager));
    // A value git only knows is there (substituted from a Secret: a placeholder stands in) is compared by presence.
    const presenceOnly =
      raw.desired !== undefined && raw.live !== undefined && rendered.origins.get(raw.path)?.secret === true;
    const rule =
      presenceOnly || controllerOwned ? undefined : ignoringRule(options.ignore, key, [raw.path, raw.livePath], owners);
    if (presenceOnly || controllerOwned || rule) {
      suppressed.add(raw.path);
      if (rule)
        ignored.push({
          path: raw.path,
          ...(raw.label ? { label: raw.label } : {}),
          ...(rule.definedAt ? { rule: rule.definedAt } : {}),
        });
      continue;
    }
    if (raw.cause) keptExtras.push(raw);
    fields.push(toFieldDrift(raw, rendered, redactor, raw.entry ?? latest(owners, options)));
  }

  // The pair is built when asked for (diffs, the editor's compare view): most objects never need it.
  let pair: { desired: KubeObject; live: KubeObject } | undefined;
  const views = (): { desired: KubeObject; live: KubeObject } => {
    if (!pair) {
      const projection = new DesiredWalk(typeIdOf(live), secret, ownership, true, suppressed);
      projection.run(desired as Record<string, unknown>, live as Record<string, unknown>);
      const desiredView = withIdentity(prune(desired, '') as Record<string, unknown>, desired, key);
      const liveView = withIdentity(addExtras(projection.view, projection.coverage, keptExtras), live, key);
      pair = redactor
        ? { desired: redactor.object(desiredView), live: redactor.object(liveView) }
        : { desired: desiredView, live: liveView };
    }
    return pair;
  };
  return {
    fields,
    ...(ignored.length ? { ignored } : {}),
    get desired() {
      return views().desired;
    },
    get live() {
      return views().live;
    },
  };
}

function toFieldDrift(
  raw: RawDrift,
  rendered: RenderedObject,
  redactor: SecretRedactor | undefined,
  changedBy: ManagedEntry | undefined,
): FieldDrift {
  let path = raw.path;
  const out: FieldDrift = { path, desired: raw.desired, live: raw.live, label: raw.label };
  const secret = redactor !== undefined;
  if (redactor) {
    // Every field of a Secret: values hide in annotations too (last-applied), not only in data.
    out.desired = redactor.value(raw.path, raw.desired);
    out.live = redactor.value(raw.livePath ?? raw.path, raw.live);
  }
  if (secret && (isSecretValuePath(raw.path) || (raw.livePath !== undefined && isSecretValuePath(raw.livePath)))) {
    out.secret = true;
    // Git may have said it with `stringData`: point there, where the origins are.
    const dataKey = /^\/data\/(.+)$/.exec(raw.path)?.[1];
    const stringData = rendered.object.stringData;
    if (dataKey && isMap(stringData) && pointerSegments(`/${dataKey}`)[0] in stringData) {
      path = `/stringData/${dataKey}`;
      out.label = raw.label.replace(/^data/, 'stringData');
    }
  }
  out.path = path;
  let originPath = raw.originPath ?? path;
  // A value git does not have, in a Secret git wrote with stringData: its origin is the stringData map.
  if (
    secret &&
    /^\/data(\/|$)/.test(originPath) &&
    !rendered.origins.has(originPath) &&
    isMap(rendered.object.stringData)
  ) {
    originPath = originPath.replace(/^\/data/, '/stringData');
  }
  const origin = nearestOrigin(rendered.origins, originPath);
  if (origin) out.origin = origin;
  if (raw.livePath !== undefined && raw.livePath !== path) out.livePath = raw.livePath;
  if (changedBy) {
    const change: FieldChange = { manager: changedBy.manager, operation: changedBy.operation };
    if (changedBy.time) change.time = changedBy.time;
    out.changedBy = change;
  }
  if (raw.cause) out.cause = raw.cause;
  return out;
}

/** The origin of a pointer, or of its nearest ancestor that has one. */
export function nearestOrigin(origins: ReadonlyMap<string, Origin>, pointer: string): Origin | undefined {
  for (let p = pointer; ; p = parentPointer(p)) {
    const o = origins.get(p);
    if (o) return o;
    if (p === '') return undefined;
  }
}

/** The owner most likely to have set the current value: the latest; on a tie, a hand-run one over an applier. */
function latest(owners: ManagedEntry[], options: DriftOptions): ManagedEntry | undefined {
  const rank = (e: ManagedEntry): number =>
    options.outOfBandManagers.includes(e.manager) ? 2 : options.appliers.includes(e.manager) ? 0 : 1;
  return [...owners].sort((a, b) => (b.time ?? '').localeCompare(a.time ?? '') || rank(b) - rank(a))[0];
}

/** Label/annotation keys deployment tools inject, including this environment's tracking marks. */
function injectedKeys(options: DriftOptions): string[] {
  const keys = [...options.injectedMetadata];
  if (argoApplicationsTracked(options.tracking).length)
    keys.push(options.tracking.argocdLabel ?? 'app.kubernetes.io/instance');
  keys.push(...Object.keys(options.tracking.labels ?? {}));
  return keys;
}

/** Desired minus what the engine never compares (server fields, status, null values). */
function prune(value: unknown, pointer: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => prune(v, childPointer(pointer, i)));
  if (!isMap(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = childPointer(pointer, k);
    if (v === null || v === undefined || isSkippedPath(p)) continue;
    setOwn(out, k, prune(v, p));
  }
  return out;
}

/** Puts the drifted live-only values into the projected live object, where they sit in the cluster. */
function addExtras(view: Record<string, unknown>, coverage: Coverage, extras: RawDrift[]): Record<string, unknown> {
  for (const extra of extras) {
    if (extra.livePath === undefined) continue;
    const segments = pointerSegments(extra.livePath);
    // Find the deepest projected node on the way, then build maps below it.
    let at = -1;
    let p = '';
    for (let i = 0; i <= segments.length; i++) {
      if (coverage.nodeAt(p)) at = i;
      if (i < segments.length) p = childPointer(p, segments[i]);
    }
    if (at < 0) continue;
    let node: unknown = coverage.nodeAt(segments.slice(0, at).reduce((acc, s) => childPointer(acc, s), ''))?.view;
    if (at === 0) node = view;
    for (let i = at; i < segments.length; i++) {
      const last = i === segments.length - 1;
      if (Array.isArray(node)) {
        node.push(extra.live);
        break;
      }
      if (!isMap(node)) break;
      if (last) node[segments[i]] = extra.live;
      else node = node[segments[i]] ??= {};
    }
  }
  return view;
}

/** Leads with apiVersion, kind and the name so the printed YAML reads like a manifest. */
function withIdentity(view: Record<string, unknown>, source: KubeObject, key: ResourceKey): KubeObject {
  const metadata: Record<string, unknown> = { name: key.name };
  if (key.namespace) metadata.namespace = key.namespace;
  Object.assign(metadata, isMap(view.metadata) ? view.metadata : {});
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = view;
  return { apiVersion: source.apiVersion, kind: source.kind, metadata, ...rest } as KubeObject;
}

/** A desired object as the diff prints it: no server fields or status, Secret `stringData` folded and masked. */
export function normalizedDesired(rendered: RenderedObject): KubeObject {
  const secret = isSecret(rendered.key);
  const desired = secret ? foldStringData(rendered.object) : rendered.object;
  const view = withIdentity(prune(desired, '') as Record<string, unknown>, desired, rendered.key);
  return secret ? maskSecret(view) : view;
}

/** A live object as the diff prints it: no server fields, status or last-applied annotation, Secret values masked. */
export function normalizedLive(live: KubeObject, key: ResourceKey): KubeObject {
  const view = withIdentity(prune(live, '') as Record<string, unknown>, live, key);
  const metadata = view.metadata as Record<string, unknown>;
  for (const field of ['labels', 'annotations'])
    if (isMap(metadata[field]) && Object.keys(metadata[field] as object).length === 0) delete metadata[field];
  return isSecret(key) ? maskSecret(view) : view;
}
