import { fluxApplications, requestFluxReconcile, type FluxApplication } from '../../core/promote/fluxReconcile';
import type { ClusterWriter } from '../../core/ports';
import type { RepoEnvironment } from '../../core/repo/config';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Ask Flux to Reconcile Now" on an application (or an environment) that a Flux Kustomization applies: after a
 * modal confirmation naming the Kustomization and the context, sets its `reconcile.fluxcd.io/requestedAt` annotation
 * (src/core/promote/fluxReconcile.ts), then refreshes the environment. Refused in untrusted workspaces.
 */
export function reconcileNowCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    if (!s.host.isTrusted())
      throw new Error('asking Flux to reconcile writes to the cluster: trust this workspace first');
    const envName =
      asEnvironmentName(arg) ??
      (
        await s.host.showQuickPick(
          s.store.entries.map((e) => ({ label: e.env.name })),
          { placeHolder: 'Reconcile which environment?' },
        )
      )?.label;
    if (!envName) return;
    const env = await (await s.store.getSession()).engine.environment(envName);
    const app = (arg as { app?: unknown } | undefined)?.app;
    const target = await pickApplication(s, env, typeof app === 'string' ? app : undefined);
    if (!target) return;
    await confirmAndReconcile(s, env, target);
  };
}

/** The Flux application to reconcile: the one named, the only one, or the user's pick. */
async function pickApplication(
  s: EditorServices,
  env: RepoEnvironment,
  app: string | undefined,
): Promise<FluxApplication | undefined> {
  const candidates = fluxApplications(env, app ? { apps: new Set([app]) } : {});
  if (!candidates.length)
    throw new Error(`${app ? `application ${app}` : env.name} is not applied by a Flux Kustomization`);
  if (candidates.length === 1) return candidates[0];
  const choice = await s.host.showQuickPick(
    candidates.map((c) => ({ label: c.app, description: `Kustomization ${c.ref.namespace}/${c.ref.name}` })),
    { placeHolder: 'Reconcile which application?' },
  );
  return candidates.find((c) => c.app === choice?.label);
}

/** Asks in a modal naming the Kustomization and the context, then requests the reconcile. */
async function confirmAndReconcile(s: EditorServices, env: RepoEnvironment, target: FluxApplication): Promise<void> {
  const session = await s.store.getSession();
  const writer = await session.writerFor(env);
  try {
    const label = `Kustomization ${target.ref.namespace}/${target.ref.name}`;
    const yes = 'Reconcile Now';
    const choice = await s.host.showWarningMessage(
      `Ask Flux to reconcile ${label} in ${writer.context}?`,
      {
        modal: true,
        detail: `Sets its annotation reconcile.fluxcd.io/requestedAt (as \`flux reconcile\` does): kustomize-controller then applies git's state for ${target.app}. Nothing else of the Kustomization changes.`,
      },
      yes,
    );
    if (choice !== yes) return;
    await sendReconcile(s, env, [target], writer);
  } finally {
    writer.dispose();
  }
}

/**
 * Requests a reconcile of each target's Kustomization through `writer` (the user has confirmed), then refreshes
 * `env`. Put Live Back calls it when the user picks Reconcile Now in its confirmation. A refusal (suspended, missing, forbidden) throws to the command wrapper, which shows it.
 */
export async function sendReconcile(
  s: EditorServices,
  env: RepoEnvironment,
  targets: readonly FluxApplication[],
  writer: ClusterWriter,
): Promise<void> {
  const done: string[] = [];
  try {
    for (const target of targets) {
      const label = `Kustomization ${target.ref.namespace}/${target.ref.name}`;
      const out = await requestFluxReconcile(writer, target.ref);
      if (out.status === 'refused')
        throw new Error(
          `${out.message}.${done.length ? ` Reconcile was requested for ${done.join(', ')}.` : ' Nothing was changed.'}`,
        );
      done.push(label);
    }
    void s.host.showInformationMessage(`GitOps Drift: asked Flux to reconcile ${done.join(', ')}.`);
  } finally {
    if (done.length) await s.store.refresh({ environments: [env.name] });
  }
}
