/**
 * Flux's `.sourceignore` rules (fluxcd/pkg/sourceignore over go-git's plumbing/format/gitignore), for the objects of
 * a `Bucket`: source-controller reads the bucket's own `.sourceignore` object, appends `spec.ignore`, and leaves out
 * every key the matcher excludes (`matcher.Match(strings.Split(key, "/"), false)`). The last pattern that matches
 * decides; `!` includes again; a trailing `/` matches folders only; a pattern with a `/` is anchored at the root,
 * one without matches any path element; `**` spans folders; `*`, `?` and `[…]` are Go's `filepath.Match`.
 */

import { goFilepathMatchRegExp } from '../../glob';

interface IgnorePattern {
  inclusion: boolean;
  dirOnly: boolean;
  isGlob: boolean;
  parts: string[];
}

/**
 * The patterns of a `.sourceignore` text (`#` comments and blank lines skipped), as sourceignore.ReadPatterns reads
 * them.
 */
export function readIgnorePatterns(text: string): IgnorePattern[] {
  const out: IgnorePattern[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#') || !line.trim()) continue;
    let p = line;
    const inclusion = p.startsWith('!');
    if (inclusion) p = p.slice(1);
    if (!p.endsWith('\\ ')) p = p.replace(/ +$/, '');
    const dirOnly = p.endsWith('/');
    if (dirOnly) p = p.slice(0, -1);
    out.push({ inclusion, dirOnly, isGlob: p.includes('/'), parts: p.split('/') });
  }
  return out;
}

/** Whether `patterns` leave out the object `key` (a file: its path split on `/`). */
export function isIgnored(patterns: readonly IgnorePattern[], key: string): boolean {
  const path = key.split('/');
  for (let i = patterns.length - 1; i >= 0; i--) {
    const p = patterns[i];
    if (p.isGlob ? globMatch(p, path) : simpleNameMatch(p, path)) return !p.inclusion;
  }
  return false;
}

function simpleNameMatch(p: IgnorePattern, path: readonly string[]): boolean {
  for (let i = 0; i < path.length; i++) {
    const m = goMatch(p.parts[0], path[i]);
    if (m === undefined) return false;
    if (!m) continue;
    // A folder-only pattern does not match the file itself (objects are files).
    return !(p.dirOnly && i === path.length - 1);
  }
  return false;
}

function globMatch(p: IgnorePattern, full: readonly string[]): boolean {
  let path = full;
  let matched = false;
  let canTraverse = false;
  for (let i = 0; i < p.parts.length; i++) {
    const part = p.parts[i];
    if (part === '') {
      canTraverse = false;
      continue;
    }
    if (part === '**') {
      if (i === p.parts.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (part.includes('**')) return false;
    if (!path.length) return false;
    if (canTraverse) {
      canTraverse = false;
      while (path.length) {
        const element = path[0];
        path = path.slice(1);
        const m = goMatch(part, element);
        if (m === undefined) return false;
        if (m) {
          matched = true;
          break;
        }
        if (!path.length) matched = false;
      }
    } else {
      if (!goMatch(part, path[0])) return false;
      matched = true;
      path = path.slice(1);
    }
  }
  if (matched && p.dirOnly && path.length === 0) return false;
  return matched;
}

const compiled = new Map<string, RegExp | undefined>();

/** Go's filepath.Match of one path element; undefined for a malformed pattern (Go's ErrBadPattern). */
function goMatch(pattern: string, name: string): boolean | undefined {
  if (!compiled.has(pattern)) compiled.set(pattern, goFilepathMatchRegExp(pattern));
  return compiled.get(pattern)?.test(name);
}
