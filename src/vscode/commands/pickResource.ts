import { keyLabel } from '../../core/model/resource';
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
      .filter((r) => all || r.verdict === 'Drifted' || r.verdict === 'Missing' || r.verdict === 'Extra')
      .map((r) => ({
        label: keyLabel(r.key),
        description: `${e.env.name} · ${r.verdict}`,
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
