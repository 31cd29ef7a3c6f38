import * as vscode from 'vscode';
import type { IgnoreRule } from '../core/drift/options';
import { DEFAULT_FLEET_THRESHOLD } from '../core/editor/fleetShape';
import { TREE_GROUPINGS, type TreeGrouping } from '../core/editor/treeLayout';
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
  /**
   * Argo CD's API server (`argocd.example.com`): Argo CD environments are read through it (token in SecretStorage,
   * set by Sign In to Argo CD…) instead of a kube context. Empty: through the cluster.
   */
  argocdServer: string;
  /**
   * Beyond this many Argo CD Applications in the repo, Argo CD environments show their Applications' status only
   * (one LIST) until opened (`gitopsDrift.argocd.fleetThreshold`).
   */
  argocdFleetThreshold: number;
  /**
   * Download HelmReleases' charts from Helm and OCI repositories (`gitopsDrift.helm.chartDownloads`); always false in
   * an untrusted workspace, whoever set it: a repo must not make the editor fetch what it names before it is trusted.
   */
  chartDownloads: boolean;
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
    // Where a token is sent reaches outside the workspace: only the user's own value counts when untrusted.
    argocdServer: userOnly('argocd.server', ''),
    argocdFleetThreshold: fleetThreshold(c.get<number>('argocd.fleetThreshold', DEFAULT_FLEET_THRESHOLD)),
    chartDownloads: trusted && c.get<boolean>('helm.chartDownloads', false),
  };
}

/** A whole number of Applications, at least 0; anything else is the default. */
function fleetThreshold(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? Math.floor(value)
    : DEFAULT_FLEET_THRESHOLD;
}

/** How the Environments view groups environments (`gitopsDrift.tree.groupBy`). */
export function readTreeGrouping(): TreeGrouping {
  const value = vscode.workspace.getConfiguration(SECTION).get<string>('tree.groupBy', 'auto');
  return (TREE_GROUPINGS as readonly string[]).includes(value) ? (value as TreeGrouping) : 'auto';
}

/** Whether the Environments view follows the editor's cursor (`gitopsDrift.tree.followCursor`). */
export function readFollowCursor(): boolean {
  return vscode.workspace.getConfiguration(SECTION).get<boolean>('tree.followCursor', false);
}

/** The view's own settings: a change lays the tree out again, and checks nothing. */
const VIEW_ONLY = `${SECTION}.tree`;

/** Whether a configuration change touches the settings a check reads (the view's own are left out). */
export function affectsSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(SECTION) && !onlyViewSettings(e);
}

/** True when a change touches `gitopsDrift.tree.*` and none of the other keys `package.json` contributes. */
function onlyViewSettings(e: vscode.ConfigurationChangeEvent): boolean {
  if (!e.affectsConfiguration(VIEW_ONLY)) return false;
  const contributed = Object.keys(
    (vscode.extensions.getExtension('gitops-drift.gitops-drift')?.packageJSON as ContributedSettings | undefined)
      ?.contributes?.configuration?.properties ?? {},
  );
  return (
    contributed.length > 0 &&
    !contributed.some((key) => !key.startsWith(`${VIEW_ONLY}.`) && e.affectsConfiguration(key))
  );
}

interface ContributedSettings {
  contributes?: { configuration?: { properties?: Record<string, unknown> } };
}

/** Whether a configuration change touches the view's own settings. */
export function affectsViewSettings(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(VIEW_ONLY);
}
