/**
 * The one glob matcher. Two dialects, because the files they come from mean different things: names and keys
 * (ignore rules' kind/name/namespace, injected annotation keys such as `kubectl.kubernetes.io/*`), where `*` runs
 * across `/`; and folder paths (Argo CD's git directory generator, Go's `path.Match`), where `*` and `?` stop at `/`
 * and `[...]` is a character class.
 */

/** `path`: Go's `path.Match` (`*` and `?` never cross `/`, `[...]` and `[!...]` classes); else `*` is any run. */
export interface GlobOptions {
  path?: boolean;
}

/** A glob as an anchored regular expression: `*` any run, `?` one character (see GlobOptions for paths). */
export function globToRegExp(glob: string, options: GlobOptions = {}): RegExp {
  const path = options.path === true;
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += path ? '[^/]*' : '.*';
    else if (c === '?') re += path ? '[^/]' : '.';
    else if (c === '[' && path && glob.indexOf(']', i + 1) >= 0) {
      const end = glob.indexOf(']', i + 1);
      re += `[${glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A set of globs (names and keys) compiled once, for matching many strings. */
export class GlobSet {
  private readonly exact = new Set<string>();
  private readonly patterns: RegExp[] = [];

  constructor(globs: readonly string[]) {
    for (const g of globs) {
      if (g.includes('*') || g.includes('?')) this.patterns.push(globToRegExp(g));
      else this.exact.add(g);
    }
  }

  matches(text: string): boolean {
    return this.exact.has(text) || this.patterns.some((p) => p.test(text));
  }
}
