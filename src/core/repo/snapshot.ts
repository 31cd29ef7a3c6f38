/**
 * Live snapshots: what the cluster answered for the LISTs some environments need, saved to a file so `check`
 * can diff against it without a cluster (offline review, the built-in demo). A snapshot replays as a
 * ClusterReader, so the live layer and the drift engine run exactly as they do against a cluster.
 */
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../model/problem';
import { ProblemError } from '../model/problem';
import type { KubeObject } from '../model/resource';
import type { ClusterReader, ListOutcome, ResourceType } from '../ports';
import { hashSecretValues, type SnapshotKey } from '../drift/snapshotSecrets';
import { FileLocator } from '../yaml/yamlLocate';

export const SNAPSHOT_API_VERSION = 'gitops-drift.io/v1alpha1';
export const SNAPSHOT_KIND = 'LiveSnapshot';
const SECRETS_MODE = 'hmac-sha256';

/** One recorded LIST. */
export type SnapshotScope = { group: string; kind: string; namespace: string } & (
  | { status: 'ok'; resourceVersion: string; items: KubeObject[] }
  | { status: 'unknownKind' }
  | { status: 'forbidden'; verb: string; resource: string; message: string }
  | { status: 'error'; message: string }
);

/** What one cluster answered: the types asked for (served or not) and the LISTs made. */
export interface SnapshotSection {
  resourceTypes: (ResourceType | { group: string; kind: string; served: false })[];
  scopes: SnapshotScope[];
}

/** One cluster of a snapshot that spans several kube contexts. */
export interface SnapshotCluster extends SnapshotSection {
  context: string;
  /** The environments recorded through this context. */
  environments: string[];
}

/** The file's content: one cluster at the top level, or several under `clusters`. */
export interface LiveSnapshot extends SnapshotSection {
  apiVersion: typeof SNAPSHOT_API_VERSION;
  kind: typeof SNAPSHOT_KIND;
  /** RFC 3339. */
  takenAt: string;
  /** Kube context the snapshot was read through, for the record (single-cluster form). */
  context?: string;
  /** The environments recorded (single-cluster form). */
  environments?: string[];
  /** How Secret values are stored: always as keyed hashes (see drift/snapshotSecrets.ts); the id of the user key used. */
  secrets: { mode: typeof SECRETS_MODE; keyId: string };
  /** Several clusters, one per kube context (the top-level lists are then empty). */
  clusters?: SnapshotCluster[];
}

/**
 * Wraps a reader and records every answer, with Secret values hashed before they are kept (so the plain values
 * are never held in the snapshot, even in memory).
 */
export class RecordingReader implements ClusterReader {
  private readonly types = new Map<string, LiveSnapshot['resourceTypes'][number]>();
  private readonly scopes = new Map<string, SnapshotScope>();

  constructor(
    private readonly inner: ClusterReader,
    private readonly key: SnapshotKey,
  ) {}

  async resourceType(group: string, kind: string, version?: string): Promise<ResourceType | undefined> {
    const type = await this.inner.resourceType(group, kind, version);
    this.types.set(`${group}/${kind}`, type ?? { group, kind, served: false });
    return type;
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    const outcome = await this.inner.list(type, namespace);
    const where = { group: type.group, kind: type.kind, namespace };
    const scope: SnapshotScope =
      outcome.status === 'ok'
        ? {
            ...where,
            status: 'ok',
            resourceVersion: outcome.resourceVersion,
            items: outcome.items.map((o) => hashSecretValues(o, this.key)),
          }
        : { ...where, ...outcome };
    this.scopes.set(`${type.group}/${type.kind}/${namespace}`, scope);
    return outcome.status === 'ok' && scope.status === 'ok' ? { ...outcome, items: scope.items } : outcome;
  }

  /** Everything recorded so far, as one cluster of a snapshot. */
  section(context: string, environments: string[]): SnapshotCluster {
    const byKey = <T>(m: Map<string, T>) =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    return { context, environments, resourceTypes: byKey(this.types), scopes: byKey(this.scopes) };
  }

  /** A single-cluster snapshot of everything recorded so far. */
  snapshot(takenAt: string, context?: string, environments: string[] = []): LiveSnapshot {
    return buildSnapshot(takenAt, this.key, [this.section(context ?? '', environments)]);
  }
}

