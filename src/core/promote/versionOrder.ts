import { describeVersion, type ImageRef } from './imageRef';

/** Which way a change of image moves an environment. */
export type Direction = 'upgrade' | 'downgrade' | 'same' | 'unknown';

/** A tag read as something ordered: a date (with what follows it), or a semantic version. */
type Version = { kind: 'date'; date: string; rest: number[] } | { kind: 'semver'; parts: number[]; pre?: string };

// `2026-11-01`, `20261101`, `2026.11.01`, `release-2026-11-01-3`: a year 2000–2099 and a valid month and day.
const DATE = /(?:^|[^0-9])(20\d\d)[-._]?(0[1-9]|1[0-2])[-._]?(0[1-9]|[12]\d|3[01])(?![0-9])(.*)$/;
// `1.2.3`, `v3.0`, `2.0.0-rc.1`, `1.4.0+build.7` (build metadata does not order, as in semver).
const SEMVER = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseVersion(tag: string): Version | undefined {
  const date = DATE.exec(tag);
  if (date) return { kind: 'date', date: date[1] + date[2] + date[3], rest: (date[4].match(/\d+/g) ?? []).map(Number) };
  const semver = SEMVER.exec(tag);
  if (semver)
    return {
      kind: 'semver',
      parts: [semver[1], semver[2] ?? '0', semver[3] ?? '0'].map(Number),
      ...(semver[4] ? { pre: semver[4] } : {}),
    };
  return undefined;
}

function compareNumbers(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Semver's pre-release order: a release ranks above its pre-releases; identifiers compare numerically when numbers. */
function comparePre(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === undefined) return -1;
    if (y[i] === undefined) return 1;
    const [nx, ny] = [/^\d+$/.test(x[i]), /^\d+$/.test(y[i])];
    const d = nx && ny ? Number(x[i]) - Number(y[i]) : nx ? -1 : ny ? 1 : x[i] < y[i] ? -1 : x[i] > y[i] ? 1 : 0;
    if (d) return Math.sign(d);
  }
  return 0;
}

/** -1, 0 or 1 when both tags read as the same kind of version; undefined when they cannot be ordered. */
export function compareTags(a: string, b: string): number | undefined {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y || x.kind !== y.kind) return undefined;
  if (x.kind === 'date' && y.kind === 'date')
    return x.date !== y.date ? (x.date < y.date ? -1 : 1) : compareNumbers(x.rest, y.rest);
  if (x.kind === 'semver' && y.kind === 'semver') return compareNumbers(x.parts, y.parts) || comparePre(x.pre, y.pre);
  return undefined;
}

/**
 * Which way moving the target from `current` to `next` goes. A digest is ordered by the tag it was pushed under; two
 * digests without tags (or tags that are not versions or dates) cannot be ordered.
 */
export function imageDirection(current: ImageRef, next: ImageRef): { direction: Direction; text: string } {
  const text = `${describeVersion(current)} → ${describeVersion(next)}`;
  if (current.tag === next.tag && current.digest === next.digest) return { direction: 'same', text };
  if (!current.tag || !next.tag) return { direction: 'unknown', text };
  if (current.tag === next.tag) return { direction: 'unknown', text }; // the same tag pushed again: a new build of it
  const order = compareTags(current.tag, next.tag);
  if (order === undefined) return { direction: 'unknown', text };
  return { direction: order < 0 ? 'upgrade' : order > 0 ? 'downgrade' : 'same', text: `${current.tag} → ${next.tag}` };
}
