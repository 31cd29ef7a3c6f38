import { createTwoFilesPatch } from 'diff';
import { parseAllDocuments } from 'yaml';
import { maskSecrets } from './maskSecrets';
import type { FileChange } from './types';
import type { TextEdit } from '../yaml/yamlText';

/**
 * Applies edits to the files' original texts and returns each changed file with a unified diff. Identical edits
 * (one images entry reached through several objects) apply once; different edits to overlapping ranges are refused.
 * A YAML file that no longer parses after its edits is refused too, so nothing half-valid is ever written.
 */
export function applyEdits(originals: ReadonlyMap<string, string>, edits: TextEdit[]): FileChange[] {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of edits) {
    const list = byFile.get(e.file) ?? [];
    if (!list.some((x) => x.start === e.start && x.end === e.end && x.newText === e.newText)) list.push(e);
    byFile.set(e.file, list);
  }
  const changes: FileChange[] = [];
  for (const [file, list] of byFile) {
    const before = originals.get(file);
    if (before === undefined) throw new Error(`${file}: not read before editing`);
    list.sort((a, b) => a.start - b.start || a.end - b.end);
    // Insertions at one offset (two images entries appended to one list) go in one after the other.
    for (let i = list.length - 1; i > 0; i--) {
      const [a, b] = [list[i - 1], list[i]];
      if (a.start === a.end && b.start === b.end && a.start === b.start)
        list.splice(i - 1, 2, { ...a, newText: a.newText + b.newText });
    }
    for (let i = 1; i < list.length; i++) {
      if (list[i].start < list[i - 1].end || (list[i].start === list[i - 1].start && list[i].end === list[i - 1].end)) {
        throw new Error(`${file}: two changes overlap at offset ${list[i].start}; promote them one at a time`);
      }
    }
    let after = before;
    for (const e of [...list].reverse()) after = after.slice(0, e.start) + e.newText + after.slice(e.end);
    if (after === before) continue;
    if (/\.ya?ml$|(^|\/)Kustomization$/.test(file)) {
      const broken = parseAllDocuments(after);
      const error = Array.isArray(broken) ? broken.flatMap((d) => d.errors)[0] : undefined;
      if (error)
        throw new Error(
          `${file}: the edit would make the file invalid YAML (${error.message.split('\n')[0]}); nothing was written`,
        );
    }
    // The patch is for showing: Secret values near an edit are masked (both sides alike, so the diff still holds).
    const shown = /\.ya?ml$|(^|\/)Kustomization$/.test(file) ? maskSecrets : (t: string) => t;
    changes.push({
      file,
      before,
      after,
      patch: createTwoFilesPatch(`a/${file}`, `b/${file}`, shown(before), shown(after), undefined, undefined, {
        context: 3,
      }),
    });
  }
  return changes.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