/** A snapshot of the given clusters (recorded with the same key): flat for one, under `clusters` for several. */
export function buildSnapshot(takenAt: string, key: SnapshotKey, clusters: SnapshotCluster[]): LiveSnapshot {
  const base = {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: SNAPSHOT_KIND,
    takenAt,
    secrets: { mode: SECRETS_MODE, keyId: key.id },
  } as const;
  if (clusters.length !== 1) return { ...base, resourceTypes: [], scopes: [], clusters };
  const [only] = clusters;
  const snap: LiveSnapshot = { ...base, resourceTypes: only.resourceTypes, scopes: only.scopes };
  if (only.context) snap.context = only.context;
  if (only.environments.length) snap.environments = only.environments;
  return snap;
}

/**
 * The part of a snapshot to replay for an environment: the only cluster, else the one that recorded this
 * environment, else the one of its kube context; a message saying what is missing otherwise.
 */
export function snapshotSectionFor(
  snap: LiveSnapshot,
  environment: string,
  context?: string,
): SnapshotSection | string {
  if (!snap.clusters) return snap;
  const found =
    snap.clusters.find((c) => c.environments.includes(environment)) ??
    snap.clusters.find((c) => context !== undefined && c.context === context);
  return (
    found ??
    `the snapshot holds no cluster for environment '${environment}'${context ? ` (context ${context})` : ''}: it has ${snap.clusters.map((c) => `${c.context} (${c.environments.join(', ')})`).join('; ')}`
  );
}

/** Replays a snapshot as a cluster. A LIST the snapshot does not hold is an error naming what to re-take. */
export class SnapshotReader implements ClusterReader {
  private readonly scopes = new Map<string, SnapshotScope>();

  constructor(
    readonly snapshot: SnapshotSection,
    private readonly file: string,
  ) {
    for (const s of snapshot.scopes) this.scopes.set(`${s.group}/${s.kind}/${s.namespace}`, s);
  }

  async resourceType(group: string, kind: string): Promise<ResourceType | undefined> {
    const t = this.snapshot.resourceTypes.find((r) => r.group === group && r.kind === kind);
    return t && !('served' in t) ? t : undefined;
  }

  async list(type: ResourceType, namespace: string): Promise<ListOutcome> {
    const s = this.scopes.get(`${type.group}/${type.kind}/${namespace}`);
    if (!s)
      return {
        status: 'error',
        message: `${this.file} holds no list of ${type.resource}${namespace ? ` in namespace "${namespace}"` : ''}: take the snapshot again for this environment`,
      };
    const { group: _g, kind: _k, namespace: _n, ...outcome } = s;
    return outcome;
  }
}

const SNAPSHOT_HEADER =
  '# Live objects recorded by `gitops-drift snapshot` (Secret values are keyed hashes, never the values).\n';

/**
 * The snapshot as JSON (which is YAML too) under a header comment, one live object per line. JSON because a
 * snapshot can hold 100,000 objects: `JSON.parse` reads 76 MB in about a second, a YAML parser with positions
 * took 35 s and 4 GB. One object per line keeps a diff of two snapshots readable.
 */
export function serializeSnapshot(snapshot: LiveSnapshot): string {
  const lists: unknown[][] = [];
  // Each `items` list becomes a placeholder, indented JSON is made of the rest, and the lists go back in line by line.
  const outline = JSON.stringify(
    snapshot,
    function (this: unknown, key, value: unknown) {
      if (key === 'items' && Array.isArray(value) && value.length) {
        lists.push(value);
        return `\u0000items:${lists.length - 1}`;
      }
      return value;
    },
    2,
  );
  const body = outline.replace(/^( *)"items": "\\u0000items:(\d+)"/gm, (_m, indent: string, index: string) => {
    const inner = `${indent}  `;
    return `${indent}"items": [\n${lists[Number(index)].map((item) => inner + JSON.stringify(item)).join(',\n')}\n${indent}]`;
  });
  return `${SNAPSHOT_HEADER}${body}\n`;
}

/** Parses a snapshot file (YAML or JSON); throws a ProblemError pointing at the file and line for anything invalid. */
export function parseSnapshot(text: string, file: string): LiveSnapshot {
  // The fast path: a snapshot as `serializeSnapshot` writes it (comment lines, then JSON) needs no positions unless
  // it is invalid, and then the YAML reader below finds the line.
  const json = jsonBody(text);
  if (json !== undefined) {
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch {
      data = undefined;
    }
    if (data !== undefined && isValidSnapshot(data)) return data;
  }
  return parseSnapshotWithPositions(text, file);
}

