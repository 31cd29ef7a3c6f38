/**
 * An Argo CD Application as the cluster (or Argo CD's API) reports it: which one an application is, reading it
 * through the ClusterReader, and the parts of its spec and status that say where Argo CD stands (argo-cd
 * pkg/apis/application/v1alpha1 ApplicationStatus: sync, health, resources, operationState, conditions).
 */
import type { Application } from '../model/environment';
import { type LiveState, scopeKey } from '../model/live';
import { keyOf, keyString, type KubeObject, type ResourceKey } from '../model/resource';
import type { LiveRead } from './fluxKustomization';

export const ARGO_GROUP = 'argoproj.io';
/** Where Argo CD keeps its Applications unless told otherwise (`argocd`, its install namespace). */
export const ARGO_DEFAULT_NAMESPACE = 'argocd';

/** An Argo CD Application's name and namespace. */
export interface ArgoApplicationRef {
  name: string;
  namespace: string;
}

/**
 * The Argo CD Application behind an application: the manifest discovery read (`argo.application`), else the
 * environment's tracking (`argocdApp`, from the config or an ApplicationSet), in Argo CD's namespace.
 */
export function argoApplicationOf(app: Application, tracking?: { argocdApp?: string }): ArgoApplicationRef | undefined {
  const declared = app.argo?.application;
  if (declared) return { name: declared.name, namespace: declared.namespace || ARGO_DEFAULT_NAMESPACE };
  // A Flux Kustomization's application is never an Argo CD one, whatever the environment's tracking says.
  if (app.controller) return undefined;
  return tracking?.argocdApp ? { name: tracking.argocdApp, namespace: ARGO_DEFAULT_NAMESPACE } : undefined;
}

/**
 * The Argo CD Applications an environment is made of, when every application of it is one (a Flux or plain
 * application among them: undefined): what Argo CD's API can stand in for the cluster for.
 */
export function argoApplicationsOf(env: {
  applications: readonly Application[];
  tracking?: { argocdApp?: string };
}): ArgoApplicationRef[] | undefined {
  const refs = env.applications.map((app) => argoApplicationOf(app, env.tracking));
  if (!refs.length || refs.some((r) => !r)) return undefined;
  // A multi-source Application is one application per source, all of one Application: asked once.
  const seen = new Map(refs.map((r) => [`${r!.namespace}/${r!.name}`, r!]));
  return [...seen.values()];
}

/** One entry of `.status.resources[]`: Argo CD's verdict on one object. */
export interface ArgoResourceStatus {
  key: ResourceKey;
  version: string;
  /** `Synced`, `OutOfSync`, `Unknown`. */
  status: string;
  health?: string;
  healthMessage?: string;
  requiresPruning: boolean;
  hook: boolean;
}

/** What an Application's spec and status say, as plain data. */
export interface ArgoApplicationState {
  /** `.status.sync.status`: `Synced`, `OutOfSync`, `Unknown` (empty before the controller's first comparison). */
  sync: string;
  /** `.status.sync.revision` (a commit for a git source), else the first of `.revisions`. */
  revision?: string;
  health?: { status: string; message?: string };
  operation?: { phase: string; message?: string; finishedAt?: string; revision?: string };
  conditions: { type: string; message?: string }[];
  resources: ArgoResourceStatus[];
  /** `.spec.syncPolicy.automated`: absent for manual sync. `enabled: false` turns it off (Argo CD ≥ 2.14). */
  automated?: { prune: boolean; selfHeal: boolean };
  /** How many `ignoreDifferences` entries the comparison used (`.status.sync.comparedTo.ignoreDifferences`). */
  comparedIgnoreRules?: number;
  reconciledAt?: string;
}

/** Reads the parts of an Application that matter here; tolerant of any shape (it comes from outside). */
export function parseArgoApplication(obj: KubeObject): ArgoApplicationState {
  const spec = record(obj.spec);
  const status = record(obj.status);
  const sync = record(status.sync);
  const health = record(status.health);
  const op = record(status.operationState);
  const revisions = Array.isArray(sync.revisions) ? sync.revisions.filter((r) => typeof r === 'string' && r) : [];
  const state: ArgoApplicationState = {
    sync: str(sync.status) ?? '',
    conditions: list(status.conditions).flatMap((c) => {
      const type = str(c.type);
      return type ? [{ type, ...(str(c.message) ? { message: str(c.message) } : {}) }] : [];
    }),
    resources: list(status.resources).flatMap((r) => {
      const kind = str(r.kind);
      const name = str(r.name);
      if (!kind || !name) return [];
      const h = record(r.health);
      return [
        {
          key: { group: str(r.group) ?? '', kind, namespace: str(r.namespace) ?? '', name },
          version: str(r.version) ?? '',
          status: str(r.status) ?? '',
          ...(str(h.status) ? { health: str(h.status) } : {}),
          ...(str(h.message) ? { healthMessage: str(h.message) } : {}),
          requiresPruning: r.requiresPruning === true,
          hook: r.hook === true,
        },
      ];
    }),
  };
  const revision = str(sync.revision) ?? (revisions[0] as string | undefined);
  if (revision) state.revision = revision;
  if (str(health.status))
    state.health = { status: str(health.status)!, ...(str(health.message) ? { message: str(health.message) } : {}) };
  if (str(op.phase)) {
    const result = record(op.syncResult);
    state.operation = {
      phase: str(op.phase)!,
      ...(str(op.message) ? { message: str(op.message) } : {}),
      ...(str(op.finishedAt) ? { finishedAt: str(op.finishedAt) } : {}),
      ...(str(result.revision) ? { revision: str(result.revision) } : {}),
    };
  }
  const automated = record(record(spec.syncPolicy).automated);
  if (record(spec.syncPolicy).automated !== undefined && automated.enabled !== false)
    state.automated = { prune: automated.prune === true, selfHeal: automated.selfHeal === true };
  const compared = record(sync.comparedTo);
  if (Array.isArray(compared.ignoreDifferences)) state.comparedIgnoreRules = compared.ignoreDifferences.length;
  if (str(status.reconciledAt)) state.reconciledAt = str(status.reconciledAt);
  return state;
}

/** The live Application, `absent` when there is none of that name, or why it could not be read. */
export type ArgoApplicationRead =
  | { status: 'ok'; object: KubeObject }
  | { status: 'absent'; message: string }
  | { status: 'unreadable'; message: string };

/**
 * Reads one Application the way the environment's objects are read: one LIST of Argo CD's namespace (shared by every
 * Application of the check, and by every environment of a CLI run), or the watch that already holds it.
 */
export async function readArgoApplication(read: LiveRead, ref: ArgoApplicationRef): Promise<ArgoApplicationRead> {
  const wanted: KubeObject = {
    apiVersion: `${ARGO_GROUP}/v1alpha1`,
    kind: 'Application',
    metadata: { name: ref.name, namespace: ref.namespace },
  };
  const state: LiveState = await read([wanted], ref.namespace);
  const failure = state.failures.get(scopeKey(ARGO_GROUP, 'Application', ref.namespace));
  if (failure?.verdict === 'UnknownKind') return { status: 'absent', message: failure.message };
  if (failure)
    return {
      status: 'unreadable',
      message: `cannot read Argo CD Applications in ${ref.namespace}: ${failure.message}`,
    };
  const object = state.objects.get(keyString(keyOf(wanted)));
  return object
    ? { status: 'ok', object }
    : { status: 'absent', message: `Argo CD has no Application ${ref.namespace}/${ref.name}` };
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
