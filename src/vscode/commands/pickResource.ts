import { keyLabel } from '../../core/model/resource';
import { objectState, STATE_LABEL } from '../../core/model/verdictState';
import type { EditorServices } from '../services';
import type { DriftTarget } from './driftTarget';

/** Asks for an object when a command runs from the palette: drifted ones (or all, with `all`) of every environment. */
export async function pickResource(
  s: EditorServices,
  placeHolder: string,
  all = false,
): Promise<DriftTarget | undefined> {
  const items = s.store.entries.flatMap((e) =>
    (e.report?.resources ?? [])
      // The objects a diff can show: those git and the cluster disagree on (whoever is to settle it).
      .filter((r) => all || r.verdict === 'Drifted' || r.verdict === 'Missing' || r.verdict === 'Extra')
      .map((r) => ({
        label: keyLabel(r.key),
        description: `${e.env.name} · ${STATE_LABEL[objectState(r)]}`,
        target: { env: e.env.name, key: r.key } as DriftTarget,
      })),
  );
  if (!items.length) {
    await s.host.showInformationMessage(
      all ? 'GitOps Drift: no objects checked yet.' : 'GitOps Drift: nothing has drifted.',
    );
    return undefined;
  }
  return (await s.host.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.target;
}
