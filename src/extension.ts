// Composition root: builds the editor side over the core and registers it. Nothing else lives here.
// The engine, renderer and cluster client load on first use (driftSession), so activation stays cheap.
import * as vscode from 'vscode';
import type { ResourceKey } from './core/model/resource';
import { AuthoringDiagnostics } from './vscode/authoring/authoringDiagnostics';
import { AuthoringQuickFixes } from './vscode/authoring/authoringQuickFixes';
import { ChartDownloadsQuickFix } from './vscode/authoring/chartDownloadsQuickFix';
import { ChartDocuments } from './vscode/authoring/chartDocuments';
import { EffectiveValuesHover } from './vscode/authoring/effectiveValuesHover';
import { FieldValuesDocuments } from './vscode/authoring/fieldValues';
import { KustomizationCompletion } from './vscode/authoring/kustomizationCompletion';
import { KUSTOMIZATION_SELECTOR, KustomizationLinks } from './vscode/authoring/kustomizationLinks';
import { RenderedCodeLens } from './vscode/authoring/renderedCodeLens';
import { HelmCodeLens } from './vscode/authoring/helmCodeLens';
import { RenderedDocuments } from './vscode/authoring/renderedDocuments';
import { registerCommands } from './vscode/commands/registerCommands';
import { DriftDecorations } from './vscode/decorations/driftDecorations';
import { DriftDiagnostics } from './vscode/diagnostics/driftDiagnostics';
import { MarkerIndex } from './vscode/diagnostics/markerIndex';
import { DriftQuickFixes } from './vscode/diagnostics/quickFixes';
import { DriftDocuments } from './vscode/diff/driftDocuments';
import { DriftStore } from './vscode/driftStore';
import { DeploymentDocuments } from './vscode/history/deploymentDocuments';
import { DoraPanel } from './vscode/history/doraPanel';
import { HistoryModel } from './vscode/history/historyModel';
import { ImageArrivalsHover } from './vscode/history/imageArrivalsHover';
import { type CodeCacheLoad, loadLazyHalf } from './vscode/codeCache';
import { createHost, type Host, SwitchableHost } from './vscode/host';
import { RefreshOnSave } from './vscode/refreshOnSave';
import { affectsSettings, affectsViewSettings, readSettings, readTreeGrouping } from './vscode/settings';
import { DriftStatusBar } from './vscode/statusBar';
import { FileCacheStore } from './node/fileCacheStore';
import { EnvironmentsTreeProvider } from './vscode/views/environmentsTree';
import { readWhenOpened } from './vscode/views/readWhenOpened';
import { FollowCursor } from './vscode/views/followCursor';
import { type HistoryElement, HistoryTreeProvider } from './vscode/views/historyTree';
import { resourceElement, selectedEnvironment, type TreeElement } from './vscode/views/treeElements';

/** What the extension exports (`extensions.getExtension(...).exports`): read-only access for tests and tools. */
export interface GitOpsDriftApi {
  /** The Environments view's data provider, as VS Code sees it. */
  environmentsTree: vscode.TreeDataProvider<TreeElement>;
  /** The History view's data provider. */
  historyTree: vscode.TreeDataProvider<HistoryElement>;
  /** Resolves when no refresh is queued or running and the markers show the result. */
  whenIdle(): Promise<void>;
  /**
   * Test mode only (the editor tests): routes the commands' dialogs and quick picks to `host` until disposed.
   * Absent in a normal run, so nothing outside a test can answer a confirmation.
   */
  useHost?(host: Host): vscode.Disposable;
  /** Test mode only: the folder VS Code writes this extension's logs to (the editor tests grep the log). */
  logUri?: vscode.Uri;
  /** Test mode only: the DORA panel's HTML while it is open. */
  doraPanelHtml?(): string | undefined;
  /** Test mode only: the status bar item's text as shown. */
  statusBarText?(): string;
  /** Test mode only: the Environments view's description and selection. */
  environmentsView?(): {
    description: string | undefined;
    selection: readonly TreeElement[];
    visible: boolean;
    /** Fires when the view's selection changes (tests wait on it instead of polling). */
    onDidChangeSelection: vscode.Event<unknown>;
    /** Fires when the view is shown or hidden. */
    onDidChangeVisibility: vscode.Event<unknown>;
  };
}

/**
 * `activationCache`: how src/extensionEntry.ts loaded this bundle with its V8 code cache (written here after the first
 * render); absent when this file is loaded directly.
 */
