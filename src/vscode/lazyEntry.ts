/**
 * The half of the extension that loads on first use: the engine session and the commands that write (git, the
 * renderer, the cluster writer). Split builds bundle this file alone as dist/vscode/lazyEntry.js and point the
 * dynamic imports of these modules at it (see test/editor/harness/build.mjs), so activation parses only the
 * light half. A build that bundles everything into one file works the same.
 */
export { DriftSession } from './driftSession';
export { adoptLiveValueCommand } from './commands/adoptLiveValue';
export { promoteCommand } from './commands/promote';
export { putLiveBackCommand } from './commands/putLiveBack';
export { revertCommand } from './commands/revert';
export { createArgoCdClient } from '../node/argoCdClient';
export { argoCdTlsFromConfig } from '../node/argoCdConfig';
