import { type CliCommand, type CliIO, UsageError, parseArgs } from '../command';
import { plainText } from '../../core/model/untrustedText';
import {
  RECONCILE_REQUESTED_AT,
  checkReconcilable,
  fluxApplications,
  requestFluxReconcile,
} from '../../core/promote/fluxReconcile';
import { RefusedError } from '../../core/promote/refusal';
import { openRepo, repoRootArg, writableLiveSource } from './driftCommon';

const usage = `Usage: gitops-drift reconcile [REPO] --env CLUSTER [--app KUSTOMIZATION] [--yes]
                             [--context CTX] [--kubeconfig PATH] [--allow-exec]

Asks Flux to reconcile one Flux Kustomization now, as \`flux reconcile kustomization\` does and as the editor's
"Ask Flux to Reconcile Now": sets its reconcile.fluxcd.io/requestedAt annotation (a server-side apply of that
annotation only, field manager gitops-drift-reconcile), and kustomize-controller then applies what git says. Nothing
else of the Kustomization changes. Refused when the cluster has no such Kustomization (none is created) or it is
suspended. On a terminal it asks before writing; elsewhere --yes is needed.

Options:
  --env CLUSTER       the Flux cluster (environment)
  --app NAME          the application, i.e. the Kustomization (may be left out when the cluster has only one)
  --yes               do not ask (needed when stdin is not a terminal)
  --context CTX       kube context (default: the environment's, else the current one)
  --kubeconfig PATH   kubeconfig file (default: KUBECONFIG, else ~/.kube/config)
  --allow-exec        allow credential plugins (exec) named by the kubeconfig

Exit codes: 0 requested, 2 error, refused or not confirmed (nothing was written).`;

/** `gitops-drift reconcile`: the editor's Reconcile Now over the same core (src/core/promote/fluxReconcile.ts). */
export const reconcileCommand: CliCommand = {
  name: 'reconcile',
  summary: 'Ask Flux to reconcile a Kustomization now (sets reconcile.fluxcd.io/requestedAt, after a confirmation)',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { options, positionals } = parseArgs(args, {
      strings: ['env', 'app', 'context', 'kubeconfig'],
      booleans: ['yes', 'allow-exec'],
    });
    if (positionals.length > 1) throw new UsageError('expected at most one REPO');
    if (typeof options.env !== 'string') throw new UsageError('--env CLUSTER is required');
    const app = options.app as string | undefined;
    const { engine } = await openRepo(await repoRootArg(positionals[0], io), io);
    const env = await engine.environment(options.env);
    const all = fluxApplications(env);
    const candidates = app === undefined ? all : fluxApplications(env, { apps: new Set([app]) });
    const known = all.map((c) => c.app).join(', ') || 'none';
    if (candidates.length === 0)
      throw new UsageError(
        app === undefined
          ? `${env.name} has no application a Flux Kustomization applies`
          : `${env.name} has no Flux application '${app}' (known: ${known})`,
      );
    if (candidates.length > 1)
      throw new UsageError(`${env.name} has several Flux applications: pick one with --app (${known})`);
    const [target] = candidates;
    const live = await writableLiveSource(env, options, io);
    const label = plainText(`Kustomization ${target.ref.namespace}/${target.ref.name}`, { visible: true });
    const context = plainText(live.context, { visible: true });
    // Missing or suspended: refused before anyone is asked.
    const ready = await checkReconcilable(live.writer, target.ref);
    if (ready.status === 'refused') throw new RefusedError(`${ready.message}. Nothing was changed.`);
    if (!options.yes) {
      if (!io.confirm)
        throw new RefusedError(
          `asking Flux to reconcile ${label} in ${context} writes to the cluster: not a terminal to confirm on, pass --yes. Nothing was changed.`,
        );
      const yes = await io.confirm(
        `Ask Flux to reconcile ${label} in ${context}? (sets its annotation ${RECONCILE_REQUESTED_AT}; nothing else changes)`,
      );
      if (!yes) {
        io.stderr('Not confirmed: nothing was changed.\n');
        return 2;
      }
    }
    const outcome = await requestFluxReconcile(live.writer, target.ref);
    if (outcome.status === 'refused') throw new RefusedError(`${outcome.message}. Nothing was changed.`);
    io.stdout(`Asked Flux to reconcile ${label} in ${context} (${RECONCILE_REQUESTED_AT}: ${outcome.requestedAt}).\n`);
    return 0;
  },
};
