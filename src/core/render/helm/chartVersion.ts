/**
 * Chart versions and version constraints as Helm and Flux's source-controller read them: Masterminds semver v3
 * (`NewVersion`, `NewConstraint`, `Constraints.Check`), which is not npm's semver: `,` or a space is AND, `||` is OR,
 * `1.2` and `1.2.x` mean the whole minor, `^0.0.3` stays on the patch, and a prerelease version matches only a
 * constraint that names a prerelease itself. The npm `semver` package (present only as a dependency of our dev tools)
 * reads several of these differently, so the few rules Helm uses are written here.
 */

/** A parsed chart version: numbers, prerelease identifiers, build metadata (ignored in comparisons). */
export interface ChartVersion {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
  original: string;
}

// Masterminds' loose form: optional v, one to three numbers, prerelease and metadata.
const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** Parses a version as Masterminds' NewVersion does (`v1.2` is 1.2.0); undefined when it is not one. */
export function parseChartVersion(text: string): ChartVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  const prerelease = m[4] ? m[4].split('.') : [];
  // Numeric prerelease identifiers may not have leading zeros (semver 2.0.0 §9).
  if (prerelease.some((p) => p === '' || (/^\d+$/.test(p) && p.length > 1 && p.startsWith('0')))) return undefined;
  return { major: +m[1], minor: +(m[2] ?? 0), patch: +(m[3] ?? 0), prerelease, original: text };
}

/** Whether `text` is one exact version (no operator, no wildcard), as source-controller checks before listing tags. */
export function isExactChartVersion(text: string): boolean {
  return parseChartVersion(text) !== undefined;
}

/** Semver precedence: negative when a < b. */
export function compareChartVersions(a: ChartVersion, b: ChartVersion): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k];
  if (!a.prerelease.length || !b.prerelease.length) return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return +x - +y;
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** A version constraint: OR of AND groups. */
export interface ChartVersionConstraint {
  check(version: ChartVersion): boolean;
}

/** One comparison of an AND group. */
interface Bound {
  test(c: (v: ChartVersion) => number, version: ChartVersion): boolean;
  /** The constraint named a prerelease: prerelease versions may then match. */
  pre: boolean;
}

/** Parses a constraint as Masterminds' NewConstraint does; throws with the reason when it is not one. */
export function parseChartVersionConstraint(text: string): ChartVersionConstraint {
  const groups = text.split('||').map((group) => parseGroup(group.trim(), text));
  const against = (version: ChartVersion) => (v: ChartVersion) => compareChartVersions(version, v);
  return {
    check: (version) =>
      groups.some((bounds) =>
        // Masterminds v3: a prerelease version is only considered when the constraint names a prerelease.
        bounds.every((b) => (!version.prerelease.length || b.pre) && b.test(against(version), version)),
      ),
  };
}

/** The newest of `versions` the constraint accepts (`*` or empty: the newest stable), as source-controller picks. */
export function newestMatching(constraint: string, versions: Iterable<string>): string | undefined {
  const c = parseChartVersionConstraint(constraint.trim() === '' ? '*' : constraint);
  let best: ChartVersion | undefined;
  for (const text of versions) {
    const v = parseChartVersion(text);
    if (!v || !c.check(v)) continue;
    if (!best || compareChartVersions(v, best) > 0) best = v;
  }
  return best?.original;
}

const PART = /^(?:\d+|[xX*])$/;

function parseGroup(group: string, whole: string): Bound[] {
  if (!group) throw new Error(`improper constraint: ${whole}`);
  // A hyphen range `1.2 - 1.4.5` (spaces around the hyphen, as Masterminds requires).
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(group);
  if (hyphen) return [...expand('>=', hyphen[1], whole), ...expand('<=', hyphen[2], whole)];
  // Operators may be followed by spaces (`>= 1.2`); terms are separated by commas or spaces.
  const terms = group
    .replace(/(>=|=>|<=|=<|!=|~>|[=<>~^])\s+/g, '$1')
    .split(/[\s,]+/)
    .filter(Boolean);
  return terms.flatMap((term) => {
    const m = /^(>=|=>|<=|=<|!=|~>|[=<>~^])?(.*)$/.exec(term);
    const op = m?.[1] ?? '=';
    return expand(op === '=>' ? '>=' : op === '=<' ? '<=' : op === '~>' ? '~' : op, m?.[2] ?? '', whole);
  });
}

