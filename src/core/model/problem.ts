import type { SourceLocation } from './location';

/** A problem found in the repo or config: always points at a file, and at a line when one is known. */
export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  /** Repo-relative file; line/column 1-based, 0 when unknown. */
  location?: SourceLocation;
  /** What kind of problem, for tools that map problems to their own codes (`gitops-drift lint`); unset for most. */
  code?: string;
  /**
   * What the user can do about it in one step, for the editor's quick action: `enable-chart-downloads` on a chart
   * that was not downloaded because chart downloads are off.
   */
  fix?: 'enable-chart-downloads';
}

/**
 * Problem.code of a render warning for content the renderer skipped (a remote resource or component, a Helm
 * chart, a generator or transformer plugin): what was rendered lacks it, so an environment's verdict is incomplete.
 */
export const SKIPPED_CONTENT = 'skipped-content';

/** An error that carries a Problem: thrown for input that stops a render or a load. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(
      problem.location
        ? `${problem.location.file}${problem.location.line ? ':' + problem.location.line + (problem.location.column ? ':' + problem.location.column : '') : ''}: ${problem.message}`
        : problem.message,
    );
    this.name = 'ProblemError';
  }
}
