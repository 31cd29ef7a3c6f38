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

const BOUNDARY = 'repo boundary (file reading: real paths, in or below the kustomization root)';
const READING = 'file reading (regular files only, size limit, encodings, alias limits)';
const TERMINAL = 'terminal injection: nothing strips control characters from repo text in the text report and messages yet';

export const awaitingFix: AwaitingFix[] = [
  { id: 'files/symlink-resource-outside', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${BOUNDARY}: the symlinked file is read; fails only because /etc/passwd-like text is not a YAML map` },
  { id: 'files/symlink-generator-file-outside', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${BOUNDARY}: the outside file is rendered into a ConfigMap and printed, exit 0` },
  { id: 'files/symlink-environment-outside', reason: `${BOUNDARY}: an environment path symlinked to an outside folder is rendered and checked` },
  { id: 'files/dev-zero', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: /dev/zero is read until the memory bound kills the process` },
  { id: 'files/fifo-resource', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: opening the FIFO blocks until the time bound kills the process` },
  { id: 'files/fifo-kustomization', reason: `${READING}: a FIFO kustomization.yaml is not seen as one; dev silently disappears (envs/check exit 0)` },
  { id: 'files/huge-resource', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: no per-file size limit; the 70 MB file renders with exit 0` },
  { id: 'files/alias-bomb-resource', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: no alias limit in the resource reader; memory bound reached` },
  { id: 'files/alias-bomb-kustomization', reason: `${READING}: render runs into the memory bound; the others say "Excessive alias count" without the file` },
  { id: 'files/invalid-utf8', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: invalid bytes become U+FFFD, exit 0` },
  { id: 'files/nul-byte', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: NUL passes through (and is printed raw by check), exit 0` },
  { id: 'files/utf16-bom', reason: `${READING}: a UTF-16 file with a BOM is refused ("must be a YAML map"); kustomize renders it` },
  { id: 'files/self-cycle', commands: ['envs', 'check', 'diff', 'promote', 'lint'], reason: 'file reading (cycles): an overlay listing itself is silently not an environment; lint says "no problems"' },
  { id: 'files/empty-kustomization', reason: 'file reading (empty kustomizations): renders as "no objects" with exit 0; kustomize refuses it' },
  { id: 'files/comment-only-kustomization', reason: 'file reading (empty kustomizations): renders as "no objects" with exit 0; kustomize refuses it' },
  { id: 'files/deep-nesting', commands: ['render', 'check', 'diff', 'promote', 'lint'], reason: `${READING}: "Maximum call stack size exceeded" as the message; lint runs into the memory bound` },
  { id: 'names/proto-keys', reason: 'null-prototype objects: __proto__ is dropped when reading (file reading), and compare reads constructor/toString from Object.prototype on the live side' },
  { id: 'names/escape-in-file-name', reason: `${TERMINAL} (a file name in render, check, diff and lint messages)` },
];
