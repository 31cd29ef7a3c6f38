/**
 * Why a file was not read: the error codes FileSystem adapters throw for the reads they refuse (docs/security.md,
 * "Files read"), and the one-line wording every reader shows for them.
 */

/** The default per-file read limit: 64 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Codes of refused reads. Node's own codes (ENOENT, EISDIR, ELOOP, EACCES) keep their meaning; these are ours:
 * - EOUTSIDE: the real path (symlinks resolved) is outside the allowed root
 * - ENOTREG: not a regular file (a FIFO, socket or device), never opened for reading
 * - EFBIG: larger than the read limit
 * - EILSEQ: not valid text (invalid UTF-8, or UTF-16 without a byte-order mark pair)
 */
export type FileRefusal = 'EOUTSIDE' | 'ENOTREG' | 'EFBIG' | 'EILSEQ';

/**
 * An error a FileSystem adapter throws for a refused read. `reason`: the message without the path (readers put
 * their own, repo-relative name in front); `line` (1-based) where the text is bad.
 */
export interface FileError extends Error {
  code: FileRefusal | string;
  reason?: string;
  line?: number;
  column?: number;
}

/** An error with a code, for adapters: the message is `<path>: <reason>` when a path is given. */
export function fileError(
  code: FileRefusal,
  reason: string,
  extra: { path?: string; line?: number; column?: number } = {},
): FileError {
  const { path, ...rest } = extra;
  return Object.assign(new Error(path ? `${path}: ${reason}` : reason), { code, reason }, rest);
}

/**
 * What went wrong with a read, in a few words after the file name (`<file>: <this>`). `limitBytes`, when known,
 * names the limit for EFBIG.
 */
export function describeReadError(e: unknown): string {
  const err = e as FileError;
  switch (err?.code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ELOOP':
      return 'symbolic link loop (too many levels of symbolic links); not read';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EILSEQ':
      return err.line
        ? `line ${err.line}, column ${err.column ?? 0}: ${err.reason ?? firstLine(err.message)}`
        : (err.reason ?? firstLine(err.message));
    case 'EOUTSIDE':
    case 'ENOTREG':
    case 'EFBIG':
      return err.reason ?? firstLine(err.message);
    default:
      return `cannot read (${firstLine(err?.message ?? String(e))})`;
  }
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}
