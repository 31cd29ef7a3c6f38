/**
 * The one glob matcher. Two dialects, because the files they come from mean different things: names and keys
 * (ignore rules' kind/name/namespace, injected annotation keys such as `kubectl.kubernetes.io/*`), where `*` runs
 * across `/`; and folder paths (Argo CD's git directory generator, Go's `path.Match`), where `*` and `?` stop at `/`
 * and `[...]` is a character class. A third, exact Go `filepath.Match` of one path element (`[^...]` classes, `\`
 * escapes, malformed patterns refused), is for Flux's `.sourceignore` rules (render/flux/sourceIgnore.ts).
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

/**
 * Go's filepath.Match of one path element as an anchored expression; undefined for a malformed pattern (Go's
 * ErrBadPattern).
 */
export function goFilepathMatchRegExp(pattern: string): RegExp | undefined {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      if (i + 1 >= pattern.length) return undefined;
      re += escapeGoMatchChar(pattern[++i]);
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('^');
      if (negated) body = body.slice(1);
      if (!body) return undefined;
      re += `[${negated ? '^' : ''}${body.replace(/[\]\\^]/g, (x) => `\\${x}`)}]`;
      i = end;
    } else re += escapeGoMatchChar(c);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeGoMatchChar(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
