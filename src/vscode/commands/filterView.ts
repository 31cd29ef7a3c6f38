import type { EditorServices } from '../services';
import type { CommandHandler } from './registerCommand';

/** The Environments view's title toggle, on: only what needs attention (drift, missing, extra, unreadable, errors). */
export function showOnlyProblemsCommand(s: EditorServices): CommandHandler {
  return () => s.setOnlyProblems(true);
}

/** The toggle, off: every environment and object again. */
export function showAllObjectsCommand(s: EditorServices): CommandHandler {
  return () => s.setOnlyProblems(false);
}
