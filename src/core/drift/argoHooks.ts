/**
 * Argo CD sync hooks, as Argo CD treats them: an object annotated `argocd.argoproj.io/hook` (or Helm's `helm.sh/hook`,
 * which Argo CD maps to its own phases when no Argo CD hook annotation is set) is applied during a sync phase and is
 * not part of the application's sync status. Its delete policy (`argocd.argoproj.io/hook-delete-policy`, Helm's
 * `helm.sh/hook-delete-policy`; `BeforeHookCreation` when none is given) decides whether it is still in the cluster
 * after the sync: with `HookSucceeded` a successful hook is gone. So a hook is never "missing", nor drifted.
 */
import type { ResourceDrift } from '../model/drift';
import type { KubeObject } from '../model/resource';

const ARGO_HOOK = 'argocd.argoproj.io/hook';
const ARGO_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
const HELM_HOOK = 'helm.sh/hook';
const HELM_DELETE_POLICY = 'helm.sh/hook-delete-policy';

/** Helm's hook names in Argo CD's words (how Argo CD maps them). */
const HELM_PHASES: Record<string, string> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
  'pre-delete': 'PreDelete',
  'post-delete': 'PostDelete',
};
const HELM_POLICIES: Record<string, string> = {
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
  'before-hook-creation': 'BeforeHookCreation',
};

/** An object's hook phases and delete policies in Argo CD's words, or undefined when it is no hook. */
export function argoHook(object: KubeObject): { phases: string[]; deletePolicies: string[] } | undefined {
  const annotations = (object.metadata?.annotations ?? {}) as Record<string, unknown>;
  const list = (v: unknown) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
  const argo = list(annotations[ARGO_HOOK]);
  const helm = list(annotations[HELM_HOOK]);
  if (!argo.length && !helm.length) return undefined;
  const phases = argo.length ? argo : [...new Set(helm.map((h) => HELM_PHASES[h] ?? h))];
  const argoPolicies = list(annotations[ARGO_DELETE_POLICY]);
  const policies = argoPolicies.length
    ? argoPolicies
    : list(annotations[HELM_DELETE_POLICY]).map((p) => HELM_POLICIES[p] ?? p);
  return { phases, deletePolicies: policies.length ? policies : ['BeforeHookCreation'] };
}

/** What the tree and the CLI say of a hook, e.g. `Argo CD PreSync hook, deleted when it succeeds: not compared`. */
export function describeHook(hook: { phases: string[]; deletePolicies: string[] }): string {
  if (hook.phases.includes('Skip')) return 'Argo CD skips applying it (hook: Skip): not compared';
  const when = hook.deletePolicies.includes('HookSucceeded')
    ? ', deleted when it succeeds'
    : hook.deletePolicies.includes('BeforeHookCreation')
      ? ', replaced at each sync'
      : '';
  return `Argo CD ${hook.phases.join(', ')} hook${when}: not compared`;
}

/**
 * Marks the objects of Argo CD applications that are hooks (`controller.state: 'hook'`, with a note): whatever their
 * verdict, the views show them as hooks. `desiredOf` gives git's object for a key; `isArgo` says whether an
 * application is one Argo CD syncs.
 */
export function markArgoHooks(
  resources: readonly ResourceDrift[],
  desiredOf: (r: ResourceDrift) => KubeObject | undefined,
  isArgo: (application: string | undefined) => boolean,
): void {
  for (const r of resources) {
    if (!isArgo(r.application)) continue;
    const object = desiredOf(r);
    const hook = object && argoHook(object);
    if (!hook) continue;
    r.controller = { ...r.controller, state: 'hook', note: describeHook(hook) };
  }
}
