/**
 * Which objects a line of a repo file declares or produces, for revealing them in the Environments view: the line that
 * set a compared field (an overlay's patch, an `images:` entry), else the document the line is in (its object's
 * declaration), in every environment that renders it.
 */
import type { EnvironmentDrift, ResourceDrift } from '../model/drift';
import type { ResourceKey } from '../model/resource';
import { needsAttention, objectState } from '../model/verdictState';

/** One object of one environment. */
export interface ObjectAt {
  env: string;
  key: ResourceKey;
}

/**
 * The objects `file:line` (1-based) declares or produces, best first: an environment named in `prefer` (the one the
 * view has selected), then environments where the object needs attention, then the repo's order. A field line (the
 * line git set a compared value on) beats a declaration; among declarations in a file of several documents, the one
 * the line is in (the last that starts at or above it).
 */
export function objectsAtLine(
  reports: readonly Pick<EnvironmentDrift, 'name' | 'resources'>[],
  file: string,
  line: number,
  prefer?: string,
): ObjectAt[] {
  const fieldHits: { env: string; r: ResourceDrift }[] = [];
  const declared: { env: string; r: ResourceDrift; start: number }[] = [];
  for (const report of reports)
    for (const r of report.resources) {
      if (r.fields.some((f) => f.origin?.file === file && f.origin.line === line))
        fieldHits.push({ env: report.name, r });
      if (r.source?.file === file && r.source.line <= line)
        declared.push({ env: report.name, r, start: r.source.line });
    }
  let hits = fieldHits;
  if (!hits.length && declared.length) {
    const start = Math.max(...declared.map((d) => d.start));
    hits = declared.filter((d) => d.start === start);
  }
  const rank = (h: { env: string; r: ResourceDrift }) =>
    h.env === prefer ? 0 : needsAttention(objectState(h.r)) ? 1 : 2;
  return hits
    .map((h, order) => ({ h, order }))
    .sort((a, b) => rank(a.h) - rank(b.h) || a.order - b.order)
    .map(({ h }) => ({ env: h.env, key: h.r.key }));
}
