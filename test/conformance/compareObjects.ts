import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/core/model/resource';

/**
 * Compares our objects with kustomize's: same objects, same order, deep-equal values (key order within a map
 * does not matter; scalar types do). Returns undefined when they match, else a readable report.
 */
export function compareObjects(expected: KubeObject[], actual: KubeObject[]): string | undefined {
  const report: string[] = [];
  const expectedIds = expected.map(idOf);
  const actualIds = actual.map(idOf);
  if (!isDeepStrictEqual(expectedIds, actualIds)) {
    report.push('objects or order differ (- kustomize, + ours):', unified('kustomize', 'ours', expectedIds, actualIds));
  }
  // Pair by id so an order or set difference still shows the value differences of the objects both produced;
  // then pair what is left by id without a generator hash suffix, so a wrong hash still shows the data behind it.
  const unpaired = new Map(actual.map((o) => [idOf(o), o]));
  const pairs: [KubeObject, KubeObject][] = [];
  const leftover: KubeObject[] = [];
  for (const want of expected) {
    const got = unpaired.get(idOf(want));
    if (got === undefined) leftover.push(want);
    else {
      unpaired.delete(idOf(want));
      pairs.push([want, got]);
    }
  }
  for (const want of leftover) {
    const match = [...unpaired.entries()].find(([id]) => unhashed(id) === unhashed(idOf(want)));
    if (!match) continue;
    unpaired.delete(match[0]);
    pairs.push([want, match[1]]);
  }
  for (const [want, got] of pairs) {
    if (isDeepStrictEqual(want, got)) continue;
    const title = idOf(want) === idOf(got) ? idOf(want) : `${idOf(want)} (ours: ${idOf(got)})`;
    report.push(`${title} differs (- kustomize, + ours):`, unified('kustomize', 'ours', toLines(want), toLines(got)));
  }
  return report.length ? report.join('\n') : undefined;
}

/** `Kind namespace/name` (apiVersion included so two groups' same-named kinds stay apart). */
export function idOf(o: KubeObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.apiVersion} ${o.kind} ${ns}${o.metadata?.name ?? '<no name>'}`;
}

/** kustomize's name hash suffix: a dash and 10 characters from its reduced alphabet. */
function unhashed(id: string): string {
  return id.replace(/-[2456789bcdfghkmt]{10}$/, '');
}

function toLines(o: KubeObject): string[] {
  return stringify(redactSecret(o), { sortMapEntries: true, lineWidth: 0 }).trimEnd().split('\n');
}

/**
 * Secret values never reach a test log: each is replaced by a short digest, which still shows which key differs.
 */
export function redactSecret(o: KubeObject): KubeObject {
  if (o.kind !== 'Secret') return o;
  const copy: KubeObject = { ...o };
  for (const field of ['data', 'stringData']) {
    const values = o[field];
    if (values && typeof values === 'object') {
      copy[field] = Object.fromEntries(
        Object.entries(values as Record<string, unknown>).map(([k, v]) => [k, `<redacted sha256:${digest(v)}>`]),
      );
    }
  }
  return copy;
}

function digest(v: unknown): string {
  return createHash('sha256')
    .update(typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'))
    .digest('hex')
    .slice(0, 12);
}

function unified(a: string, b: string, left: string[], right: string[]): string {
  const patch = createTwoFilesPatch(a, b, left.join('\n') + '\n', right.join('\n') + '\n', undefined, undefined, {
    context: 3,
  });
  // Drop the ===/---/+++ header lines: the heading above already says which side is which.
  return patch
    .split('\n')
    .filter(
      (l, i) => i > 3 || !(l.startsWith('===') || l.startsWith('---') || l.startsWith('+++') || l.startsWith('Index')),
    )
    .join('\n');
}