export function activate(context: vscode.ExtensionContext, activationCache?: CodeCacheLoad): GitOpsDriftApi {
  const activated = Date.now();
  const log = vscode.window.createOutputChannel('GitOps Drift', { log: true });
  const switchable = context.extensionMode === vscode.ExtensionMode.Test ? new SwitchableHost(createHost()) : undefined;
  const host = switchable ?? createHost();
  const folder = vscode.workspace.workspaceFolders?.[0];
  const repoRoot =
    folder?.uri.scheme === 'file' ? folder.uri.fsPath.split('\\').join('/').replace(/\/+$/, '') : undefined;
  let lazyHalf: CodeCacheLoad | undefined;
  const store = new DriftStore({
    repoRoot,
    createSession: async (options) => {
      if (!lazyHalf) {
        // The split build's engine half, compiled from the code cache the first window wrote (see codeCache.ts).
        lazyHalf = loadLazyHalf(__dirname, vscode.Uri.joinPath(context.globalStorageUri, 'code-cache').fsPath);
        if (lazyHalf.state !== 'off') log.info(`engine bundle read in ${lazyHalf.ms} ms, code cache ${lazyHalf.state}`);
      }
      return new (await import('./vscode/driftSession.js')).DriftSession(options);
    },
    settings: () => readSettings(vscode.workspace.isTrusted),
    trusted: () => vscode.workspace.isTrusted,
    log,
    state: context.workspaceState,
    // The tree shown at once on the next opening of this workspace (object keys only; see core/editor/lastKnownTree).
    // In the global storage, in a folder per repo path: a window opened while another on the same folder is still
    // closing gets a workspace storage of its own (`…-1`), which would hold no saved tree.
    ...(repoRoot
      ? { lastKnown: new FileCacheStore(vscode.Uri.joinPath(context.globalStorageUri, 'tree').fsPath, repoRoot) }
      : {}),
    secrets: context.secrets,
    activatedAt: activated,
    whenTreeDrawn: (quietMs?: number): Promise<void> => tree.whenDrawn(() => view.visible, quietMs),
    chartCacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'charts').fsPath,
  });
  const index = new MarkerIndex(store);
  const diagnostics = new DriftDiagnostics(index, () => store.repoRoot);
  const authoring = new AuthoringDiagnostics(store, diagnostics, log);
  const links = new KustomizationLinks(store);
  const codeLens = new RenderedCodeLens(store);
  const helmCodeLens = new HelmCodeLens(store);
  const documents = new DriftDocuments(store);
  const tree = new EnvironmentsTreeProvider(store, {
    grouping: readTreeGrouping,
    rowOpened: (element) => readWhenOpened(store, element),
  });
  const statusBar = new DriftStatusBar(store);
  const view = vscode.window.createTreeView('gitopsDrift.environments', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const opening = view.onDidExpandElement((e) => readWhenOpened(store, e.element));
  // The kube context most environments share is said once, here, instead of on every row.
  const describeView = () => (view.description = tree.viewDescription());
  const showInTree = async (env: string, key: ResourceKey) => {
    const element = resourceElement(env, key);
    let shownNow = false;
    if (!view.visible) {
      // A view never drawn cannot reveal ("Data tree node not found"): open it, then give the editor its focus back.
      const shown = new Promise<void>((resolve) => {
        const sub = view.onDidChangeVisibility((e) => {
          if (e.visible) {
            sub.dispose();
            resolve();
          }
        });
      });
      await vscode.commands.executeCommand('gitopsDrift.environments.focus');
      await shown;
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      shownNow = true;
    }
    // The workbench finds the rows to expand and select in its copy of the tree, which it empties and fetches again on
    // every refresh, and on being shown after changes it was not visible for. A reveal that lands in that window selects
    // nothing and still resolves (MainThreadTreeViews.reveal skips rows it does not hold). A refresh asked for here
    // makes reveal wait until the workbench has the tree again (the extension host's reveal awaits its pending
    // refresh, and the workbench's refresh awaits the one in flight); a check that redraws the tree meanwhile is
    // met by one more try.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (shownNow || attempt > 0) tree.redraw();
      try {
        await view.reveal(element, { select: true, focus: false, expand: false });
      } catch {
        // Its first render may not have reached the object's environment yet: once more, after the checks in flight.
        await store.whenIdle();
        continue;
      }
      if (view.selection.some((e) => e.id === element.id)) return;
    }
    log.warn(`Reveal in Environments View: ${element.id} was not selected after 3 tries`);
  };
  const history = new HistoryModel(
    store,
    vscode.Uri.joinPath(context.globalStorageUri, 'history'),
    String((context.extension.packageJSON as { version?: unknown }).version ?? ''),
    log,
  );
  const historyTree = new HistoryTreeProvider(history);
  const deployments = new DeploymentDocuments(store);
  const dora = new DoraPanel(history);
  context.subscriptions.push(
    opening,
    log,
    history,
    historyTree,
    vscode.window.createTreeView('gitopsDrift.history', { treeDataProvider: historyTree, showCollapseAll: true }),
    deployments,
    dora,
    vscode.languages.registerHoverProvider(KUSTOMIZATION_SELECTOR, new ImageArrivalsHover(store, history)),
    store,
    index,
    diagnostics,
    authoring,
    documents,
    new RenderedDocuments(store),
    new ChartDocuments(store),
    new FieldValuesDocuments(store),
    tree,
    view,
    new DriftDecorations(index, context.extensionUri, () => store.repoRoot),
    statusBar,
    new RefreshOnSave(store, () => readSettings(vscode.workspace.isTrusted).refreshDebounceMs),
    vscode.languages.registerCodeActionsProvider({ scheme: 'file' }, new DriftQuickFixes(diagnostics), {
      providedCodeActionKinds: DriftQuickFixes.kinds,
    }),
    vscode.languages.registerCodeActionsProvider(KUSTOMIZATION_SELECTOR, new AuthoringQuickFixes(store, authoring), {
      providedCodeActionKinds: AuthoringQuickFixes.kinds,
    }),
    vscode.languages.registerCodeActionsProvider(
      { scheme: 'file', language: 'yaml' },
      new ChartDownloadsQuickFix((d) => authoring.findingFor(d)),
      { providedCodeActionKinds: ChartDownloadsQuickFix.kinds },
    ),
    vscode.languages.registerDocumentLinkProvider(KUSTOMIZATION_SELECTOR, links),
    vscode.languages.registerDefinitionProvider(KUSTOMIZATION_SELECTOR, links),
    vscode.languages.registerCompletionItemProvider(
      KUSTOMIZATION_SELECTOR,
      new KustomizationCompletion(store),
      ...KustomizationCompletion.triggerCharacters,
    ),
    vscode.languages.registerHoverProvider(
      { scheme: 'file', language: 'yaml' },
      new EffectiveValuesHover(store, (uri, line) => index.fieldMarkersAt(uri, line).length > 0),
    ),
    codeLens,
    vscode.languages.registerCodeLensProvider(KUSTOMIZATION_SELECTOR, codeLens),
    helmCodeLens,
    vscode.languages.registerCodeLensProvider({ scheme: 'file', language: 'yaml' }, helmCodeLens),
    tree.onDidChangeTreeData(describeView),
    new FollowCursor(store, view, (env, key) => showInTree(env, key)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsViewSettings(e)) tree.refreshLayout();
      if (affectsSettings(e)) void store.settingsChanged();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void store.settingsChanged()),
    store.onDidChangeBusy((busy) => {
      void vscode.commands.executeCommand('setContext', 'gitopsDrift.busy', busy);
      if (busy)
        void vscode.window.withProgress(
          { location: { viewId: 'gitopsDrift.environments' } },
          () =>
            new Promise<void>((resolve) => {
              const sub = store.onDidChangeBusy((b) => {
                if (!b) {
                  sub.dispose();
                  resolve();
                }
              });
            }),
        );
    }),
    ...registerCommands({
      store,
      host,
      log,
      documents,
      history,
      deployments,
      dora,
      // getParent makes reveal work: the view opens the environment and kind on the way.
      reveal: async (env, key) => {
        if (view.visible) await view.reveal(resourceElement(env, key), { select: true, focus: false, expand: false });
      },
      setOnlyProblems: (on) => tree.setOnlyProblems(on),
      showInTree: (env, key) => showInTree(env, key),
      selectedEnvironment: () => selectedEnvironment(view.selection),
    }),
  );
  if (repoRoot) void store.refresh({ reload: true });
  // Written after the first render, so it holds what that render compiled; off the way to the tree.
  void store.whenFirstRendered().then(() => {
    const error = lazyHalf?.save();
    if (error) log.warn(`could not write the engine's code cache: ${error}`);
    const activationError = activationCache?.save();
    if (activationError) log.warn(`could not write the activation bundle's code cache: ${activationError}`);
  });
  if (activationCache && activationCache.state !== 'off')
    log.info(`activation bundle read in ${activationCache.ms} ms, code cache ${activationCache.state}`);
  // The editor's time to a filled tree is broken down from these lines (bench/ui/editor.mjs, bench/flux/editor.mjs).
  log.info(`activated in ${Date.now() - activated} ms (called at ${new Date(activated).toISOString()})`);
  return {
    environmentsTree: tree,
    historyTree,
    whenIdle: async () => {
      await store.whenIdle();
      await Promise.all([index.whenSettled(), authoring.whenSettled()]);
    },
    ...(switchable
      ? {
          useHost: (h: Host) => switchable.use(h),
          logUri: context.logUri,
          doraPanelHtml: () => dora.currentHtml,
          statusBarText: () => statusBar.text,
          environmentsView: () => ({
            description: view.description,
            selection: view.selection,
            visible: view.visible,
            onDidChangeSelection: view.onDidChangeSelection,
            onDidChangeVisibility: view.onDidChangeVisibility,
          }),
        }
      : {}),
  };
}

export function deactivate(): void {}
