/**
 * Helm's release records as the cluster stores them (helm.sh/helm pkg/storage/driver, the same in Helm 3 and 4):
 * one object per release revision, named `sh.helm.release.v1.<release>.v<revision>`, labelled `owner=helm`,
 * `name=<release>`, `status`, `version`, holding `data.release`: the release as JSON, gzipped, base64-encoded. The
 * Secret driver (the default, type `helm.sh/release.v1`) stores that text as the Secret's data, so the API adds a
 * second base64; the ConfigMap driver stores the text itself. Records written before Helm compressed them are
 * plain base64 JSON (no gzip magic), as Helm's decodeRelease still accepts.
 *
 * A release's `config` holds the values the user gave (`--set`, `-f`, a HelmRelease's values and valuesFrom): it is
 * secret. It is kept here only to be compared; nothing prints, logs or shows it, and no error message quotes it.
 */
import { gunzipSync } from 'node:zlib';
import { loadAll } from 'js-yaml';
import type { LiveState } from '../model/live';
import { scopeKey } from '../model/live';
import type { KubeObject } from '../model/resource';

/** The Secret type Helm gives its release Secrets. */
export const HELM_RELEASE_SECRET_TYPE = 'helm.sh/release.v1';

/** A Helm release status, as Helm writes it (`deployed`, `failed`, `superseded`, `pending-upgrade`, …). */
export type HelmReleaseStatusName = string;

/** One release revision, decoded. */
export interface HelmReleaseRecord {
  name: string;
  namespace: string;
  /** The revision (1 for the install, then one per upgrade or rollback). */
  version: number;
  status: HelmReleaseStatusName;
  /** RFC 3339, as Helm writes it. */
  firstDeployed?: string;
  lastDeployed?: string;
  /** Helm's one-line log entry, e.g. `Install complete`, `Upgrade "web" failed: …`. */
  description?: string;
  chart: { name: string; version: string; appVersion?: string };
  /** The user-supplied values (secret: compare only, never show). */
  config: Record<string, unknown>;
  /** The rendered templates Helm applied, `---` documents each after a `# Source: chart/templates/x.yaml` line. */
  manifest: string;
  /** Hooks (not part of `manifest`; the controllers leave them out of drift too). */
  hooks: { name: string; kind: string; path: string; events: string[] }[];
  /** Helm 4: `ssa` (server-side apply) or `csa`; absent for Helm 3 records. */
  applyMethod?: string;
  /** The storage object this record was read from. */
  storage: { kind: 'Secret' | 'ConfigMap'; namespace: string; name: string };
}

/** A storage object that could not be decoded, and why (the message never quotes its data). */
export interface UndecodableRecord {
  storage: HelmReleaseRecord['storage'];
  message: string;
}

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

/** Whether a Secret or ConfigMap is one of Helm's release records (its labels and, for a Secret, its type). */
export function isReleaseRecord(obj: KubeObject): boolean {
  if (obj.apiVersion !== 'v1' || (obj.kind !== 'Secret' && obj.kind !== 'ConfigMap')) return false;
  if (obj.metadata?.labels?.owner !== 'helm') return false;
  return obj.kind === 'ConfigMap' || obj.type === HELM_RELEASE_SECRET_TYPE;
}

/**
 * Decodes one storage object (Secret or ConfigMap) into its release. Throws an Error naming the object (never its
 * data) when it is not a well-formed record.
 */
export function decodeReleaseRecord(obj: KubeObject): HelmReleaseRecord {
  const storage = {
    kind: obj.kind as 'Secret' | 'ConfigMap',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
  const where = `${storage.kind} ${storage.namespace}/${storage.name}`;
  const data = (obj.data ?? {}) as Record<string, unknown>;
  const field = data.release;
  if (typeof field !== 'string') throw new Error(`${where} has no data.release: not a Helm release record`);
  // A Secret's data is base64 of Helm's text, itself base64 (a ConfigMap holds Helm's text directly).
  const text = storage.kind === 'Secret' ? Buffer.from(field, 'base64').toString('latin1') : field;
  let bytes = Buffer.from(text, 'base64');
  if (bytes.length > 3 && GZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`${where}: data.release is not valid gzip (${(e as Error).message})`);
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    // JSON.parse's message quotes the text, which holds the release's values: say only where.
    throw new Error(`${where}: data.release does not decode to a JSON release`);
  }
  return releaseFromJson(json, storage, where);
}

function releaseFromJson(json: unknown, storage: HelmReleaseRecord['storage'], where: string): HelmReleaseRecord {
  const r = record(json);
  const info = record(r.info);
  const metadata = record(record(r.chart).metadata);
  const name = str(r.name);
  const version = typeof r.version === 'number' ? r.version : undefined;
  if (!name || version === undefined) throw new Error(`${where}: the decoded release has no name or version`);
  const hooks = Array.isArray(r.hooks) ? r.hooks.map(record) : [];
  return {
    name,
    namespace: str(r.namespace) ?? storage.namespace,
    version,
    status: str(info.status) ?? 'unknown',
    ...(str(info.first_deployed) ? { firstDeployed: str(info.first_deployed) } : {}),
    ...(str(info.last_deployed) ? { lastDeployed: str(info.last_deployed) } : {}),
    ...(str(info.description) ? { description: str(info.description) } : {}),
    chart: {
      name: str(metadata.name) ?? '',
      version: str(metadata.version) ?? '',
      ...(str(metadata.appVersion) ? { appVersion: str(metadata.appVersion) } : {}),
    },
    config: record(r.config),
    manifest: str(r.manifest) ?? '',
    hooks: hooks.map((h) => ({
      name: str(h.name) ?? '',
      kind: str(h.kind) ?? '',
      path: str(h.path) ?? '',
      events: Array.isArray(h.events) ? h.events.filter((e): e is string => typeof e === 'string') : [],
    })),
    ...(str(r.apply_method) ? { applyMethod: str(r.apply_method) } : {}),
    storage,
  };
}

