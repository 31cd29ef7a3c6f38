import * as vscode from 'vscode';
import type { IgnoreRule } from '../core/drift/options';
import type { EnvironmentSetting } from '../core/repo/repository';

/** Every `gitopsDrift.*` setting, read in this one place. */
export interface Settings {
  environments: EnvironmentSetting[];
  /** Empty: KUBECONFIG or ~/.kube/config. */
  kubeconfig: string;
  watch: boolean;
  refreshDebounceMs: number;
  ignore: IgnoreRule[];
  allowExecCredentials: boolean;
  /** Compare with server-side apply dry runs (trusted workspaces only). */
  exactMode: boolean;
  /** Promote pushes its new branch (`git push --set-upstream origin`, never forced) after committing. */
  promotePush: boolean;
}

const SECTION = 'gitopsDrift';

/**
 * Reads the settings. In an untrusted workspace, values set by the workspace for what reaches outside it (a
 * kubeconfig path, running credential plugins) are ignored: only the user's own values count.
 */
export function readSettings(trusted: boolean): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const userOnly = <T>(key: string, fallback: T): T => {
    if (trusted) return c.get<T>(key, fallback);
    const i = c.inspect<T>(key);
    return i?.globalValue ?? i?.defaultValue ?? fallback;
  };
  return {
    environments: c.get<EnvironmentSetting[]>('environments', []),
    kubeconfig: userOnly('kubeconfig', ''),
    watch: c.get<boolean>('watch', true),
    refreshDebounceMs: Math.max(0, c.get<number>('refreshDebounce', 300)),
    ignore: c.get<IgnoreRule[]>('ignore', []),
    allowExecCredentials: userOnly('allowExecCredentials', false),
    exactMode: c.get<boolean>('exactMode', false),
    promotePush: c.get<boolean>('promote.push', false),
  };
}

/** Whether a configuration change touches our settings. */
export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION);
}
