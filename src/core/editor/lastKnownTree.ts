/**
 * The editor's last-known tree: each environment, its applications and the keys of the objects its last render held,
 * kept between sessions so a reopened repo shows its tree at once, not checked, while the new render and check run.
 * With it, digests of the files its renders read and of the settings (`SavedInputs`): when the repo still gives them,
 * the tree is this session's render and is shown as such; otherwise it is marked as the last session's. It keeps no
 * value of any object (keys, API versions, source lines and application names only) and no verdict: nothing of the
 * cluster can be mistaken for a result of this session.
 */
import type { ApplicationSummary, EnvironmentDrift, ResourceDrift } from '../model/drift';
import type { Application, ApplicationParent, RendererKind } from '../model/environment';
import type { SourceLocation } from '../model/location';
import type { RepoEnvironment } from '../repo/config';

/** Bumped when the stored shape changes: an older file is then ignored. */
const FORMAT = 1;

const ENVIRONMENT_SOURCES: ReadonlySet<string> = new Set(['config', 'setting', 'discovered', 'argocd', 'flux']);

/** One environment as the last session's render left it; every object `NotChecked`. */
export interface LastKnownEnvironment {
  env: RepoEnvironment;
  drift: EnvironmentDrift & { applications: ApplicationSummary[] };
}

/**
 * What the saved renders were made from, as digests (never file text): when the repo and settings still give these,
 * the saved rows are this session's render too. Digests are made and checked outside core (src/node/repoInputs.ts).
 */
export interface SavedInputs {
  /** Repo-relative file → digest of its text; null: looked for and not there. */
  files: Record<string, string | null>;
  /** Repo-relative folder → the names of its files, sorted. */
  folders: Record<string, string[]>;
  /** Digest of the settings the renders ran with. */
  settings: string;
}

/** What a reopened editor shows before its first render. */
export interface LastKnownTree {
  savedAt: Date;
  environments: LastKnownEnvironment[];
  /** Present when the saved renders' inputs were known at saving. */
  inputs?: SavedInputs;
}

/** The stored text of the environments' last renders (`drift` as the last check or render reported it). */
export function encodeLastKnownTree(
  entries: readonly { env: RepoEnvironment; drift: EnvironmentDrift & { applications?: ApplicationSummary[] } }[],
  savedAt: Date,
  inputs?: SavedInputs,
): string {
  return JSON.stringify({
    format: FORMAT,
    savedAt: savedAt.toISOString(),
    environments: entries.map(({ env, drift }) => lastRender(env, drift)),
    ...(inputs ? { inputs } : {}),
  });
}

/**
 * What of a check is the environment's render: its applications and their objects. Helm releases (their objects come
 * from the release in the cluster) and objects found only live are last session's cluster, so they are left out.
 */
function lastRender(env: RepoEnvironment, drift: EnvironmentDrift & { applications?: ApplicationSummary[] }) {
  const applications = (drift.applications ?? []).filter((a) => a.kind !== 'helm');
  const released = new Set((drift.applications ?? []).filter((a) => a.kind === 'helm').map((a) => a.name));
  return {
    env: {
      name: env.name,
      path: env.path,
      source: env.source,
      ...(env.namespace !== undefined ? { namespace: env.namespace } : {}),
      ...(env.context !== undefined ? { context: env.context } : {}),
      ...(env.definedAt ? { definedAt: location(env.definedAt) } : {}),
      // The Argo CD Application an environment of one is (an app-of-apps root): see the applications' `argo` below.
      ...(env.tracking?.argocdApp !== undefined ? { tracking: { argocdApp: env.tracking.argocdApp } } : {}),
      applications: env.applications.map((a) => ({
        name: a.name,
        renderer: a.renderer,
        source: a.source,
        ...(a.namespace !== undefined ? { namespace: a.namespace } : {}),
        ...(a.declaredAt ? { declaredAt: location(a.declaredAt) } : {}),
        // The Argo CD Application it is (the repo's): a destination at fleet shape folds the rows of those not opened
        // from the saved tree on (core/editor/fleetShape.ts).
        ...(a.argo?.application
          ? {
              argo: {
                application: {
                  name: a.argo.application.name,
                  ...(a.argo.application.namespace !== undefined ? { namespace: a.argo.application.namespace } : {}),
                },
                at: location(a.argo.at),
              },
            }
          : {}),
      })),
    },
    context: drift.context,
    ...(drift.namespace !== undefined ? { namespace: drift.namespace } : {}),
    applications: applications.map((a) => ({
      name: a.name,
      kind: a.kind,
      source: a.source,
      // A failed render's message is repo text; a Helm release's or controller's status is the cluster's: left out.
      state: a.state,
      ...(a.declaredAt ? { declaredAt: location(a.declaredAt) } : {}),
      // The app-of-apps parent is the repo's (its render's), as is its problem.
      ...(a.parent
        ? {
            parent: {
              name: a.parent.name,
              at: location(a.parent.at),
              ...(a.parent.problem !== undefined ? { problem: a.parent.problem } : {}),
            },
          }
        : {}),
    })),
    resources: drift.resources
      .filter((r) => r.verdict !== 'Extra' && !(r.application !== undefined && released.has(r.application)))
      .map((r) => ({
        apiVersion: r.apiVersion,
        key: r.key,
        ...(r.source ? { source: location(r.source) } : {}),
        ...(r.application !== undefined ? { application: r.application } : {}),
      })),
  };
}

