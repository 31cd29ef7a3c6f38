import { keyLabel, keyString } from '../../core/model/resource';
import { applyPutLiveBack, describeConflicts } from '../../core/promote/putLiveBack';
import { fluxApplications } from '../../core/promote/fluxReconcile';
import { nothingToPutBack, planPutBack, previewPutBack } from '../../core/putBackService';
import type { EditorServices } from '../services';
import { asDriftTarget, asEnvironmentName } from './driftTarget';
import { sendReconcile } from './reconcileNow';
import type { CommandHandler } from './registerCommand';

/**
 * "GitOps: Put Live Back to Desired" for one object (tree item, quick fix) or a whole environment: server-side apply
 * dry-run (field manager `gitops-drift`) shown as a diff, a modal confirmation, then the apply. Fields other
 * managers own are only taken over after a second, explicit confirmation. Extra objects are deleted only when the
 * user ticks that for this run, and never for an environment whose render skipped content. Refused in untrusted
 * workspaces and, with the server's message, for read-only contexts. When Flux applies the objects (a Kustomization
 * the cluster has, not suspended), the confirmation first offers Reconcile Now (Flux), the GitOps way back. What to
 * put back, the dry run and the apply are src/core/putBackService.ts, shared with `gitops-drift put-back`.
 */
export function putLiveBackCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    if (!s.host.isTrusted())
      throw new Error('putting live state back writes to the cluster: trust this workspace first');
    const target = asDriftTarget(arg);
    const envName =
      target?.env ??
      asEnvironmentName(arg) ??
      (
        await s.host.showQuickPick(
          s.store.entries.map((e) => ({ label: e.env.name })),
          { placeHolder: 'Put which environment back to desired?' },
        )
      )?.label;
    if (!envName) return;
    const session = await s.store.getSession();
    const env = await session.engine.environment(envName);
    const live = await session.liveFor(env);
    // The one object the command was run on is tried whatever the check could read: the server's dry run says why not.
    const plan = await planPutBack(
      session.engine,
      env,
      live.source,
      target
        ? { pick: (r) => keyString(r.key) === keyString(target.key), tryForbidden: true, check: live.options }
        : { check: live.options },
    );
    let allowIncomplete = false;
    if (plan.skipped.length) {
      const yes = 'Put Back What Was Rendered';
      const choice = await s.host.showWarningMessage(
        `${envName} is only partly rendered: put back what was rendered?`,
        {
          modal: true,
          detail: `The render skipped:\n${plan.skipped.join('\n')}\n\nWhat it skipped is neither put back nor deleted.`,
        },
        yes,
      );
      if (choice !== yes) return;
      allowIncomplete = true;
    }
    let deleteExtra = false;
    // The objects of skipped content would look Extra: deleting is not offered then.
    if (plan.extras.length && !plan.skipped.length) {
      const yes = `Also delete ${plan.extras.length} Extra object(s)`;
      const choice = await s.host.showQuickPick(
        [
          { label: 'Keep Extra objects' },
          { label: yes, description: plan.extras.map((r) => keyLabel(r.key)).join(', ') },
        ],
        { placeHolder: 'Objects in the cluster that git does not have' },
      );
      if (!choice) return;
      deleteExtra = choice.label === yes;
    }
    if (nothingToPutBack(plan, { deleteExtra })) {
      // "Nothing to put back" would be wrong when the context could not even read the objects: say why instead.
      const unreadable = plan.unread.filter((r) => r.verdict === 'Forbidden');
      if (unreadable.length) {
        await s.host.showWarningMessage(
          `GitOps Drift: context ${plan.report.context || '(current)'} may not read ${unreadable.length} object(s) of ${envName} (403 Forbidden), so their drift is unknown and nothing was put back. Use a context with read and write access.`,
          { modal: true },
        );
        return;
      }
      await s.host.showInformationMessage(`GitOps Drift: nothing to put back in ${envName}.`);
      return;
    }
    const writer = await session.writerFor(env);
    try {
      const logger = s.log;
      // A refusal (a read-only context) reaches the command wrapper, which shows it as a modal warning.
      const preview = await previewPutBack(plan, writer, { deleteExtra, allowIncomplete }, logger);
      const failed = preview.items.filter((i) => i.error);
      if (failed.length)
        throw new Error(`the dry-run failed for ${failed.map((i) => `${keyLabel(i.key)}: ${i.error}`).join('; ')}`);
      const changing = preview.items.filter((i) => i.action !== 'unchanged');
      if (!changing.length) {
        await s.host.showInformationMessage(
          `GitOps Drift: the server says applying git's state to ${envName} changes nothing.`,
        );
        return;
      }
      const doc = await s.host.openTextDocument({ content: changing.map((i) => i.diff).join('\n'), language: 'diff' });
      await s.host.showTextDocument(doc.uri, { preview: true });
      const ok = 'Apply';
      const summary = changing.map((i) => `• ${i.action} ${keyLabel(i.key)}`).join('\n');
      // Objects Flux applies: asking it to reconcile is the GitOps way back, offered before a direct apply.
      const changingKeys = new Set(changing.map((i) => keyString(i.key)));
      const flux = fluxApplications(env, {
        apps: new Set(plan.picked.filter((r) => changingKeys.has(keyString(r.key))).map((r) => r.application)),
        summaries: plan.report.applications,
      });
      const reconcile = 'Reconcile Now (Flux)';
      const fluxDetail = flux.length
        ? `\n\nFlux applies these (${flux.map((f) => `Kustomization ${f.ref.namespace}/${f.ref.name}`).join(', ')}): ${reconcile} asks it to reconcile instead, by setting reconcile.fluxcd.io/requestedAt.`
        : '';
      const answer = await s.host.showWarningMessage(
        `Apply git's state to ${changing.length} object(s) in ${writer.context}?`,
        {
          modal: true,
          detail: `${summary}\n\nServer-side apply as field manager gitops-drift (the diff shows the server's dry-run).${fluxDetail}`,
        },
        ...(flux.length ? [reconcile, ok] : [ok]),
      );
      if (answer === reconcile) {
        await sendReconcile(s, env, flux, writer);
        return;
      }
      if (answer !== ok) return;
      const conflicted = preview.items.filter((i) => i.conflicts.length);
      let force = false;
      if (conflicted.length) {
        const take = 'Take Over Fields';
        force =
          (await s.host.showWarningMessage(
            'Other field managers own some of these fields',
            {
              modal: true,
              detail: `${describeConflicts(conflicted)}.\n\nApplying takes these fields over from them; they may set them back.`,
            },
            take,
          )) === take;
        if (!force) return;
      }
      const results = await applyPutLiveBack(writer, preview, { forceConflicts: force }, logger);
      const bad = results.filter((r) => r.status === 'failed');
      const moved = results.filter((r) => r.status === 'applied' && !r.matchesPreview);
      await s.store.refresh({ environments: [envName] });
      if (bad.length)
        throw new Error(
          `applied ${results.length - bad.length} of ${results.length}; failed: ${bad.map((r) => `${keyLabel(r.key)} (${r.message})`).join('; ')}`,
        );
      void s.host.showInformationMessage(
        `GitOps Drift: put ${results.filter((r) => r.status !== 'skipped').length} object(s) back in ${envName}${moved.length ? `; ${moved.map((r) => keyLabel(r.key)).join(', ')} changed meanwhile and differ from the preview` : ''}.`,
      );
    } finally {
      writer.dispose();
    }
  };
}
