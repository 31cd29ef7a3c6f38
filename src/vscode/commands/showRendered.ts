import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/** Opens an environment's rendered YAML (what `kustomize build` prints) in an untitled editor. */
export function showRenderedCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    let name = asEnvironmentName(arg);
    if (!name) {
      const pick = await s.host.showQuickPick(s.store.entries.map((e) => ({ label: e.env.name, description: e.env.path })), { placeHolder: 'Render which environment?' });
      name = pick?.label;
    }
    const entry = name ? s.store.entry(name) : undefined;
    if (!entry) return;
    const session = await s.store.getSession();
    const yaml = await session.renderedYaml(entry.env);
    const doc = await s.host.openTextDocument({ content: `# ${entry.env.name}: rendered from ${entry.env.path || '.'}\n${yaml}`, language: 'yaml' });
    await s.host.showTextDocument(doc.uri, { preview: true });
  };
}
