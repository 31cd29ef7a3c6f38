import type { EditorServices } from '../services';
import { readSettings } from '../settings';
import type { CommandHandler } from './registerCommand';

/**
 * Sign In to Argo CD…: asks for the server and a token (`argocd account generate-token`), checks them with one
 * `GET /api/v1/applications`, and keeps the token in VS Code's SecretStorage; Argo CD environments are then read
 * through its API (docs/argocd.md). TLS as the argocd CLI's config says for that server. The token is never logged.
 */
export function signInToArgoCdCommand(s: EditorServices): CommandHandler {
  return async () => {
    const current = readSettings(s.host.isTrusted()).argocdServer;
    const server = (
      await s.host.showInputBox({
        title: 'Sign In to Argo CD (1/2)',
        prompt: 'Argo CD server, as for argocd login (argocd.example.com, or https://host/path)',
        value: current,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'the server is required'),
      })
    )?.trim();
    if (!server) return;
    const token = (
      await s.host.showInputBox({
        title: 'Sign In to Argo CD (2/2)',
        prompt: `A token for ${server} (argocd account generate-token); kept in VS Code's secret storage`,
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'the token is required'),
      })
    )?.trim();
    if (!token) return;
    // One request before keeping anything: a wrong server or a refused token says so now (ClusterError's words).
    // The client and the argocd CLI's config reader (the YAML library) load with the lazy half, not at activation.
    const { createArgoCdClient, argoCdTlsFromConfig } = await import('../lazyEntry.js');
    const client = createArgoCdClient({ ...argoCdTlsFromConfig(process.env, server), token });
    const applications = await client.applications();
    s.log.info(`signed in to Argo CD at ${client.server}: ${applications.length} applications readable`);
    await s.store.signInToArgoCd(server, token);
    void s.host.showInformationMessage(
      `Signed in to Argo CD at ${client.server}: ${applications.length} application${applications.length === 1 ? '' : 's'}; Argo CD environments are now read through it.`,
    );
  };
}
