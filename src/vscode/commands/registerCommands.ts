/**
 * src/vscode/commands/: one file per command, each a factory taking EditorServices; registerCommands.ts registers
 * them all through registerCommand.ts's wrapper (which logs and shows errors). Commands call the core and the host
 * (host.ts).
 */
import type * as vscode from 'vscode';
import type { EditorServices } from '../services';
import { CommandIds, type CommandId } from './commandIds';
import { compareEnvironmentsCommand } from './compareEnvironments';
import { copyNameCommand } from './copyName';
import { enableChartDownloadsCommand } from './enableChartDownloads';
import { showAllObjectsCommand, showOnlyProblemsCommand } from './filterView';
import { findEnvironmentsUsingCommand } from './findEnvironmentsUsing';
import { groupByCommand } from './groupBy';
import {
  openDeploymentCommitCommand,
  refreshHistoryCommand,
  showDeploymentDiffCommand,
  showDoraCommand,
} from './history';
import { ignoreFieldCommand } from './ignoreField';
import { openSourceCommand } from './openSource';
import { readAllApplicationsCommand } from './readAllApplications';
import { cancelRefreshCommand, refreshCommand, refreshEnvironmentCommand } from './refresh';
import { type CommandHandler, registerCommand } from './registerCommand';
import { revealInTreeCommand } from './revealInTree';
import { showDiffCommand } from './showDiff';
import { showFieldValuesCommand } from './showFieldValues';
import { showRenderedCommand } from './showRendered';
import { switchContextCommand } from './switchContext';

/**
 * A command whose module (and what it imports: git, the renderer, the cluster writer) loads when first run, so
 * activation does not pay for it.
 */
function lazy(load: () => Promise<(s: EditorServices) => CommandHandler>): (s: EditorServices) => CommandHandler {
  return (s) => {
    let handler: Promise<CommandHandler> | undefined;
    return async (...args) => (await (handler ??= load().then((factory) => factory(s))))(...args);
  };
}

/** Every command id → its handler factory. A new command: one file, one line here, one entry in package.json. */
const factories: Record<CommandId, (s: EditorServices) => CommandHandler> = {
  [CommandIds.refresh]: refreshCommand,
  [CommandIds.refreshEnvironment]: refreshEnvironmentCommand,
  [CommandIds.cancelRefresh]: cancelRefreshCommand,
  [CommandIds.readAllApplications]: readAllApplicationsCommand,
  [CommandIds.showDiff]: showDiffCommand,
  [CommandIds.openSource]: openSourceCommand,
  [CommandIds.copyName]: copyNameCommand,
  [CommandIds.switchContext]: switchContextCommand,
  [CommandIds.ignoreField]: ignoreFieldCommand,
  [CommandIds.showRendered]: showRenderedCommand,
  [CommandIds.compareEnvironments]: compareEnvironmentsCommand,
  [CommandIds.findEnvironmentsUsing]: findEnvironmentsUsingCommand,
  [CommandIds.showFieldValues]: showFieldValuesCommand,
  [CommandIds.showLog]: (s) => () => s.log.show(),
  [CommandIds.showOnlyProblems]: showOnlyProblemsCommand,
  [CommandIds.showAllObjects]: showAllObjectsCommand,
  [CommandIds.revealInTree]: revealInTreeCommand,
  [CommandIds.groupBy]: groupByCommand,
  [CommandIds.enableChartDownloads]: enableChartDownloadsCommand,
  [CommandIds.promote]: lazy(async () => (await import('./promote.js')).promoteCommand),
  [CommandIds.revert]: lazy(async () => (await import('./revert.js')).revertCommand),
  // The History view's Revert This Deployment: the same confirmed revert, given the deployment.
  [CommandIds.revertDeployment]: lazy(async () => (await import('./revert.js')).revertCommand),
  [CommandIds.refreshHistory]: refreshHistoryCommand,
  [CommandIds.showDeploymentDiff]: showDeploymentDiffCommand,
  [CommandIds.openDeploymentCommit]: openDeploymentCommitCommand,
  [CommandIds.showDora]: showDoraCommand,
  [CommandIds.putLiveBack]: lazy(async () => (await import('./putLiveBack.js')).putLiveBackCommand),
  [CommandIds.reconcileNow]: lazy(async () => (await import('./reconcileNow.js')).reconcileNowCommand),
  [CommandIds.adoptLiveValue]: lazy(async () => (await import('./adoptLiveValue.js')).adoptLiveValueCommand),
  [CommandIds.signInToArgoCd]: lazy(async () => (await import('./signInToArgoCd.js')).signInToArgoCdCommand),
};

/** Registers every command through the error-reporting wrapper. */
export function registerCommands(s: EditorServices): vscode.Disposable[] {
  return Object.entries(factories).map(([id, factory]) => registerCommand(id, factory(s), s.host, s.log));
}
