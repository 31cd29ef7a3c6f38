/**
 * The History view: per environment, its deployments newest first as a timeline (time, short commit, author,
 * subject; the moves below each), from the HistoryModel. A view of its own beside Environments, not a node inside it:
 * that tree is the state now (and refreshes with the cluster), this one is time, and both can be open at once.
 */
import * as vscode from 'vscode';
import { describeMove, duration, when } from '../../core/history/describe';
import type { Deployment, EnvironmentHistory, Movement, RepoHistory } from '../../core/history/types';
import { plainText } from '../../core/model/untrustedText';
import { CommandIds } from '../commands/commandIds';
import type { HistoryModel } from '../history/historyModel';
import { Disposable } from '../lifecycle';

/** An element of the History view: plain data with a stable id. */
export type HistoryElement =
  | { type: 'historyEnvironment'; id: string; env: string }
  | { type: 'deployment'; id: string; env: string; sha: string; subject: string }
  | { type: 'move'; id: string; env: string; sha: string; index: number }
  | { type: 'historyMessage'; id: string; env?: string; text: string; error?: boolean };

/** A deployment element as commands receive it (Show Deployment Diff, Open Commit, Revert This Deployment). */
export type DeploymentElement = Extract<HistoryElement, { type: 'deployment' }>;

export function isDeploymentElement(arg: unknown): arg is DeploymentElement {
  return (
    !!arg &&
    typeof arg === 'object' &&
    (arg as { type?: unknown }).type === 'deployment' &&
    typeof (arg as { sha?: unknown }).sha === 'string' &&
    typeof (arg as { env?: unknown }).env === 'string'
  );
}

export class HistoryTreeProvider extends Disposable implements vscode.TreeDataProvider<HistoryElement> {
  private readonly changed = this._register(new vscode.EventEmitter<HistoryElement | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly model: HistoryModel) {
    super();
    this._register(model.onDidChange(() => this.changed.fire(undefined)));
  }

  async getChildren(element?: HistoryElement): Promise<HistoryElement[]> {
    let history: RepoHistory;
    try {
      history = await this.model.get();
    } catch (e) {
      return element
        ? []
        : [
            {
              type: 'historyMessage',
              id: 'hist-msg',
              text: `No history: ${e instanceof Error ? e.message : String(e)}`,
              error: true,
            },
          ];
    }
    if (!element)
      return history.environments.map((e) => ({
        type: 'historyEnvironment',
        id: `hist:${e.environment}`,
        env: e.environment,
      }));
    const env = history.environments.find((e) => e.environment === element.env);
    if (!env) return [];
    if (element.type === 'historyEnvironment') {
      const items: HistoryElement[] = env.deployments.map((d) => deploymentElement(d));
      if (!items.length)
        items.push({
          type: 'historyMessage',
          id: `hist-msg:${env.environment}`,
          env: env.environment,
          text: `No deployments since ${when(history.since)}`,
        });
      for (const gap of env.renderErrors)
        items.push({
          type: 'historyMessage',
          id: `hist-gap:${env.environment}:${gap.commit.sha}`,
          env: env.environment,
          text: `${when(gap.commit.date)} ${gap.commit.sha.slice(0, 7)} does not render: ${gap.message}`,
          error: true,
        });
      return items;
    }
    if (element.type === 'deployment') {
      const d = env.deployments.find((x) => x.commit.sha === element.sha);
      return (d?.moved ?? []).map((_, index) => ({
        type: 'move',
        id: `hist:${env.environment}:${element.sha}:${index}`,
        env: env.environment,
        sha: element.sha,
        index,
      }));
    }
    return [];
  }

