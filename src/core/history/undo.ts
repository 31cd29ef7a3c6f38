/**
 * Which deployments were undone, and by what: a later commit that `git revert`ed it, or a rollback, the next move
 * of something it moved taking it back to where it was before (an image to its previous tag or digest, replicas or
 * a config value to the previous value, an added object removed, a removed one back). Secret values are compared by
 * nothing here: a Secret's key going back is not seen as a rollback.
 */
import type { TrackedDeployment } from './timeline';
import type { Movement, ObjectRef, Undo } from './types';

/** For each deployment (oldest first, as the walk records them), how it was undone, if it was. */
export function findUndos(deployments: readonly TrackedDeployment[]): (Undo | undefined)[] {
  // Each item's moves, in order: deployment index and the move.
  const byItem = new Map<string, { at: number; move: Movement }[]>();
  deployments.forEach((d, at) => {
    for (const move of d.moved) {
      const item = itemOf(move);
      if (!item) continue;
      let list = byItem.get(item);
      if (!list) byItem.set(item, (list = []));
      list.push({ at, move });
    }
  });
  const revertedBy = new Map<string, number>();
  deployments.forEach((d, at) => {
    if (d.reverts && !revertedBy.has(d.reverts)) revertedBy.set(d.reverts, at);
  });
  return deployments.map((d, i) => {
    let best: { at: number; how: Undo['how'] } | undefined;
    const revert = revertedBy.get(d.commit.sha);
    if (revert !== undefined && revert > i) best = { at: revert, how: 'git-revert' };
    for (const move of d.moved) {
      const item = itemOf(move);
      if (!item) continue;
      const next = byItem.get(item)!.find((m) => m.at > i);
      if (next && restores(move, next.move) && (!best || next.at < best.at)) best = { at: next.at, how: 'rollback' };
    }
    if (!best) return undefined;
    const by = deployments[best.at].commit;
    return { how: best.how, by, afterSeconds: (Date.parse(by.date) - Date.parse(d.commit.date)) / 1000 };
  });
}

function ref(o: ObjectRef): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

/** What a move is of, so the next move of the same thing can be found; undefined for what is never rolled back. */
function itemOf(move: Movement): string | undefined {
  switch (move.kind) {
    case 'image':
      return `image ${ref(move.object)} ${move.container}`;
    case 'replicas':
      return `replicas ${ref(move.object)}`;
    case 'config':
      return move.secret ? undefined : `config ${ref(move.object)} ${move.key}`;
    case 'added':
    case 'removed':
      return `object ${ref(move.object)}`;
    default:
      return undefined;
  }
}

/** Whether `later` puts back what `move` changed. */
function restores(move: Movement, later: Movement): boolean {
  if (move.kind === 'image' && later.kind === 'image')
    return move.from
      ? later.image === move.image && later.to?.tag === move.from.tag && later.to?.digest === move.from.digest
      : later.to === undefined;
  if (move.kind === 'replicas' && later.kind === 'replicas') return later.to === move.from;
  if (move.kind === 'config' && later.kind === 'config') return later.to === move.from;
  if (move.kind === 'added') return later.kind === 'removed';
  if (move.kind === 'removed') return later.kind === 'added';
  return false;
}
