/** What the authoring checks report: plain data shared by the CLI (`gitops-drift lint`) and the editor. */
import type { SourceLocation } from '../model/location';

import type { LintCode } from '../model/lintCodes';

export type LintSeverity = 'error' | 'warning' | 'information';

/** A span in a repo file: repo-relative path, 1-based lines and columns; the end column is exclusive. */
export interface LintRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One authoring problem, on the exact span to fix. */
export interface LintFinding {
  code: LintCode;
  severity: LintSeverity;
  message: string;
  range: LintRange;
  /** Other places involved (the first declaration of a duplicate, the environments a render error breaks, ...). */
  related?: { location: SourceLocation; message: string }[];
  /** For `deprecated-field`: the deprecated field's name, which `rewriteDeprecatedField` can rewrite. */
  field?: string;
  /**
   * The text that most likely fixes the span (the editor offers it as a quick fix): for `unknown-field` the known
   * field it means, for `missing-path` the entry with a near existing name.
   */
  suggestion?: string;
  /** A one-step fix the editor offers as a quick action (Problem.fix of the render problem behind the finding). */
  fix?: 'enable-chart-downloads';
}

/** Base URL of the codes' documentation; a code's page is `${AUTHORING_DOCS_URL}#${code}`. */
export const AUTHORING_DOCS_URL = 'https://github.com/gitops-drift/gitops-drift/blob/main/docs/authoring.md';
