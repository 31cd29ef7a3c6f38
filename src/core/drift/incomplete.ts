/**
 * "Not checked: incomplete": the one vocabulary every output (text, JSON, SARIF, the editor's tree and status bar)
 * uses for an environment whose render skipped content. Its object verdicts are real but cover only what was
 * rendered, so "in sync" would be a false "ok": the environment's verdict is incomplete, and `check`/`diff` exit 2
 * unless the user allows it (--allow-incomplete).
 */
import type { EnvironmentDrift, SkippedContent } from '../model/drift';
import { formatLocation } from '../model/location';
import { STATE_LABEL } from '../model/verdictState';

/** The environment-level words, as the text report and the editor show them. */
export const NOT_CHECKED_INCOMPLETE = `${STATE_LABEL.notChecked}: incomplete`;

/** What an environment's render skipped (empty when complete). */
export function skippedContent(env: Pick<EnvironmentDrift, 'skipped'>): readonly SkippedContent[] {
  return env.skipped ?? [];
}

/** Whether an environment's verdicts cover only part of it. */
export function isIncomplete(env: Pick<EnvironmentDrift, 'skipped' | 'error'>): boolean {
  return env.error === null && skippedContent(env).length > 0;
}

/** `1 part skipped`, `3 parts skipped`. */
export function skippedCount(env: Pick<EnvironmentDrift, 'skipped'>): string {
  const n = skippedContent(env).length;
  return `${n} part${n === 1 ? '' : 's'} skipped`;
}

/** One skipped part in one line: `remote resource 'https://…' is not fetched; skipped (envs/dev/kustomization.yaml:4:5)`. */
export function describeSkipped(s: SkippedContent): string {
  return s.location && s.location.line > 0 ? `${s.message} (${formatLocation(s.location)})` : s.message;
}
