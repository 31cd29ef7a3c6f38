/**
 * src/vscode/views/: the environments tree (environments, kinds, objects, fields) with stable ids and getParent, its
 * elements and verdict styles.
 */
import * as vscode from 'vscode';
import { describeSkipped, isIncomplete, NOT_CHECKED_INCOMPLETE, skippedContent } from '../../core/drift/incomplete';
import {
  applicationNames,
  controllerBadge,
  controllerTooltip,
  environmentDescription,
  releaseBadge,
  releaseTooltip,
  fieldDriftMessage,
  groupByKind,
  groupDescription,
  resourceDescription,
  resourceMessage,
  soleController,
} from '../../core/editor/presentation';
import { unopenedResources } from '../../core/editor/fleetShape';
import type { ResourceDrift } from '../../core/model/drift';
import {
  countParts,
  countStates,
  environmentNeedsAttention,
  environmentState,
  needsAttention,
  objectState,
  STATE_LABEL,
} from '../../core/model/verdictState';
import {
  environmentsStartOpen,
  groupEnvironments,
  repeatedNames,
  sharedContext,
  type EnvironmentGroup,
  type TreeGrouping,
} from '../../core/editor/treeLayout';
import { type ApplicationParent, describeParent, describeSource } from '../../core/model/environment';
import { keyString } from '../../core/model/resource';
import { fluxApplications } from '../../core/promote/fluxReconcile';
import { plainText } from '../../core/model/untrustedText';
import { CommandIds } from '../commands/commandIds';
import { repoUri } from '../repoFiles';
import type { DriftStore, EnvironmentEntry } from '../driftStore';
import { Disposable } from '../lifecycle';
import {
  applicationElement,
  environmentElement,
  groupElement,
  kindElement,
  messageElement,
  noClusterElement,
  resourceElement,
  type TreeElement,
} from './treeElements';
import { incompleteIcon, stateIcon } from './verdictStyle';

/**
 * The view's state, for `viewsWelcome` (`gitopsDrift.viewState` context key). There is no "unreachable" state: without
 * a cluster the environments and their rendered objects still show, not checked.
 */
export type ViewState = 'loading' | 'noFolder' | 'noEnvironments' | 'ready';

/** How long a view that says it is hidden may still ask for rows (see whenDrawn). */
const HIDDEN_GRACE_MS = 300;

/** The context key that is true while the view shows only what needs attention (its title bar toggle). */
export const ONLY_PROBLEMS_CONTEXT = 'gitopsDrift.onlyProblems';

/** What the tree reads besides the store: the `gitopsDrift.tree.groupBy` setting. */
export interface TreeOptions {
  grouping(): TreeGrouping;
  /**
   * The workbench asked for the rows under a row read when opened (fleet shape) that is not opened yet: the row is
   * open. The workbench asks only for an open row's rows, and asks again after every refresh, whereas its expansion
   * event is dropped when it arrives while a refresh replaces the rows (the extension host no longer knows the row's
   * handle), which would leave an open row never read.
   */
  rowOpened?(element: TreeElement): void;
}

/** The view's layout for the environments as they are now: groups, and the context said once. */
interface Layout {
  groups: EnvironmentGroup[];
  groupOf: Map<string, EnvironmentGroup>;
  sharedContext: string | undefined;
  /** Environments whose row names its context (it differs from the shared one). */
  ownContext: Set<string>;
}

/**
 * Environment → kind group → resource, with verdict icons and colours; environment → application → kind → resource
 * for an environment of several applications (objects found only live, in no application, stay at the top). Beyond a
 * handful of environments they start folded, grouped as the repo groups itself (src/core/editor/treeLayout.ts).
 */
