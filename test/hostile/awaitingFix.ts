/**
 * Hostile cases whose fix is another piece of issue #12's work, kept out of the run until it lands: the ONE place
 * a case is left out (never a `skip` in a case file). Remove an entry when its fix is merged; the suite says at
 * its end how many runs still wait here. GITOPS_DRIFT_HOSTILE_ALL=1 runs them anyway.
 */
import type { CommandName } from './cases/types';

export interface AwaitingFix {
  /** The case's id. */
  id: string;
  /** Only these runs of it wait (all of them when absent). */
  commands?: CommandName[];
  /** What is wrong today and whose work fixes it. */
  reason: string;
}

export const awaitingFix: AwaitingFix[] = [];
