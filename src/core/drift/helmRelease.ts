/**
 * Drift of a Helm release, the two questions that need no chart (issue #16):
 * 1. Has someone changed what Helm applied? The deployed revision's `manifest` is the desired state: its objects
 *    are compared with the live ones by the same field engine, managed-fields attribution and ignore rules as a
 *    Kustomize application's, with Helm (`helm`, `helm-controller`) among the appliers and the metadata Helm adds at
 *    install (`meta.helm.sh/*`, `app.kubernetes.io/managed-by`) known as injected.
 * 2. Has the controller applied what git says? Git's HelmRelease (chart version, values) against the deployed
 *    revision's chart and `config`, with the HelmRelease's own status beside it. Values are compared, never shown.
 */
import type { HelmReleaseControllerStatus, ReleaseGitComparison, ReleaseStatus } from '../model/drift';
import type { Origin, SourceLocation } from '../model/location';
import { keyOf, keyString, type KubeObject } from '../model/resource';
import type { HelmReleaseRecord } from '../live/helmRelease';
import { splitManifest } from '../live/helmRelease';
import type { FluxHelmReleaseRead, FluxHelmReleaseState, HelmReleaseTarget } from '../live/fluxHelmRelease';
import { parseFluxHelmRelease } from '../live/fluxHelmRelease';
import type { RenderedObject } from '../render/types';
import { canonicalJson, isMap, valueAt } from '../yaml/pointer';
import type { DriftOptions } from './options';

/** Field managers that apply a release: the helm CLI (its binary's name) and Flux's helm-controller. */
export const HELM_APPLIERS = ['helm', 'helm-controller'];

/** Metadata Helm sets on every object it creates or adopts, which its manifest does not hold. */
export const HELM_INJECTED_METADATA = [
  'meta.helm.sh/release-name',
  'meta.helm.sh/release-namespace',
  'app.kubernetes.io/managed-by',
  'helm.toolkit.fluxcd.io/*',
];

/**
 * The drift options for a release's objects: the environment's, with Helm's appliers and injected metadata, and no
 * tracking (a release's leftovers are not looked for: its records list only what it renders now).
 */
export function releaseDriftOptions(base: DriftOptions): DriftOptions {
  return {
    ...base,
    appliers: [...new Set([...base.appliers, ...HELM_APPLIERS])],
    injectedMetadata: [...new Set([...base.injectedMetadata, ...HELM_INJECTED_METADATA])],
    tracking: {},
  };
}

/** A release's objects as desired state, each with the template it came from. */
export interface ReleaseObjects {
  objects: RenderedObject[];
  /** Documents that could not be read, as `template: why`. */
  errors: string[];
}

/**
 * The deployed revision's objects as rendered objects. Git holds none of their lines: every field's origin is the
 * HelmRelease that released them (`at`), and `template` names the chart file. Namespaces are left as the manifest
 * has them (the caller places namespace-less ones in the release namespace, as Helm does).
 */
export function releaseObjects(record: HelmReleaseRecord, at: SourceLocation): ReleaseObjects {
  const { objects, errors } = splitManifest(record.manifest);
  const origin: Origin = { ...at, kind: 'resource' };
  return {
    objects: objects.map(({ object, template }) => ({
      object,
      key: keyOf(object),
      origins: new Map([['', origin]]),
      source: at,
      ...(template ? { template } : {}),
    })),
    errors,
  };
}

/**
 * The deployed objects with the values-line origins of git's render (`helmValue` origins, render/helm/valuesTrace.ts)
 * where Helm applied the same value as git renders: a hand edit of such a field then points at the values line. A
 * field git would change (a next-upgrade change) keeps the HelmRelease as its origin. `place` puts both sides in the
 * same namespace, as nextUpgradeChanges pairs them.
 */
export function withTracedOrigins(
  deployed: readonly RenderedObject[],
  git: readonly RenderedObject[],
  place: (o: RenderedObject) => RenderedObject,
): RenderedObject[] {
  const gitByKey = new Map(git.map((o) => [keyString(o.key), o]));
  return deployed.map((o) => {
    const mine = gitByKey.get(keyString(place(o).key));
    if (!mine) return o;
    let origins: Map<string, Origin> | undefined;
    for (const [pointer, origin] of mine.origins) {
      if (origin.kind !== 'helmValue') continue;
      const applied = valueAt(o.object, pointer);
      if (applied === undefined || canonicalJson(applied) !== canonicalJson(valueAt(mine.object, pointer))) continue;
      origins ??= new Map(o.origins);
      origins.set(pointer, origin);
    }
    return origins ? { ...o, origins } : o;
  });
}

/** Values of at least this many characters are hidden in messages (as server messages about a Secret are). */
const MIN_SCRUBBED_LENGTH = 8;

