import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

const CURRENT = '\u0000current';

/**
 * Select Kube Context…: a quick pick of the kubeconfig's contexts; the choice applies to environments that name no context. A context
 * name as argument (a keybinding's `args`) switches without asking; `''` goes back to the current context.
 */
export function switchContextCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    if (typeof arg === 'string') return s.store.selectContext(arg || undefined);
    const session = await s.store.getSession();
    const { contexts, current, files } = await session.contexts();
    // The No cluster row leads here: say where a kubeconfig is looked for, since there may be none at all.
    if (!contexts.length)
      throw new Error(
        `no contexts in the kubeconfig (${files.join(', ') || 'none found'}): point the setting gitopsDrift.kubeconfig or KUBECONFIG at one`,
      );
    const selected = s.store.selectedContext;
    const items = [
      {
        label: `$(home) Kubeconfig's current context`,
        description: current ?? 'none set',
        id: CURRENT,
        picked: !selected,
      },
      ...contexts.map((c) => ({
        label: `${c.name === (selected ?? current) ? '$(check) ' : ''}${c.name}`,
        description: [c.namespace ? `ns ${c.namespace}` : '', c.server ?? ''].filter(Boolean).join(' · '),
        id: c.name,
        picked: c.name === selected,
      })),
    ];
    const choice = await s.host.showQuickPick(items, {
      placeHolder: 'Kube context for environments that name none',
      matchOnDescription: true,
    });
    if (!choice) return;
    await s.store.selectContext(choice.id === CURRENT ? undefined : choice.id);
  };
}