/** The revisions of one release that say where it stands, decoded, and the records that could not be decoded. */
export interface ReleaseHistory {
  /** Newest first: the newest revision and the newest deployed one (the same record when it is deployed). */
  records: HelmReleaseRecord[];
  /** How many revisions the storage holds. */
  revisions: number;
  undecodable: UndecodableRecord[];
}

/**
 * The revisions of release `name` among `objects` (a namespace's Secrets and ConfigMaps labelled `owner=helm` and
 * `name=<name>`) that matter: the newest, and the newest deployed. Only those are decoded: the `version` and `status`
 * labels Helm keeps on each record (updated when a revision is superseded) say which they are, and the decoded
 * record has the last word. One bad record is reported and skipped; it never hides the others.
 */
export function releaseHistory(objects: Iterable<KubeObject>, name: string): ReleaseHistory {
  const out: ReleaseHistory = { records: [], revisions: 0, undecodable: [] };
  const candidates: { obj: KubeObject; version: number }[] = [];
  for (const obj of objects) {
    if (!isReleaseRecord(obj) || obj.metadata?.labels?.name !== name) continue;
    const version = Number(obj.metadata.labels.version);
    candidates.push({ obj, version: Number.isInteger(version) ? version : Number.POSITIVE_INFINITY });
  }
  out.revisions = candidates.length;
  // Unlabelled versions sort first, so they are decoded and placed by what they hold.
  candidates.sort((a, b) => b.version - a.version);
  let deployedFound = false;
  for (const { obj } of candidates) {
    const newestKnown = out.records.length > 0;
    if (newestKnown && (deployedFound || obj.metadata.labels?.status !== 'deployed')) continue;
    try {
      const record = decodeReleaseRecord(obj);
      out.records.push(record);
      if (record.status === 'deployed') deployedFound = true;
    } catch (e) {
      out.undecodable.push({
        storage: {
          kind: obj.kind as 'Secret' | 'ConfigMap',
          namespace: obj.metadata?.namespace ?? '',
          name: obj.metadata?.name ?? '',
        },
        message: (e as Error).message,
      });
    }
  }
  out.records.sort((a, b) => b.version - a.version);
  return out;
}

/** The newest revision whose status is `deployed` (what Helm's `storage.Deployed` returns), if any. */
export function latestDeployed(records: readonly HelmReleaseRecord[]): HelmReleaseRecord | undefined {
  return records.find((r) => r.status === 'deployed');
}

/** One object of a release manifest, with the template it came from (`chart/templates/x.yaml`). */
export interface ManifestObject {
  object: KubeObject;
  /** From the `# Source:` comment Helm writes above each document; undefined when there is none. */
  template?: string;
}

/**
 * Splits a release manifest into its objects, as Helm's releaseutil.SplitManifests reads it: `---` separated
 * documents, each with the `# Source:` line naming its template. Empty documents are skipped, and so are documents
 * that are not objects (no kind). A `List` is kept as one object, as Helm applies it.
 */
export function splitManifest(manifest: string): { objects: ManifestObject[]; errors: string[] } {
  const objects: ManifestObject[] = [];
  const errors: string[] = [];
  for (const doc of manifest.split(/^---[ \t]*(?:#.*)?$/m)) {
    if (!doc.trim()) continue;
    const source = /^#\s*Source:\s*(.+?)\s*$/m.exec(doc)?.[1];
    let parsed: unknown[];
    try {
      // One document here; loadAll still copes with a template that printed a `---` of its own within a line.
      parsed = loadAll(doc);
    } catch (e) {
      errors.push(`${source ?? 'a manifest document'}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const value of parsed) {
      const o = record(value);
      if (typeof o.kind !== 'string' || typeof o.apiVersion !== 'string') continue;
      if (o.metadata === null || typeof o.metadata !== 'object') o.metadata = {};
      objects.push({ object: o as KubeObject, ...(source ? { template: source } : {}) });
    }
  }
  return { objects, errors };
}

/** The scope a release's storage objects are listed in: the namespace's Secrets (or ConfigMaps). */
export function storageRequest(namespace: string, driver: 'Secret' | 'ConfigMap' = 'Secret'): KubeObject {
  // A name no record has: the read lists the whole scope, and this object only names it.
  return { apiVersion: 'v1', kind: driver, metadata: { namespace, name: 'sh.helm.release.v1' } };
}

/** Why the storage scope could not be read, from a live state read for `storageRequest`. */
export function storageFailure(state: LiveState, namespace: string, driver: 'Secret' | 'ConfigMap' = 'Secret') {
  return state.failures.get(scopeKey('', driver, namespace));
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
