/** Every command the extension contributes. package.json's `contributes.commands` must list exactly these. */
export const CommandIds = {
  refresh: 'gitopsDrift.refresh',
  refreshEnvironment: 'gitopsDrift.refreshEnvironment',
  cancelRefresh: 'gitopsDrift.cancelRefresh',
  showDiff: 'gitopsDrift.showDiff',
  openSource: 'gitopsDrift.openSource',
  copyName: 'gitopsDrift.copyName',
  switchContext: 'gitopsDrift.switchContext',
  ignoreField: 'gitopsDrift.ignoreField',
  showRendered: 'gitopsDrift.showRendered',
  showLog: 'gitopsDrift.showLog',
  promote: 'gitopsDrift.promote',
  revert: 'gitopsDrift.revert',
  putLiveBack: 'gitopsDrift.putLiveBack',
  reconcileNow: 'gitopsDrift.reconcileNow',
  adoptLiveValue: 'gitopsDrift.adoptLiveValue',
  compareEnvironments: 'gitopsDrift.compareEnvironments',
  findEnvironmentsUsing: 'gitopsDrift.findEnvironmentsUsing',
  refreshHistory: 'gitopsDrift.refreshHistory',
  showDeploymentDiff: 'gitopsDrift.showDeploymentDiff',
  openDeploymentCommit: 'gitopsDrift.openDeploymentCommit',
  revertDeployment: 'gitopsDrift.revertDeployment',
  showDora: 'gitopsDrift.showDora',
  showFieldValues: 'gitopsDrift.showFieldValues',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
