import { renderedUri, type RenderedTarget } from '../authoring/renderedDocuments';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/**
 * Opens the rendered output of an environment (tree item, or picked), of a kustomization folder (`{ dir }`, from
 * the CodeLens) or of a Helm application (`{ env, app }`, from the Preview Rendered Chart lens) as a read-only YAML
 * document that follows saves. Returns the document's URI.
 */
export function showRenderedCommand(s: EditorServices): CommandHandler {
  return async (arg) => {
    let target: RenderedTarget | undefined;
    const dir = arg && typeof arg === 'object' ? (arg as { dir?: unknown }).dir : undefined;
    const app = arg && typeof arg === 'object' ? (arg as { env?: unknown; app?: unknown }) : undefined;
    if (typeof dir === 'string') target = { dir };
    else if (typeof app?.env === 'string' && typeof app.app === 'string') target = { env: app.env, app: app.app };
    else {
      let name = asEnvironmentName(arg) ?? (typeof arg === 'string' ? arg : undefined);
      if (!name) {
        const pick = await s.host.showQuickPick(
          s.store.entries.map((e) => ({ label: e.env.name, description: e.env.path })),
          { placeHolder: 'Render which environment?' },
        );
        name = pick?.label;
      }
      if (name && s.store.entry(name)) target = { env: name };
    }
    if (!target) return undefined;
    const uri = renderedUri(target);
    await s.host.showTextDocument(uri, { preview: true });
    return uri;
  };
}
