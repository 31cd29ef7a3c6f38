/**
 * How history reads to people, for the CLI's text output and the editor's History view and hovers alike: durations,
 * times and one line per move. Secret values never appear (a Secret's move says only that the key changed).
 */
import { describeVersion } from '../promote/imageRef';
import { plainText } from '../model/untrustedText';
import type { Movement } from './types';

/** `3d 4h`, `12h`, `45m`, `30s`; `–` for no figure. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '–';
  const s = Math.round(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return h ? `${d}d ${h}h` : `${d}d`;
  if (h) return m ? `${h}h ${m}m` : `${h}h`;
  if (m) return `${m}m`;
  return `${s}s`;
}

/** `2026-11-14 08:00Z` (UTC, so every reader sees the same time). */
export function when(iso: string): string {
  return new Date(iso).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
}

/** One move as a line: what, from → to, and where (`   file:line`). */
export function describeMove(move: Movement): string {
  const object = `${move.object.kind} ${move.object.namespace ? move.object.namespace + '/' : ''}${move.object.name}`;
  const at = move.at ? `   ${move.at.file}:${move.at.line}` : '';
  const arrow = (from: string | undefined, to: string | undefined) => `${from ?? '∅'} → ${to ?? '∅'}`;
  let what: string;
  switch (move.kind) {
    case 'image':
      what = `${object} [${move.container}] image ${move.image} ${arrow(
        move.from && describeVersion({ name: move.image, ...move.from }),
        move.to && describeVersion({ name: move.image, ...move.to }),
      )}`;
      break;
    case 'replicas':
      what = `${object} replicas ${arrow(move.from?.toString(), move.to?.toString())}`;
      break;
    case 'config':
      what = move.secret
        ? `${object} ${move.key} changed (Secret value not shown)`
        : `${object} ${move.key} ${arrow(short(move.from), short(move.to))}`;
      break;
    case 'added':
      what = `+ ${object}`;
      break;
    case 'removed':
      what = `- ${object}`;
      break;
    case 'changed':
      what = `${object} changed: ${move.paths.join(', ')}`;
      break;
  }
  return plainText(what + at);
}

function short(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return v.length > 40 ? v.slice(0, 39) + '…' : v;
}
