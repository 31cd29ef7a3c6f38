import type { Settings } from '../../src/vscode/settings';

/**
 * The editor's settings as tests give them to a DriftSession or DriftStore: the extension's defaults (no watcher, no
 * exec credentials, fleet threshold 6, chart downloads off), reading `kubeconfig`; `overrides` change the rest.
 */
export function sessionSettings(kubeconfig: string, overrides: Partial<Settings> = {}): Settings {
  return {
    environments: [],
    kubeconfig,
    watch: false,
    refreshDebounceMs: 0,
    ignore: [],
    allowExecCredentials: false,
    exactMode: false,
    promotePush: false,
    argocdServer: '',
    argocdFleetThreshold: 6,
    chartDownloads: false,
    ...overrides,
  };
}
