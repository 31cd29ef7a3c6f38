import type { Git, Logger } from '../ports';
import { applyEdits } from './applyEdits';
import { promotionBranch, promotionMessage } from './commitMessage';
import { RefusedError } from './refusal';
import type { FileChange, PromotableItem, PromotionPlan } from './types';

/** The file changes of the chosen items, ready to show or commit. */
export async function promotionChanges(
  items: PromotableItem[],
  readFile: (file: string) => Promise<string>,
): Promise<FileChange[]> {
  const files = [...new Set(items.flatMap((i) => i.edits.map((e) => e.file)))];
  const originals = new Map<string, string>();
  for (const f of files) originals.set(f, await readFile(f));
  return applyEdits(
    originals,
    items.flatMap((i) => i.edits),
  );
}

/** What a promotion commit did. */
export interface PromotionCommit {
  branch: string;
  sha: string;
  message: string;
  changes: FileChange[];
  pushedTo?: string;
}

/**
 * Commits the chosen items of a plan on a new branch `promote/<source>-to-<target>-<short>`, then pushes it when a
 * remote is given (never forced). Refuses, changing nothing, when a file to edit has uncommitted changes, when a
 * merge/rebase is in progress, when the branch already exists, or when `verify` finds the edits wrong.
 */
export async function commitPromotion(
  plan: PromotionPlan,
  items: PromotableItem[],
  deps: {
    git: Git;
    readFile: (file: string) => Promise<string>;
    logger: Logger;
    pushRemote?: string;
    /** Checks the edited files (e.g. {@link verifyPromotion}); any line returned refuses the commit. */
    verify?: (changes: FileChange[]) => Promise<string[]>;
  },
): Promise<PromotionCommit> {
  if (items.length === 0) throw new RefusedError(`nothing to promote from ${plan.source} to ${plan.target}`);
  const { git } = deps;
  const busy = await git.operationInProgress();
  if (busy)
    throw new RefusedError(
      `a ${busy} is in progress in this repository; finish or abort it first. Nothing was changed.`,
    );
  const files = [...new Set(items.flatMap((i) => i.edits.map((e) => e.file)))].sort();
  await refuseUncommittedChanges(git, files);
  // Read after the dirty check: the texts are then exactly what HEAD has.
  const changes = await promotionChanges(items, deps.readFile);
  if (changes.length === 0) throw new RefusedError(`${plan.target} already has these values; nothing to commit`);
  const wrong = deps.verify ? await deps.verify(changes) : [];
  if (wrong.length)
    throw new RefusedError(
      `the edits would not promote what they say, so nothing was changed:\n  ${wrong.join('\n  ')}`,
    );
  const branch = promotionBranch(plan.source, plan.target, changes);
  if (await git.branchExists(branch))
    throw new RefusedError(
      `branch ${branch} already exists: this promotion was already committed. Nothing was changed.`,
    );
  const message = promotionMessage(plan.source, plan.target, items);
  const { sha } = await git.commitOnNewBranch(
    branch,
    changes.map((c) => ({ path: c.file, content: c.after })),
    message,
  );
  deps.logger.info(`promote: committed ${sha} on ${branch} (${changes.length} file(s))`);
  if (deps.pushRemote) {
    await git.push(branch, deps.pushRemote);
    deps.logger.info(`promote: pushed ${branch} to ${deps.pushRemote}`);
    return { branch, sha, message, changes, pushedTo: deps.pushRemote };
  }
  return { branch, sha, message, changes };
}

/**
 * Refuses when any of `files` has uncommitted changes. The editor asks before showing the preview, so nobody
 * confirms a promotion that would then be refused; commitPromotion asks again right before writing.
 */
export async function refuseUncommittedChanges(git: Git, files: string[]): Promise<void> {
  const dirty = await git.changedFiles(files);
  if (dirty.length)
    throw new RefusedError(
      `uncommitted changes in ${dirty.join(', ')}: commit or stash them first, then promote again. Nothing was changed.`,
    );
}