/** One term as bounds: wildcards and `~`/`^` become ranges, as Masterminds evaluates them. */
function expand(op: string, text: string, whole: string): Bound[] {
  const m = /^v?([^-+]*)(?:-([^+]*))?(?:\+.*)?$/.exec(text);
  const parts = (m?.[1] ?? '').split('.');
  if (!m || !parts.length || parts.length > 3 || !parts.every((p) => PART.test(p)))
    throw new Error(`improper constraint: ${whole}`);
  const pre = m[2] !== undefined;
  const nums = parts.map((p) => (/^\d+$/.test(p) ? +p : undefined));
  // How many leading numbers were given before a wildcard or the end (`1.2` and `1.2.x` alike: 2).
  let given = 0;
  while (given < nums.length && nums[given] !== undefined) given++;
  const at = (major: number, minor: number, patch: number, prerelease: string[] = []): ChartVersion => ({
    major,
    minor,
    patch,
    prerelease,
    original: `${major}.${minor}.${patch}`,
  });
  const [ma = 0, mi = 0, pa = 0] = nums.slice(0, given) as number[];
  const base = at(ma, mi, pa, pre && given === 3 ? (m[2] ?? '').split('.') : []);
  const cmp = (pass: (n: number) => boolean, v: ChartVersion): Bound => ({ test: (c) => pass(c(v)), pre });
  const eq = (v: ChartVersion) => cmp((n) => n === 0, v);
  const gt = (v: ChartVersion) => cmp((n) => n > 0, v);
  const ge = (v: ChartVersion) => cmp((n) => n >= 0, v);
  const lt = (v: ChartVersion) => cmp((n) => n < 0, v);
  const le = (v: ChartVersion) => cmp((n) => n <= 0, v);
  const zero = at(0, 0, 0);
  // The first version past the range the given numbers name (1.2 → 1.3.0, 1 → 2.0.0).
  const next = given === 1 ? at(ma + 1, 0, 0) : given === 2 ? at(ma, mi + 1, 0) : undefined;
  switch (op) {
    case '=':
      if (given === 0) return [ge(zero)];
      return given === 3 ? [eq(base)] : [ge(base), lt(next as ChartVersion)];
    case '!=':
      if (given === 3) return [cmp((n) => n !== 0, base)];
      if (given === 0) return [lt(zero)];
      // Outside the named range: below it or past it.
      return [{ test: (c) => c(base) < 0 || c(next as ChartVersion) >= 0, pre }];
    case '>':
      if (given === 3) return [gt(base)];
      return next ? [ge(next)] : [lt(zero)];
    case '>=':
      return [ge(base)];
    case '<':
      return [lt(base)];
    case '<=':
      if (given === 3) return [le(base)];
      return next ? [lt(next)] : [ge(zero)];
    case '~':
      // ~1.2.3 and ~1.2: the minor; ~1: the major.
      return [ge(base), lt(given <= 1 ? at(ma + 1, 0, 0) : at(ma, mi + 1, 0))];
    case '^':
      // ^ stays below the first non-zero number given: ^1.2.3 <2, ^0.2.3 <0.3, ^0.0.3 <0.0.4, ^0 <1.
      if (ma > 0 || given <= 1) return [ge(base), lt(at(ma + 1, 0, 0))];
      if (mi > 0 || given === 2) return [ge(base), lt(at(0, mi + 1, 0))];
      return [ge(base), lt(at(0, 0, pa + 1))];
    default:
      throw new Error(`improper constraint: ${whole}`);
  }
}