/** The stored tree, or undefined when the text is not one this version wrote (any doubt: nothing is shown). */
export function decodeLastKnownTree(text: string | undefined): LastKnownTree | undefined {
  if (!text) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    !isRecord(data) ||
    data.format !== FORMAT ||
    typeof data.savedAt !== 'string' ||
    !Array.isArray(data.environments)
  )
    return undefined;
  const savedAt = new Date(data.savedAt);
  if (Number.isNaN(savedAt.getTime())) return undefined;
  const environments: LastKnownEnvironment[] = [];
  for (const e of data.environments) {
    const decoded = decodeEnvironment(e);
    if (!decoded) return undefined;
    environments.push(decoded);
  }
  const inputs = decodeInputs(data.inputs);
  return { savedAt, environments, ...(inputs ? { inputs } : {}) };
}

/** The saved inputs, or undefined when absent or not of the expected shape (the tree is then shown as last session's). */
function decodeInputs(v: unknown): SavedInputs | undefined {
  if (!isRecord(v) || typeof v.settings !== 'string' || !isRecord(v.files) || !isRecord(v.folders)) return undefined;
  const files: Record<string, string | null> = {};
  for (const [file, d] of Object.entries(v.files)) {
    if (d !== null && typeof d !== 'string') return undefined;
    files[file] = d;
  }
  const folders: Record<string, string[]> = {};
  for (const [dir, names] of Object.entries(v.folders)) {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return undefined;
    folders[dir] = names as string[];
  }
  return { files, folders, settings: v.settings };
}

/** A saved application's Argo CD Application (`{ argo: { application } }`), or nothing. */
function argoApplicationRef(argo: unknown): Pick<Application, 'argo'> {
  if (!isRecord(argo) || !isRecord(argo.application) || typeof argo.application.name !== 'string') return {};
  if (!isLocation(argo.at)) return {};
  const { name, namespace } = argo.application;
  return { argo: { application: { name, ...(typeof namespace === 'string' ? { namespace } : {}) }, at: argo.at } };
}

function decodeEnvironment(e: unknown): LastKnownEnvironment | undefined {
  if (!isRecord(e) || !isRecord(e.env) || !Array.isArray(e.resources) || !Array.isArray(e.applications)) return;
  const { env } = e;
  if (typeof env.name !== 'string' || typeof env.path !== 'string' || !Array.isArray(env.applications)) return;
  if (typeof env.source !== 'string' || !ENVIRONMENT_SOURCES.has(env.source)) return;
  if (typeof e.context !== 'string') return;
  const applications: Application[] = [];
  for (const a of env.applications) {
    if (!isRecord(a) || typeof a.name !== 'string' || typeof a.renderer !== 'string' || !isSource(a.source)) return;
    applications.push({
      name: a.name,
      renderer: a.renderer as RendererKind,
      source: a.source,
      ...(typeof a.namespace === 'string' ? { namespace: a.namespace } : {}),
      ...(isLocation(a.declaredAt) ? { declaredAt: a.declaredAt } : {}),
      ...argoApplicationRef(a.argo),
    });
  }
  const summaries: ApplicationSummary[] = [];
  for (const a of e.applications) {
    if (!isRecord(a) || typeof a.name !== 'string' || typeof a.kind !== 'string' || typeof a.source !== 'string')
      return;
    if (a.state !== 'rendered' && a.state !== 'failed' && a.state !== 'outside') return;
    summaries.push({
      name: a.name,
      kind: a.kind as RendererKind,
      source: a.source,
      state: a.state,
      ...(isLocation(a.declaredAt) ? { declaredAt: a.declaredAt } : {}),
      ...(isParent(a.parent) ? { parent: a.parent } : {}),
    });
  }
  const resources: ResourceDrift[] = [];
  for (const r of e.resources) {
    if (!isRecord(r) || typeof r.apiVersion !== 'string' || !isKey(r.key)) return;
    resources.push({
      apiVersion: r.apiVersion,
      key: r.key,
      verdict: 'NotChecked',
      fields: [],
      ...(isLocation(r.source) ? { source: r.source } : {}),
      ...(typeof r.application === 'string' ? { application: r.application } : {}),
    });
  }
  const repoEnv: RepoEnvironment = {
    name: env.name,
    path: env.path,
    source: env.source as RepoEnvironment['source'],
    applications,
    ...(typeof env.namespace === 'string' ? { namespace: env.namespace } : {}),
    ...(typeof env.context === 'string' ? { context: env.context } : {}),
    ...(isLocation(env.definedAt) ? { definedAt: env.definedAt } : {}),
    ...(isRecord(env.tracking) && typeof env.tracking.argocdApp === 'string'
      ? { tracking: { argocdApp: env.tracking.argocdApp } }
      : {}),
  };
  return {
    env: repoEnv,
    drift: {
      name: env.name,
      path: env.path,
      context: e.context,
      ...(typeof e.namespace === 'string' ? { namespace: e.namespace } : {}),
      error: null,
      resources,
      applications: summaries,
    },
  };
}

function location(l: SourceLocation): SourceLocation {
  return { file: l.file, line: l.line, column: l.column };
}

function isParent(v: unknown): v is ApplicationParent {
  return (
    isRecord(v) &&
    typeof v.name === 'string' &&
    isLocation(v.at) &&
    (v.problem === undefined || typeof v.problem === 'string')
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isLocation(v: unknown): v is SourceLocation {
  return isRecord(v) && typeof v.file === 'string' && typeof v.line === 'number' && typeof v.column === 'number';
}

function isKey(v: unknown): v is ResourceDrift['key'] {
  return (
    isRecord(v) &&
    typeof v.group === 'string' &&
    typeof v.kind === 'string' &&
    typeof v.name === 'string' &&
    typeof v.namespace === 'string'
  );
}

function isSource(v: unknown): v is Application['source'] {
  if (!isRecord(v)) return false;
  if (v.type === 'folder' || v.type === 'chart') return typeof v.path === 'string';
  return v.type === 'outside' && typeof v.description === 'string';
}