/**
 * Hides the release's values (its `config`, secret) in text Helm or helm-controller wrote, such as a failed upgrade's
 * description, which can quote a rendered value: each string or number of 8 characters or more becomes `(value
 * hidden)` (shorter ones would garble names; docs/security.md).
 */
export function configScrubber(records: readonly HelmReleaseRecord[]): (text: string) => string {
  const values = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string' || typeof v === 'number') {
      const text = String(v);
      if (text.length >= MIN_SCRUBBED_LENGTH) values.add(text);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (isMap(v)) Object.values(v).forEach(walk);
  };
  for (const r of records) walk(r.config);
  // Longest first, so a value containing another is hidden whole.
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((t, v) => t.split(v).join('(value hidden)'), text);
}

/** `2026-12-06 14:02Z` from an RFC 3339 time (as the reports show managers' times); the text itself when unparsable. */
export function shortTime(time: string | undefined): string | undefined {
  if (!time) return undefined;
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Git's HelmRelease (`object`, as rendered, with `origins`) against the release's revisions (newest first) and the
 * live HelmRelease's state. The values are compared as helm-controller composes them: without `valuesFrom` the
 * release's `config` is exactly git's `values`; with it, git's values are merged last, so each of git's leaves must
 * be in the release.
 */
export function compareGitWithRelease(
  git: RenderedObject,
  records: readonly HelmReleaseRecord[],
  deployed: HelmReleaseRecord | undefined,
  live: FluxHelmReleaseState | undefined,
  scrub: (text: string) => string = configScrubber(records),
): ReleaseGitComparison {
  const spec = isMap(git.object.spec) ? git.object.spec : {};
  const chartSpec = isMap(spec.chart) && isMap(spec.chart.spec) ? spec.chart.spec : {};
  const gitVersion = typeof chartSpec.version === 'string' && chartSpec.version ? chartSpec.version : undefined;
  const valuesAt = git.origins.get('/spec/values') ?? git.source;
  const out: ReleaseGitComparison = {
    ...(gitVersion ? { chartVersion: gitVersion } : {}),
    chart: 'unknown',
    values: 'unknown',
    valuesAt: { file: valuesAt.file, line: valuesAt.line, column: valuesAt.column },
  };
  if (!deployed) return out;
  if (gitVersion)
    out.chart = !EXACT_VERSION.test(gitVersion)
      ? 'range'
      : gitVersion.replace(/^v/, '') === deployed.chart.version.replace(/^v/, '')
        ? 'same'
        : 'differs';
  const values = spec.values === undefined || spec.values === null ? {} : spec.values;
  const valuesFrom = Array.isArray(spec.valuesFrom) && spec.valuesFrom.length > 0;
  const same = valuesFrom
    ? contains(deployed.config, values)
    : canonicalJson(values) === canonicalJson(deployed.config);
  out.values = same ? 'same' : 'differs';
  const what = [
    ...(out.chart === 'differs' ? [`chart version (git ${gitVersion}, deployed ${deployed.chart.version})`] : []),
    ...(out.values === 'differs' ? ['values'] : []),
  ];
  if (what.length) {
    const why = sinceWhen(records, deployed, live, scrub);
    out.message = `${what.join(' and ')} in git differ${what.length === 1 && out.values !== 'differs' ? 's' : ''} from the deployed release (revision ${deployed.version}${why ? `; ${why}` : ''})`;
  }
  return out;
}

/** Why the cluster is not where git is: a failed or pending newer revision, the HelmRelease's Ready condition. */
function sinceWhen(
  records: readonly HelmReleaseRecord[],
  deployed: HelmReleaseRecord,
  live: FluxHelmReleaseState | undefined,
  scrub: (text: string) => string,
): string | undefined {
  const newest = records[0];
  if (newest && newest.version > deployed.version) {
    const at = shortTime(newest.lastDeployed);
    const action = newest.status.startsWith('pending-') ? newest.status : `upgrade ${newest.status}`;
    // Helm's messages run over several lines (one per failed object): the report's line keeps them on one.
    const description = newest.description && scrub(newest.description.replace(/\s*\n\s*/g, ' '));
    return `${at ? `since ${at}, ` : ''}${action}${description ? `: ${description}` : ''}`;
  }
  if (live?.ready?.status === 'False') {
    const at = shortTime(live.ready.lastTransitionTime);
    return `${at ? `since ${at}, ` : ''}HelmRelease not ready${live.ready.reason ? ` (${live.ready.reason})` : ''}${live.ready.message ? `: ${scrub(live.ready.message)}` : ''}`;
  }
  if (live && !live.observed) return 'helm-controller has not reconciled this change yet';
  if (live?.suspended) return 'the HelmRelease is suspended';
  return undefined;
}

/** Whether every leaf of `part` is in `whole` with the same value (maps recursed, lists and scalars compared whole). */
function contains(whole: unknown, part: unknown): boolean {
  if (isMap(part) && isMap(whole)) return Object.keys(part).every((k) => contains(whole[k], part[k]));
  if (isMap(part)) return Object.keys(part).length === 0 && whole === undefined;
  return canonicalJson(whole) === canonicalJson(part);
}

/** The HelmRelease's status as the report shows it. */
export function helmControllerStatus(
  target: HelmReleaseTarget,
  read: FluxHelmReleaseRead,
  scrub: (text: string) => string = (t) => t,
): HelmReleaseControllerStatus {
  const base = { kind: 'HelmRelease' as const, name: target.name, namespace: target.namespace };
  if (read.status !== 'ok')
    return {
      ...base,
      found: false,
      suspended: false,
      driftDetection: 'disabled',
      history: [],
      observed: true,
      message: read.message,
    };
  const state = parseFluxHelmRelease(read.object);
  return {
    ...base,
    found: true,
    ...(state.ready
      ? {
          ready: {
            status: state.ready.status,
            ...(state.ready.reason ? { reason: state.ready.reason } : {}),
            ...(state.ready.message ? { message: scrub(state.ready.message) } : {}),
            ...(state.ready.lastTransitionTime ? { since: state.ready.lastTransitionTime } : {}),
          },
        }
      : {}),
    suspended: state.suspended,
    ...(state.interval ? { interval: state.interval } : {}),
    driftDetection: state.driftDetection,
    history: state.history.map((h) => ({
      revision: h.version,
      status: h.status,
      chartVersion: h.chartVersion,
      ...(h.lastDeployed ? { lastDeployed: h.lastDeployed } : {}),
    })),
    observed: state.observed,
  };
}

/** The release part of a report from its records (newest first) and the deployed one. */
export function releaseStatus(
  target: HelmReleaseTarget,
  records: readonly HelmReleaseRecord[],
  deployed: HelmReleaseRecord | undefined,
  scrub: (text: string) => string = configScrubber(records),
): ReleaseStatus {
  const status: ReleaseStatus = {
    releaseName: target.releaseName,
    namespace: target.releaseNamespace,
    storageNamespace: target.storageNamespace,
    found: deployed !== undefined,
  };
  if (deployed) {
    status.revision = deployed.version;
    status.status = deployed.status;
    status.chart = deployed.chart.name;
    status.chartVersion = deployed.chart.version;
    if (deployed.chart.appVersion) status.appVersion = deployed.chart.appVersion;
    if (deployed.lastDeployed) status.lastDeployed = deployed.lastDeployed;
    if (deployed.description) status.description = scrub(deployed.description);
  }
  const newest = records[0];
  if (newest && newest !== deployed)
    status.latest = {
      revision: newest.version,
      status: newest.status,
      ...(newest.description ? { description: scrub(newest.description) } : {}),
      ...(newest.lastDeployed ? { lastDeployed: newest.lastDeployed } : {}),
    };
  if (!deployed)
    status.message = records.length
      ? `release '${target.releaseName}' has no deployed revision in ${target.storageNamespace} (newest: revision ${newest.version}, ${newest.status})`
      : `release '${target.releaseName}' is not installed: no Helm release records in ${target.storageNamespace}`;
  return status;
}

/**
 * A release as one line, for the CLI text and the tree: `podinfo 6.5.0, revision 2 deployed 2026-12-06 14:02Z;
 * revision 3 failed; HelmRelease ready, drift detection disabled`.
 */
export function describeRelease(status: ReleaseStatus): string {
  const parts: string[] = [];
  if (!status.found) parts.push(status.message ?? 'not installed');
  else {
    const at = shortTime(status.lastDeployed);
    parts.push(
      `${status.chart} ${status.chartVersion}, revision ${status.revision} ${status.status}${at ? ` ${at}` : ''}`,
    );
  }
  if (status.latest)
    parts.push(
      `revision ${status.latest.revision} ${status.latest.status}${status.latest.description ? `: ${status.latest.description}` : ''}`,
    );
  const c = status.controller;
  if (c) {
    if (!c.found) parts.push(`HelmRelease not in the cluster`);
    else {
      const ready = !c.ready
        ? 'no Ready condition yet'
        : c.ready.status === 'True'
          ? 'ready'
          : `${c.ready.status === 'False' ? 'not ready' : 'readiness unknown'}${c.ready.reason ? ` (${c.ready.reason})` : ''}`;
      parts.push(`HelmRelease ${c.suspended ? 'suspended, ' : ''}${ready}, drift detection ${c.driftDetection}`);
    }
  }
  return parts.join('; ');
}

/** The objects of an object list that are Flux HelmReleases (rendered as plain objects of their application). */
export function helmReleasesIn<T extends { object: KubeObject }>(objects: readonly T[]): T[] {
  return objects.filter(
    (r) => r.object.kind === 'HelmRelease' && (r.object.apiVersion ?? '').startsWith('helm.toolkit.fluxcd.io/'),
  );
}