export class EnvironmentsTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeElement> {
  private readonly changed = this._register(new vscode.EventEmitter<TreeElement | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private onlyProblems = false;
  private layoutCache: Layout | undefined;
  /** When the view last asked for rows (see whenDrawn). */
  private lastAsked = 0;

  constructor(
    private readonly store: DriftStore,
    private readonly options: TreeOptions = { grouping: () => 'auto' },
  ) {
    super();
    this._register(
      store.onDidChange(() => {
        this.layoutCache = undefined;
        void vscode.commands.executeCommand('setContext', 'gitopsDrift.viewState', this.viewState());
        this.changed.fire(undefined);
      }),
    );
    void vscode.commands.executeCommand('setContext', 'gitopsDrift.viewState', this.viewState());
    void vscode.commands.executeCommand('setContext', ONLY_PROBLEMS_CONTEXT, false);
  }

  /** What the view shows; the welcome content depends on it. */
  viewState(): ViewState {
    if (!this.store.repoRoot) return 'noFolder';
    if (!this.store.loaded) return 'loading';
    return this.store.entries.length ? 'ready' : 'noEnvironments';
  }

  /** The grouping setting changed: lay the view out again. */
  refreshLayout(): void {
    this.layoutCache = undefined;
    this.changed.fire(undefined);
  }

  /** Has the view fetch every row it shows again (before a reveal: see showInTree in extension.ts). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /** The view's description: the kube context most environments check against, said once (`ctx rw-admin`). */
  viewDescription(): string | undefined {
    if (this.viewState() !== 'ready') return undefined;
    const shared = this.layout().sharedContext;
    return shared ? `ctx ${shared}` : undefined;
  }

  private layout(): Layout {
    if (this.layoutCache) return this.layoutCache;
    const entries = this.store.entries;
    const groups = groupEnvironments(
      entries.map((e) => e.env),
      this.options.grouping(),
    );
    const groupOf = new Map<string, EnvironmentGroup>();
    for (const g of groups) for (const name of g.environments) groupOf.set(name, g);
    // Only checked environments say which context they used (an environment's own, or the one selected).
    const { shared, differing } = sharedContext(
      entries.filter((e) => e.report).map((e) => ({ name: e.env.name, context: e.report!.context })),
    );
    return (this.layoutCache = { groups, groupOf, sharedContext: shared, ownContext: differing });
  }

  /** Whether the view shows only what needs attention (drift, missing, extra, unreadable, errors). */
  get showsOnlyProblems(): boolean {
    return this.onlyProblems;
  }

  /** The title bar toggle: only what needs attention, or everything. */
  async setOnlyProblems(on: boolean): Promise<void> {
    this.onlyProblems = on;
    await vscode.commands.executeCommand('setContext', ONLY_PROBLEMS_CONTEXT, on);
    this.changed.fire(undefined);
  }

  /**
   * Resolves once the view has asked for the rows it shows since now (then no request for `quietMs`), after `maxMs`
   * at the latest, and soon when it is hidden: the store waits on it before loading the engine, whose load and renders
   * keep this thread (which answers the view) busy for seconds. (A view the window restores open may still say it is
   * hidden for a moment after activation, so hidden alone does not end the wait at once. Each level of open rows is one
   * more round trip to the window, hence the quiet time.)
   */
  whenDrawn(visible: () => boolean, quietMs = 250, maxMs = 1500): Promise<void> {
    const since = Date.now();
    return new Promise((resolve) => {
      const poll = () => {
        const now = Date.now();
        const drawn = this.lastAsked >= since && now - this.lastAsked >= quietMs;
        if (drawn || now - since >= maxMs || (!visible() && now - since >= HIDDEN_GRACE_MS)) resolve();
        else setTimeout(poll, quietMs / 2);
      };
      poll();
    });
  }

  getChildren(element?: TreeElement): TreeElement[] {
    this.lastAsked = Date.now();
    if (!element) return this.viewState() === 'ready' ? this.roots() : [];
    if (element.type === 'group') {
      const group = this.layout().groups.find((g) => g.by === element.by && g.key === element.key);
      return this.shownEnvironments(group?.environments ?? []).map((name) => environmentElement(name));
    }
    if (this.readsWhenOpened(element)) this.options.rowOpened?.(element);
    const entry = this.store.entry(element.env);
    const report = entry?.report;
    // Before its first render, an environment of several applications (a Flux cluster's Kustomizations) lists them
    // as discovery found them, each "rendering…"; their objects come with the render.
    if (!report)
      return entry?.checking && element.type === 'environment' && entry.env.applications.length > 1
        ? entry.env.applications.map((a) => applicationElement(element.env, a.name))
        : [];
    const apps = applicationNames(entry.env.applications, report);
    const showsApps = apps.length > 1;
    const shown = (resources: readonly ResourceDrift[]) =>
      this.onlyProblems ? resources.filter((r) => needsAttention(objectState(r))) : [...resources];
    if (element.type === 'environment') {
      const kids: TreeElement[] = [];
      // A cluster that cannot be reached is said once, at the top (noClusterElement), not under every environment.
      if (report.error && !report.noCluster) kids.push(messageElement(element.env, report.error));
      if (showsApps)
        for (const a of apps) {
          const summary = report.applications?.find((s) => s.name === a);
          const objects = shown(report.resources.filter((r) => r.application === a));
          if (!this.onlyProblems || objects.length || (summary && summary.state === 'failed'))
            kids.push(applicationElement(element.env, a));
        }
      const resources = showsApps ? report.resources.filter((r) => r.application === undefined) : report.resources;
      for (const g of groupByKind(shown(resources))) kids.push(kindElement(element.env, g.group, g.kind));
      return kids;
    }
    if (element.type === 'application') {
      const kids: TreeElement[] = [];
      const summary = report.applications?.find((a) => a.name === element.app);
      const notRead = entry.notRead?.get(element.app);
      if (summary?.message) kids.push(messageElement(element.env, summary.message, element.app));
      else if (notRead && (report.statusOnly || summary?.statusOnly))
        kids.push(messageElement(element.env, `${notRead}: fold this row and open it again to read it`, element.app));
      for (const g of groupByKind(shown(report.resources.filter((r) => r.application === element.app))))
        kids.push(kindElement(element.env, g.group, g.kind, element.app));
      return kids;
    }
    if (element.type === 'kind') {
      const group = groupByKind(shown(resourcesOf(report.resources, element.app, showsApps))).find(
        (g) => g.group === element.group && g.kind === element.kind,
      );
      return (group?.resources ?? []).map((r) => resourceElement(element.env, r.key));
    }
    return [];
  }

  /**
   * The top level: one row per distinct reason environments cannot reach their cluster (usually one for all), then
   * the environments (with the filter on, those that need attention).
   */
  private roots(): TreeElement[] {
    const entries = this.store.entries;
    const causes = new Map<string, string[]>();
    for (const e of entries)
      if (e.report?.noCluster && e.report.error)
        causes.set(e.report.error, [...(causes.get(e.report.error) ?? []), e.env.name]);
    const { groups } = this.layout();
    const rows = groups.length
      ? groups
          .filter((g) => this.shownEnvironments(g.environments).length)
          .map((g) => groupElement(g.by, g.key, g.environments[0]))
      : this.shownEnvironments(entries.map((e) => e.env.name)).map((name) => environmentElement(name));
    return [...[...causes].map(([cause, names]) => noClusterElement(cause, names)), ...rows];
  }

  /** Of these environments, those the view shows (with the filter on, those that need attention). */
  private shownEnvironments(names: readonly string[]): string[] {
    if (!this.onlyProblems) return [...names];
    return names.filter((n) => {
      const report = this.store.entry(n)?.report;
      return report !== undefined && environmentNeedsAttention(report);
    });
  }

  getParent(element: TreeElement): TreeElement | undefined {
    switch (element.type) {
      case 'noCluster':
      case 'group':
        return undefined;
      case 'environment': {
        const g = this.layout().groupOf.get(element.env);
        return g ? groupElement(g.by, g.key, g.environments[0]) : undefined;
      }
      case 'application':
        return environmentElement(element.env);
      case 'kind':
      case 'message':
        return element.app === undefined
          ? environmentElement(element.env)
          : applicationElement(element.env, element.app);
      case 'resource': {
        const entry = this.store.entry(element.env);
        const app =
          entry && applicationNames(entry.env.applications, entry.report).length > 1
            ? entry.report?.resources.find((r) => keyString(r.key) === keyString(element.key))?.application
            : undefined;
        return kindElement(element.env, element.key.group, element.key.kind, app);
      }
    }
  }

  /**
   * Whether opening the row reads its objects, and it is not opened yet (fleet shape). An Application whose read was
   * cancelled is not: it stays as the cancel left it until its row is folded and opened again.
   */
  private readsWhenOpened(element: TreeElement): boolean {
    if (element.type === 'environment') return this.store.readsWhenOpened(element.env);
    return (
      element.type === 'application' &&
      this.applicationFolded(element) === true &&
      !this.store.entry(element.env)?.notRead?.has(element.app)
    );
  }

  /**
   * In a destination opened one Application at a time, whether an Application's row is folded: until it is opened,
   * from the row's first showing (the saved tree, the render before the status is read) on. The workbench keeps a row
   * as first shown (expanded or folded) whatever later items say: a row first shown expanded would have its rows asked
   * for, and so be read (rowOpened), before anyone opened it. Undefined elsewhere.
   */
  private applicationFolded(element: { env: string; app: string }): boolean | undefined {
    return this.store.opensByApplication(element.env)
      ? !this.store.applicationOpened(element.env, element.app)
      : undefined;
  }

  getTreeItem(element: TreeElement): vscode.TreeItem {
    const entry = this.store.entry(element.env);
    switch (element.type) {
      case 'noCluster':
        return noClusterItem(element.id, element.cause, element.envs, this.store.entries.length);
      case 'group': {
        const group = this.layout().groups.find((g) => g.by === element.by && g.key === element.key);
        return groupItem(element.id, group, this.store.entries.length, (n) => this.store.entry(n));
      }
      case 'environment': {
        if (!entry) return new vscode.TreeItem(element.env);
        const layout = this.layout();
        return environmentItem(element.id, entry, {
          // An environment read as its Argo CD status until opened starts folded: opening it is what reads it.
          open: environmentsStartOpen(this.store.entries.length) && !this.store.readsWhenOpened(entry.env.name),
          showContext: layout.sharedContext === undefined || layout.ownContext.has(entry.env.name),
          byApplication: this.store.opensByApplication(entry.env.name),
        });
      }
      case 'application':
        return entry
          ? applicationItem(element.id, entry, element.app, this.store.repoRoot, this.applicationFolded(element))
          : new vscode.TreeItem(element.app);
      case 'kind': {
        const all = entry?.report
          ? resourcesOf(
              entry.report.resources,
              element.app,
              applicationNames(entry.env.applications, entry.report).length > 1,
            )
          : [];
        const resources = all.filter((r) => r.key.group === element.group && r.key.kind === element.kind);
        const attention = resources.some((r) => needsAttention(objectState(r)));
        // Open where there is something to look at; in-sync kinds stay folded so every environment fits.
        const item = new vscode.TreeItem(
          element.kind,
          attention ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = element.id;
        item.description = groupDescription(countStates(resources));
        item.iconPath = stateIcon(environmentState({ resources, error: null }));
        item.contextValue = 'kindGroup';
        item.tooltip = `${element.group ? `${element.kind}.${element.group}` : element.kind}: ${resources.length} object(s)`;
        return item;
      }
      case 'resource': {
        const r = entry?.report?.resources.find((x) => keyString(x.key) === keyString(element.key));
        if (!r || !entry?.report) return new vscode.TreeItem(plainText(element.key.name));
        // Rows of the same name under one kind (`alertmanager` in two namespaces) also say their namespace.
        const showsApps = applicationNames(entry.env.applications, entry.report).length > 1;
        const siblings = resourcesOf(entry.report.resources, showsApps ? r.application : undefined, showsApps).filter(
          (x) => x.key.group === r.key.group && x.key.kind === r.key.kind,
        );
        const withNamespace = repeatedNames(siblings.map((x) => x.key.name)).has(r.key.name);
        return resourceItem(element.id, entry, r, withNamespace);
      }
      case 'message': {
        const item = new vscode.TreeItem(element.text);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('gitopsDrift.errorForeground'));
        item.tooltip = element.text;
        item.contextValue = 'message';
        return item;
      }
    }
  }
}

/** Why environments cannot reach their cluster, once, with its one action. */
function noClusterItem(id: string, cause: string, envs: readonly string[], total: number): vscode.TreeItem {
  const which = envs.length === total ? '' : ` (${envs.join(', ')})`;
  const item = new vscode.TreeItem(`No cluster${which}: ${plainText(cause)}`, vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = `objects ${STATE_LABEL.notChecked}`;
  item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('gitopsDrift.errorForeground'));
  item.tooltip = `${plainText(cause)}\n\nThe environments and their rendered objects are shown, not checked. Select a kube context to check them.`;
  // `noCluster`: the row's inline action is Select Kube Context…, and so is a click.
  item.contextValue = 'noCluster';
  item.command = { command: CommandIds.switchContext, title: 'Select Kube Context…' };
  return item;
}

/** A group of environments: its folder, cluster or namespace, how many environments, and their objects' states. */
function groupItem(
  id: string,
  group: EnvironmentGroup | undefined,
  total: number,
  entryOf: (name: string) => EnvironmentEntry | undefined,
): vscode.TreeItem {
  const item = new vscode.TreeItem(
    plainText(group?.label ?? ''),
    environmentsStartOpen(total) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = id;
  item.contextValue = 'environmentGroup';
  const entries = (group?.environments ?? []).map(entryOf).filter((e): e is EnvironmentEntry => e !== undefined);
  const reports = entries.map((e) => e.report).filter((r) => r !== undefined);
  const resources = reports.flatMap((r) => r.resources);
  const failed = reports.filter((r) => r.error !== null && !r.noCluster).length;
  const counts = countStates(resources);
  item.description = [
    `${entries.length} environment${entries.length === 1 ? '' : 's'}`,
    ...(reports.length ? [groupStateSummary(counts)] : []),
    ...(failed ? [`${failed} ${STATE_LABEL.error}`] : []),
  ].join(' · ');
  const worst = reports.length
    ? environmentState({
        resources,
        error: failed ? 'error' : reports.every((r) => r.noCluster) ? 'no cluster' : null,
        noCluster: !failed && reports.every((r) => r.noCluster),
      })
    : undefined;
  // While any of its environments is being checked the group says so: its counts are not final yet.
  const checking = entries.filter((e) => e.checking).length;
  if (checking) item.description = `${item.description} · checking…`;
  item.iconPath = checking
    ? new vscode.ThemeIcon('loading~spin')
    : worst
      ? stateIcon(worst)
      : new vscode.ThemeIcon('folder');
  const what = { folder: 'folder', cluster: 'cluster', namespace: 'namespace' }[group?.by ?? 'folder'];
  item.tooltip = `${what} ${plainText(group?.label ?? '')}: ${entries.map((e) => e.env.name).join(', ')}`;
  return item;
}

/** A group's objects in a few words: `in sync`, or the counts of what is not (`3 drifted · 1 missing`). */
function groupStateSummary(counts: ReturnType<typeof countStates>): string {
  const parts = countParts(counts, { withInSync: false });
  return parts.length ? parts.join(' · ') : counts.total ? STATE_LABEL.inSync : 'no objects';
}

function environmentItem(
  id: string,
  entry: EnvironmentEntry,
  layout: { open: boolean; showContext: boolean; byApplication: boolean },
): vscode.TreeItem {
  const item = new vscode.TreeItem(
    entry.env.name,
    layout.open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = id;
  // `.flux`: a Flux Kustomization applies it, so menus offer Reconcile Now; `.fleet`: a destination opened one
  // Application at a time, so they offer Read All Applications.
  item.contextValue = fluxApplications(entry.env).length
    ? 'environment.flux'
    : layout.byApplication
      ? 'environment.fleet'
      : 'environment';
  const report = entry.report;
  if (entry.checking && !report) {
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    const apps = entry.env.applications.length;
    item.description = apps > 1 ? `${apps} applications · rendering…` : 'checking…';
  } else if (report && entry.lastKnown) {
    // The last session's tree, until this session's render replaces it: its objects, never a verdict.
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    item.description = `${report.resources.length} ${STATE_LABEL.notChecked} · last session's render, rendering…`;
  } else if (report) {
    const state = environmentState(report);
    item.iconPath = entry.checking
      ? new vscode.ThemeIcon('loading~spin')
      : isIncomplete(report) && state === 'notChecked'
        ? incompleteIcon()
        : stateIcon(state);
    // An environment of one Flux Kustomization shows its state here; with several, each application does.
    const controller = soleController(report.applications);
    // A destination opened one Application at a time: the opened ones' verdicts, then what is not read yet.
    const unopened = unopenedResources(report);
    item.description = [
      // Fleet shape: Argo CD's word until the environment is opened and its objects are read.
      report.statusOnly
        ? `${report.resources.length} objects, read when opened`
        : environmentDescription(
            unopened.length ? { ...report, resources: report.resources.filter((r) => !unopened.includes(r)) } : report,
            { context: layout.showContext },
          ),
      ...(unopened.length && !report.statusOnly ? [`${unopened.length} objects, read when opened`] : []),
      // The first render in progress: its objects so far; the applications not done yet say "rendering…".
      ...(report.rendering ? [`${report.rendering.rendered} of ${report.rendering.total} applications rendered`] : []),
      ...(controller ? [plainText(controllerBadge(controller))] : []),
    ].join(' · ');
  }
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${entry.env.name}** — \`${entry.env.path || '.'}\`\n\n`);
  // An Application of its own (one application): the app-of-apps that makes it is said here.
  const sole = entry.env.applications.length === 1 ? entry.env.applications[0] : undefined;
  if (sole?.parent) md.appendText(`${parentLine(sole.parent)}\n\n`);
  if (report) {
    md.appendMarkdown(
      `context: \`${report.context || 'current'}\` · namespace: \`${report.namespace ?? entry.env.namespace ?? 'default'}\`\n\n`,
    );
    if (report.error)
      md.appendText(`${report.noCluster ? `${STATE_LABEL.notChecked}: no cluster` : 'error'}: ${report.error}\n\n`);
    for (const a of report.applications ?? [])
      if (a.controller) md.appendText(`${plainText(controllerTooltip(a.controller))}\n\n`);
    if (isIncomplete(report))
      md.appendText(
        `${NOT_CHECKED_INCOMPLETE}: the render skipped\n${skippedContent(report)
          .map((s) => `• ${describeSkipped(s)}`)
          .join('\n')}\n\n`,
      );
    const counts = countStates(report.resources);
    const byApplication = entry.env.applications.length > 1;
    md.appendText(
      report.statusOnly
        ? `${counts.total} objects: Argo CD's status only; open ${byApplication ? 'an Application' : 'the environment'} to read its objects\n\n`
        : `${counts.total} objects${counts.total ? `: ${countParts(counts).join(', ')}` : ''}\n\n`,
    );
    const unread = report.statusOnly ? 0 : unopenedResources(report).length;
    if (unread) md.appendText(`${unread} of them: Argo CD's status only; open their Application to read them\n\n`);
  }
  if (entry.lastKnown)
    md.appendMarkdown(
      `the objects of the last session's render (${entry.lastKnown.toLocaleString()}), not checked, until this session renders the repo`,
    );
  else if (entry.lastChecked) md.appendMarkdown(`last refresh: ${entry.lastChecked.toLocaleTimeString()}`);
  item.tooltip = md;
  return item;
}

/** `from app-of-apps NAME (FILE:LINE)`, and, when it failed to render, that Argo CD does not apply this from it. */
function parentLine(parent: ApplicationParent): string {
  return plainText(describeParent(parent));
}

/** The objects under one application, or (for `app` undefined) those of no application when applications are shown. */
function resourcesOf(
  resources: readonly ResourceDrift[],
  app: string | undefined,
  showsApps: boolean,
): ResourceDrift[] {
  if (!showsApps) return [...resources];
  return resources.filter((r) => r.application === app);
}

function applicationItem(
  id: string,
  entry: EnvironmentEntry,
  name: string,
  repoRoot: string | undefined,
  folded: boolean | undefined,
): vscode.TreeItem {
  const app = entry.env.applications.find((a) => a.name === name);
  const summary = entry.report?.applications?.find((a) => a.name === name);
  const resources = entry.report?.resources.filter((r) => r.application === name) ?? [];
  // Read when opened (fleet shape): folded until the user opens it, which reads its objects.
  const unopened = entry.report?.statusOnly === true || summary?.statusOnly === true;
  const item = new vscode.TreeItem(
    plainText(name),
    (folded ?? unopened) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = id;
  item.contextValue = fluxApplications(entry.env, { apps: new Set([name]) }).length
    ? 'application.flux'
    : 'application';
  if (summary?.state === 'rendering') {
    // Not rendered yet, while the environment's other applications are (see DriftStore.partialRenders).
    item.iconPath = new vscode.ThemeIcon('loading~spin');
    item.description = 'rendering…';
  } else if (summary && summary.state !== 'rendered') {
    item.iconPath =
      summary.state === 'outside'
        ? new vscode.ThemeIcon('cloud')
        : new vscode.ThemeIcon('error', new vscode.ThemeColor('gitopsDrift.errorForeground'));
    item.description =
      summary.state === 'outside'
        ? 'source outside this repo'
        : summary.release
          ? plainText(releaseBadge(summary.release))
          : 'render failed';
  } else if (!entry.report) {
    // Listed from discovery before the environment's first render (see getChildren).
    item.iconPath =
      app?.source.type === 'outside' ? new vscode.ThemeIcon('cloud') : new vscode.ThemeIcon('loading~spin');
    item.description = app?.source.type === 'outside' ? 'source outside this repo' : 'rendering…';
  } else {
    const reading = entry.checking && entry.reading?.has(name) === true;
    // A read cancelled before it ended: not read, and why (opening the row again reads it).
    const notRead = unopened ? entry.notRead?.get(name) : undefined;
    item.iconPath = reading
      ? new vscode.ThemeIcon('loading~spin')
      : stateIcon(environmentState({ resources, error: null }));
    item.description = [
      // Fleet shape: each Application of a destination says Argo CD's word until it is opened.
      reading
        ? `${resources.length} objects, reading…`
        : notRead
          ? `${resources.length} objects not read: ${notRead}`
          : unopened
            ? `${resources.length} objects, read when opened`
            : groupDescription(countStates(resources)),
      ...(summary?.controller ? [plainText(controllerBadge(summary.controller))] : []),
      ...(summary?.release ? [plainText(releaseBadge(summary.release))] : []),
    ].join(' · ');
  }
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${plainText(name)}** — application of ${plainText(entry.env.name)}\n\n`);
  if (summary?.controller) md.appendText(`${plainText(controllerTooltip(summary.controller))}\n`);
  if (summary?.release) md.appendText(`${plainText(releaseTooltip(summary.release))}\n`);
  if (app)
    md.appendText(
      `${app.renderer} · ${describeSource(app.source)}${app.declaredAt ? ` · declared in ${app.declaredAt.file}:${app.declaredAt.line}` : ''}\n`,
    );
  if (app?.parent) md.appendText(`${parentLine(app.parent)}\n`);
  if (summary?.message) md.appendText(`\n${summary.message}\n`);
  item.tooltip = md;
  // A Helm release is no application of the repo's: its HelmRelease's line is its declaration.
  const declaredAt = app?.declaredAt ?? summary?.declaredAt;
  if (declaredAt && repoRoot) {
    const line = Math.max(0, declaredAt.line - 1);
    item.command = {
      command: 'vscode.open',
      title: 'Open Declaration',
      arguments: [repoUri(repoRoot, declaredAt.file), { selection: new vscode.Range(line, 0, line, 0) }],
    };
  }
  return item;
}

function resourceItem(id: string, entry: EnvironmentEntry, r: ResourceDrift, withNamespace: boolean): vscode.TreeItem {
  // Names of Extra objects come from the cluster: no control characters or bidi overrides in the tree.
  const item = new vscode.TreeItem(plainText(r.key.name), vscode.TreeItemCollapsibleState.None);
  const state = objectState(r);
  item.id = id;
  item.iconPath = stateIcon(state);
  item.description = [
    ...(withNamespace ? [plainText(r.key.namespace || '(cluster)')] : []),
    resourceDescription(r),
  ].join(' · ');
  // contextValue carries the verdict so menus can offer Show Diff only where there is something to compare.
  // A hook is no difference to show or put back, whatever its verdict.
  item.contextValue = `resource.${state === 'hook' ? 'Hook' : r.verdict}${r.source ? '.hasSource' : ''}`;
  const md = new vscode.MarkdownString();
  // The name as text, not markdown: a cluster's object name must not add links or formatting to the tooltip.
  md.appendMarkdown(`**${r.key.kind}** `);
  md.appendText(`${plainText(r.key.namespace ? `${r.key.namespace}/` : '')}${plainText(r.key.name)}`);
  md.appendMarkdown(` — ${STATE_LABEL[state]}\n\n`);
  const now = new Date();
  if (r.verdict === 'Drifted' && state !== 'hook')
    for (const f of r.fields) md.appendText(`• ${fieldDriftMessage(entry.env.name, f, now)}\n`);
  else if (r.verdict !== 'InSync' && state !== 'hook') md.appendText(resourceMessage(entry.env.name, r) + '\n');
  if (r.controller?.note) md.appendText(`\n${r.controller.note}\n`);
  if (r.controller?.argo)
    md.appendText(
      `\nArgo CD: ${plainText(r.controller.argo.status)}${r.controller.argo.health ? `, ${plainText(r.controller.argo.health)}` : ''}${r.controller.argo.requiresPruning ? ', requires pruning' : ''}\n`,
    );
  if (r.controller?.disagreement) md.appendText(`\n${plainText(r.controller.disagreement)}\n`);
  // Ignored differences are not drift, but say which rule hides them (an Argo CD ignoreDifferences entry, say).
  for (const i of r.ignored ?? [])
    md.appendText(`\nignored: ${i.label ?? i.path}${i.rule ? ` (rule at ${i.rule.file}:${i.rule.line})` : ''}\n`);
  if (r.source) md.appendMarkdown(`\n\ndeclared in \`${r.source.file}:${r.source.line}\``);
  item.tooltip = md;
  const showDiff = state !== 'hook' && (r.verdict === 'Drifted' || r.verdict === 'Missing' || r.verdict === 'Extra');
  const args = [resourceElement(entry.env.name, r.key)];
  item.command = showDiff
    ? { command: CommandIds.showDiff, title: 'Show Diff', arguments: args }
    : r.source
      ? { command: CommandIds.openSource, title: 'Open Source', arguments: args }
      : undefined;
  return item;
}
