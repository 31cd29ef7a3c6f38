/**
 * Digests of what renders read (core's DriftEngine.renderInputs), and the check that the repo still holds exactly
 * that: the editor keeps them with its saved tree, so a reopened window can show the saved rows as this session's
 * render (the files it was made from are unchanged) while the engine renders again in the background. A digest is
 * SHA-256 of a file's text as the engine reads it (decodeText), never the text itself; a folder keeps the names of its
 * files, as RecordingFileSystem lists them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { decodeText } from '../core/decodeText';
import type { SavedInputs } from '../core/editor/lastKnownTree';

/**
 * What a saved tree keeps of the files its renders read: file → SHA-256 (hex) of its text (null: looked for, not
 * there); folder ('' = the root) → the names of its files, sorted.
 */
export type InputDigests = Pick<SavedInputs, 'files' | 'folders'>;

function digest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A digest of settings (any JSON value): a saved tree made with other settings is not this session's render. */
export function digestSettings(settings: unknown): string {
  return digest(JSON.stringify(settings) ?? '');
}

/** The digests of renders' inputs (file texts, undefined = missing; folder listings). */
export function digestInputs(inputs: {
  files: ReadonlyMap<string, string | undefined>;
  listings: ReadonlyMap<string, ReadonlySet<string>>;
}): InputDigests {
  const files: Record<string, string | null> = {};
  for (const [file, text] of inputs.files) files[file] = text === undefined ? null : digest(text);
  const folders: Record<string, string[]> = {};
  for (const [dir, names] of inputs.listings) folders[dir] = [...names].sort();
  return { files, folders };
}

/** Reads one repo file's digest now: null when nothing is there; 'other' when something that is not a text file is. */
async function digestNow(repoRoot: string, file: string): Promise<string | null | 'other'> {
  const path = file.startsWith('/') ? file : `${repoRoot}/${file}`;
  try {
    return digest(decodeText(await readFile(path)));
  } catch {
    // Missing, a folder now, or not text: only "missing" equals a recorded null.
    return (await stat(path).catch(() => undefined)) ? 'other' : null;
  }
}

/** Whether every file and folder still reads as `digests` says (false at the first difference or on any doubt). */
export async function inputsUnchanged(repoRoot: string, digests: InputDigests): Promise<boolean> {
  const root = repoRoot.replace(/\/+$/, '');
  try {
    const files = Object.entries(digests.files).map(async ([file, want]) => (await digestNow(root, file)) === want);
    const folders = Object.entries(digests.folders).map(async ([dir, want]) => {
      const entries = await readdir(dir === '' ? root : dir.startsWith('/') ? dir : `${root}/${dir}`, {
        withFileTypes: true,
      });
      const names = entries
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort();
      return names.length === want.length && names.every((n, i) => n === want[i]);
    });
    return (await Promise.all([...files, ...folders])).every(Boolean);
  } catch {
    return false;
  }
}
