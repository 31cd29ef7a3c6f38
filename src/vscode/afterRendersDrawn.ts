/**
 * When the work that follows a refresh's renders may start on the extension host's one thread: the whole-repo
 * authoring lint and the code caches' writes (which wait for `DriftStore.whenFirstRendered`), and the saved tree's
 * digests. On a first load of several environments they used to start with the last render, before the view had
 * asked for the rows that render filled, and held back its answers (the 100-environment bench: the lint's first
 * chunks, two code caches and the digests of every file read, between the last render and the tree drawn). So they
 * wait until the tree is drawn. A single environment's first render is already drawn before its check starts
 * (`drawnAlready`), and later refreshes draw over a filled tree: neither waits.
 */
export function afterRendersDrawn(options: {
  /** The store's first load of the repo in this window. */
  firstLoad: boolean;
  /** The tree was drawn after the last render was shown (a single environment's first load). */
  drawnAlready: boolean;
  /**
   * Resolves once the view has asked for the rows it shows, then for none for `quietMs`
   * (EnvironmentsTreeProvider.whenDrawn), if there is a view.
   */
  whenTreeDrawn: ((quietMs?: number) => Promise<void>) | undefined;
}): Promise<void> {
  if (!options.firstLoad || options.drawnAlready || !options.whenTreeDrawn) return Promise.resolve();
  // A wait that fails only delays, never stops, what follows.
  return options.whenTreeDrawn(AFTER_RENDERS_QUIET_MS).catch(() => undefined);
}

/**
 * The quiet time that says the rows are drawn, shorter than whenDrawn's 250 ms: the lint it holds back is what the
 * user waits for next, and the rows the renders changed are one round trip (groups start folded beyond a handful).
 */
export const AFTER_RENDERS_QUIET_MS = 100;
