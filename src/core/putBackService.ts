/**
 * Putting an environment's live objects back to what git says, for the CLI (`gitops-drift put-back`) and the editor
 * ("Put Live Back to Desired") alike: which objects, from a fresh check through the engine; the server's dry run;
 * then the apply (`applyPutLiveBack`). The callers only ask (which objects, whether to delete Extra objects, the
 * confirmations) and show. The cluster writer comes in through the `ClusterWriter` port, made by the caller.
 */
import { objectState, UNREAD } from './model/verdictState';
import { describeSkipped, NOT_CHECKED_INCOMPLETE, skippedContent } from './drift/incomplete';
import type { CheckOptions, DriftEngine, EnvironmentReport, LiveSource } from './engine';
import type { ResourceDrift } from './model/drift';
import type { KubeObject } from './model/resource';
import type { ClusterWriter, Logger } from './ports';
import { type PutBackPreview, previewPutLiveBack } from './promote/putLiveBack';
import { RefusedError } from './promote/refusal';
import type { RepoEnvironment } from './repo/config';

/** Which objects to consider. */
export interface PutBackScope {
  /** The report entries the user named; default: every entry. */
  pick?: (r: ResourceDrift) => boolean;
  /**
   * Also dry-run picked objects this context may not read (Forbidden): the server then says whether it may change
   * them. The editor does for the one object it was run on; otherwise their drift is unknown and they are left out.
   */
  tryForbidden?: boolean;
  /** Options for the check the plan runs (exact mode). */
  check?: CheckOptions;
}

/** What putting an environment back would touch, before the server is asked. */
export interface PutBackPlan {
  env: RepoEnvironment;
  /** The check the plan is made from. */
  report: EnvironmentReport;
  /** The report entries picked. */
  picked: ResourceDrift[];
  /** Desired objects to apply (picked Drifted and Missing ones), with the namespaces the check gave them. */
  apply: KubeObject[];
  /** Picked Extra objects (in the cluster, not in git): deleted only when the user asks, for one run. */
  extras: ResourceDrift[];
  /** Picked objects the check could not read (forbidden, a kind not served, an error): their drift is unknown. */
  unread: ResourceDrift[];
  /**
   * What the render skipped, one line each (empty when complete). Then the verdicts cover only what was rendered,
   * and the skipped content's live objects look Extra.
   */
  skipped: string[];
}

/** What the user chose for one run. */
export interface PutBackChoices {
  /** Also delete the plan's Extra objects. Refused for an incomplete render. */
  deleteExtra: boolean;
  /** Put back what was rendered although the render skipped content (the user said so explicitly). */
  allowIncomplete: boolean;
}

/**
 * Checks the environment against `live` through the engine and plans what to put back. The desired objects are the
 * ones the check compared, so their namespaces are the ones drift was reported under. Refuses when the environment
 * could not be checked, and for live state from a snapshot (there is no cluster to write to).
 */
export async function planPutBack(
  engine: DriftEngine,
  env: RepoEnvironment,
  live: LiveSource,
  scope: PutBackScope = {},
): Promise<PutBackPlan> {
  if (live.secretHashing)
    throw new RefusedError(
      `putting live state back needs a cluster, not a snapshot (${live.context}). Nothing was changed.`,
    );
  const { report, objects } = await engine.compareObjects(env, live, scope.check);
  if (report.error) throw new RefusedError(`${env.name}: ${report.error}`);
  // A pipeline without reconcileDetailed gives verdicts without their objects: that must not read as "nothing to do".
  if (objects.length !== report.resources.length)
    throw new Error(
      `putting live state back needs the desired object behind each verdict, which this engine's pipeline does not give (reconcileDetailed)`,
    );
  const pick = scope.pick ?? (() => true);
  const chosen = objects.filter((o) => pick(o.result));
  const wanted = (r: ResourceDrift) =>
    r.verdict === 'Drifted' || r.verdict === 'Missing' || (scope.tryForbidden === true && r.verdict === 'Forbidden');
  return {
    env,
    report,
    picked: chosen.map((o) => o.result),
    apply: chosen.flatMap((o) => (wanted(o.result) && o.desired ? [o.desired.object] : [])),
    extras: chosen.filter((o) => o.result.verdict === 'Extra').map((o) => o.result),
    unread: chosen.filter((o) => UNREAD.has(objectState(o.result))).map((o) => o.result),
    skipped: skippedContent(report).map(describeSkipped),
  };
}

/** Whether the plan leaves nothing to ask the server about, given the user's choices. */
export function nothingToPutBack(plan: PutBackPlan, choices: Pick<PutBackChoices, 'deleteExtra'>): boolean {
  return plan.apply.length === 0 && !(choices.deleteExtra && plan.extras.length > 0);
}

/**
 * The server's dry run of the plan (see `previewPutLiveBack`): nothing is persisted. Refuses, asking nothing of the
 * server, for an incomplete render unless `allowIncomplete`, and always when asked to delete Extra objects of one
 * (the objects of what was skipped would be deleted).
 */
export async function previewPutBack(
  plan: PutBackPlan,
  writer: ClusterWriter,
  choices: PutBackChoices,
  logger: Logger,
): Promise<PutBackPreview> {
  if (plan.skipped.length) {
    const what = `${plan.env.name} is ${NOT_CHECKED_INCOMPLETE} (${plan.skipped.join('; ')})`;
    if (choices.deleteExtra)
      throw new RefusedError(
        `${what}: deleting Extra objects would delete the objects of what was skipped. Nothing was changed.`,
      );
    if (!choices.allowIncomplete)
      throw new RefusedError(
        `${what}: putting back only what was rendered needs an explicit yes. Nothing was changed.`,
      );
  }
  const remove = choices.deleteExtra
    ? plan.extras.map((r): KubeObject => ({
        apiVersion: r.apiVersion,
        kind: r.key.kind,
        metadata: { name: r.key.name, namespace: r.key.namespace },
      }))
    : [];
  return previewPutLiveBack(writer, { apply: plan.apply, delete: remove }, logger);
}
