/** "Did you mean" for names a user typed: the closest known name by edit distance. */

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/**
 * `unknown key 'contxt' in environment (did you mean 'context'?)`, or the allowed names when none is close
 * (same letters in another case, or at most two edits away).
 */
export function unknownName(name: string, allowed: readonly string[], where?: string, noun = 'key'): string {
  const close = allowed.find(
    (a) => a.toLowerCase() === name.toLowerCase() || editDistance(a.toLowerCase(), name.toLowerCase()) <= 2,
  );
  return `unknown ${noun} '${name}'${where ? ` in ${where}` : ''}${close ? ` (did you mean '${close}'?)` : ` (expected ${allowed.join(', ')})`}`;
}