/** The text after leading comment and blank lines when it starts like a JSON object, else undefined. */
function jsonBody(text: string): string | undefined {
  let start = 0;
  for (;;) {
    while (
      start < text.length &&
      (text[start] === ' ' || text[start] === '\t' || text[start] === '\r' || text[start] === '\n')
    )
      start++;
    if (text[start] !== '#') break;
    const nl = text.indexOf('\n', start);
    if (nl < 0) return undefined;
    start = nl + 1;
  }
  return text[start] === '{' ? text.slice(start) : undefined;
}

/** The checks `parseSnapshotWithPositions` makes, without positions: true when all pass. */
function isValidSnapshot(data: unknown): data is LiveSnapshot {
  try {
    checkSnapshot(data as Partial<LiveSnapshot> | null, () => {
      throw INVALID;
    });
    return true;
  } catch (e) {
    if (e === INVALID) return false;
    throw e;
  }
}

const INVALID = new Error('invalid snapshot');

/** Parses with the YAML reader, keeping positions to point at the line of anything invalid. */
function parseSnapshotWithPositions(text: string, file: string): LiveSnapshot {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const loc = new FileLocator(file, lines);
  const fail = (problem: Problem): never => {
    throw new ProblemError(problem);
  };
  if (doc.errors.length)
    fail({
      severity: 'error',
      message: `not a valid snapshot: ${doc.errors[0].message.split('\n')[0]}`,
      location: loc.at(doc.errors[0].pos[0]),
    });
  const data = doc.toJS({ maxAliasCount: 100 }) as Partial<LiveSnapshot> | null;
  const at = (path: (string | number)[]) => loc.of(doc.getIn(path, true) as never);
  checkSnapshot(data, (message, path) => fail({ severity: 'error', message, location: path ? at(path) : loc.at(0) }));
  return data as LiveSnapshot;
}

/** Checks a parsed snapshot's shape; `fail` gets the first problem and the path of the node it is about. */
function checkSnapshot(
  data: Partial<LiveSnapshot> | null,
  fail: (message: string, path?: (string | number)[]) => never,
): void {
  if (!data || typeof data !== 'object' || data.apiVersion !== SNAPSHOT_API_VERSION || data.kind !== SNAPSHOT_KIND) {
    fail(
      `not a gitops-drift live snapshot (expected apiVersion ${SNAPSHOT_API_VERSION}, kind ${SNAPSHOT_KIND}): take one with \`gitops-drift snapshot --out FILE\``,
    );
  }
  const snap = data as LiveSnapshot;
  const secrets = snap.secrets as { mode?: unknown; keyId?: unknown } | undefined;
  if (secrets?.mode === 'sha256') {
    // Those hashes were salted with a salt kept in the file: a weak password could be guessed from them.
    fail(
      'this snapshot was taken by an older gitops-drift whose Secret hashes can be guessed offline: delete it and take it again',
      ['secrets'],
    );
  }
  if (secrets?.mode !== SECRETS_MODE || typeof secrets.keyId !== 'string')
    fail(`secrets: expected { mode: ${SECRETS_MODE}, keyId: <text> }`, ['secrets']);
  const checkSection = (section: SnapshotSection, path: (string | number)[]) => {
    if (!Array.isArray(section.resourceTypes)) fail('resourceTypes must be a list', [...path, 'resourceTypes']);
    if (!Array.isArray(section.scopes)) fail('scopes must be a list', [...path, 'scopes']);
    section.scopes.forEach((s, i) => {
      const ok =
        s &&
        typeof s.group === 'string' &&
        typeof s.kind === 'string' &&
        typeof s.namespace === 'string' &&
        ['ok', 'unknownKind', 'forbidden', 'error'].includes(s.status);
      if (!ok)
        fail('each scope needs group, kind, namespace and status (ok, unknownKind, forbidden or error)', [
          ...path,
          'scopes',
          i,
        ]);
      if (s.status === 'ok' && !Array.isArray(s.items)) fail('items must be a list', [...path, 'scopes', i]);
    });
  };
  if (snap.clusters !== undefined) {
    if (!Array.isArray(snap.clusters)) fail('clusters must be a list', ['clusters']);
    snap.clusters.forEach((c, i) => {
      if (typeof c?.context !== 'string' || !Array.isArray(c.environments))
        fail('each cluster needs context and environments', ['clusters', i]);
      checkSection(c, ['clusters', i]);
    });
  } else checkSection(snap, []);
}