  async getTreeItem(element: HistoryElement): Promise<vscode.TreeItem> {
    switch (element.type) {
      case 'historyEnvironment': {
        const env = await this.environment(element.env);
        const item = new vscode.TreeItem(element.env, vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.id;
        item.contextValue = 'historyEnvironment';
        item.iconPath = new vscode.ThemeIcon('history');
        if (env) {
          const failed = env.deployments.filter((d) => d.failed).length;
          item.description = `${plural(env.deployments.length, 'deployment')}${failed ? ` · ${failed} failed` : ''}`;
        }
        return item;
      }
      case 'deployment': {
        const d = await this.deployment(element.env, element.sha);
        const item = new vscode.TreeItem(
          d ? `${when(d.commit.date)}  ${d.commit.sha.slice(0, 7)}` : element.sha.slice(0, 7),
          vscode.TreeItemCollapsibleState.Collapsed,
        );
        item.id = element.id;
        item.contextValue = d?.undone ? 'deployment.undone' : 'deployment';
        if (d) {
          item.description = plainText(`${d.commit.author} · ${d.commit.subject} — ${movedSummary(d.moved)}`);
          item.tooltip = deploymentTooltip(d);
          item.iconPath = d.undone
            ? new vscode.ThemeIcon(
                'discard',
                new vscode.ThemeColor(d.failed ? 'list.errorForeground' : 'list.warningForeground'),
              )
            : new vscode.ThemeIcon('git-commit');
          if (d.undone) item.description = `${undoneLabel(d)} · ${item.description}`;
        }
        item.command = { command: CommandIds.showDeploymentDiff, title: 'Show Deployment Diff', arguments: [element] };
        return item;
      }
      case 'move': {
        const d = await this.deployment(element.env, element.sha);
        const move = d?.moved[element.index];
        const item = new vscode.TreeItem(move ? describeMove(move).split('   ')[0] : '?');
        item.id = element.id;
        item.contextValue = 'move';
        item.iconPath = new vscode.ThemeIcon(move ? moveIcon(move) : 'circle-small');
        if (move?.at) item.description = `${move.at.file}:${move.at.line}`;
        return item;
      }
      case 'historyMessage': {
        const item = new vscode.TreeItem(element.text);
        item.id = element.id;
        item.contextValue = 'historyMessage';
        item.iconPath = new vscode.ThemeIcon(element.error ? 'warning' : 'info');
        item.tooltip = element.text;
        return item;
      }
    }
  }

  private async environment(name: string): Promise<EnvironmentHistory | undefined> {
    try {
      return (await this.model.get()).environments.find((e) => e.environment === name);
    } catch {
      return undefined;
    }
  }

  private async deployment(env: string, sha: string): Promise<Deployment | undefined> {
    return (await this.environment(env))?.deployments.find((d) => d.commit.sha === sha);
  }
}

function deploymentElement(d: Deployment): DeploymentElement {
  return {
    type: 'deployment',
    id: `hist:${d.environment}:${d.commit.sha}`,
    env: d.environment,
    sha: d.commit.sha,
    subject: d.commit.subject,
  };
}

/** `image web 1.4.0 → 1.5.0, +2 more`: the first move, briefly. */
function movedSummary(moved: Movement[]): string {
  if (!moved.length) return '';
  const first = describeMove(moved[0]).split('   ')[0];
  return moved.length > 1 ? `${first} (+${moved.length - 1} more)` : first;
}

function undoneLabel(d: Deployment): string {
  const u = d.undone!;
  return `${u.how === 'git-revert' ? 'reverted' : 'rolled back'} by ${u.by.sha.slice(0, 7)} after ${duration(u.afterSeconds)}`;
}

function deploymentTooltip(d: Deployment): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(`${d.environment}: ${d.commit.subject}\n`);
  md.appendMarkdown('\n');
  md.appendText(`${d.commit.sha.slice(0, 7)} · ${d.commit.author} · ${when(d.commit.date)}\n`);
  if (d.undone) md.appendText(`${undoneLabel(d)}${d.failed ? ' (a failed deployment)' : ''}\n`);
  md.appendMarkdown('\n');
  for (const m of d.moved) {
    md.appendMarkdown('- ');
    md.appendText(describeMove(m).trim());
    md.appendMarkdown('\n');
  }
  return md;
}

function moveIcon(m: Movement): string {
  switch (m.kind) {
    case 'image':
      return 'package';
    case 'replicas':
      return 'layers';
    case 'config':
      return 'settings';
    case 'added':
      return 'diff-added';
    case 'removed':
      return 'diff-removed';
    case 'changed':
      return 'diff-modified';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
