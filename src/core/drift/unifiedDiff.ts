/**
 * `gitops-drift diff`: a unified diff (the `diff` package) of normalised desired vs live YAML per object that is not
 * in sync — what `kubectl diff` would print without defaults, server fields and status. Secret values are masked
 * (same value, same mask), so a changed Secret shows which keys changed and nothing else.
 */
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject, ResourceKey } from '../model/resource';
import { normalizedDesired, normalizedLive } from './diffObject';
import { palette } from './format';
import type { ReconcileDetail } from './reconcile';

/** One object's two sides; a side is undefined when the object is not there (Missing / Extra). */
export interface DiffPair {
  environment?: string;
  apiVersion: string;
  key: ResourceKey;
  desired?: KubeObject;
  live?: KubeObject;
}

/** The pairs to print for every object that is Drifted, Missing or Extra, in result order. */
export function diffPairs(details: readonly ReconcileDetail[], environment?: string): DiffPair[] {
  const pairs: DiffPair[] = [];
  for (const d of details) {
    const base = { environment, apiVersion: d.result.apiVersion, key: d.result.key };
    if (d.result.verdict === 'Drifted' && d.diff) pairs.push({ ...base, desired: d.diff.desired, live: d.diff.live });
    else if (d.result.verdict === 'Missing' && d.desired)
      pairs.push({ ...base, desired: d.diff?.desired ?? normalizedDesired(d.desired) });
    else if (d.result.verdict === 'Extra' && d.live)
      pairs.push({ ...base, live: d.diff?.live ?? normalizedLive(d.live, d.result.key) });
  }
  return pairs;
}

/** Options of the unified diff. */
export interface UnifiedDiffOptions {
  /** ANSI colour (for a terminal). */
  color?: boolean;
  /** Lines of context; default 3. */
  context?: number;
}

/** The unified diff of all pairs (empty string when there is nothing to show). */
export function unifiedDiff(pairs: readonly DiffPair[], options: UnifiedDiffOptions = {}): string {
  const p = palette(options.color ?? false);
  const out: string[] = [];
  for (const pair of pairs) {
    const name = [pair.environment, pair.apiVersion.replace('/', '.'), pair.key.kind, pair.key.namespace, pair.key.name]
      .filter(Boolean)
      .join('.');
    const a = pair.desired ? stringify(pair.desired, { lineWidth: 0 }) : '';
    const b = pair.live ? stringify(pair.live, { lineWidth: 0 }) : '';
    if (a === b) continue;
    const patch = createTwoFilesPatch(
      pair.desired ? `git/${name}` : '/dev/null',
      pair.live ? `live/${name}` : '/dev/null',
      a,
      b,
      undefined,
      undefined,
      { context: options.context ?? 3 },
    );
    // Drop the `Index:`/`===` preamble createTwoFilesPatch writes; keep the ---/+++ headers and hunks.
    const lines = patch.split('\n').filter((l, i) => !(i < 2 && (l.startsWith('Index:') || l.startsWith('==='))));
    if (lines[lines.length - 1] === '') lines.pop();
    out.push(
      ...lines.map((l) =>
        l.startsWith('---') || l.startsWith('+++')
          ? p.bold(l)
          : l.startsWith('@@')
            ? p.cyan(l)
            : l.startsWith('-')
              ? p.red(l)
              : l.startsWith('+')
                ? p.green(l)
                : l,
      ),
    );
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
