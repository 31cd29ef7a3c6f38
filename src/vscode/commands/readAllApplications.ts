import * as vscode from 'vscode';
import { readCost } from '../../core/editor/fleetShape';
import type { EditorServices } from '../services';
import { asEnvironmentName } from './driftTarget';
import type { CommandHandler } from './registerCommand';

/** Beyond this many Applications, Read All Applications first says what it will ask of the cluster and asks. */
export const READ_ALL_CONFIRM_ABOVE = 20;

/**
 * "Read All Applications" on a destination opened one Application at a time (fleet shape): opens every Application of
 * it and reads their objects, with progress and Cancel (the rows not read by then say so; other checks go on). Beyond
 * `confirmAbove` (READ_ALL_CONFIRM_ABOVE) Applications, a modal first says how many LISTs (or Argo CD managed-resources
 * calls) it makes. Any other environment is checked again, as Refresh Environment does.
 */
export function readAllApplicationsCommand(
  s: Pick<EditorServices, 'store' | 'host'>,
  confirmAbove = READ_ALL_CONFIRM_ABOVE,
): CommandHandler {
  return async (arg) => {
    const name = asEnvironmentName(arg);
    const entry = name === undefined ? undefined : s.store.entry(name);
    if (!name || !entry) return;
    if (!s.store.opensByApplication(name)) return s.store.refresh({ environments: [name], open: true });
    const apps = entry.env.applications.map((a) => a.name);
    if (apps.length > confirmAbove) {
      const session = await s.store.getSession();
      const via = session.readsThroughArgoCdApi(entry.env) ? 'api' : 'cluster';
      const cost = readCost(entry.env, entry.report ?? { resources: [] }, apps, via);
      const yes = 'Read All';
      const choice = await s.host.showWarningMessage(
        `Read the objects of all ${cost.applications} Applications of ${name}?`,
        {
          modal: true,
          detail:
            via === 'api'
              ? `This asks Argo CD's API for each Application's managed resources: ${cost.requests} requests.`
              : `This makes up to ${cost.requests} LISTs of ${session.contextFor(entry.env) || 'the current context'} (one per kind and namespace of their objects; none for those a watch already holds). Argo CD's own status is read as before.`,
        },
        yes,
      );
      if (choice !== yes) return;
    }
    await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Reading ${apps.length} Applications of ${name}`,
        cancellable: true,
      },
      (_progress, token) => {
        // Cancel stops this destination's read only, and ends the progress at once (other checks go on).
        let cancelling: vscode.Disposable | undefined;
        const cancelled = new Promise<void>((resolve) => {
          cancelling = token.onCancellationRequested(() => {
            s.store.cancelEnvironment(name);
            resolve();
          });
        });
        return Promise.race([s.store.openAllApplications(name), cancelled]).finally(() => cancelling?.dispose());
      },
    );
  };
}
